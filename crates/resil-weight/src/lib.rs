//! Weighting methods for resil: entropy, fixed (published), equal, standard deviation,
//! coefficient of variation, CRITIC, principal components (the Handbook's PCA weights), AHP.
//!
//! Each method: `XParams` (serde, unchecked) -> `check()` -> a valid method implementing
//! [`resil_core::Weighter`].

mod angle;
mod bwm;
mod cilos;
mod entropy;
mod fixed;
mod gini;
mod lopcow;
mod merec;
mod pca;
mod rank_order;
mod statistical;
mod subjective;
mod symmetric;

pub use angle::{Angle, AngleParams};
pub use bwm::{bwm, Bwm, BwmParams, BwmResult};
pub use cilos::{Cilos, CilosParams};
pub use entropy::{Entropy, EntropyParams};
pub use fixed::{Fixed, FixedParams};
pub use gini::{Gini, GiniParams};
pub use lopcow::{Lopcow, LopcowParams};
pub use merec::{Merec, MerecParams};
pub use pca::{Pca, PcaParams};
pub use rank_order::{rank_weight, RankOrder, RankOrderParams, RankRule};
pub use statistical::{critic_information, Correlation, CriticCost, Statistic, Statistical, StatisticalParams};
pub use subjective::{ahp, Ahp, AhpParams, AhpResult, Combination, Combined, Hierarchical};
