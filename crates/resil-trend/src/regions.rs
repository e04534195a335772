//! Regional aggregates by period (mean, median, min, max, units per grade) and growth in percent
//! between periods: g = (mean_t2 / mean_t1 - 1) * 100 (method.md section 3).

use std::collections::BTreeMap;

use serde::Serialize;

/// The label of the row that pools every unit.
pub const ALL_REGIONS: &str = "All";

/// One region in one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionRow {
    pub region: String,
    pub period: i32,
    pub n_units: usize,
    pub mean: f64,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    /// Units per grade, grade 1 first.
    pub grade_counts: Vec<usize>,
    /// Growth of the mean from the region's previous period, in percent; `None` for the first.
    pub growth_percent: Option<f64>,
}

/// Growth in percent from `from` to `to`.
pub fn growth_percent(from: f64, to: f64) -> f64 {
    (to / from - 1.0) * 100.0
}

fn median(sorted: &[f64]) -> f64 {
    let m = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[m]
    } else {
        (sorted[m - 1] + sorted[m]) / 2.0
    }
}

/// Aggregates per region and period (plus an `All` row per period), regions in name order with
/// `All` last, periods ascending. `rows` are (region, period, score, 1-based grade); `k` grades.
pub fn regional_summary<'a>(rows: impl IntoIterator<Item = (&'a str, i32, f64, usize)>, k: usize) -> Vec<RegionRow> {
    // (is the All row, region, period) -> (scores, units per grade); All sorts after the regions.
    type Key = (bool, String, i32);
    let mut groups: BTreeMap<Key, (Vec<f64>, Vec<usize>)> = BTreeMap::new();
    for (region, period, score, grade) in rows {
        for (is_all, key) in [(false, region), (true, ALL_REGIONS)] {
            let e = groups.entry((is_all, key.to_string(), period)).or_insert_with(|| (Vec::new(), vec![0; k]));
            e.0.push(score);
            e.1[grade - 1] += 1;
        }
    }
    let mut out: Vec<RegionRow> = Vec::new();
    for ((_, region, period), (mut scores, grade_counts)) in groups {
        scores.sort_by(f64::total_cmp);
        let mean = scores.iter().sum::<f64>() / scores.len() as f64;
        let growth = out.last().filter(|prev| prev.region == region).map(|prev| growth_percent(prev.mean, mean));
        out.push(RegionRow {
            n_units: scores.len(),
            mean,
            median: median(&scores),
            min: scores[0],
            max: scores[scores.len() - 1],
            grade_counts,
            growth_percent: growth,
            region,
            period,
        });
    }
    out
}

/// Growth of each region's mean between two periods, as (region, mean at `from`, mean at `to`,
/// growth %); regions lacking either period are left out.
pub fn growth_between(rows: &[RegionRow], from: i32, to: i32) -> Vec<(String, f64, f64, f64)> {
    let mut out = Vec::new();
    for a in rows.iter().filter(|r| r.period == from) {
        if let Some(b) = rows.iter().find(|r| r.period == to && r.region == a.region) {
            out.push((a.region.clone(), a.mean, b.mean, growth_percent(a.mean, b.mean)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_formula_reproduces_the_papers_figures() {
        // Sui, Peng & Wu (2022): mean BCR 0.3174, 0.3323, 0.3397 -> +4.694 % and +2.227 %.
        assert!((growth_percent(0.3174, 0.3323) - 4.694).abs() < 5e-4);
        assert!((growth_percent(0.3323, 0.3397) - 2.227).abs() < 5e-4);
    }

    #[test]
    fn aggregates_by_region_with_an_all_row() {
        let rows = [
            ("North", 2010, 0.2, 1),
            ("North", 2010, 0.4, 2),
            ("North", 2010, 0.9, 2),
            ("Tibet", 2010, 0.1, 1),
            ("North", 2015, 0.6, 2),
            ("Tibet", 2015, 0.2, 1),
        ];
        let out = regional_summary(rows, 2);
        let find = |r: &str, p| out.iter().find(|x| x.region == r && x.period == p).unwrap();
        let n10 = find("North", 2010);
        assert!((n10.mean - 0.5).abs() < 1e-15);
        assert_eq!((n10.median, n10.min, n10.max), (0.4, 0.2, 0.9));
        assert_eq!(n10.grade_counts, vec![1, 2]);
        assert_eq!(n10.growth_percent, None);
        assert!((find("North", 2015).growth_percent.unwrap() - 20.0).abs() < 1e-9);
        assert!((find("All", 2010).mean - 0.4).abs() < 1e-15);
        assert!((find("All", 2010).median - 0.3).abs() < 1e-15);
        assert_eq!(out.last().unwrap().region, "All");
        let g = growth_between(&out, 2010, 2015);
        assert_eq!(g[0].0, "North");
        assert!((g[0].3 - 20.0).abs() < 1e-9);
    }
}
