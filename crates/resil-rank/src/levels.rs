//! Level-by-level aggregation (`rank = { method = "levels", ... }`), the way most published
//! composite indices are built (the UNDP HDI, COINr's indices, the OECD/JRC Handbook's step 7):
//! the normalised indicators are aggregated into their sub-system, the sub-systems into their
//! system, the systems into the index, each level with its own function and weights.
//!
//! Functions: weighted arithmetic, geometric and harmonic means, the generalised (power) mean
//! M_p = (sum w x^p / sum w)^(1/p), the minimum, and benefit of the doubt (`bod`, the OECD/JRC
//! Handbook's DEA reading: each unit gets the member weights most favourable to it,
//! max_w sum_j w_j y_ij subject to sum_j w_j y_kj <= 1 for every reference unit k and w >= 0,
//! with optional bounds on each member's share of the unit's score, `share = [lo, hi]`, or on
//! each weight's share of the total weight, `weight-share = [lo, hi]` (the Handbook's Table 19);
//! the score is 1 on the frontier). Geometric and harmonic means take
//! non-negative values: a zero makes the geometric mean 0 and the harmonic mean 0 (the limit),
//! a negative value is an error naming the unit, period and member.

use std::collections::BTreeMap;

use resil_core::chunked::ChunkedFit;
use resil_core::{
    Direction, Error, FittedScorer, IndicatorSystem, Matrix, Outcome, Result, RowLabel, ScoreTable, Scorer,
    StageContext, Weights,
};
use serde::{Deserialize, Serialize};

/// An aggregation function of a level: one of the means, or an MCDA scorer by its registry
/// name (`topsis`, `vikor`, ..., with the level's `params`), fitted on the scope's units.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Mean {
    #[default]
    Arithmetic,
    Geometric,
    Harmonic,
    /// The generalised mean with exponent `p` (the level's `p`).
    Power,
    Minimum,
    /// Benefit of the doubt: the weights most favourable to each unit (a linear programme).
    Bod,
    /// An MCDA scorer: its score (closeness, grade, ...) is the level's value. The caller builds
    /// it (`LevelsParams::check_with`); a lower-is-better scorer only at the index level.
    Scorer(String),
}

/// The means' config names; any other name is a scorer's.
const MEANS: [(&str, Mean); 6] = [
    ("arithmetic", Mean::Arithmetic),
    ("geometric", Mean::Geometric),
    ("harmonic", Mean::Harmonic),
    ("power", Mean::Power),
    ("minimum", Mean::Minimum),
    ("bod", Mean::Bod),
];

impl From<String> for Mean {
    fn from(name: String) -> Self {
        MEANS.iter().find(|(n, _)| *n == name).map_or(Mean::Scorer(name), |(_, m)| m.clone())
    }
}

impl From<Mean> for String {
    fn from(mean: Mean) -> Self {
        match mean {
            Mean::Scorer(name) => name,
            m => MEANS.iter().find(|(_, x)| *x == m).expect("every mean is named").0.to_string(),
        }
    }
}

impl Mean {
    /// The means' names, in order (the other functions are the scorers').
    pub fn mean_names() -> impl Iterator<Item = &'static str> {
        MEANS.iter().map(|(n, _)| *n)
    }

    pub fn name(&self) -> String {
        String::from(self.clone())
    }
}

/// A method's parameters as written in the config (`params = { v = 0.3 }` of a scorer level,
/// `weights = { method = "critic", cost = "as-is" }`): the registry checks them.
pub type MethodParams = serde_json::Map<String, serde_json::Value>;

/// The weights of a level's members: `run` (the weight stage's indicator weights, summed per
/// member), `equal`, fixed weights by member name (renormalised within each group), or
/// `{ method = "entropy" }`: a weighting method fitted on the level's inputs over the scope's
/// units, group by group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LevelWeights {
    Named(String),
    Method {
        method: String,
        #[serde(flatten)]
        params: MethodParams,
    },
    Fixed(BTreeMap<String, f64>),
}

impl Default for LevelWeights {
    fn default() -> Self {
        LevelWeights::Named("run".into())
    }
}

/// One level: its function, the exponent of a power mean, and the weights of its members.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct LevelSpec {
    pub function: Mean,
    pub p: Option<f64>,
    /// `bod`: bounds [lo, hi] on each member's share w_j y_ij / sum_l w_l y_il of a unit's score.
    pub share: Option<[f64; 2]>,
    /// `bod`: bounds [lo, hi] on each member's weight share w_j / sum_l w_l (the Handbook's TAI
    /// example: each indicator 10-15 % of the total weight, endnote 29).
    pub weight_share: Option<[f64; 2]>,
    pub weights: LevelWeights,
    /// A scorer level's parameters, as for the scorer in `[pipeline] rank`.
    #[serde(skip_serializing_if = "MethodParams::is_empty")]
    pub params: MethodParams,
}

/// Unchecked parameters: the three levels (indicator -> sub-system -> system -> index).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct LevelsParams {
    pub subsystem: LevelSpec,
    pub system: LevelSpec,
    pub index: LevelSpec,
}

const LEVELS: [&str; 3] = ["subsystem", "system", "index"];

/// The name of a group's column among a scorer's extras and group weights: `level:group`, and
/// `level:all` for the unnamed group of indicators without one (a plain table's criteria).
pub fn level_column(level: &str, group: &str) -> String {
    if group.is_empty() {
        format!("{level}:all")
    } else {
        format!("{level}:{group}")
    }
}

/// A method a level names that the caller builds from its method tables: a weighting method
/// (`weights = { method = ... }`) or a scorer (`function = "vikor"`).
#[derive(Debug, Clone, PartialEq)]
pub struct LevelMethod {
    pub level: &'static str,
    pub method: String,
    pub params: MethodParams,
}

impl LevelsParams {
    fn specs(&self) -> [(&'static str, &LevelSpec); 3] {
        [(LEVELS[0], &self.subsystem), (LEVELS[1], &self.system), (LEVELS[2], &self.index)]
    }

    /// The levels whose weights a weighting method fits, in level order.
    pub fn weight_methods(&self) -> Vec<LevelMethod> {
        self.specs()
            .into_iter()
            .filter_map(|(level, l)| match &l.weights {
                LevelWeights::Method { method, params } => {
                    Some(LevelMethod { level, method: method.clone(), params: params.clone() })
                }
                _ => None,
            })
            .collect()
    }

    /// The levels an MCDA scorer aggregates, in level order.
    pub fn scorer_methods(&self) -> Vec<LevelMethod> {
        self.specs()
            .into_iter()
            .filter_map(|(level, l)| match &l.function {
                Mean::Scorer(method) => Some(LevelMethod { level, method: method.clone(), params: l.params.clone() }),
                _ => None,
            })
            .collect()
    }

    /// The checked method, with the weighting method and the scorer of each level that names
    /// one (in level order, as `weight_methods` and `scorer_methods` list them).
    pub fn check_with(
        self,
        weighters: Vec<Box<dyn resil_core::Weighter>>,
        scorers: Vec<Box<dyn Scorer>>,
    ) -> Result<Levels> {
        let (weight_levels, scorer_levels) = (self.weight_methods(), self.scorer_methods());
        if weight_levels.len() != weighters.len() || scorer_levels.len() != scorers.len() {
            return Err(Error::param("levels", "weights", "one method per level that names one"));
        }
        let mut levels = self.check()?;
        let mut weighters = weighters.into_iter();
        let mut scorers = scorers.into_iter();
        for (l, name) in LEVELS.iter().enumerate() {
            if weight_levels.iter().any(|m| m.level == *name) {
                levels.weighters[l] = weighters.next().map(std::sync::Arc::from);
            }
            if scorer_levels.iter().any(|m| m.level == *name) {
                levels.scorers[l] = scorers.next().map(std::sync::Arc::from);
            }
        }
        Ok(levels)
    }

    pub fn check(self) -> Result<Levels> {
        for (name, level) in self.specs() {
            if let Mean::Scorer(scorer) = &level.function {
                if scorer == "levels" {
                    return Err(Error::param("levels", format!("{name}.function"), "a level cannot nest `levels`"));
                }
            } else if let Some(key) = level.params.keys().next() {
                return Err(Error::param(
                    "levels",
                    format!("{name}.params.{key}"),
                    format!("only a scorer function takes `params`, not {}", level.function.name()),
                ));
            }
            match (&level.function, level.p) {
                (Mean::Power, None) => {
                    return Err(Error::param("levels", format!("{name}.p"), "a power mean needs its exponent `p`"))
                }
                (Mean::Power, Some(p)) if !p.is_finite() || p == 0.0 => {
                    return Err(Error::param(
                        "levels",
                        format!("{name}.p"),
                        format!("must be finite and not 0 (p -> 0 is the geometric mean), got {p}"),
                    ))
                }
                (Mean::Power, _) => {}
                (other, Some(_)) => {
                    return Err(Error::param(
                        "levels",
                        format!("{name}.p"),
                        format!("only a power mean takes `p`, not {}", other.name()),
                    ))
                }
                _ => {}
            }
            if level.function == Mean::Bod && level.weights != LevelWeights::default() {
                return Err(Error::param(
                    "levels",
                    format!("{name}.weights"),
                    "benefit of the doubt finds each unit's own weights: give `share` or `weight-share` bounds instead",
                ));
            }
            for (key, bounds) in [("share", level.share), ("weight-share", level.weight_share)] {
                match bounds {
                    Some(_) if level.function != Mean::Bod => {
                        return Err(Error::param(
                            "levels",
                            format!("{name}.{key}"),
                            format!("only `bod` takes `{key}` bounds"),
                        ))
                    }
                    Some([lo, hi]) if !(0.0 <= lo && lo <= hi && hi <= 1.0) => {
                        return Err(Error::param(
                            "levels",
                            format!("{name}.{key}"),
                            format!("needs 0 <= lo <= hi <= 1, got [{lo}, {hi}]"),
                        ))
                    }
                    _ => {}
                }
            }
            match &level.weights {
                LevelWeights::Named(w) if w != "run" && w != "equal" => {
                    return Err(Error::param(
                        "levels",
                        format!("{name}.weights"),
                        format!("`{w}`: run | equal | {{ member = weight, ... }}"),
                    ))
                }
                LevelWeights::Fixed(map) => {
                    if let Some((k, w)) = map.iter().find(|(_, w)| !(w.is_finite() && **w >= 0.0)) {
                        return Err(Error::param(
                            "levels",
                            format!("{name}.weights.{k}"),
                            format!("must be >= 0, got {w}"),
                        ));
                    }
                }
                _ => {}
            }
        }
        Ok(Levels { params: self, weighters: [None, None, None], scorers: [None, None, None] })
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Levels {
    params: LevelsParams,
    /// Per level, the weighting method of `weights = { method = ... }`, built by the caller
    /// (the registry knows the weighting methods; this crate does not).
    weighters: [Option<std::sync::Arc<dyn resil_core::Weighter>>; 3],
    /// Per level, the scorer of `function = "<scorer>"`, likewise built by the caller.
    scorers: [Option<std::sync::Arc<dyn Scorer>>; 3],
}

/// A group of a level: its name, the positions of its members in the level below, their weights.
#[derive(Debug, Clone, PartialEq)]
struct Group {
    name: String,
    members: Vec<usize>,
    weights: Vec<f64>,
}

/// Fitted: the groups and member weights of each level.
#[derive(Debug, Clone)]
pub struct FittedLevels {
    params: LevelsParams,
    /// Per level: the names of the members below (indicator ids, sub-systems, systems) and the groups.
    levels: Vec<(Vec<String>, Vec<Group>)>,
    /// The fit's row labels, for the contexts of a level's weighting method and scorer.
    rows: Vec<RowLabel>,
    /// Per level: the member columns over the reference rows, the frontier of `bod` levels.
    reference_inputs: Vec<Vec<Vec<f64>>>,
    weighters: [Option<std::sync::Arc<dyn resil_core::Weighter>>; 3],
    scorers: [Option<std::sync::Arc<dyn Scorer>>; 3],
}

/// The groups of one level: members grouped by `group_of`, in order of first appearance.
fn groups(
    members: &[String],
    group_of: &[String],
    member_weight: &[f64],
    spec: &LevelSpec,
    level: &str,
) -> Result<Vec<Group>> {
    let mut out: Vec<Group> = Vec::new();
    for (m, g) in group_of.iter().enumerate() {
        let w = match &spec.weights {
            LevelWeights::Named(n) if n == "equal" => 1.0,
            LevelWeights::Named(_) => member_weight[m],
            // Fitted on the level's inputs in the fit; 1 until then.
            LevelWeights::Method { .. } => 1.0,
            LevelWeights::Fixed(map) => *map.get(&members[m]).ok_or_else(|| {
                Error::param("levels", format!("{level}.weights.{}", members[m]), "no weight given for this member")
            })?,
        };
        match out.iter_mut().find(|x| x.name == *g) {
            Some(group) => {
                group.members.push(m);
                group.weights.push(w);
            }
            None => out.push(Group { name: g.clone(), members: vec![m], weights: vec![w] }),
        }
    }
    if let LevelWeights::Fixed(map) = &spec.weights {
        if let Some(k) = map.keys().find(|k| !members.contains(k)) {
            return Err(Error::param("levels", format!("{level}.weights.{k}"), "not a member of this level"));
        }
    }
    for g in &out {
        if g.weights.iter().sum::<f64>() <= 0.0 {
            return Err(Error::param(
                "levels",
                format!("{level}.weights"),
                format!("the weights of `{}` sum to 0", g.name),
            ));
        }
    }
    Ok(out)
}

impl Levels {
    /// Whether every level is a row-wise mean with given weights (no benefit of the doubt, no
    /// scorer level, no weighting method): then nothing is fitted on the reference rows.
    fn row_wise(&self) -> bool {
        [&self.params.subsystem, &self.params.system, &self.params.index].iter().all(|spec| {
            !matches!(spec.function, Mean::Bod | Mean::Scorer(_))
                && !matches!(spec.weights, LevelWeights::Method { .. })
        })
    }

    /// The groups of every level and their member weights as configured, before any level's
    /// weighting method or reference rows are seen.
    fn fitted(&self, weights: &Weights, cx: &StageContext<'_>) -> Result<FittedLevels> {
        let system: &IndicatorSystem = cx.system;
        if let Some(j) = cx.orientation.iter().position(|&p| p == resil_core::Polarity::Cost) {
            return Err(Error::data(
                format!("levels: {}", cx.indicator(j)),
                "is a cost column here: aggregate after a normaliser that flips cost columns (minmax, zscore, target)",
            ));
        }
        let ids: Vec<String> = system.indicators().iter().map(|i| i.id.clone()).collect();
        let subsystem_of: Vec<String> = system.indicators().iter().map(|i| i.subsystem.clone()).collect();
        let level1 = groups(&ids, &subsystem_of, weights.as_slice(), &self.params.subsystem, "subsystem")?;
        // A sub-system's run weight is the sum of its indicators' weights; likewise a system's.
        let sub_names: Vec<String> = level1.iter().map(|g| g.name.clone()).collect();
        let sub_weight: Vec<f64> = level1.iter().map(|g| g.members.iter().map(|&m| weights.0[m]).sum()).collect();
        let system_of_sub: Vec<String> = level1.iter().map(|g| system.get(g.members[0]).system.clone()).collect();
        let level2 = groups(&sub_names, &system_of_sub, &sub_weight, &self.params.system, "system")?;
        let sys_names: Vec<String> = level2.iter().map(|g| g.name.clone()).collect();
        let sys_weight: Vec<f64> = level2.iter().map(|g| g.members.iter().map(|&m| sub_weight[m]).sum()).collect();
        let level3 =
            groups(&sys_names, &vec!["index".to_string(); sys_names.len()], &sys_weight, &self.params.index, "index")?;
        Ok(FittedLevels {
            params: self.params.clone(),
            levels: vec![(ids, level1), (sub_names, level2), (sys_names, level3)],
            rows: cx.rows.to_vec(),
            reference_inputs: Vec::new(),
            weighters: self.weighters.clone(),
            scorers: self.scorers.clone(),
        })
    }
}

impl Scorer for Levels {
    fn fit(
        &self,
        reference: &Matrix,
        weights: &Weights,
        cx: &StageContext<'_>,
    ) -> Result<Outcome<Box<dyn FittedScorer>>> {
        if let Some(fit) = self.chunked(weights) {
            return resil_core::chunked::fit_in_memory(&*fit, reference, cx);
        }
        let unbuilt = |methods: Vec<LevelMethod>, built: &[bool; 3], what: &str| -> Result<()> {
            match methods.into_iter().find(|m| !built[LEVELS.iter().position(|l| *l == m.level).expect("a level")]) {
                Some(m) => Err(Error::param(
                    "levels",
                    format!("{}.{what}", m.level),
                    format!("method `{}` was not built (use check_with)", m.method),
                )),
                None => Ok(()),
            }
        };
        unbuilt(self.params.weight_methods(), &self.weighters.each_ref().map(|w| w.is_some()), "weights")?;
        unbuilt(self.params.scorer_methods(), &self.scorers.each_ref().map(|s| s.is_some()), "function")?;
        let mut fitted = self.fitted(weights, cx)?;
        // The reference block's inputs at every level: the frontier a `bod` level measures
        // against, and the inputs a level's weighting method is fitted on.
        let columns = (0..reference.ncols()).map(|j| reference.column(j).to_vec()).collect();
        let (inputs, _, _, used, _) = fitted.aggregate(columns, None).map_err(|e| e.name_rows(0, cx))?;
        fitted.reference_inputs = inputs;
        for (l, weights) in used.into_iter().enumerate() {
            for (g, w) in weights.into_iter().enumerate() {
                fitted.levels[l].1[g].weights = w;
            }
        }
        Ok(Outcome::new(Box::new(fitted)))
    }

    /// Row-wise levels (means with given weights) fit nothing from the rows: their groups are
    /// built with no pass, and any row is aggregated on its own. The others need the reference
    /// rows whole (a frontier, a level's own weighting or scorer).
    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        if !self.row_wise() {
            return None;
        }
        Some(Box::new(resil_core::chunked::NoData(move |cx: &StageContext<'_>| {
            let fitted: Box<dyn FittedScorer> = Box::new(self.fitted(weights, cx)?);
            Ok(Outcome::new(fitted))
        })))
    }
}

impl FittedLevels {
    /// The weighted mean of one row's member values by `spec`'s function.
    /// The weighted mean of row `row`'s member values by `spec`'s function; `what(k)` names
    /// member k in a refusal.
    fn mean(
        &self,
        spec: &LevelSpec,
        values: &[f64],
        weights: &[f64],
        row: usize,
        what: &dyn Fn(usize) -> String,
    ) -> Result<f64> {
        let total: f64 = weights.iter().sum();
        let w = |k: usize| weights[k] / total;
        let needs_non_negative = matches!(spec.function, Mean::Geometric | Mean::Harmonic)
            || (spec.function == Mean::Power && spec.p.is_some_and(|p| p < 0.0 || p.fract() != 0.0));
        if needs_non_negative {
            if let Some(k) = values.iter().position(|&v| v < 0.0) {
                return Err(Error::row(
                    "levels",
                    row,
                    None,
                    format!(
                        "{}: value {} is negative; a {} mean needs values >= 0 (normalise to [0, 1] first)",
                        what(k),
                        values[k],
                        spec.function.name()
                    ),
                ));
            }
        }
        Ok(match spec.function {
            Mean::Arithmetic => values.iter().enumerate().map(|(k, v)| w(k) * v).sum(),
            Mean::Geometric => {
                if values.contains(&0.0) {
                    0.0
                } else {
                    values.iter().enumerate().map(|(k, v)| w(k) * v.ln()).sum::<f64>().exp()
                }
            }
            Mean::Harmonic => {
                if values.contains(&0.0) {
                    0.0
                } else {
                    1.0 / values.iter().enumerate().map(|(k, v)| w(k) / v).sum::<f64>()
                }
            }
            Mean::Power => {
                let p = spec.p.expect("checked");
                if p < 0.0 && values.contains(&0.0) {
                    0.0
                } else {
                    values.iter().enumerate().map(|(k, v)| w(k) * v.powf(p)).sum::<f64>().powf(1.0 / p)
                }
            }
            Mean::Minimum => values.iter().copied().fold(f64::INFINITY, f64::min),
            Mean::Bod | Mean::Scorer(_) => {
                unreachable!("benefit of the doubt and scorer levels are solved per group, not per row")
            }
        })
    }
}

/// Bounds on a benefit-of-the-doubt solution's weights.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BodBounds {
    /// lo S <= w_j y_j <= hi S, S = sum_l w_l y_l: each member's share of the unit's score.
    pub share: Option<[f64; 2]>,
    /// lo W <= w_j <= hi W, W = sum_l w_l: each member's share of the total weight.
    pub weight_share: Option<[f64; 2]>,
}

/// Benefit of the doubt for one unit: max_w sum_j w_j y_j subject to sum_j w_j r_kj <= 1 for
/// every reference row k, w >= 0, and the `bounds` given. Both kinds of bound are ratios, so
/// the score stays invariant to the scale of the weights (the Handbook's endnote 28).
pub fn benefit_of_the_doubt(y: &[f64], reference: &[Vec<f64>], bounds: BodBounds) -> Result<f64> {
    use minilp::{ComparisonOp, OptimizationDirection, Problem};
    if let Some(v) = y.iter().chain(reference.iter().flatten()).find(|v| !(v.is_finite() && **v >= 0.0)) {
        return Err(Error::data("bod", format!("value {v} must be finite and >= 0 (normalise to [0, 1] first)")));
    }
    // Shares of m members sum to 1, so bounds that exclude 1/m leave only w = 0 (a score of 0).
    let m = y.len() as f64;
    for (key, bound) in [("share", bounds.share), ("weight-share", bounds.weight_share)] {
        if let Some([lo, hi]) = bound.filter(|[lo, hi]| lo * m > 1.0 + 1e-12 || hi * m < 1.0 - 1e-12) {
            return Err(Error::data(
                "bod",
                format!(
                    "`{key}` bounds [{lo}, {hi}] leave no feasible weights for {m} members (need lo <= 1/{m} <= hi)"
                ),
            ));
        }
    }
    let mut problem = Problem::new(OptimizationDirection::Maximize);
    let w: Vec<minilp::Variable> = y.iter().map(|&yj| problem.add_var(yj, (0.0, f64::INFINITY))).collect();
    for row in reference {
        let terms: Vec<(minilp::Variable, f64)> = w.iter().copied().zip(row.iter().copied()).collect();
        problem.add_constraint(&terms[..], ComparisonOp::Le, 1.0);
    }
    // c_j x_j - bound sum_l c_l x_l compared with 0, for the coefficients c (y for score
    // shares, 1 for weight shares).
    let mut ratio_bounds = |[lo, hi]: [f64; 2], c: &dyn Fn(usize) -> f64| {
        for j in 0..y.len() {
            let at = |bound: f64| -> Vec<(minilp::Variable, f64)> {
                (0..y.len()).map(|l| (w[l], if l == j { c(l) - bound * c(l) } else { -bound * c(l) })).collect()
            };
            problem.add_constraint(&at(lo)[..], ComparisonOp::Ge, 0.0);
            problem.add_constraint(&at(hi)[..], ComparisonOp::Le, 0.0);
        }
    };
    if let Some(share) = bounds.share {
        ratio_bounds(share, &|l| y[l]);
    }
    if let Some(share) = bounds.weight_share {
        ratio_bounds(share, &|_| 1.0);
    }
    match problem.solve() {
        Ok(solution) => Ok(solution.objective()),
        Err(minilp::Error::Infeasible) => Err(Error::data("bod", "the share bounds leave no feasible weights")),
        Err(minilp::Error::Unbounded) => Err(Error::data(
            "bod",
            "the score is unbounded: a member has a positive value here and 0 in every reference row",
        )),
    }
}

impl FittedScorer for FittedLevels {
    fn group_weights(&self) -> resil_core::GroupWeights {
        let mut out = Vec::new();
        for (l, (member_names, groups)) in self.levels.iter().enumerate() {
            for g in groups {
                let total: f64 = g.weights.iter().sum();
                let members =
                    g.members.iter().zip(&g.weights).map(|(&m, w)| (member_names[m].clone(), w / total)).collect();
                out.push((level_column(LEVELS[l], &g.name), members));
            }
        }
        out
    }

    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let columns = (0..data.ncols()).map(|j| data.column(j).to_vec()).collect();
        let (_, score, extras, _, direction) = self.aggregate(columns, Some(&self.reference_inputs))?;
        Ok(Outcome::new(ScoreTable { score, extras, direction }))
    }
}

/// Each level's member columns, the index, the sub-system and system scores (extras), the
/// member weights each group used, and the index's direction (a scorer's at the index level).
type Aggregated = (Vec<Vec<Vec<f64>>>, Vec<f64>, Vec<(String, Vec<f64>)>, Vec<Vec<Vec<f64>>>, Direction);

impl FittedLevels {
    /// Aggregates the indicator `columns` level by level. `reference` holds each level's inputs
    /// over the reference rows (the frontier of `bod`); `None`: these rows are the reference.
    // A row indexes every member column of its group at once: a range loop reads best.
    #[allow(clippy::needless_range_loop)]
    fn aggregate(&self, columns: Vec<Vec<f64>>, reference: Option<&Vec<Vec<Vec<f64>>>>) -> Result<Aggregated> {
        let specs = [&self.params.subsystem, &self.params.system, &self.params.index];
        let n = columns.first().map_or(0, Vec::len);
        let mut below = columns;
        let mut inputs = Vec::new();
        let mut extras = Vec::new();
        let mut used = Vec::new();
        let mut direction = Direction::HigherIsBetter;
        // Each refused row's first refusal (lowest level, first group): the first refused row is
        // reported, so the same row is named however the rows are cut into blocks.
        let mut refused: BTreeMap<usize, Error> = BTreeMap::new();
        for (l, ((member_names, groups), spec)) in self.levels.iter().zip(specs).enumerate() {
            let mut level = Vec::new();
            let mut level_weights = Vec::new();
            for g in groups {
                // A level's weighting method is fitted on its inputs over the reference rows (the
                // fit pass, `reference` None); scoring uses the weights it settled.
                let mut g = g.clone();
                if let (Some(weighter), None) = (&self.weighters[l], reference) {
                    let block = Matrix::from_columns(g.members.iter().map(|&m| below[m].clone()).collect());
                    let sys = IndicatorSystem::flat(&vec![resil_core::Polarity::Benefit; g.members.len()]);
                    let orientation = sys.polarities();
                    let cx = StageContext { system: &sys, orientation: &orientation, rows: &self.rows, place: None };
                    g.weights = weighter
                        .weights(&block, &cx)
                        .map_err(|e| Error::data(format!("levels: weights of `{}`", g.name), e.to_string()))?
                        .value
                        .0;
                }
                level_weights.push(g.weights.clone());
                let g = &g;
                if let Some(scorer) = &self.scorers[l] {
                    // A scorer level: fitted on the scope's units (the reference rows of its
                    // members), with the group's member weights, then applied to these rows.
                    let reference_rows = reference.map_or(&below, |r| &r[l]);
                    let member_cols = |cols: &Vec<Vec<f64>>| -> Matrix {
                        Matrix::from_columns(g.members.iter().map(|&m| cols[m].clone()).collect())
                    };
                    let sys = IndicatorSystem::flat(&vec![resil_core::Polarity::Benefit; g.members.len()]);
                    let orientation = sys.polarities();
                    let cx = StageContext { system: &sys, orientation: &orientation, rows: &self.rows, place: None };
                    let weights = Weights::normalized(g.weights.clone())?;
                    let fitted = scorer.fit(&member_cols(reference_rows), &weights, &cx)?.value;
                    let scored = fitted.score(&member_cols(&below))?.value;
                    if scored.direction == Direction::LowerIsBetter && l < 2 {
                        // The level above would aggregate it the wrong way round.
                        return Err(Error::param(
                            "levels",
                            format!("{}.function", LEVELS[l]),
                            format!(
                                "{}'s score is lower-is-better; the level above aggregates higher-is-better \
                                 values: use it at the index level",
                                spec.function.name()
                            ),
                        ));
                    }
                    direction = scored.direction;
                    if l < 2 {
                        extras.push((level_column(LEVELS[l], &g.name), scored.score.clone()));
                    }
                    level.push(scored.score);
                    continue;
                }
                let mut column = Vec::with_capacity(n);
                // The reference rows of this group's members, row by row, for `bod`.
                let frontier: Vec<Vec<f64>> = if spec.function == Mean::Bod {
                    let cols = reference.map_or(&below, |r| &r[l]);
                    let rows = cols.first().map_or(0, Vec::len);
                    (0..rows).map(|r| g.members.iter().map(|&m| cols[m][r]).collect()).collect()
                } else {
                    Vec::new()
                };
                for row in 0..n {
                    let values: Vec<f64> = g.members.iter().map(|&m| below[m][row]).collect();
                    // A matrix's criteria (`resil score`) sit in one unnamed sub-system.
                    let what = |k: usize| {
                        let member =
                            format!("{} `{}`", ["indicator", "sub-system", "system"][l], member_names[g.members[k]]);
                        if g.name.is_empty() {
                            member
                        } else {
                            format!("{member} of `{}`", g.name)
                        }
                    };
                    let value = if spec.function == Mean::Bod {
                        benefit_of_the_doubt(
                            &values,
                            &frontier,
                            BodBounds { share: spec.share, weight_share: spec.weight_share },
                        )
                        .map_err(|e| {
                            let of = if g.name.is_empty() { String::new() } else { format!(" of `{}`", g.name) };
                            Error::row("levels", row, None, format!("bod{of}: {e}"))
                        })
                    } else {
                        self.mean(spec, &values, &g.weights, row, &what)
                    };
                    column.push(value.unwrap_or_else(|e| {
                        refused.entry(row).or_insert(e);
                        f64::NAN
                    }));
                }
                if l < 2 {
                    extras.push((level_column(LEVELS[l], &g.name), column.clone()));
                }
                level.push(column);
            }
            inputs.push(std::mem::replace(&mut below, level));
            used.push(level_weights);
        }
        if let Some((_, first)) = refused.into_iter().next() {
            return Err(first);
        }
        let score = below.into_iter().next().expect("one index");
        Ok((inputs, score, extras, used, direction))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::{Indicator, Polarity, Provenance};

    fn system(members: &[(&str, &str, &str)]) -> IndicatorSystem {
        IndicatorSystem::new(
            members
                .iter()
                .map(|(id, sub, sys)| Indicator {
                    id: id.to_string(),
                    name: id.to_string(),
                    unit: String::new(),
                    system: sys.to_string(),
                    subsystem: sub.to_string(),
                    polarity: Polarity::Benefit,
                    source: String::new(),
                    provenance: Provenance::Unspecified,
                    note: String::new(),
                })
                .collect(),
        )
    }

    fn score(params: LevelsParams, sys: &IndicatorSystem, rows: &[Vec<f64>], w: &[f64]) -> Result<ScoreTable> {
        let m = Matrix::from_rows(rows);
        let o = sys.polarities();
        let fitted = params.check()?.fit(&m, &Weights(w.to_vec()), &StageContext::columns(sys, &o))?.value;
        Ok(fitted.score(&m)?.value)
    }

    fn level(function: Mean) -> LevelSpec {
        LevelSpec { function, ..Default::default() }
    }

    #[test]
    fn the_hdi_formula_by_hand() {
        // UNDP HDR technical notes: HDI = (I_health I_education I_income)^(1/3), with
        // I_education = (I_eys + I_mys) / 2. Indices by hand: 0.8, (0.5 + 0.7) / 2 = 0.6, 0.9.
        let sys = system(&[
            ("LE", "health", "hdi"),
            ("EYS", "education", "hdi"),
            ("MYS", "education", "hdi"),
            ("GNI", "income", "hdi"),
        ]);
        let params = LevelsParams {
            subsystem: level(Mean::Arithmetic),
            system: LevelSpec { weights: LevelWeights::Named("equal".into()), ..level(Mean::Geometric) },
            index: level(Mean::Arithmetic),
        };
        let t = score(params, &sys, &[vec![0.8, 0.5, 0.7, 0.9]], &[0.25; 4]).unwrap();
        let expected = (0.8f64 * 0.6 * 0.9).powf(1.0 / 3.0);
        assert!((t.score[0] - expected).abs() < 1e-15, "{} vs {expected}", t.score[0]);
        let education = &t.extras.iter().find(|(n, _)| n == "subsystem:education").unwrap().1;
        assert!((education[0] - 0.6).abs() < 1e-15);
    }

    #[test]
    fn means_and_their_order() {
        // One group of two members with weights 1 and 3: arithmetic (1*2 + 3*8)/4 = 6.5,
        // geometric 2^(1/4) 8^(3/4) = 2^(0.25 + 2.25) = 2^2.5, harmonic 4 / (1/2 + 3/8) = 32/7,
        // power p = 2: sqrt((4 + 3*64)/4) = 7, minimum 2.
        let sys = system(&[("A", "s", "x"), ("B", "s", "x")]);
        let at = |function: Mean, p: Option<f64>| {
            let spec = LevelSpec {
                function,
                p,
                weights: LevelWeights::Fixed([("A".into(), 1.0), ("B".into(), 3.0)].into()),
                ..Default::default()
            };
            let params = LevelsParams { subsystem: spec, ..Default::default() };
            score(params, &sys, &[vec![2.0, 8.0]], &[0.5, 0.5]).unwrap().score[0]
        };
        assert!((at(Mean::Arithmetic, None) - 6.5).abs() < 1e-14);
        assert!((at(Mean::Geometric, None) - 2f64.powf(2.5)).abs() < 1e-12);
        assert!((at(Mean::Harmonic, None) - 32.0 / 7.0).abs() < 1e-14);
        assert!((at(Mean::Power, Some(2.0)) - 7.0).abs() < 1e-14);
        assert_eq!(at(Mean::Minimum, None), 2.0);
    }

    #[test]
    fn negatives_and_bad_parameters_are_errors_zeros_a_rule() {
        let sys = system(&[("A", "s", "x"), ("B", "s", "x")]);
        let geo = LevelsParams { subsystem: level(Mean::Geometric), ..Default::default() };
        let e = score(geo.clone(), &sys, &[vec![-0.1, 0.5]], &[0.5, 0.5]).unwrap_err().to_string();
        assert!(e.starts_with("levels: row 1: indicator `A` of `s`: value -0.1 is negative"), "{e}");
        assert_eq!(score(geo.clone(), &sys, &[vec![0.0, 0.5]], &[0.5, 0.5]).unwrap().score[0], 0.0);
        // A matrix's criteria (`resil score`) sit in one unnamed sub-system: no "of ``".
        let flat = system(&[("A", "", ""), ("B", "", "")]);
        let e = score(geo.clone(), &flat, &[vec![0.5, -0.1]], &[0.5, 0.5]).unwrap_err().to_string();
        assert!(e.starts_with("levels: row 1: indicator `B`: value -0.1 is negative"), "{e}");
        // The first refused row in row order is named, whichever group refuses it (the groups
        // are aggregated one after the other, a block of rows at a time).
        let two = system(&[("A", "x", "s"), ("B", "y", "s")]);
        let e = score(geo, &two, &[vec![0.5, 0.5], vec![0.5, -1.0], vec![-2.0, 0.5]], &[0.5, 0.5]).unwrap_err();
        assert!(e.to_string().starts_with("levels: row 2: indicator `B` of `y`: value -1 is negative"), "{e}");
        let power = LevelsParams { subsystem: level(Mean::Power), ..Default::default() };
        assert!(power.check().unwrap_err().to_string().contains("subsystem.p"));
        let p_on_mean =
            LevelsParams { system: LevelSpec { p: Some(2.0), ..level(Mean::Arithmetic) }, ..Default::default() };
        assert!(p_on_mean.check().unwrap_err().to_string().contains("only a power mean takes `p`"));
        let bad = LevelsParams {
            index: LevelSpec { weights: LevelWeights::Named("entropy".into()), ..Default::default() },
            ..Default::default()
        };
        assert!(bad.check().unwrap_err().to_string().contains("index.weights"));
        let missing = LevelsParams {
            subsystem: LevelSpec { weights: LevelWeights::Fixed([("A".into(), 1.0)].into()), ..Default::default() },
            ..Default::default()
        };
        let e = score(missing, &sys, &[vec![0.1, 0.5]], &[0.5, 0.5]).unwrap_err().to_string();
        assert!(e.contains("subsystem.weights.B"), "{e}");
    }

    #[test]
    fn run_weights_are_renormalised_within_each_group_and_summed_upwards() {
        // Indicator weights 0.1, 0.3 (sub-system a) and 0.6 (b); both in system x.
        // a = (0.1*1 + 0.3*0)/0.4 = 0.25; b = 1; index = (0.4*0.25 + 0.6*1) / 1 = 0.7.
        let sys = system(&[("A", "a", "x"), ("B", "a", "x"), ("C", "b", "x")]);
        let t = score(LevelsParams::default(), &sys, &[vec![1.0, 0.0, 1.0]], &[0.1, 0.3, 0.6]).unwrap();
        assert!((t.score[0] - 0.7).abs() < 1e-15, "{}", t.score[0]);
        // With arithmetic means and run weights at every level, the index is the weighted sum (WSM).
        let wsm: f64 = [0.1 * 1.0, 0.3 * 0.0, 0.6 * 1.0].iter().sum();
        assert!((t.score[0] - wsm).abs() < 1e-15);
    }

    #[test]
    fn every_mean_matches_scipy() {
        // Independent computation: scipy 1.17.1 gmean, hmean, pmean and numpy average with weights
        // 1, 2, 3, 4 (tests/reference/scipy_means.py -> data/reference-cases/scipy_means.json).
        let case = resil_test_support::reference_case("scipy_means");
        let rows: Vec<Vec<f64>> = case["rows"].as_array().unwrap().iter().map(resil_test_support::floats).collect();
        let sys = system(&[("A", "s", "x"), ("B", "s", "x"), ("C", "s", "x"), ("D", "s", "x")]);
        let weights =
            LevelWeights::Fixed([("A".into(), 1.0), ("B".into(), 2.0), ("C".into(), 3.0), ("D".into(), 4.0)].into());
        for (function, p, key) in [
            (Mean::Arithmetic, None, "arithmetic"),
            (Mean::Geometric, None, "geometric"),
            (Mean::Harmonic, None, "harmonic"),
            (Mean::Power, Some(3.0), "power_3"),
            (Mean::Power, Some(-0.5), "power_minus_half"),
            (Mean::Minimum, None, "minimum"),
        ] {
            let params = LevelsParams {
                subsystem: LevelSpec { function, p, weights: weights.clone(), ..Default::default() },
                ..Default::default()
            };
            let got = score(params, &sys, &rows, &[0.25; 4]).unwrap().score;
            for (g, e) in got.iter().zip(resil_test_support::floats(&case[key])) {
                assert!((g - e).abs() < 1e-14, "{key}: {g} vs scipy {e}");
            }
        }
    }

    proptest::proptest! {
        /// The classical inequality of means for positive values and any weights:
        /// minimum <= harmonic <= geometric <= arithmetic <= power(p = 2) <= maximum.
        #[test]
        fn means_are_ordered(values in proptest::collection::vec(0.01f64..100.0, 2..6), seed in 0u64..1000) {
            let n = values.len();
            let members: Vec<(String, String, String)> = (0..n).map(|j| (format!("C{j}"), "s".into(), "x".into())).collect();
            let refs: Vec<(&str, &str, &str)> = members.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
            let sys = system(&refs);
            let w: Vec<f64> = (0..n).map(|j| 1.0 + ((seed as usize * 7 + j * 13) % 5) as f64).collect();
            let at = |function: Mean, p: Option<f64>| {
                let params = LevelsParams { subsystem: LevelSpec { function, p, ..Default::default() }, ..Default::default() };
                score(params, &sys, std::slice::from_ref(&values), &w).unwrap().score[0]
            };
            let max = values.iter().copied().fold(f64::MIN, f64::max);
            let chain = [at(Mean::Minimum, None), at(Mean::Harmonic, None), at(Mean::Geometric, None), at(Mean::Arithmetic, None), at(Mean::Power, Some(2.0)), max];
            for pair in chain.windows(2) {
                proptest::prop_assert!(pair[0] <= pair[1] * (1.0 + 1e-12), "{chain:?}");
            }
        }
    }

    #[test]
    fn benefit_of_the_doubt_matches_scipy_linprog() {
        // Independent computation: scipy 1.17.1 linprog (HiGHS) on the Handbook's model, without
        // and with share bounds [0.1, 0.6] (tests/reference/scipy_bod.py -> scipy_bod.json).
        let case = resil_test_support::reference_case("scipy_bod");
        let rows: Vec<Vec<f64>> = case["rows"].as_array().unwrap().iter().map(resil_test_support::floats).collect();
        let sys = system(&[("A", "s", "x"), ("B", "s", "x"), ("C", "s", "x")]);
        for (share, key) in [(None, "bod"), (Some([0.1, 0.6]), "bod_share")] {
            let spec = LevelSpec { function: Mean::Bod, share, ..Default::default() };
            let got = score(LevelsParams { subsystem: spec, ..Default::default() }, &sys, &rows, &[1.0 / 3.0; 3])
                .unwrap()
                .score;
            for (g, e) in got.iter().zip(resil_test_support::floats(&case[key])) {
                assert!((g - e).abs() < 1e-9, "{key}: {g} vs scipy {e}");
            }
        }
        // By hand: (1, 0) and (0, 1) are on the frontier (score 1); (0.4, 0.4) reaches 0.8 at best
        // (w = (1, 1): the others stay at 1, it scores 0.4 + 0.4).
        let spec = LevelSpec { function: Mean::Bod, ..Default::default() };
        let hand = score(
            LevelsParams { subsystem: spec, ..Default::default() },
            &system(&[("A", "s", "x"), ("B", "s", "x")]),
            &[vec![1.0, 0.0], vec![0.0, 1.0], vec![0.4, 0.4]],
            &[0.5, 0.5],
        )
        .unwrap()
        .score;
        assert!(
            (hand[0] - 1.0).abs() < 1e-12 && (hand[1] - 1.0).abs() < 1e-12 && (hand[2] - 0.8).abs() < 1e-12,
            "{hand:?}"
        );
        // Weights are the model's own; share bounds only for bod, within [0, 1].
        let weighted =
            LevelSpec { function: Mean::Bod, weights: LevelWeights::Named("equal".into()), ..Default::default() };
        assert!(LevelsParams { subsystem: weighted, ..Default::default() }
            .check()
            .unwrap_err()
            .to_string()
            .contains("`weight-share` bounds instead"));
        let bad = LevelSpec { function: Mean::Arithmetic, share: Some([0.1, 0.5]), ..Default::default() };
        assert!(LevelsParams { subsystem: bad, ..Default::default() }
            .check()
            .unwrap_err()
            .to_string()
            .contains("only `bod` takes `share`"));
    }

    #[test]
    fn benefit_of_the_doubt_reproduces_the_handbooks_technology_achievement_index() {
        // Published example: the OECD/JRC Handbook (2008), Table 19, benefit of the doubt on the
        // 23 TAI countries of Table A.2, min-max normalised, each weight 10-15 % of the total
        // (endnote 29); tests/reference/handbook_tai_bod.py transcribes both tables.
        let case = resil_test_support::reference_case("handbook_tai_bod");
        let raw: Vec<Vec<f64>> = case["rows"].as_array().unwrap().iter().map(resil_test_support::floats).collect();
        let m = raw[0].len();
        let (lo, hi): (Vec<f64>, Vec<f64>) = (0..m)
            .map(|j| raw.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| (a.min(r[j]), b.max(r[j]))))
            .unzip();
        let rows: Vec<Vec<f64>> =
            raw.iter().map(|r| (0..m).map(|j| (r[j] - lo[j]) / (hi[j] - lo[j])).collect()).collect();
        let ids: Vec<String> = (0..m).map(|j| format!("i{j}")).collect();
        let sys = system(&ids.iter().map(|id| (id.as_str(), "tai", "tai")).collect::<Vec<_>>());
        let bounds = resil_test_support::floats(&case["weight_share"]);
        let spec = LevelSpec { function: Mean::Bod, weight_share: Some([bounds[0], bounds[1]]), ..Default::default() };
        let got = score(LevelsParams { subsystem: spec, ..Default::default() }, &sys, &rows, &vec![1.0 / m as f64; m])
            .unwrap()
            .score;
        // The same programme solved by scipy's HiGHS, unrounded.
        for (g, e) in got.iter().zip(resil_test_support::floats(&case["scipy"])) {
            assert!((g - e).abs() < 1e-9, "{g} vs scipy {e}");
        }
        // Table 19 to two decimals (0.005), plus what the print's log columns, rounded to 0.01,
        // can move a score (measured by the script: < 0.005): within 0.01 for all 23 countries,
        // and the same three on the frontier.
        let published = resil_test_support::floats(&case["published"]);
        let slack = case["published_tolerance"].as_f64().unwrap() + case["log_rounding_spread"].as_f64().unwrap();
        assert!(slack < 0.01);
        for (k, (g, p)) in got.iter().zip(&published).enumerate() {
            assert!((g - p).abs() <= slack, "{}: {g} vs Table 19 {p}", case["countries"][k]);
            assert_eq!((g - 1.0).abs() < 1e-9, *p == 1.0, "{}: frontier", case["countries"][k]);
        }
        // Without the bounds most countries reach the frontier on their best indicator alone.
        let free = LevelSpec { function: Mean::Bod, ..Default::default() };
        let unbounded =
            score(LevelsParams { subsystem: free, ..Default::default() }, &sys, &rows, &vec![1.0 / m as f64; m])
                .unwrap()
                .score;
        assert!(unbounded.iter().filter(|s| (*s - 1.0).abs() < 1e-9).count() > 3, "{unbounded:?}");
        // As a config writes it.
        let written: LevelSpec = serde_json::from_str(r#"{"function": "bod", "weight-share": [0.1, 0.15]}"#).unwrap();
        assert_eq!(written.weight_share, Some([0.1, 0.15]));
        // Bounds only for bod and within [0, 1].
        let bad = LevelSpec { function: Mean::Minimum, weight_share: Some([0.1, 0.15]), ..Default::default() };
        let err = LevelsParams { subsystem: bad, ..Default::default() }.check().unwrap_err().to_string();
        assert!(err.contains("subsystem.weight-share") && err.contains("only `bod`"), "{err}");
        let bad = LevelSpec { function: Mean::Bod, weight_share: Some([0.2, 0.1]), ..Default::default() };
        assert!(LevelsParams { subsystem: bad, ..Default::default() }
            .check()
            .unwrap_err()
            .to_string()
            .contains("lo <= hi"));
        let infeasible = LevelSpec { function: Mean::Bod, weight_share: Some([0.2, 0.3]), ..Default::default() };
        let err =
            score(LevelsParams { subsystem: infeasible, ..Default::default() }, &sys, &rows, &vec![1.0 / m as f64; m])
                .unwrap_err()
                .to_string();
        assert!(err.contains("no feasible weights"), "{err}");
    }

    proptest::proptest! {
        /// Benefit of the doubt: every score is at most 1, and some unit of the block is on the
        /// frontier (scores 1), whatever the data.
        #[test]
        fn bod_scores_are_at_most_one_and_someone_is_on_the_frontier(
            rows in proptest::collection::vec(proptest::collection::vec(0.01f64..1.0, 3), 2..10)
        ) {
            let sys = system(&[("A", "s", "x"), ("B", "s", "x"), ("C", "s", "x")]);
            let spec = LevelSpec { function: Mean::Bod, ..Default::default() };
            let got = score(LevelsParams { subsystem: spec, ..Default::default() }, &sys, &rows, &[1.0 / 3.0; 3]).unwrap().score;
            proptest::prop_assert!(got.iter().all(|&s| s <= 1.0 + 1e-9), "{got:?}");
            proptest::prop_assert!(got.iter().any(|&s| (s - 1.0).abs() < 1e-9), "{got:?}");
        }
    }

    #[test]
    fn a_level_can_be_scored_by_an_mcda_method() {
        // A sub-system scored by TOPSIS with its member weights equals TOPSIS run on its columns;
        // WSM equals the weighted arithmetic mean.
        let sys = system(&[("A", "s", "x"), ("B", "s", "x"), ("C", "s", "x")]);
        let rows = vec![vec![0.2, 0.9, 0.4], vec![0.8, 0.1, 0.5], vec![0.5, 0.5, 0.9], vec![0.1, 0.3, 0.2]];
        let w = [0.5, 0.3, 0.2];
        // A scorer level, built as the registry builds it.
        let by = |scorer: Box<dyn Scorer>, name: &str| -> ScoreTable {
            let params = LevelsParams {
                subsystem: LevelSpec { function: Mean::from(name.to_string()), ..Default::default() },
                ..Default::default()
            };
            let m = Matrix::from_rows(&rows);
            let o = sys.polarities();
            let levels = params.check_with(Vec::new(), vec![scorer]).unwrap();
            let fitted = levels.fit(&m, &Weights(w.to_vec()), &StageContext::columns(&sys, &o)).unwrap().value;
            fitted.score(&m).unwrap().value
        };
        let topsis = by(Box::new(crate::TopsisParams::default().check().unwrap()), "topsis").score;
        let m = Matrix::from_rows(&rows);
        let o = sys.polarities();
        let direct = crate::TopsisParams::default()
            .check()
            .unwrap()
            .fit(&m, &Weights(w.to_vec()), &StageContext::columns(&sys, &o))
            .unwrap()
            .value
            .score(&m)
            .unwrap()
            .value
            .score;
        for (a, b) in topsis.iter().zip(&direct) {
            assert!((a - b).abs() < 1e-15, "{topsis:?} vs {direct:?}");
        }
        let wsm = by(Box::new(crate::WeightedParams::default().check(crate::Aggregation::Sum).unwrap()), "wsm").score;
        let mean = score(LevelsParams::default(), &sys, &rows, &w).unwrap().score;
        for (a, b) in wsm.iter().zip(&mean) {
            assert!((a - b).abs() < 1e-15);
        }
    }
}
