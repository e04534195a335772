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
