//! Regional means by period, and growth in percent between consecutive periods:
//! g = (mean_t2 / mean_t1 - 1) * 100 (method.md section 3).

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
    /// Growth of the mean from the previous period, in percent; `None` for the first period.
    pub growth_percent: Option<f64>,
}

/// Growth in percent from `from` to `to`.
pub fn growth_percent(from: f64, to: f64) -> f64 {
    (to / from - 1.0) * 100.0
}

/// Mean score per region and period (plus an `All` row per period), regions in name order,
/// periods ascending, each with its growth from the region's previous period.
/// `rows` are (region, period, score).
pub fn regional_means<'a>(rows: impl IntoIterator<Item = (&'a str, i32, f64)>) -> Vec<RegionRow> {
    let mut sums: BTreeMap<(String, i32), (f64, usize)> = BTreeMap::new();
    for (region, period, score) in rows {
        for key in [region, ALL_REGIONS] {
            let e = sums.entry((key.to_string(), period)).or_insert((0.0, 0));
            e.0 += score;
            e.1 += 1;
        }
    }
    let mut out: Vec<RegionRow> = Vec::new();
    for ((region, period), (sum, n)) in sums {
        let mean = sum / n as f64;
        let growth = out.last().filter(|prev| prev.region == region).map(|prev| growth_percent(prev.mean, mean));
        out.push(RegionRow { region, period, n_units: n, mean, growth_percent: growth });
    }
    // `All` last, so that the regions read first.
    out.sort_by_key(|r| r.region == ALL_REGIONS);
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
    fn means_by_region_with_an_all_row() {
        let rows = [
            ("North", 2010, 0.2),
            ("North", 2010, 0.4),
            ("Tibet", 2010, 0.1),
            ("North", 2015, 0.6),
            ("Tibet", 2015, 0.2),
        ];
        let out = regional_means(rows);
        let find = |r: &str, p| out.iter().find(|x| x.region == r && x.period == p).unwrap();
        assert!((find("North", 2010).mean - 0.3).abs() < 1e-15);
        assert_eq!(find("North", 2010).growth_percent, None);
        assert!((find("North", 2015).growth_percent.unwrap() - 100.0).abs() < 1e-9);
        assert!((find("All", 2010).mean - 0.7 / 3.0).abs() < 1e-15);
        assert_eq!(out.last().unwrap().region, "All");
    }
}
