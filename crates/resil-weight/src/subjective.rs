//! Subjective and composed weights: AHP from a pairwise comparison matrix (Saaty 1980) with its
//! consistency ratio, subjective x objective combinations, and hierarchical weights (sub-system
//! weights times weights within each sub-system).

use std::collections::BTreeMap;

use resil_core::chunked::{ChunkedFit, Merge, NoData, PassState};
use resil_core::{
    Diagnostic, Error, Indicator, IndicatorSystem, Matrix, Outcome, Polarity, Result, StageContext, Weighter, Weights,
};
use serde::{Deserialize, Serialize};

/// Saaty's random consistency index for n = 1..=15.
const RANDOM_INDEX: [f64; 15] =
    [0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59];

/// Unchecked AHP parameters: the comparison matrix over the indicators in system order
/// (a_ij = importance of i over j, a_ji = 1 / a_ij), and whether a CR above 0.1 is allowed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct AhpParams {
    pub matrix: Vec<Vec<f64>>,
    pub allow_inconsistent: bool,
}

/// AHP's result: weights, lambda max, consistency index and ratio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AhpResult {
    pub weights: Vec<f64>,
    pub lambda_max: f64,
    pub ci: f64,
    pub cr: f64,
}

/// The principal eigenvector (power iteration, normalised to sum 1) of a positive reciprocal matrix.
#[allow(clippy::needless_range_loop)] // the reciprocity check reads a[i][j] beside a[j][i]
pub fn ahp(matrix: &[Vec<f64>]) -> Result<AhpResult> {
    let n = matrix.len();
    if n == 0 || matrix.iter().any(|r| r.len() != n) {
        return Err(Error::param(
            "ahp",
            "matrix",
            format!("must be square, got {n} rows of lengths {:?}", matrix.iter().map(Vec::len).collect::<Vec<_>>()),
        ));
    }
    for i in 0..n {
        for j in 0..n {
            let (a, b) = (matrix[i][j], matrix[j][i]);
            if !(a > 0.0 && a.is_finite()) || (a * b - 1.0).abs() > 1e-6 {
                return Err(Error::param(
                    "ahp",
                    format!("matrix[{i}][{j}]"),
                    format!("must be positive with a[j][i] = 1 / a[i][j], got {a} and {b}"),
                ));
            }
        }
    }
    let mut w = vec![1.0 / n as f64; n];
    for _ in 0..1000 {
        let next: Vec<f64> = (0..n).map(|i| (0..n).map(|j| matrix[i][j] * w[j]).sum()).collect();
        let s: f64 = next.iter().sum();
        let next: Vec<f64> = next.iter().map(|v| v / s).collect();
        let change = next.iter().zip(&w).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        w = next;
        if change < 1e-15 {
            break;
        }
    }
    let lambda_max = (0..n).map(|i| (0..n).map(|j| matrix[i][j] * w[j]).sum::<f64>() / w[i]).sum::<f64>() / n as f64;
    let ci = if n > 1 { (lambda_max - n as f64) / (n as f64 - 1.0) } else { 0.0 };
    let ri = RANDOM_INDEX.get(n - 1).copied().unwrap_or(1.59);
    let cr = if ri > 0.0 { ci / ri } else { 0.0 };
    Ok(AhpResult { weights: w, lambda_max, ci, cr })
}

impl AhpParams {
    pub fn check(self) -> Result<Ahp> {
        let result = ahp(&self.matrix)?;
        if result.cr > 0.1 && !self.allow_inconsistent {
            return Err(Error::param(
                "ahp",
                "matrix",
                format!(
                    "consistency ratio {:.4} exceeds 0.1; revise the comparisons or set allow-inconsistent = true",
                    result.cr
                ),
            ));
        }
        Ok(Ahp { result })
    }
}

/// The checked AHP weighter.
#[derive(Debug, Clone)]
pub struct Ahp {
    result: AhpResult,
}

impl Weighter for Ahp {
    fn weights(&self, _reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        self.given(cx)
    }

    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Weights> + '_>> {
        Some(Box::new(NoData(|cx: &StageContext<'_>| self.given(cx))))
    }
}

impl Ahp {
    /// The principal eigenvector of the comparison matrix (no data needed).
    fn given(&self, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        if self.result.weights.len() != cx.system.len() {
            return Err(Error::param(
                "ahp",
                "matrix",
                format!("{} rows for {} indicators", self.result.weights.len(), cx.system.len()),
            ));
        }
        let note = Diagnostic::info(
            "ahp-consistency",
            format!(
                "ahp: lambda max {:.4}, CI {:.4}, CR {:.4}",
                self.result.lambda_max, self.result.ci, self.result.cr
            ),
        );
        let mut notes = vec![note];
        if self.result.cr > 0.1 {
            notes.push(Diagnostic::warning(
                "ahp-inconsistent",
                format!("ahp: CR {:.4} above 0.1, allowed by the config", self.result.cr),
            ));
        }
        Ok(Outcome::with_notes(Weights::normalized(self.result.weights.clone())?, notes))
    }
}

/// How subjective and objective weights combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Combination {
    /// w_j proportional to s_j o_j.
    #[default]
    Multiplicative,
    /// w_j = alpha s_j + (1 - alpha) o_j.
    Linear,
}

/// Subjective weights (by indicator id) combined with an objective weighter.
#[derive(Debug)]
pub struct Combined {
    subjective: BTreeMap<String, f64>,
    objective: Box<dyn Weighter>,
    mode: Combination,
    alpha: f64,
}

/// A weight named in the config must be finite and >= 0: a negative or infinite one would only
/// surface at the fit, as a nameless weight number.
fn given_weight(method: &str, place: String, w: f64) -> Result<()> {
    if w.is_finite() && w >= 0.0 {
        Ok(())
    } else {
        Err(Error::param(method, place, format!("must be finite and >= 0, got {w}")))
    }
}

impl Combined {
    /// Checks the subjective weights and `alpha`, when given (in [0, 1], and only for the linear
    /// mix, which takes 0.5 without one).
    pub fn new(
        subjective: BTreeMap<String, f64>,
        objective: Box<dyn Weighter>,
        mode: Combination,
        alpha: Option<f64>,
    ) -> Result<Combined> {
        for (id, &w) in &subjective {
            given_weight("combined", format!("subjective.{id}"), w)?;
        }
        let alpha = match (mode, alpha) {
            (Combination::Multiplicative, Some(_)) => {
                return Err(Error::param("combined", "alpha", "applies only with mode = \"linear\""));
            }
            (_, Some(a)) if !(0.0..=1.0).contains(&a) => {
                return Err(Error::param("combined", "alpha", format!("must be in [0, 1], got {a}")));
            }
            (_, a) => a.unwrap_or(0.5),
        };
        Ok(Combined { subjective, objective, mode, alpha })
    }

    /// The share of the subjective weights in the linear mix; `None` for the multiplicative one.
    pub fn alpha(&self) -> Option<f64> {
        (self.mode == Combination::Linear).then_some(self.alpha)
    }
}

impl Weighter for Combined {
    fn weights(&self, reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        self.combine(self.objective.weights(reference, cx)?, cx)
    }

    /// The objective method's passes, when it has them; the subjective weights join at the end.
    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Weights> + '_>> {
        Some(Box::new(CombinedFit { combined: self, objective: self.objective.chunked()? }))
    }
}

impl Combined {
    /// The subjective weights combined with the objective ones `o`.
    fn combine(&self, o: Outcome<Weights>, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        let system = cx.system;
        let s: Vec<f64> = system
            .indicators()
            .iter()
            .map(|i| {
                self.subjective.get(&i.id).copied().ok_or_else(|| {
                    Error::param("combined", format!("subjective.{}", i.id), "no subjective weight given")
                })
            })
            .collect::<Result<_>>()?;
        let s = Weights::normalized(s)?.0;
        let w = match self.mode {
            Combination::Multiplicative => s.iter().zip(&o.value.0).map(|(a, b)| a * b).collect(),
            Combination::Linear => {
                s.iter().zip(&o.value.0).map(|(a, b)| self.alpha * a + (1.0 - self.alpha) * b).collect()
            }
        };
        Ok(Outcome::with_notes(Weights::normalized(w)?, o.notes))
    }
}

/// [`Combined`] over chunks: the objective method's fit, then the combination.
struct CombinedFit<'a> {
    combined: &'a Combined,
    objective: Box<dyn ChunkedFit<Weights> + 'a>,
}

impl ChunkedFit<Weights> for CombinedFit<'_> {
    fn passes(&self, ncols: usize) -> Vec<Vec<Merge>> {
        self.objective.passes(ncols)
    }

    fn update(
        &self,
        pass: usize,
        done: &[PassState],
        chunk: &Matrix,
        first_row: usize,
        state: &mut PassState,
        cx: &StageContext<'_>,
    ) -> Result<()> {
        self.objective.update(pass, done, chunk, first_row, state, cx)
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        self.combined.combine(self.objective.finish(states, cx)?, cx)
    }
}

/// Sub-system weights times weights within each sub-system (by an inner weighter on its columns).
#[derive(Debug)]
pub struct Hierarchical {
    subsystems: BTreeMap<String, f64>,
    within: Box<dyn Weighter>,
}

impl Hierarchical {
    /// Checks the sub-system weights: each finite and >= 0, some positive, their sum finite.
    pub fn new(subsystems: BTreeMap<String, f64>, within: Box<dyn Weighter>) -> Result<Hierarchical> {
        for (name, &w) in &subsystems {
            given_weight("hierarchical", format!("subsystems.{name}"), w)?;
        }
        let total: f64 = subsystems.values().sum();
        if subsystems.is_empty() || total <= 0.0 || !total.is_finite() {
            return Err(Error::param(
                "hierarchical",
                "subsystems",
                format!("need a weight per sub-system, some positive, with a finite sum (sum {total})"),
            ));
        }
        Ok(Hierarchical { subsystems, within })
    }
}

impl Weighter for Hierarchical {
    fn weights(&self, reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        if let Some(fit) = self.chunked() {
            return resil_core::chunked::fit_in_memory(&*fit, reference, cx);
        }
        self.combine(cx, |cols, inner_cx| self.within.weights(&reference.select_columns(cols), inner_cx))
    }

    /// The inner method's passes, when it has them, run on every sub-system's columns at once.
    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Weights> + '_>> {
        Some(Box::new(HierarchicalFit { hierarchical: self, within: self.within.chunked()? }))
    }
}

/// Sub-system `name`'s columns of `system`, as a system of their own with their orientation.
fn subsystem(
    system: &IndicatorSystem,
    orientation: &[Polarity],
    name: &str,
) -> (Vec<usize>, IndicatorSystem, Vec<Polarity>) {
    let cols: Vec<usize> = (0..system.len()).filter(|&j| system.get(j).subsystem == name).collect();
    let sub = IndicatorSystem::new(cols.iter().map(|&j| system.get(j).clone()).collect::<Vec<Indicator>>());
    let orient = cols.iter().map(|&j| orientation[j]).collect();
    (cols, sub, orient)
}

impl Hierarchical {
    /// The sub-system weights times the weights `inner(columns, context)` gives within each.
    fn combine(
        &self,
        cx: &StageContext<'_>,
        mut inner: impl FnMut(&[usize], &StageContext<'_>) -> Result<Outcome<Weights>>,
    ) -> Result<Outcome<Weights>> {
        let system = cx.system;
        let mut w = vec![0.0; system.len()];
        let mut notes = Vec::new();
        let total: f64 = self.subsystems.values().sum();
        for (name, &weight) in &self.subsystems {
            let (cols, sub, orient) = subsystem(system, cx.orientation, name);
            if cols.is_empty() {
                return Err(Error::param(
                    "hierarchical",
                    format!("subsystems.{name}"),
                    "no indicator belongs to this sub-system",
                ));
            }
            let inner = inner(&cols, &StageContext { system: &sub, orientation: &orient, ..*cx })?;
            notes.extend(inner.notes);
            for (k, &j) in cols.iter().enumerate() {
                w[j] = weight / total * inner.value.0[k];
            }
        }
        if let Some(j) = (0..system.len()).find(|&j| !self.subsystems.contains_key(&system.get(j).subsystem)) {
            return Err(Error::param(
                "hierarchical",
                format!("subsystems.{}", system.get(j).subsystem),
                "no weight given for this sub-system",
            ));
        }
        Ok(Outcome::with_notes(Weights::normalized(w)?, notes))
    }
}

/// [`Hierarchical`] over chunks of rows: each pass of the inner method folds every sub-system's
/// columns at once, each column in its own place of the state. The slots of a pass are those the
/// inner method has for all the columns (CRITIC's co-moments: one a column), of which a
/// sub-system uses the first.
struct HierarchicalFit<'a> {
    hierarchical: &'a Hierarchical,
    within: Box<dyn ChunkedFit<Weights> + 'a>,
}

impl HierarchicalFit<'_> {
    /// A sub-system's share of the merged state of pass `pass`: its columns, with its slots.
    fn share(&self, state: &PassState, pass: usize, cols: &[usize]) -> PassState {
        let slots = &self.within.passes(cols.len())[pass];
        let values = cols.iter().flat_map(|&j| (0..slots.len()).map(move |s| state.get(j, s))).collect();
        PassState::from_parts(slots, values).expect("a column's slots")
    }
}

impl ChunkedFit<Weights> for HierarchicalFit<'_> {
    fn passes(&self, ncols: usize) -> Vec<Vec<Merge>> {
        self.within.passes(ncols)
    }

    fn update(
        &self,
        pass: usize,
        done: &[PassState],
        chunk: &Matrix,
        first_row: usize,
        state: &mut PassState,
        cx: &StageContext<'_>,
    ) -> Result<()> {
        for name in self.hierarchical.subsystems.keys() {
            let (cols, sub, orient) = subsystem(cx.system, cx.orientation, name);
            if cols.is_empty() {
                continue; // refused in `finish`
            }
            let done: Vec<PassState> = done.iter().enumerate().map(|(p, d)| self.share(d, p, &cols)).collect();
            let slots = &self.within.passes(cols.len())[pass];
            let mut part = PassState::new(slots, cols.len());
            let inner_cx = StageContext { system: &sub, orientation: &orient, ..*cx };
            self.within.update(pass, &done, &chunk.select_columns(&cols), first_row, &mut part, &inner_cx)?;
            for (k, &j) in cols.iter().enumerate() {
                (0..slots.len()).for_each(|s| state.add(j, s, part.get(k, s)));
            }
        }
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        self.hierarchical.combine(cx, |cols, inner_cx| {
            let shares: Vec<PassState> = states.iter().enumerate().map(|(p, d)| self.share(d, p, cols)).collect();
            self.within.finish(&shares, inner_cx)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Statistic, StatisticalParams};

    #[test]
    fn ahp_matches_numpy_eigenvector() {
        // numpy.linalg.eig on a Saaty-style 4 x 4 matrix (tests/reference/numpy_ahp.py).
        let r = resil_test_support::reference_case("numpy_ahp");
        let matrix: Vec<Vec<f64>> = r["matrix"].as_array().unwrap().iter().map(resil_test_support::floats).collect();
        let got = ahp(&matrix).unwrap();
        for (g, e) in got.weights.iter().zip(resil_test_support::floats(&r["weights"])) {
            assert!((g - e).abs() < 1e-12, "{got:?}");
        }
        assert!((got.lambda_max - r["lambda_max"].as_f64().unwrap()).abs() < 1e-12);
        assert!((got.cr - r["cr"].as_f64().unwrap()).abs() < 1e-12);
    }

    #[test]
    fn inconsistent_matrices_are_refused_unless_allowed() {
        // 1 > 2 strongly, 2 > 3 strongly, but 3 > 1 strongly: a cycle.
        let m = vec![vec![1.0, 9.0, 1.0 / 9.0], vec![1.0 / 9.0, 1.0, 9.0], vec![9.0, 1.0 / 9.0, 1.0]];
        let err = AhpParams { matrix: m.clone(), allow_inconsistent: false }.check().unwrap_err().to_string();
        assert!(err.contains("exceeds 0.1"), "{err}");
        assert!(AhpParams { matrix: m, allow_inconsistent: true }.check().is_ok());
        assert!(
            AhpParams { matrix: vec![vec![1.0, 2.0], vec![2.0, 1.0]], allow_inconsistent: false }.check().is_err(),
            "not reciprocal"
        );
    }

    #[test]
    fn combined_and_hierarchical_by_hand() {
        let m = Matrix::from_columns(vec![vec![1.0, 2.0], vec![1.0, 2.0], vec![1.0, 5.0]]);
        let mut sys = IndicatorSystem::flat(&[Polarity::Benefit; 3]).indicators().to_vec();
        sys[0].subsystem = "a".into();
        sys[1].subsystem = "a".into();
        sys[2].subsystem = "b".into();
        let sys = IndicatorSystem::new(sys);
        let o = [Polarity::Benefit; 3];
        let equal = || Box::new(StatisticalParams::default().check(Statistic::Equal).unwrap()) as Box<dyn Weighter>;
        // Multiplicative with equal objective weights returns the subjective weights.
        let subjective: BTreeMap<String, f64> =
            [("C1", 2.0), ("C2", 1.0), ("C3", 1.0)].iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let c = Combined {
            subjective: subjective.clone(),
            objective: equal(),
            mode: Combination::Multiplicative,
            alpha: 0.5,
        };
        assert_eq!(c.weights(&m, &resil_core::StageContext::columns(&sys, &o)).unwrap().value.0, vec![0.5, 0.25, 0.25]);
        // Linear, alpha 0.5: (0.5 + 1/3) / 2 and so on.
        let c = Combined { subjective, objective: equal(), mode: Combination::Linear, alpha: 0.5 };
        let w = c.weights(&m, &resil_core::StageContext::columns(&sys, &o)).unwrap().value.0;
        assert!((w[0] - (0.5 + 1.0 / 3.0) / 2.0).abs() < 1e-15);
        // Hierarchical: a 0.6 split equally, b 0.4.
        let h = Hierarchical { subsystems: [("a".to_string(), 0.6), ("b".to_string(), 0.4)].into(), within: equal() };
        assert_eq!(h.weights(&m, &resil_core::StageContext::columns(&sys, &o)).unwrap().value.0, vec![0.3, 0.3, 0.4]);
    }
}
