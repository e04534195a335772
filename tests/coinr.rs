//! Conformance with a real, independent pipeline: COINr's ASEM index (data/reference-cases/
//! coinr_asem). From the treated data, min-max to 0-100 with each indicator's direction and
//! weighted arithmetic means up the hierarchy (indicator -> pillar -> sub-index -> index) must
//! reproduce COINr's normalised and aggregated data sets to 1e-9; and resil's treatment
//! (winsorisation, winmax 6) must turn COINr's imputed data into its treated data.

use std::collections::BTreeMap;

use resil_core::{Matrix, Normalizer, Polarity};
use resil_rank::hierarchy::{aggregate, Group};

/// (header, rows) of a COINr CSV.
fn table(file: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let path = resil_test_support::reference_dir().join("coinr_asem").join(file);
    let mut r = csv::Reader::from_path(&path).unwrap();
    let headers = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r.records().map(|rec| rec.unwrap().iter().map(String::from).collect()).collect();
    (headers, rows)
}

fn column(t: &(Vec<String>, Vec<Vec<String>>), name: &str) -> Vec<f64> {
    let c = t.0.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    t.1.iter().map(|r| r[c].parse().unwrap_or(f64::NAN)).collect()
}

#[track_caller]
fn assert_close(what: &str, got: &[f64], expected: &[f64]) {
    for (i, (g, e)) in got.iter().zip(expected).enumerate() {
        assert!((g - e).abs() <= 1e-9, "{what}, unit {i}: {g} vs COINr {e}");
    }
}

#[test]
fn asem_index_matches_coinr() {
    let meta = table("asem_coin_input_indmeta.csv");
    let codes: Vec<String> = meta.1.iter().map(|r| r[1].clone()).collect();
    let direction = column(&meta, "Direction");
    let ind_weight = column(&meta, "IndWeight");
    let treated = table("asem_coin_data_treated.csv");
    let matrix = Matrix::from_columns(codes.iter().map(|c| column(&treated, c)).collect());
    let polarity: Vec<Polarity> =
        direction.iter().map(|&d| if d > 0.0 { Polarity::Benefit } else { Polarity::Cost }).collect();
    let system = resil_pipeline::criteria(&codes, &polarity);

    // Min-max to 0-100 with direction: resil's own `minmax` with scale = 100.
    let params = resil_normalize::MinMaxParams { floor: 0.0, apply_polarity: true, scale: 100.0 };
    let fitted =
        params.check().unwrap().fit(&matrix, &resil_core::StageContext::columns(&system, &polarity)).unwrap().value;
    let normalised = fitted.transform(&matrix).unwrap();
    let coinr_norm = table("asem_coin_data_normalised.csv");
    for (j, code) in codes.iter().enumerate() {
        assert_close(code, normalised.column(j), &column(&coinr_norm, code));
    }

    // Weighted arithmetic means up the tree, each level from the one below.
    let structure = table("asem_coin_structure.csv");
    let aggmeta = table("asem_coin_input_aggmeta.csv");
    let agg_weight: BTreeMap<String, f64> = aggmeta.1.iter().map(|r| (r[1].clone(), r[3].parse().unwrap())).collect();
    let aggregated = table("asem_coin_data_aggregated.csv");
    let mut level: Vec<String> = codes.clone();
    let mut columns: Vec<Vec<f64>> = (0..codes.len()).map(|j| normalised.column(j).to_vec()).collect();
    let mut weights: Vec<f64> = ind_weight.clone();
    for depth in 1..=3 {
        // Parent of each node of the current level, from the structure table.
        let parent_of = |node: &str| -> String {
            let row = structure
                .1
                .iter()
                .find(|r| r[depth - 1] == node)
                .unwrap_or_else(|| panic!("{node} not in the structure"));
            row[depth].clone()
        };
        let mut parents: Vec<String> = level.iter().map(|n| parent_of(n)).collect();
        parents.dedup();
        let mut seen = Vec::new();
        for p in parents {
            if !seen.contains(&p) {
                seen.push(p);
            }
        }
        let groups: Vec<Group> = seen
            .iter()
            .map(|p| {
                let members: Vec<usize> = (0..level.len()).filter(|&i| parent_of(&level[i]) == *p).collect();
                Group { name: p.clone(), weights: members.iter().map(|&m| weights[m]).collect(), members }
            })
            .collect();
        columns = aggregate(&columns, &groups);
        for (g, col) in groups.iter().zip(&columns) {
            assert_close(&g.name, col, &column(&aggregated, &g.name));
        }
        weights = groups.iter().map(|g| agg_weight[&g.name]).collect();
        level = groups.into_iter().map(|g| g.name).collect();
    }
    assert_eq!(level, vec!["Index".to_string()]);
}

#[test]
fn asem_treatment_matches_coinr() {
    // COINr6's treat as ASEM_COIN ran it: winsorisation while |skewness| > 2 and kurtosis > 3.5,
    // winmax = 6 (asem_coin_treat_summary.csv), no log transform needed for any indicator.
    let meta = table("asem_coin_input_indmeta.csv");
    let imputed = table("asem_coin_data_imputed.csv");
    let treated = table("asem_coin_data_treated.csv");
    let summary = table("asem_coin_treat_summary.csv");
    let params = resil_normalize::TreatParams { winmax: 6, ..Default::default() };
    for code in meta.1.iter().map(|r| r[1].clone()) {
        let (got, report) = resil_normalize::treat_column(&column(&imputed, &code), &params);
        assert_close(&code, &got, &column(&treated, &code));
        let row = summary.1.iter().find(|r| r[0] == code).unwrap();
        let (low, high): (f64, f64) = (row[1].parse().unwrap(), row[2].parse().unwrap());
        assert_eq!((report.low as f64, report.high as f64, report.log), (low, high, false), "{code}");
    }
}

#[test]
fn asem_from_raw_data_in_one_config_matches_coinr() {
    // configs/coinr-asem.toml: denomination, group-mean imputation, winsorisation, min-max 0-100
    // and arithmetic means level by level, from COINr's raw data, against its aggregated data set
    // (every pillar, sub-index and the index, to 1e-9), its imputed data and its ranks.
    let out = tempfile::tempdir().unwrap();
    crate::common::run_config("configs/coinr-asem.toml", out.path(), &[]);
    let read = |f: &str| -> Vec<BTreeMap<String, String>> {
        csv::Reader::from_path(out.path().join(f)).unwrap().deserialize().map(|r| r.unwrap()).collect()
    };
    let aggregated = table("asem_coin_data_aggregated.csv");
    let units: Vec<String> = column_text(&aggregated, "UnitCode");
    let ours: BTreeMap<(String, String), f64> = read("levels.csv")
        .into_iter()
        .map(|r| ((r["unit"].clone(), r["name"].clone()), r["score"].parse().unwrap()))
        .chain(
            read("scores.csv")
                .into_iter()
                .map(|r| ((r["unit"].clone(), "Index".to_string()), r["score"].parse().unwrap())),
        )
        .collect();
    let aggregates = [
        "Index",
        "Conn",
        "Sust",
        "Physical",
        "ConEcFin",
        "Political",
        "Instit",
        "P2P",
        "Environ",
        "Social",
        "SusEcFin",
    ];
    for name in aggregates {
        let expected = column(&aggregated, name);
        let got: Vec<f64> = units.iter().map(|u| ours[&(u.clone(), name.to_string())]).collect();
        assert_close(name, &got, &expected);
    }
    // The 65 imputed cells, each COINr's group mean.
    let imputed = table("asem_coin_data_imputed.csv");
    let cells = read("imputed.csv");
    assert_eq!(cells.len(), 65);
    let imputed_units = column_text(&imputed, "UnitCode");
    for c in &cells {
        let row = imputed_units.iter().position(|u| *u == c["unit"]).unwrap();
        let expected = column(&imputed, &c["indicator"])[row];
        let got: f64 = c["value"].parse().unwrap();
        assert!(
            (got - expected).abs() <= 1e-9 * expected.abs().max(1.0),
            "{} {}: {got} vs COINr {expected}",
            c["unit"],
            c["indicator"]
        );
        assert!(c["method"].starts_with("group-mean:Group_EurAsia="), "{c:?}");
    }
    // COINr's ranks of the index (1 = best).
    let ranks = table("asem_coin_results_aggregates_rank.csv");
    let rank_units = column_text(&ranks, "UnitCode");
    let coinr_rank = column(&ranks, "Index");
    for s in read("scores.csv") {
        let i = rank_units.iter().position(|u| *u == s["unit"]).unwrap();
        assert_eq!(s["rank"].parse::<f64>().unwrap(), coinr_rank[i], "{}", s["unit"]);
    }
}

fn column_text(t: &(Vec<String>, Vec<Vec<String>>), name: &str) -> Vec<String> {
    let c = t.0.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    t.1.iter().map(|r| r[c].clone()).collect()
}
