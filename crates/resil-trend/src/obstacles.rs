//! Obstacle degree (method.md section 3): each indicator's share of a unit's weighted gap to the
//! ideal, O_ij = w_j (1 - r_ij) / sum_k w_k (1 - r_ik), with r the pooled min-max value in [0, 1]
//! (benefit-aligned, no floor). Sub-system and system obstacles are sums over their indicators.

/// Obstacle degrees of one row: `r` its min-max values, `w` the weights. A row at the ideal on
/// every weighted indicator has no gap to share: all zeros.
pub fn obstacle_row(r: &[f64], w: &[f64]) -> Vec<f64> {
    let gaps: Vec<f64> = r.iter().zip(w).map(|(r, w)| w * (1.0 - r)).collect();
    let total: f64 = gaps.iter().sum();
    if total <= 0.0 {
        return vec![0.0; gaps.len()];
    }
    gaps.iter().map(|g| g / total).collect()
}

/// Sums of `values` by group label, groups in first-seen order.
pub fn by_group(values: &[f64], groups: &[&str]) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = Vec::new();
    for (v, g) in values.iter().zip(groups) {
        match out.iter_mut().find(|(name, _)| name == g) {
            Some((_, s)) => *s += v,
            None => out.push((g.to_string(), *v)),
        }
    }
    out
}

/// Positions of the `top` largest values, largest first (the lower position on ties).
pub fn largest(values: &[f64], top: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    order.truncate(top);
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_of_the_weighted_gap_by_hand() {
        // gaps: 0.5 * (1 - 0.2) = 0.4, 0.3 * (1 - 1) = 0, 0.2 * (1 - 0.0) = 0.2: shares 2/3, 0, 1/3.
        let o = obstacle_row(&[0.2, 1.0, 0.0], &[0.5, 0.3, 0.2]);
        assert!((o[0] - 2.0 / 3.0).abs() < 1e-15 && o[1] == 0.0 && (o[2] - 1.0 / 3.0).abs() < 1e-15);
        assert_eq!(obstacle_row(&[1.0, 1.0], &[0.5, 0.5]), vec![0.0, 0.0]);
        assert_eq!(by_group(&o, &["a", "b", "a"]), vec![("a".to_string(), 1.0), ("b".to_string(), 0.0)]);
        assert_eq!(largest(&o, 2), vec![0, 2]);
    }

    proptest::proptest! {
        #[test]
        fn obstacles_are_shares(r in proptest::collection::vec(0.0f64..1.0, 1..10), w in proptest::collection::vec(0.01f64..1.0, 10)) {
            let o = obstacle_row(&r, &w[..r.len()]);
            proptest::prop_assert!(o.iter().all(|&x| x >= 0.0));
            proptest::prop_assert!((o.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }
}
