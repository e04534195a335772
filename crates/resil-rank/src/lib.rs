//! Scoring and ranking for resil: TOPSIS, VIKOR, weighted sum and product; ranks with a tie policy.
//!
//! Each method: `XParams` (serde, unchecked) -> `check()` -> a valid method implementing
//! [`resil_core::Scorer`] -> a fitted scorer with getters.

mod aras;
mod aroman;
mod cocoso;
mod codas;
mod correlation;
mod distance_based;
pub mod hierarchy;
mod levels;
mod mabac;
mod mairca;
mod marcos;
mod moora;
mod mpi;
mod ocra;
mod prescribed;
mod probid;
mod promethee;
mod ram;
mod ranks;
mod spotis;
mod topsis;
mod vikor;
mod waspas;
mod wsm;

pub use aras::{Aras, ArasParams, FittedAras};
pub use aroman::{Aroman, AromanParams, FittedAroman};
pub use cocoso::{Cocoso, CocosoParams, FittedCocoso};
pub use codas::{Codas, CodasParams, FittedCodas};
pub use correlation::{
    goodman_kruskal_gamma, kendall_tau_b, rank_similarity_ws, spearman, weight_similarity, weighted_spearman,
    RankAgreement,
};
pub use distance_based::{DistanceMethod, DistanceParams, DistanceScorer, FittedDistance};
pub use levels::{
    level_column, FittedLevels, LevelMethod, LevelSpec, LevelWeights, Levels, LevelsParams, Mean, MethodParams,
};
pub use mabac::{FittedMabac, Mabac, MabacParams};
pub use mairca::{FittedMairca, Mairca, MaircaParams};
pub use marcos::{FittedMarcos, Marcos, MarcosParams};
pub use moora::{FittedMoora, Moora, MooraParams};
pub use mpi::{FittedMpi, Mpi, MpiParams, Penalty, SdReading};
pub use ocra::{FittedOcra, Ocra, OcraParams};
pub use probid::{FittedProbid, Probid, ProbidParams, SprobidParams};
pub use promethee::{FittedPromethee, Preference, Promethee, PrometheeParams, Threshold};
pub use ram::{FittedRam, Ram, RamParams};
pub use ranks::{rank, TiePolicy};
pub use spotis::{FittedSpotis, Spotis, SpotisParams};
pub use topsis::{FittedTopsis, Topsis, TopsisParams};
pub use vikor::{compromise, Compromise, FittedVikor, Vikor, VikorParams};
pub use waspas::{FittedWaspas, Waspas, WaspasParams};
pub use wsm::{Aggregation, FittedWeighted, Weighted, WeightedCost, WeightedParams};

/// Test helper: `scorer` fitted on `rows` (flat system of `polarity`, weights `w`) and applied to
/// the same rows.
#[cfg(test)]
pub(crate) fn fit_and_score(
    scorer: &dyn resil_core::Scorer,
    rows: &[Vec<f64>],
    polarity: &[resil_core::Polarity],
    w: &[f64],
) -> resil_core::Result<resil_core::ScoreTable> {
    use resil_core::{IndicatorSystem, Matrix, StageContext, Weights};
    let m = Matrix::from_rows(rows);
    let sys = IndicatorSystem::flat(polarity);
    let fitted = scorer.fit(&m, &Weights(w.to_vec()), &StageContext::columns(&sys, polarity))?.value;
    Ok(fitted.score(&m)?.value)
}
