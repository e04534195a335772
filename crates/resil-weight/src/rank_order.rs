//! Weights from an importance order of the indicators (most important first), for a panel of
//! experts who rank rather than score: rank order centroid `roc` (Barron & Barrett 1996),
//! w_r = (1/n) sum_{k=r}^{n} 1/k; rank sum `rs`, w_r = 2 (n + 1 - r) / (n (n + 1)); and rank
//! reciprocal `rr`, w_r = (1/r) / sum_k 1/k (Stillwell, Seaver & Edwards 1981).

use resil_core::chunked::{ChunkedFit, NoData};
use resil_core::{Error, Matrix, Outcome, Result, StageContext, Weighter, Weights};
use serde::{Deserialize, Serialize};

/// Which rank-based rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankRule {
    Centroid,
    Sum,
    Reciprocal,
}

/// Unchecked parameters: the indicators from the most to the least important.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct RankOrderParams {
    pub order: Vec<String>,
}

impl RankOrderParams {
    pub fn check(self, rule: RankRule) -> Result<RankOrder> {
        if self.order.is_empty() {
            return Err(Error::param("rank-order weights", "order", "list the indicators, the most important first"));
        }
        for (i, id) in self.order.iter().enumerate() {
            if self.order[..i].contains(id) {
                return Err(Error::param("rank-order weights", "order", format!("`{id}` appears twice")));
            }
        }
        Ok(RankOrder { order: self.order, rule })
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct RankOrder {
    order: Vec<String>,
    rule: RankRule,
}

/// The weight of rank `r` (1-based) among `n` by `rule`, before normalisation.
pub fn rank_weight(rule: RankRule, r: usize, n: usize) -> f64 {
    match rule {
        RankRule::Centroid => (r..=n).map(|k| 1.0 / k as f64).sum::<f64>() / n as f64,
        RankRule::Sum => (n + 1 - r) as f64,
        RankRule::Reciprocal => 1.0 / r as f64,
    }
}

impl Weighter for RankOrder {
    fn weights(&self, _reference: &Matrix, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        self.given(cx)
    }

    fn chunked(&self) -> Option<Box<dyn ChunkedFit<Weights> + '_>> {
        Some(Box::new(NoData(|cx: &StageContext<'_>| self.given(cx))))
    }
}

impl RankOrder {
    /// The weights of the order given (no data needed).
    fn given(&self, cx: &StageContext<'_>) -> Result<Outcome<Weights>> {
        let n = cx.system.len();
        let mut problems = Vec::new();
        let values: Vec<f64> = cx
            .system
            .indicators()
            .iter()
            .map(|ind| match self.order.iter().position(|id| *id == ind.id) {
                Some(r) => rank_weight(self.rule, r + 1, n),
                None => {
                    problems.push(Error::param("rank-order weights", "order", format!("`{}` is not ranked", ind.id)));
                    0.0
                }
            })
            .collect();
        for id in &self.order {
            if cx.system.position(id).is_none() {
                problems.push(Error::param("rank-order weights", "order", format!("`{id}` is not an indicator")));
            }
        }
        if !problems.is_empty() {
            return Err(Error::from_list(problems));
        }
        Ok(Outcome::new(Weights::normalized(values)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::{IndicatorSystem, Polarity};

    fn weights(rule: RankRule, order: &[&str]) -> Result<Vec<f64>> {
        let sys = IndicatorSystem::flat(&[Polarity::Benefit; 4]);
        let params = RankOrderParams { order: order.iter().map(|s| s.to_string()).collect() };
        Ok(params
            .check(rule)?
            .weights(&Matrix::filled(1, 4, 0.0), &StageContext::columns(&sys, &sys.polarities()))?
            .value
            .0)
    }

    #[test]
    fn the_published_four_criteria_weights() {
        // Four criteria ranked C1 > C2 > C3 > C4, the values these rules are usually tabulated
        // with (Barron & Barrett 1996; Roszkowska 2013, "Rank ordering criteria weighting
        // methods"), to 4 decimals: ROC 0.5208, 0.2708, 0.1458, 0.0625; RS 0.4, 0.3, 0.2, 0.1;
        // RR 0.48, 0.24, 0.16, 0.12.
        let order = ["C1", "C2", "C3", "C4"];
        for (rule, expected) in [
            (RankRule::Centroid, [0.5208, 0.2708, 0.1458, 0.0625]),
            (RankRule::Sum, [0.4, 0.3, 0.2, 0.1]),
            (RankRule::Reciprocal, [0.48, 0.24, 0.16, 0.12]),
        ] {
            let w = weights(rule, &order).unwrap();
            for (g, e) in w.iter().zip(expected) {
                assert!((g - e).abs() < 5e-5, "{rule:?}: {w:?}");
            }
        }
        // The order decides which indicator gets which weight.
        let w = weights(RankRule::Sum, &["C4", "C3", "C2", "C1"]).unwrap();
        assert!((w[3] - 0.4).abs() < 1e-15 && (w[0] - 0.1).abs() < 1e-15);
        let e = weights(RankRule::Sum, &["C1", "C2", "C9"]).unwrap_err().to_string();
        assert!(
            e.contains("`C3` is not ranked")
                && e.contains("`C4` is not ranked")
                && e.contains("`C9` is not an indicator"),
            "{e}"
        );
        assert!(RankOrderParams { order: vec!["C1".into(), "C1".into()] }.check(RankRule::Sum).is_err());
    }

    proptest::proptest! {
        /// Every rule gives a strictly decreasing distribution along the order.
        #[test]
        fn weights_decrease_along_the_order(n in 2usize..30) {
            for rule in [RankRule::Centroid, RankRule::Sum, RankRule::Reciprocal] {
                let w: Vec<f64> = (1..=n).map(|r| rank_weight(rule, r, n)).collect();
                proptest::prop_assert!(w.windows(2).all(|p| p[0] > p[1]), "{rule:?}: {w:?}");
            }
        }
    }
}
