//! Published worked examples run through the same method chain the pipeline builds.

use resil_core::{Matrix, Polarity};

use resil_test_support::{floats, reference_case as load};

#[test]
fn classic_topsis_is_vector_normalisation_then_topsis_by_polarity() {
    // Tzeng & Huang (2011), Multiple attribute decision making: methods and applications, CRC;
    // closeness as transcribed in scikit-criteria's test_TOPSIS_tzeng2011multiple (atol 1e-4).
    // This is the chain configs/classic-topsis.toml runs: resil-normalize's `vector`, then `topsis`.
    let case = load("lit_topsis_skcriteria_tzeng2011_vector");
    let rows: Vec<Vec<f64>> = case["matrix"].as_array().unwrap().iter().map(floats).collect();
    let m = Matrix::from_rows(&rows);
    let polarity: Vec<Polarity> =
        floats(&case["types"]).iter().map(|&t| if t > 0.0 { Polarity::Benefit } else { Polarity::Cost }).collect();
    let vector = resil_normalize::ScaleParams::default().check(resil_normalize::Divisor::Norm).unwrap();
    let got = crate::common::normalise_then_topsis(&vector, &m, &polarity, &floats(&case["weights"]));
    for (g, e) in got.iter().zip(floats(&case["expected"]["closeness"])) {
        assert!((g - e).abs() <= 1e-4, "{got:?}");
    }
}

#[test]
fn the_minimum_level_reproduces_the_epa_air_quality_index() {
    // A published example of the `minimum` level: the US EPA AQI is its worst pollutant's
    // sub-index (40 CFR 58 Appendix G). The EPA / NESCAUM / CIESE multiple-pollutant example
    // (O3 0.077 ppm, PM2.5 54.4 ug/m3, CO 8.4 ppm) publishes AQI 128 with PM2.5 responsible;
    // tests/reference/epa_aqi_minimum.py transcribes it with Table 2's breakpoints. Read as
    // goodness, (500 - I) / 500 (`target` goalposts [0, 500] on cost indicators), the AQI is the
    // minimum of the pollutants' goodness: AQI = 500 (1 - score).
    let case = load("epa_aqi_minimum");
    let names: Vec<&str> = case["pollutants"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    let subs = floats(&case["sub_indices"]);
    // The sub-indices by the EPA's equation, from the transcribed breakpoints.
    for ((name, c), sub) in names.iter().zip(floats(&case["concentrations"])).zip(&subs) {
        let (bp, aqi) = (floats(&case["breakpoints"][name]["bp"]), floats(&case["breakpoints"][name]["aqi"]));
        let equation = (aqi[1] - aqi[0]) / (bp[1] - bp[0]) * (c - bp[0]) + aqi[0];
        assert!((equation - sub).abs() < 1e-9, "{name}: {equation} vs {sub}");
    }
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("aqi.csv");
    let cells: Vec<String> = subs.iter().map(f64::to_string).collect();
    std::fs::write(&table, format!("site,{}\nexample,{}\n", names.join(","), cells.join(","))).unwrap();
    let goalposts = names.iter().map(|n| format!("{n} = [0, 500]")).collect::<Vec<_>>().join(", ");
    let score = |function: &str| -> f64 {
        let (code, out, err) = crate::common::resil(&[
            "score",
            table.to_str().unwrap(),
            "--polarity=-,-,-",
            "--normalize",
            "target",
            "--param",
            &format!("normalize.goalposts={{ {goalposts} }}"),
            "--weight",
            "equal",
            "--method",
            "levels",
            "--param",
            &format!("method.subsystem={{ function = \"{function}\" }}"),
            "--format",
            "csv",
        ]);
        assert_eq!(code, 0, "{err}");
        out.lines().nth(1).unwrap().split(',').nth(1).unwrap().parse().unwrap()
    };
    let aqi = 500.0 * (1.0 - score("minimum"));
    assert_eq!(aqi.round(), case["published_aqi"].as_f64().unwrap(), "AQI {aqi}");
    // The responsible pollutant is the one the minimum took.
    let worst = names.iter().zip(&subs).find(|(_, s)| (*s - aqi).abs() < 1e-9).map(|(n, _)| *n);
    assert_eq!(worst, case["published_responsible"].as_str());
    // A compensatory mean would not give the published index.
    let mean = 500.0 * (1.0 - score("arithmetic"));
    assert!((mean - aqi).abs() > 10.0, "arithmetic {mean} vs minimum {aqi}");
}
