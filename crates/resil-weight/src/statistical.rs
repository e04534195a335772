//! Weights from the data's own spread: equal, standard deviation, coefficient of variation and
//! CRITIC (Diakoulaki, Mavrotas & Papayannakis 1995).
//!
//! Reading where tools disagree, offered as CRITIC's `cost` parameter: `flip` (the default)
//! scales each column by min-max from its worst to its best value, so a cost column is flipped
//! before the correlations are taken (scikit-criteria's reading); `as-is` scales every column from
//! its minimum to its maximum whatever its direction (pymcdm's, and the worked example of Tus &
//! Aytac Adali 2019). resil flips by the column's orientation as the data stands, so after a
//! normaliser that already aligned polarity nothing is flipped twice. `std` and `cv` use the population standard deviation of the columns as given.

use resil_core::chunked::{ChunkedFit, CoMomentsFit, PassState, StatsFit};
use resil_core::stats::{average_ranks, pearson, population_sd, ColumnStats, Moments};
use resil_core::{Diagnostic, Error, Matrix, Outcome, Polarity, Result, StageContext, Weighter, Weights};
use serde::{Deserialize, Serialize};

/// Which statistic a [`Statistical`] weighter uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    Equal,
    Std,
    Cv,
    Critic,
    /// The sample variance of each column min-max scaled to [0, 1] (pymcdm's `variance_weights`).
    Variance,
}

/// How CRITIC treats a cost column before correlating (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CriticCost {
    /// Scale from worst to best: a cost column is flipped (scikit-criteria).
    #[default]
    Flip,
    /// Scale from minimum to maximum whatever the direction (pymcdm).
    AsIs,
}

/// The correlation CRITIC's conflict term uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Correlation {
    #[default]
    Pearson,
    /// Pearson on average ranks: robust to outliers and monotone transforms.
    Spearman,
}

/// Unchecked parameters; the statistic is chosen by the method name, and only CRITIC takes
/// `cost` and `correlation` (the registry declares which method takes what).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct StatisticalParams {
    pub cost: CriticCost,
    pub correlation: Correlation,
}

impl StatisticalParams {
    pub fn check(self, statistic: Statistic) -> Result<Statistical> {
        Ok(Statistical { statistic, cost: self.cost, correlation: self.correlation })
    }
}

/// The checked weighter.
#[derive(Debug, Clone)]
pub struct Statistical {
    statistic: Statistic,
    cost: CriticCost,
    correlation: Correlation,
}

/// CRITIC's information C_j = sigma_j sum_k (1 - rho_jk) of min-max scaled columns (best-is-1
/// under `flip`, max-is-1 under `as-is`); a constant column carries none (0).
pub fn critic_information(
    reference: &Matrix,
    orientation: &[Polarity],
    cost: CriticCost,
    correlation: Correlation,
) -> Vec<f64> {
    let scaled: Vec<Option<Vec<f64>>> = reference
        .columns()
        .zip(orientation)
        .map(|(c, p)| {
            let (lo, hi) = c.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
            let flip = cost == CriticCost::Flip && *p == Polarity::Cost;
            (hi > lo)
                .then(|| c.iter().map(|&v| if flip { (hi - v) / (hi - lo) } else { (v - lo) / (hi - lo) }).collect())
        })
        .collect();
    scaled
        .iter()
        .map(|cj| match cj {
            None => 0.0,
            Some(cj) => {
                let r = |a: &[f64], b: &[f64]| match correlation {
                    Correlation::Pearson => pearson(a, b),
                    Correlation::Spearman => pearson(&average_ranks(a), &average_ranks(b)),
                };
                let conflict: f64 = scaled.iter().flatten().map(|ck| conflict(r(cj, ck), cj.len())).sum();
                population_sd(cj) * conflict
            }
        })
        .collect()
}

/// CRITIC's conflict 1 - r between two columns whose correlation came out as `r` from `rows`
/// rows: 0 when r is within rounding of 1 ((rows + 4) machine epsilons; as computed it can even
/// exceed 1). Perfectly correlated columns (a column with itself too) then conflict not at all,
/// whichever way the rounding went: the run is refused rather than weighted by rounding noise.
fn conflict(r: f64, rows: usize) -> f64 {
    let tolerance = (rows as f64 + 4.0) * f64::EPSILON;
    if 1.0 - r <= tolerance {
        0.0
    } else {
        (1.0 - r).min(2.0)
    }
}

impl Statistical {
    /// CRITIC with Pearson correlations from the two passes of [`CoMomentsFit`]: min-max scaling
    /// changes neither a correlation (but its sign, for a flipped column) nor the ratio of a
    /// standard deviation to the range, so the information C_j = sigma_j sum_k (1 - rho_jk) of
    /// the scaled columns follows from the raw co-moments.
    fn critic_from(&self, moments: &[Moments], co: &PassState, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        let m = cx.system.len();
        let rows = moments.first().map_or(0, |c| c.cells);
        self.check_reference(rows, moments.iter().position(|c| c.cells > c.n), cx)?;
        let n = rows as f64;
        let range: Vec<f64> = moments.iter().map(|c| c.max - c.min).collect();
        let sign: Vec<f64> = cx
            .orientation
            .iter()
            .map(|p| if self.cost == CriticCost::Flip && *p == Polarity::Cost { -1.0 } else { 1.0 })
            .collect();
        let varying: Vec<usize> = (0..m).filter(|&j| range[j] > 0.0).collect();
        let raw: Vec<f64> = (0..m)
            .map(|j| {
                if range[j] <= 0.0 {
                    return 0.0;
                }
                let conflict: f64 = varying
                    .iter()
                    .map(|&k| {
                        conflict(sign[j] * sign[k] * co.get(j, k) / (co.get(j, j) * co.get(k, k)).sqrt(), n as usize)
                    })
                    .sum();
                (co.get(j, j) / n).sqrt() / range[j] * conflict
            })
            .collect();
        critic_finish(raw, &range.iter().map(|r| *r > 0.0).collect::<Vec<_>>(), cx)
    }

    /// The checks every statistic makes on its reference rows: at least two (but for equal
    /// weights), and finite values only (`first_nonfinite`: the first column holding another).
    fn check_reference(&self, rows: usize, first_nonfinite: Option<usize>, cx: &StageContext<'_>) -> Result<()> {
        if rows < 2 && self.statistic != Statistic::Equal {
            return Err(Error::data(
                format!("{:?} weights", self.statistic).to_lowercase(),
                "need at least 2 reference rows",
            ));
        }
        if let Some(j) = first_nonfinite {
            return Err(Error::data(format!("indicator `{}`", cx.system.get(j).id), "weights need finite values"));
        }
        Ok(())
    }

    /// Equal, std, cv and variance weights from each column's statistics: the fit in memory and over
    /// chunks of rows alike.
    fn spread_weights(&self, stats: &[ColumnStats], cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        let raw: Vec<f64> = match self.statistic {
            Statistic::Equal => vec![1.0; stats.len()],
            Statistic::Std => stats.iter().map(|s| s.sd_population).collect(),
            // The sample variance of the column min-max scaled: sd / (max - min), squared.
            Statistic::Variance => stats
                .iter()
                .map(|s| if s.max > s.min { (s.sd_sample / (s.max - s.min)).powi(2) } else { 0.0 })
                .collect(),
            _ => stats
                .iter()
                .enumerate()
                .map(|(j, s)| {
                    if resil_core::stats::zero_within_rounding(s.mean, s.n, s.min, s.max) {
                        Err(Error::data(
                            format!("cv weights: indicator `{}`", cx.system.get(j).id),
                            "mean is 0 (within rounding): the coefficient of variation is undefined; cv weights need values on a ratio scale (raw, or min-max), not z-scores",
                        ))
                    } else {
                        Ok(s.sd_population / s.mean.abs())
                    }
                })
                .collect::<Result<_>>()?,
        };
        finish(raw, cx, |_| "has no spread", CONSTANT)
    }
}

/// Weights from raw per-column values: a warning for each zero (`why(j)` says why), the error
/// `none` when all are.
pub(crate) fn finish(
    raw: Vec<f64>,
    cx: &StageContext<'_>,
    why: impl Fn(usize) -> &'static str,
    none: &str,
) -> Result<Outcome<Weights>> {
    let notes: Vec<Diagnostic> = raw
        .iter()
        .enumerate()
        .filter(|(_, &w)| w == 0.0)
        .map(|(j, _)| {
            Diagnostic::warning(
                "zero-weight",
                format!("indicator `{}` {}; its weight is 0", cx.system.get(j).id, why(j)),
            )
        })
        .collect();
    if raw.iter().all(|&w| w == 0.0) {
        return Err(Error::data("weights", none));
    }
    Ok(Outcome::with_notes(Weights::normalized(raw)?, notes))
}

/// The refusal of spread-based weights when every column is constant.
pub(crate) const CONSTANT: &str = "every indicator is constant; no weight can be derived";

/// CRITIC's weights from its information per column: a column that varies but has weight 0
/// conflicts with no other (it is perfectly correlated with each).
fn critic_finish(raw: Vec<f64>, varies: &[bool], cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
    let why = |j: usize| {
        if varies[j] {
            "varies but conflicts with no indicator (it is perfectly correlated with each)"
        } else {
            "has no spread"
        }
    };
    let none = "no indicator both varies and conflicts with another (each is constant or perfectly correlated with the others): CRITIC derives no weight";
    finish(raw, cx, why, if varies.iter().any(|v| *v) { none } else { CONSTANT })
}

impl Weighter for Statistical {
    fn weights(&self, reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        if let Some(fit) = self.chunked() {
            return resil_core::chunked::fit_in_memory(&*fit, reference, cx);
        }
        let orientation = cx.orientation;
        let first_nonfinite = (0..reference.ncols()).find(|&j| reference.column(j).iter().any(|v| !v.is_finite()));
        self.check_reference(reference.nrows(), first_nonfinite, cx)?;
        let raw: Vec<f64> = match self.statistic {
            Statistic::Equal | Statistic::Std | Statistic::Cv | Statistic::Variance => {
                unreachable!("fitted over chunks above")
            }
            // Spearman's ranks need the whole column; Pearson's CRITIC is fitted over chunks above.
            Statistic::Critic => critic_information(reference, orientation, self.cost, self.correlation),
        };
        let varies: Vec<bool> = reference.columns().map(|c| c.iter().any(|v| *v != c[0])).collect();
        critic_finish(raw, &varies, cx)
    }

    /// Equal, std, cv and variance weights from each column's statistics (cells counted too, for the
    /// reference checks); the others need whole columns.
    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Weights> + '_>> {
        let method = match self.statistic {
            Statistic::Equal => "equal weights",
            Statistic::Std => "std weights",
            Statistic::Cv => "cv weights",
            Statistic::Variance => "variance weights",
            Statistic::Critic if self.correlation == Correlation::Pearson => {
                return Some(Box::new(CoMomentsFit(
                    move |moments: &[Moments], co: &PassState, cx: &StageContext<'_>| self.critic_from(moments, co, cx),
                )));
            }
            _ => return None,
        };
        let build = move |stats: Vec<ColumnStats>, cx: &StageContext<'_>| {
            let rows = stats.first().map_or(0, |s| s.cells);
            self.check_reference(rows, stats.iter().position(|s| s.cells > s.n), cx)?;
            self.spread_weights(&stats, cx)
        };
        Some(Box::new(StatsFit { method, spread: self.statistic != Statistic::Equal, build }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::{IndicatorSystem, Polarity};

    fn weights(statistic: Statistic, m: &Matrix, orientation: &[Polarity]) -> Vec<f64> {
        let sys = IndicatorSystem::flat(orientation);
        StatisticalParams::default()
            .check(statistic)
            .unwrap()
            .weights(m, &resil_core::StageContext::columns(&sys, orientation))
            .unwrap()
            .value
            .0
    }

    #[track_caller]
    fn check_case(name: &str, statistic: Statistic) {
        let case = resil_test_support::reference_case(name);
        let m = resil_test_support::matrix(&case);
        let orientation: Vec<Polarity> = resil_test_support::floats(&case["types"])
            .iter()
            .map(|&t| if t > 0.0 { Polarity::Benefit } else { Polarity::Cost })
            .collect();
        let got = weights(statistic, &m, &orientation);
        let tol = case["tolerance"]["abs"].as_f64().unwrap();
        for (g, e) in got.iter().zip(resil_test_support::floats(&case["expected"]["weights"])) {
            assert!((g - e).abs() <= tol, "{name}: {got:?}");
        }
    }

    #[test]
    fn critic_diakoulaki_1995() {
        // Diakoulaki, Mavrotas & Papayannakis (1995), C&OR 22(7): weights 0.2022, 0.4809, 0.3169,
        // as transcribed in scikit-criteria (all criteria benefit, so the readings agree here).
        check_case("lit_critic_skcriteria_diakoulaki1995", Statistic::Critic);
    }

    #[test]
    fn std_weights_scikit_criteria_simple() {
        // scikit-criteria test_StdWeighter_simple_matrix: [[1,2],[4,16]] -> 0.176471, 0.82353.
        check_case("lit_std_skcriteria_simple", Statistic::Std);
    }

    #[test]
    fn cv_and_equal_by_hand() {
        // A mean 0 within rounding (0.1 + 0.2 - 0.3 = 5.6e-17, as z-scores' means are) is
        // refused, not divided by: it had given this column all the weight.
        let centred = Matrix::from_columns(vec![vec![0.1, 0.2, -0.3], vec![1.0, 2.0, 4.0]]);
        let sys = IndicatorSystem::flat(&[Polarity::Benefit; 2]);
        let e = StatisticalParams::default()
            .check(Statistic::Cv)
            .unwrap()
            .weights(&centred, &resil_core::StageContext::columns(&sys, &[Polarity::Benefit; 2]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("indicator `C1`") && e.contains("mean is 0 (within rounding)"), "{e}");
        // A constant column whose mean misses its value by an ulp has no spread: weight 0.
        let constant = Matrix::from_columns(vec![vec![0.1, 0.1, 0.1], vec![1.0, 2.0, 4.0]]);
        assert_eq!(weights(Statistic::Std, &constant, &[Polarity::Benefit; 2]), vec![0.0, 1.0]);
        // Columns (1, 3): sd 1, mean 2, cv 0.5; (2, 6): sd 2, mean 4, cv 0.5 -> equal weights.
        let m = Matrix::from_columns(vec![vec![1.0, 3.0], vec![2.0, 6.0]]);
        assert_eq!(weights(Statistic::Cv, &m, &[Polarity::Benefit; 2]), vec![0.5, 0.5]);
        assert_eq!(weights(Statistic::Equal, &m, &[Polarity::Benefit; 2]), vec![0.5, 0.5]);
    }

    #[test]
    fn critic_flips_cost_columns_by_orientation() {
        // Two perfectly correlated raw columns: as benefit-benefit they share everything (rho = 1,
        // no weight can be derived); with the second a cost column they conflict fully (rho = -1).
        let m = Matrix::from_columns(vec![vec![1.0, 2.0, 3.0], vec![10.0, 20.0, 30.0]]);
        let sys = IndicatorSystem::flat(&[Polarity::Benefit; 2]);
        assert!(StatisticalParams::default()
            .check(Statistic::Critic)
            .unwrap()
            .weights(&m, &resil_core::StageContext::columns(&sys, &[Polarity::Benefit; 2]))
            .is_err());
        assert_eq!(weights(Statistic::Critic, &m, &[Polarity::Benefit, Polarity::Cost]), vec![0.5, 0.5]);
    }

    #[test]
    fn perfectly_correlated_columns_have_no_conflict_however_the_correlation_rounds() {
        // rho = 1 exactly, but computed it can be 1 + 2e-16, which made a conflict of -1e-16 and
        // refused the run for a negative weight; now it is 0, and the run is refused because no
        // column conflicts with another. In memory and over chunks alike.
        let sys = IndicatorSystem::flat(&[Polarity::Benefit; 2]);
        let cx = resil_core::StageContext::columns(&sys, &[Polarity::Benefit; 2]);
        let critic = StatisticalParams::default().check(Statistic::Critic).unwrap();
        let spearman = StatisticalParams { correlation: Correlation::Spearman, ..Default::default() }
            .check(Statistic::Critic)
            .unwrap();
        for seed in 1..400u64 {
            let a: Vec<f64> = (1..=5u64).map(|i| ((seed * i * 7919) % 1009) as f64 / 7.0 + 1.0).collect();
            let total: f64 = a.iter().map(|x| 3.7 * x + 0.3).sum();
            let b: Vec<f64> = a.iter().map(|x| (3.7 * x + 0.3) / total).collect();
            let m = Matrix::from_columns(vec![a, b]);
            for method in [&critic, &spearman] {
                let e = method.weights(&m, &cx).unwrap_err().to_string();
                assert!(e.contains("CRITIC derives no weight"), "seed {seed}: {e}");
            }
            let chunks = resil_core::chunked::Whole(&m);
            let e = resil_core::chunked::fit_sequential(&*critic.chunked().unwrap(), &chunks, 2, &cx)
                .unwrap_err()
                .to_string();
            assert!(e.contains("CRITIC derives no weight"), "seed {seed}, over chunks: {e}");
        }
    }

    proptest::proptest! {
        #[test]
        fn weights_are_a_distribution(cols in proptest::collection::vec(proptest::collection::vec(0.1f64..100.0, 5), 2..6)) {
            let m = Matrix::from_columns(cols);
            let o = vec![Polarity::Benefit; m.ncols()];
            for s in [Statistic::Std, Statistic::Cv, Statistic::Critic] {
                if let Ok(out) = StatisticalParams::default().check(s).unwrap().weights(&m, &resil_core::StageContext::columns(&IndicatorSystem::flat(&o), &o)) {
                    proptest::prop_assert!(out.value.0.iter().all(|&w| w >= 0.0));
                    proptest::prop_assert!((out.value.0.iter().sum::<f64>() - 1.0).abs() < 1e-12);
                }
            }
        }
    }

    #[test]
    fn variance_weights_match_pymcdm() {
        // pymcdm 1.4.0 variance_weights (tests/reference/pymcdm_weights.py).
        let case = resil_test_support::reference_case("pymcdm_weights");
        let m = resil_test_support::matrix(&case);
        let got = weights(Statistic::Variance, &m, &vec![Polarity::Benefit; m.ncols()]);
        for (g, e) in got.iter().zip(resil_test_support::floats(&case["variance"])) {
            assert!((g - e).abs() < 1e-12, "{got:?}");
        }
    }
}
