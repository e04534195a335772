//! PROMETHEE II (Brans & Vincke 1985), as pymcdm 1.4.0's PROMETHEE_II: per criterion the
//! difference d of two rows in the better direction, a preference function P(d) in [0, 1],
//! pi(a, b) = sum_j w_j P_j(d_j(a, b)), and the net flow phi(a) = (sum_b pi(a, b) - pi(b, a)) /
//! (N - 1) over the N reference rows (higher is better). Functions: `usual` (d > 0), `u-shape`
//! (d > q), `v-shape` (d / p up to p), `level` (1/2 between q and p), `linear` ((d - q) / (p - q)
//! between q and p; pymcdm's `vshape_2`) and `gaussian` (1 - exp(-d^2 / 2 s^2), Brans' type VI,
//! not in pymcdm). q, p and s are in each criterion's own units.

use std::collections::BTreeMap;

use resil_core::{
    Direction, Error, FittedScorer, Matrix, Outcome, Polarity, Result, ScoreTable, Scorer, StageContext, Weights,
};
use serde::{Deserialize, Serialize};

/// A threshold for every criterion, or one per indicator id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Threshold {
    All(f64),
    Each(BTreeMap<String, f64>),
}

/// The preference function of every criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preference {
    #[default]
    Usual,
    UShape,
    VShape,
    Level,
    Linear,
    Gaussian,
}

impl Preference {
    /// The thresholds the function takes, by name.
    fn takes(self) -> &'static [&'static str] {
        match self {
            Preference::Usual => &[],
            Preference::UShape => &["q"],
            Preference::VShape => &["p"],
            Preference::Level | Preference::Linear => &["q", "p"],
            Preference::Gaussian => &["s"],
        }
    }

    /// P(d) given the criterion's q, p and s.
    fn apply(self, d: f64, q: f64, p: f64, s: f64) -> f64 {
        match self {
            Preference::Usual => f64::from(d > 0.0),
            Preference::UShape => f64::from(d > q),
            Preference::VShape if d > 0.0 && d <= p => d / p,
            Preference::VShape => f64::from(d > p),
            Preference::Level if d > q && d <= p => 0.5,
            Preference::Level => f64::from(d > p),
            Preference::Linear if d > q && d <= p => (d - q) / (p - q),
            Preference::Linear => f64::from(d > p),
            Preference::Gaussian if d > 0.0 => 1.0 - (-d * d / (2.0 * s * s)).exp(),
            Preference::Gaussian => 0.0,
        }
    }
}

/// Unchecked parameters: the preference function and its thresholds.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct PrometheeParams {
    pub preference: Preference,
    pub q: Option<Threshold>,
    pub p: Option<Threshold>,
    pub s: Option<Threshold>,
}

impl PrometheeParams {
    pub fn check(self) -> Result<Promethee> {
        let takes = self.preference.takes();
        for (name, value) in [("q", &self.q), ("p", &self.p), ("s", &self.s)] {
            let what = format!("{:?}", self.preference).to_lowercase();
            match (takes.contains(&name), value) {
                (true, None) => {
                    return Err(Error::param("promethee2", name, format!("the {what} preference function needs it")))
                }
                (false, Some(_)) => {
                    return Err(Error::param(
                        "promethee2",
                        name,
                        format!("the {what} preference function does not take it (it takes: {})", takes.join(", ")),
                    ))
                }
                _ => {}
            }
            let values: Vec<(String, f64)> = match value {
                Some(Threshold::All(v)) => vec![(name.to_string(), *v)],
                Some(Threshold::Each(m)) => m.iter().map(|(k, v)| (format!("{name}.{k}"), *v)).collect(),
                None => Vec::new(),
            };
            if let Some((key, v)) =
                values.iter().find(|(_, v)| !(v.is_finite() && *v >= 0.0) || (name != "q" && *v == 0.0))
            {
                return Err(Error::param(
                    "promethee2",
                    key,
                    format!("must be finite and {}, got {v}", if name == "q" { ">= 0" } else { "> 0" }),
                ));
            }
        }
        Ok(Promethee { preference: self.preference, q: self.q, p: self.p, s: self.s })
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Promethee {
    preference: Preference,
    q: Option<Threshold>,
    p: Option<Threshold>,
    s: Option<Threshold>,
}

/// Fitted: the reference rows, each criterion's thresholds and orientation, the weights.
#[derive(Debug, Clone)]
pub struct FittedPromethee {
    reference: Vec<Vec<f64>>,
    /// (q, p, s) per criterion.
    thresholds: Vec<(f64, f64, f64)>,
    cost: Vec<bool>,
    weights: Vec<f64>,
    preference: Preference,
}

/// The threshold of column `j` (0 when the function does not take it).
fn threshold(t: &Option<Threshold>, name: &str, ids: &[&str], j: usize) -> Result<f64> {
    match t {
        None => Ok(0.0),
        Some(Threshold::All(v)) => Ok(*v),
        Some(Threshold::Each(m)) => m.get(ids[j]).copied().ok_or_else(|| {
            Error::param("promethee2", format!("{name}.{}", ids[j]), "missing: give a threshold for every criterion")
        }),
    }
}

impl Scorer for Promethee {
    fn fit(
        &self,
        reference: &Matrix,
        weights: &Weights,
        cx: &StageContext<'_>,
    ) -> Result<Outcome<Box<dyn FittedScorer>>> {
        if reference.nrows() < 2 {
            return Err(Error::data("promethee2", "needs at least two alternatives to compare"));
        }
        let ids: Vec<&str> = cx.system.indicators().iter().map(|i| i.id.as_str()).collect();
        for (name, t) in [("q", &self.q), ("p", &self.p), ("s", &self.s)] {
            if let Some(Threshold::Each(m)) = t {
                if let Some(unknown) = m.keys().find(|k| !ids.contains(&k.as_str())) {
                    return Err(Error::param(
                        "promethee2",
                        format!("{name}.{unknown}"),
                        "is not an indicator of this stage",
                    ));
                }
            }
        }
        let thresholds = (0..reference.ncols())
            .map(|j| {
                let (q, p, s) = (
                    threshold(&self.q, "q", &ids, j)?,
                    threshold(&self.p, "p", &ids, j)?,
                    threshold(&self.s, "s", &ids, j)?,
                );
                if matches!(self.preference, Preference::Level | Preference::Linear) && q >= p {
                    return Err(Error::param(
                        "promethee2",
                        format!("q.{}", ids[j]),
                        format!("q = {q} must be below p = {p}"),
                    ));
                }
                Ok((q, p, s))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Outcome::new(Box::new(FittedPromethee {
            reference: (0..reference.nrows()).map(|i| reference.row(i)).collect(),
            thresholds,
            cost: cx.orientation.iter().map(|p| *p == Polarity::Cost).collect(),
            weights: weights.0.clone(),
            preference: self.preference,
        })))
    }
}

impl FittedPromethee {
    /// pi(a, b): the weighted preference of row `a` over row `b`.
    fn pi(&self, a: &[f64], b: &[f64]) -> f64 {
        (0..a.len())
            .map(|j| {
                let d = if self.cost[j] { b[j] - a[j] } else { a[j] - b[j] };
                let (q, p, s) = self.thresholds[j];
                self.weights[j] * self.preference.apply(d, q, p, s)
            })
            .sum()
    }
}

impl FittedScorer for FittedPromethee {
    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let n = self.reference.len() as f64;
        let mut score = Vec::with_capacity(data.nrows());
        let (mut positive, mut negative) = (Vec::new(), Vec::new());
        for i in 0..data.nrows() {
            let row = data.row(i);
            let plus: f64 = self.reference.iter().map(|r| self.pi(&row, r)).sum::<f64>() / (n - 1.0);
            let minus: f64 = self.reference.iter().map(|r| self.pi(r, &row)).sum::<f64>() / (n - 1.0);
            positive.push(plus);
            negative.push(minus);
            score.push(plus - minus);
        }
        let extras = vec![("phi_plus".to_string(), positive), ("phi_minus".to_string(), negative)];
        Ok(Outcome::new(ScoreTable { score, extras, direction: Direction::HigherIsBetter }))
    }
}
