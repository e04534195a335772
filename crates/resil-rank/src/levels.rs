//! Level-by-level aggregation (`rank = { method = "levels", ... }`), the way most published
//! composite indices are built (the UNDP HDI, COINr's indices, the OECD/JRC Handbook's step 7):
//! the normalised indicators are aggregated into their sub-system, the sub-systems into their
//! system, the systems into the index, each level with its own function and weights.
//!
//! Functions: weighted arithmetic, geometric and harmonic means, the generalised (power) mean
//! M_p = (sum w x^p / sum w)^(1/p), the minimum, and benefit of the doubt (`bod`, the OECD/JRC
//! Handbook's DEA reading: each unit gets the member weights most favourable to it,
//! max_w sum_j w_j y_ij subject to sum_j w_j y_kj <= 1 for every reference unit k and w >= 0,
//! with optional bounds on each member's share of the unit's score, `share = [lo, hi]`, or on
//! each weight's share of the total weight, `weight-share = [lo, hi]` (the Handbook's Table 19);
//! the score is 1 on the frontier). Geometric and harmonic means take
//! non-negative values: a zero makes the geometric mean 0 and the harmonic mean 0 (the limit),
//! a negative value is an error naming the unit, period and member.

use std::collections::BTreeMap;
use std::sync::Arc;

use resil_core::chunked::{ChunkedFit, Merge, PassState};
use resil_core::{
    Diagnostic, Direction, Error, FittedScorer, Indicator, IndicatorSystem, Matrix, Outcome, Result, ScoreTable,
    Scorer, StageContext, Weights,
};
use serde::{Deserialize, Serialize};

/// An aggregation function of a level: one of the means, or an MCDA scorer by its registry
/// name (`topsis`, `vikor`, ..., with the level's `params`), fitted on the scope's units.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Mean {
    #[default]
    Arithmetic,
    Geometric,
    Harmonic,
    /// The generalised mean with exponent `p` (the level's `p`).
    Power,
    Minimum,
    /// Benefit of the doubt: the weights most favourable to each unit (a linear programme).
    Bod,
    /// An MCDA scorer: its score (closeness, grade, ...) is the level's value. The caller builds
    /// it (`LevelsParams::check_with`); a lower-is-better scorer only at the index level.
    Scorer(String),
}

/// The means' config names; any other name is a scorer's.
const MEANS: [(&str, Mean); 6] = [
    ("arithmetic", Mean::Arithmetic),
    ("geometric", Mean::Geometric),
    ("harmonic", Mean::Harmonic),
    ("power", Mean::Power),
    ("minimum", Mean::Minimum),
    ("bod", Mean::Bod),
];

impl From<String> for Mean {
    fn from(name: String) -> Self {
        MEANS.iter().find(|(n, _)| *n == name).map_or(Mean::Scorer(name), |(_, m)| m.clone())
    }
}

impl From<Mean> for String {
    fn from(mean: Mean) -> Self {
        match mean {
            Mean::Scorer(name) => name,
            m => MEANS.iter().find(|(_, x)| *x == m).expect("every mean is named").0.to_string(),
        }
    }
}

impl Mean {
    /// The means' names, in order (the other functions are the scorers').
    pub fn mean_names() -> impl Iterator<Item = &'static str> {
        MEANS.iter().map(|(n, _)| *n)
    }

    pub fn name(&self) -> String {
        String::from(self.clone())
    }
}

/// A method's parameters as written in the config (`params = { v = 0.3 }` of a scorer level,
/// `weights = { method = "critic", cost = "as-is" }`): the registry checks them.
pub type MethodParams = serde_json::Map<String, serde_json::Value>;

/// The weights of a level's members: `run` (the weight stage's indicator weights, summed per
/// member), `equal`, fixed weights by member name (renormalised within each group), or
/// `{ method = "entropy" }`: a weighting method fitted on the level's inputs over the scope's
/// units, group by group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LevelWeights {
    Named(String),
    Method {
        method: String,
        #[serde(flatten)]
        params: MethodParams,
    },
    Fixed(BTreeMap<String, f64>),
}

impl Default for LevelWeights {
    fn default() -> Self {
        LevelWeights::Named("run".into())
    }
}

/// One level: its function, the exponent of a power mean, and the weights of its members.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct LevelSpec {
    pub function: Mean,
    pub p: Option<f64>,
    /// `bod`: bounds [lo, hi] on each member's share w_j y_ij / sum_l w_l y_il of a unit's score.
    pub share: Option<[f64; 2]>,
    /// `bod`: bounds [lo, hi] on each member's weight share w_j / sum_l w_l (the Handbook's TAI
    /// example: each indicator 10-15 % of the total weight, endnote 29).
    pub weight_share: Option<[f64; 2]>,
    pub weights: LevelWeights,
    /// A scorer level's parameters, as for the scorer in `[pipeline] rank`.
    #[serde(skip_serializing_if = "MethodParams::is_empty")]
    pub params: MethodParams,
}

/// Unchecked parameters: the three levels (indicator -> sub-system -> system -> index).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct LevelsParams {
    pub subsystem: LevelSpec,
    pub system: LevelSpec,
    pub index: LevelSpec,
}

const LEVELS: [&str; 3] = ["subsystem", "system", "index"];

/// The name of a group's column among a scorer's extras and group weights: `level:group`, and
/// `level:all` for the unnamed group of indicators without one (a plain table's criteria).
pub fn level_column(level: &str, group: &str) -> String {
    if group.is_empty() {
        format!("{level}:all")
    } else {
        format!("{level}:{group}")
    }
}

/// A method a level names that the caller builds from its method tables: a weighting method
/// (`weights = { method = ... }`) or a scorer (`function = "vikor"`).
#[derive(Debug, Clone, PartialEq)]
pub struct LevelMethod {
    pub level: &'static str,
    pub method: String,
    pub params: MethodParams,
}

impl LevelsParams {
    fn specs(&self) -> [(&'static str, &LevelSpec); 3] {
        [(LEVELS[0], &self.subsystem), (LEVELS[1], &self.system), (LEVELS[2], &self.index)]
    }

    /// The levels whose weights a weighting method fits, in level order.
    pub fn weight_methods(&self) -> Vec<LevelMethod> {
        self.specs()
            .into_iter()
            .filter_map(|(level, l)| match &l.weights {
                LevelWeights::Method { method, params } => {
                    Some(LevelMethod { level, method: method.clone(), params: params.clone() })
                }
                _ => None,
            })
            .collect()
    }

    /// The levels an MCDA scorer aggregates, in level order.
    pub fn scorer_methods(&self) -> Vec<LevelMethod> {
        self.specs()
            .into_iter()
            .filter_map(|(level, l)| match &l.function {
                Mean::Scorer(method) => Some(LevelMethod { level, method: method.clone(), params: l.params.clone() }),
                _ => None,
            })
            .collect()
    }

    /// The checked method, with the weighting method and the scorer of each level that names
    /// one (in level order, as `weight_methods` and `scorer_methods` list them).
    pub fn check_with(
        self,
        weighters: Vec<Box<dyn resil_core::Weighter>>,
        scorers: Vec<Box<dyn Scorer>>,
    ) -> Result<Levels> {
        let (weight_levels, scorer_levels) = (self.weight_methods(), self.scorer_methods());
        if weight_levels.len() != weighters.len() || scorer_levels.len() != scorers.len() {
            return Err(Error::param("levels", "weights", "one method per level that names one"));
        }
        let mut levels = self.check()?;
        let mut weighters = weighters.into_iter();
        let mut scorers = scorers.into_iter();
        for (l, name) in LEVELS.iter().enumerate() {
            if weight_levels.iter().any(|m| m.level == *name) {
                levels.weighters[l] = weighters.next().map(std::sync::Arc::from);
            }
            if scorer_levels.iter().any(|m| m.level == *name) {
                levels.scorers[l] = scorers.next().map(std::sync::Arc::from);
            }
        }
        Ok(levels)
    }

    pub fn check(self) -> Result<Levels> {
        for (name, level) in self.specs() {
            if let Mean::Scorer(scorer) = &level.function {
                if scorer == "levels" {
                    return Err(Error::param("levels", format!("{name}.function"), "a level cannot nest `levels`"));
                }
            } else if let Some(key) = level.params.keys().next() {
                return Err(Error::param(
                    "levels",
                    format!("{name}.params.{key}"),
                    format!("only a scorer function takes `params`, not {}", level.function.name()),
                ));
            }
            match (&level.function, level.p) {
                (Mean::Power, None) => {
                    return Err(Error::param("levels", format!("{name}.p"), "a power mean needs its exponent `p`"))
                }
                (Mean::Power, Some(p)) if !p.is_finite() || p == 0.0 => {
                    return Err(Error::param(
                        "levels",
                        format!("{name}.p"),
                        format!("must be finite and not 0 (p -> 0 is the geometric mean), got {p}"),
                    ))
                }
                (Mean::Power, _) => {}
                (other, Some(_)) => {
                    return Err(Error::param(
                        "levels",
                        format!("{name}.p"),
                        format!("only a power mean takes `p`, not {}", other.name()),
                    ))
                }
                _ => {}
            }
            if level.function == Mean::Bod && level.weights != LevelWeights::default() {
                return Err(Error::param(
                    "levels",
                    format!("{name}.weights"),
                    "benefit of the doubt finds each unit's own weights: give `share` or `weight-share` bounds instead",
                ));
            }
            for (key, bounds) in [("share", level.share), ("weight-share", level.weight_share)] {
                match bounds {
                    Some(_) if level.function != Mean::Bod => {
                        return Err(Error::param(
                            "levels",
                            format!("{name}.{key}"),
                            format!("only `bod` takes `{key}` bounds"),
                        ))
                    }
                    Some([lo, hi]) if !(0.0 <= lo && lo <= hi && hi <= 1.0) => {
                        return Err(Error::param(
                            "levels",
                            format!("{name}.{key}"),
                            format!("needs 0 <= lo <= hi <= 1, got [{lo}, {hi}]"),
                        ))
                    }
                    _ => {}
                }
            }
            match &level.weights {
                LevelWeights::Named(w) if w != "run" && w != "equal" => {
                    return Err(Error::param(
                        "levels",
                        format!("{name}.weights"),
                        format!("`{w}`: run | equal | {{ member = weight, ... }}"),
                    ))
                }
                LevelWeights::Fixed(map) => {
                    if let Some((k, w)) = map.iter().find(|(_, w)| !(w.is_finite() && **w >= 0.0)) {
                        return Err(Error::param(
                            "levels",
                            format!("{name}.weights.{k}"),
                            format!("must be >= 0, got {w}"),
                        ));
                    }
                }
                _ => {}
            }
        }
        Ok(Levels { params: self, weighters: [None, None, None], scorers: [None, None, None] })
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct Levels {
    params: LevelsParams,
    /// Per level, the weighting method of `weights = { method = ... }`, built by the caller
    /// (the registry knows the weighting methods; this crate does not).
    weighters: [Option<std::sync::Arc<dyn resil_core::Weighter>>; 3],
    /// Per level, the scorer of `function = "<scorer>"`, likewise built by the caller.
    scorers: [Option<std::sync::Arc<dyn Scorer>>; 3],
}

/// A group of a level: its name, the positions of its members in the level below, their weights.
#[derive(Debug, Clone, PartialEq)]
struct Group {
    name: String,
    members: Vec<usize>,
    weights: Vec<f64>,
}

/// Fitted: the groups and member weights of each level, and what each level fitted on the
/// reference rows (a scorer level's fitted scorers, a `bod` level's frontier).
#[derive(Debug, Clone)]
pub struct FittedLevels {
    params: LevelsParams,
    /// Per level: the names of the members below (indicator ids, sub-systems, systems) and the groups.
    levels: Vec<(Vec<String>, Vec<Group>)>,
    /// Per level: the level's inputs over the reference rows when it is a `bod` level (the
    /// frontier each row is measured against); empty otherwise.
    frontiers: Vec<Vec<Vec<f64>>>,
    /// Per level: each group's fitted scorer when it is a scorer level; empty otherwise.
    fitted_scorers: Vec<Vec<Arc<dyn FittedScorer>>>,
}

/// What a level fits on its inputs over the reference rows, in this order: its members'
/// weights (a weighting method), then its scorer (which takes those weights).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Weights(usize),
    Scorer(usize),
}

/// The context a level's weighting method or scorer sees for a group: a benefit column named by
/// each member (an indicator, a sub-system, a system), with the fit's rows and their places.
fn with_member_context<R>(names: &[String], cx: &StageContext<'_>, f: impl FnOnce(&StageContext<'_>) -> R) -> R {
    let flat = IndicatorSystem::flat(&vec![resil_core::Polarity::Benefit; names.len()]);
    let named =
        flat.indicators().iter().zip(names).map(|(i, n)| Indicator { id: n.clone(), name: n.clone(), ..i.clone() });
    let system = IndicatorSystem::new(named.collect());
    let orientation = system.polarities();
    f(&StageContext { system: &system, orientation: &orientation, rows: cx.rows, place: cx.place })
}

/// The member columns of group `g` as a matrix.
fn member_block(g: &Group, below: &[Vec<f64>]) -> Matrix {
    Matrix::from_columns(g.members.iter().map(|&m| below[m].clone()).collect())
}

/// Group `g` of level `l` in a message: its name, or its level for the one unnamed group (a
/// plain table's criteria, systems without a name).
fn group_label(l: usize, g: &Group) -> String {
    if g.name.is_empty() {
        format!("the {} level", LEVELS[l])
    } else {
        format!("`{}`", g.name)
    }
}

/// A refusal of level `l`'s weighting method for group `g`.
fn weights_refused(l: usize, g: &Group, e: Error) -> Error {
    Error::data(format!("levels: weights of {}", group_label(l, g)), e.to_string())
}

/// A level method's notes for group `g`, each said of the group (`levels: weights of `a`: ...`).
fn group_notes(what: String, notes: Vec<Diagnostic>) -> impl Iterator<Item = Diagnostic> {
    notes.into_iter().map(move |d| Diagnostic { message: format!("{what}: {}", d.message), ..d })
}

/// The groups of one level: members grouped by `group_of`, in order of first appearance.
fn groups(
    members: &[String],
    group_of: &[String],
    member_weight: &[f64],
    spec: &LevelSpec,
    level: &str,
) -> Result<Vec<Group>> {
    let mut out: Vec<Group> = Vec::new();
    for (m, g) in group_of.iter().enumerate() {
        let w = match &spec.weights {
            LevelWeights::Named(n) if n == "equal" => 1.0,
            LevelWeights::Named(_) => member_weight[m],
            // Fitted on the level's inputs in the fit; 1 until then.
            LevelWeights::Method { .. } => 1.0,
            LevelWeights::Fixed(map) => *map.get(&members[m]).ok_or_else(|| {
                Error::param("levels", format!("{level}.weights.{}", members[m]), "no weight given for this member")
            })?,
        };
        match out.iter_mut().find(|x| x.name == *g) {
            Some(group) => {
                group.members.push(m);
                group.weights.push(w);
            }
            None => out.push(Group { name: g.clone(), members: vec![m], weights: vec![w] }),
        }
    }
    if let LevelWeights::Fixed(map) = &spec.weights {
        if let Some(k) = map.keys().find(|k| !members.contains(k)) {
            return Err(Error::param("levels", format!("{level}.weights.{k}"), "not a member of this level"));
        }
    }
    for g in &out {
        if g.weights.iter().sum::<f64>() <= 0.0 {
            return Err(Error::param(
                "levels",
                format!("{level}.weights"),
                format!("the weights of `{}` sum to 0", g.name),
            ));
        }
    }
    Ok(out)
}

impl Levels {
    /// The groups of every level and their member weights as configured, before any level's
    /// weighting method or reference rows are seen.
    fn fitted(&self, weights: &Weights, cx: &StageContext<'_>) -> Result<FittedLevels> {
        let system: &IndicatorSystem = cx.system;
        if let Some(j) = cx.orientation.iter().position(|&p| p == resil_core::Polarity::Cost) {
            return Err(Error::data(
                format!("levels: {}", cx.indicator(j)),
                "is a cost column here: aggregate after a normaliser that flips cost columns (minmax, zscore, target)",
            ));
        }
        let ids: Vec<String> = system.indicators().iter().map(|i| i.id.clone()).collect();
        let subsystem_of: Vec<String> = system.indicators().iter().map(|i| i.subsystem.clone()).collect();
        let level1 = groups(&ids, &subsystem_of, weights.as_slice(), &self.params.subsystem, "subsystem")?;
        // A sub-system's run weight is the sum of its indicators' weights; likewise a system's.
        let sub_names: Vec<String> = level1.iter().map(|g| g.name.clone()).collect();
        let sub_weight: Vec<f64> = level1.iter().map(|g| g.members.iter().map(|&m| weights.0[m]).sum()).collect();
        let system_of_sub: Vec<String> = level1.iter().map(|g| system.get(g.members[0]).system.clone()).collect();
        let level2 = groups(&sub_names, &system_of_sub, &sub_weight, &self.params.system, "system")?;
        let sys_names: Vec<String> = level2.iter().map(|g| g.name.clone()).collect();
        let sys_weight: Vec<f64> = level2.iter().map(|g| g.members.iter().map(|&m| sub_weight[m]).sum()).collect();
        let level3 =
            groups(&sys_names, &vec!["index".to_string(); sys_names.len()], &sys_weight, &self.params.index, "index")?;
        Ok(FittedLevels {
            params: self.params.clone(),
            levels: vec![(ids, level1), (sub_names, level2), (sys_names, level3)],
            frontiers: vec![Vec::new(); 3],
            fitted_scorers: vec![Vec::new(); 3],
        })
    }

    /// What each level fits on the reference rows, in fit order.
    fn phases(&self) -> Vec<Phase> {
        (0..LEVELS.len())
            .flat_map(|l| {
                let weights = self.weighters[l].as_ref().map(|_| Phase::Weights(l));
                weights.into_iter().chain(self.scorers[l].as_ref().map(|_| Phase::Scorer(l)))
            })
            .collect()
    }

    /// An error when a level names a weighting method or a scorer that was not built.
    fn check_built(&self) -> Result<()> {
        let unbuilt = |methods: Vec<LevelMethod>, built: &[bool; 3], what: &str| -> Result<()> {
            match methods.into_iter().find(|m| !built[LEVELS.iter().position(|l| *l == m.level).expect("a level")]) {
                Some(m) => Err(Error::param(
                    "levels",
                    format!("{}.{what}", m.level),
                    format!("method `{}` was not built (use check_with)", m.method),
                )),
                None => Ok(()),
            }
        };
        unbuilt(self.params.weight_methods(), &self.weighters.each_ref().map(|w| w.is_some()), "weights")?;
        unbuilt(self.params.scorer_methods(), &self.scorers.each_ref().map(|s| s.is_some()), "function")
    }

    /// The fit with the reference rows whole: a `bod` level's frontier, or a level's weighting
    /// method or scorer that does not fit over chunks. Level by level: the level's weights and
    /// scorers are fitted on its inputs, then the level is aggregated for the level above.
    fn fit_whole(&self, reference: &Matrix, weights: &Weights, cx: &StageContext<'_>) -> Result<Outcome<FittedLevels>> {
        let mut fitted = self.fitted(weights, cx)?;
        let mut notes = Vec::new();
        let mut below: Vec<Vec<f64>> = reference.columns().map(<[f64]>::to_vec).collect();
        let mut refused = BTreeMap::new();
        for l in 0..LEVELS.len() {
            if let Some(weighter) = &self.weighters[l] {
                fitted.settle_weights(l, &mut notes, cx, |_, g, cx| weighter.weights(&member_block(g, &below), cx))?;
            }
            if let Some(scorer) = &self.scorers[l] {
                fitted.settle_scorers(l, &mut notes, cx, |_, g, cx| {
                    scorer.fit(&member_block(g, &below), &Weights::normalized(g.weights.clone())?, cx)
                })?;
            }
            if self.params.spec(l).function == Mean::Bod {
                fitted.frontiers[l] = below.clone();
            }
            below = fitted.apply_level(l, &below, &mut refused)?.0;
        }
        match refused.into_values().next() {
            Some(first) => Err(first.name_rows(0, cx)),
            None => Ok(Outcome::with_notes(fitted, notes)),
        }
    }
}

impl Scorer for Levels {
    fn fit(
        &self,
        reference: &Matrix,
        weights: &Weights,
        cx: &StageContext<'_>,
    ) -> Result<Outcome<Box<dyn FittedScorer>>> {
        self.check_built()?;
        if let Some(fit) = self.chunked(weights) {
            return resil_core::chunked::fit_in_memory(&*fit, reference, cx);
        }
        let fitted = self.fit_whole(reference, weights, cx)?;
        Ok(Outcome::with_notes(Box::new(fitted.value), fitted.notes))
    }

    /// Means with given weights fit nothing from the rows: any row is aggregated on its own.
    /// A level's weighting method or scorer is fitted over chunks when it has such a fit, on
    /// each chunk's inputs at that level (the chunk aggregated through the levels already
    /// fitted), in passes after the levels below. A `bod` level needs every reference row.
    fn chunked<'a>(&'a self, weights: &'a Weights) -> Option<Box<dyn ChunkedFit<Box<dyn FittedScorer>> + 'a>> {
        let bod = (0..LEVELS.len()).any(|l| self.params.spec(l).function == Mean::Bod);
        let built = self.check_built().is_ok();
        let phases = self.phases();
        // Whether a scorer fits over chunks does not depend on its weights.
        let any_weights = Weights(Vec::new());
        let fits_over_chunks = phases.iter().all(|phase| match *phase {
            Phase::Weights(l) => self.weighters[l].as_ref().is_some_and(|w| w.chunked().is_some()),
            Phase::Scorer(l) => self.scorers[l].as_ref().is_some_and(|s| s.chunked(&any_weights).is_some()),
        });
        (!bod && built && fits_over_chunks).then(|| Box::new(LevelsFit { levels: self, weights, phases }) as Box<_>)
    }
}

/// The levels' fit over chunks: each [`Phase`]'s method fitted group by group, its passes
/// after those of the phases before it. A group's statistics sit in the slots of its members'
/// host columns (each member's first indicator), which no other group of its level uses.
struct LevelsFit<'a> {
    levels: &'a Levels,
    weights: &'a Weights,
    phases: Vec<Phase>,
}

impl LevelsFit<'_> {
    /// The slots of `phase`'s passes for a block of `ncols` columns.
    fn phase_passes(&self, phase: Phase, ncols: usize) -> Vec<Vec<Merge>> {
        let weights = Weights(vec![1.0 / ncols.max(1) as f64; ncols]);
        match phase {
            Phase::Weights(l) => self.weighter(l).chunked().expect("checked").passes(ncols),
            Phase::Scorer(l) => self.scorer(l).chunked(&weights).expect("checked").passes(ncols),
        }
    }

    fn weighter(&self, l: usize) -> &dyn resil_core::Weighter {
        self.levels.weighters[l].as_deref().expect("a weighting phase")
    }

    fn scorer(&self, l: usize) -> &dyn Scorer {
        self.levels.scorers[l].as_deref().expect("a scorer phase")
    }

    /// The phase of pass `pass`, the pass within it, and the index of its first pass.
    fn locate(&self, pass: usize, ncols: usize) -> (usize, usize, usize) {
        let mut start = 0;
        for (p, phase) in self.phases.iter().enumerate() {
            let n = self.phase_passes(*phase, ncols).len();
            if pass < start + n {
                return (p, pass - start, start);
            }
            start += n;
        }
        unreachable!("pass {pass} is past the levels' passes")
    }

    /// The levels with the first `phases` phases fitted from their merged `states`, and the
    /// notes of those phases' methods.
    fn fitted_through(
        &self,
        phases: usize,
        states: &[PassState],
        cx: &StageContext<'_>,
    ) -> Result<Outcome<FittedLevels>> {
        let mut fitted = self.levels.fitted(self.weights, cx)?;
        let mut notes = Vec::new();
        let ncols = cx.system.len();
        let mut start = 0;
        for phase in &self.phases[..phases] {
            let n = self.phase_passes(*phase, ncols).len();
            let done = &states[start..start + n];
            start += n;
            let hosts = fitted.hosts(phase.level());
            match *phase {
                Phase::Weights(l) => {
                    let fit = self.weighter(l).chunked().expect("checked");
                    fitted.settle_weights(l, &mut notes, cx, |k, _, cx| {
                        fit.finish(&member_states(&*fit, done, &hosts[k], n)?, cx)
                    })?;
                }
                Phase::Scorer(l) => fitted.settle_scorers(l, &mut notes, cx, |k, g, cx| {
                    let weights = Weights::normalized(g.weights.clone())?;
                    let fit = self.scorer(l).chunked(&weights).expect("checked");
                    fit.finish(&member_states(&*fit, done, &hosts[k], n)?, cx)
                })?,
            }
        }
        Ok(Outcome::with_notes(fitted, notes))
    }
}

/// A group's share of a phase's merged states, pass by pass: member i's slots are the first
/// slots of its host column `hosts[i]`. `passes` is how many of the phase's passes are done.
/// A method's slots for k columns are the first of its slots for more (every method's slot
/// list is fixed, or grows with the column count by repeating one merge, as co-moments do),
/// so a group of k members fits in the slots laid out for the whole matrix.
fn member_states<T>(
    fit: &dyn ChunkedFit<T>,
    done: &[PassState],
    hosts: &[usize],
    passes: usize,
) -> Result<Vec<PassState>> {
    let slots = fit.passes(hosts.len());
    (0..passes.min(done.len()))
        .map(|q| {
            let values = hosts.iter().flat_map(|&h| (0..slots[q].len()).map(move |s| done[q].get(h, s))).collect();
            PassState::from_parts(&slots[q], values)
                .ok_or_else(|| Error::param("levels", "passes", "a level's method has passes of another shape"))
        })
        .collect()
}

/// Folds group `g`'s member columns of `chunk` (rows `first_row..`) into its host columns'
/// slots of `state`, with `fit`'s pass `q` given the group's `done` states.
#[allow(clippy::too_many_arguments)]
fn fold_group<T>(
    fit: &dyn ChunkedFit<T>,
    q: usize,
    done: &[PassState],
    members: Matrix,
    names: &[String],
    hosts: &[usize],
    first_row: usize,
    state: &mut PassState,
    cx: &StageContext<'_>,
) -> Result<()> {
    let slots = &fit.passes(hosts.len())[q];
    let mut own = PassState::new(slots, hosts.len());
    with_member_context(names, cx, |cx| fit.update(q, done, &members, first_row, &mut own, cx))?;
    for (i, &h) in hosts.iter().enumerate() {
        for s in 0..slots.len() {
            state.add(h, s, own.get(i, s));
        }
    }
    Ok(())
}

impl ChunkedFit<Box<dyn FittedScorer>> for LevelsFit<'_> {
    fn passes(&self, ncols: usize) -> Vec<Vec<Merge>> {
        self.phases.iter().flat_map(|phase| self.phase_passes(*phase, ncols)).collect()
    }

    fn update(
        &self,
        pass: usize,
        done: &[PassState],
        chunk: &Matrix,
        first_row: usize,
        state: &mut PassState,
        cx: &StageContext<'_>,
    ) -> Result<()> {
        let (p, q, start) = self.locate(pass, chunk.ncols());
        let fitted = self.fitted_through(p, &done[..start], cx)?.value;
        let phase_done = &done[start..];
        let below = fitted.inputs_at(self.phases[p].level(), chunk).map_err(|e| e.name_rows(first_row, cx))?;
        let l = self.phases[p].level();
        for (g, hosts) in fitted.levels[l].1.iter().zip(fitted.hosts(l)) {
            let members = member_block(g, &below);
            let names = fitted.member_names(l, g);
            match self.phases[p] {
                Phase::Weights(_) => {
                    let fit = self.weighter(l).chunked().expect("checked");
                    let own_done = member_states(&*fit, phase_done, &hosts, q)?;
                    fold_group(&*fit, q, &own_done, members, &names, &hosts, first_row, state, cx)
                        .map_err(|e| weights_refused(l, g, e))?;
                }
                Phase::Scorer(_) => {
                    let weights = Weights::normalized(g.weights.clone())?;
                    let fit = self.scorer(l).chunked(&weights).expect("checked");
                    let own_done = member_states(&*fit, phase_done, &hosts, q)?;
                    fold_group(&*fit, q, &own_done, members, &names, &hosts, first_row, state, cx)?;
                }
            }
        }
        Ok(())
    }

    fn finish(&self, states: &[PassState], cx: &StageContext<'_>) -> Result<Outcome<Box<dyn FittedScorer>>> {
        let fitted = self.fitted_through(self.phases.len(), states, cx)?;
        Ok(Outcome::with_notes(Box::new(fitted.value), fitted.notes))
    }
}

impl Phase {
    fn level(self) -> usize {
        match self {
            Phase::Weights(l) | Phase::Scorer(l) => l,
        }
    }
}

impl FittedLevels {
    /// The weighted mean of one row's member values by `spec`'s function.
    /// The weighted mean of row `row`'s member values by `spec`'s function; `what(k)` names
    /// member k in a refusal.
    fn mean(
        &self,
        spec: &LevelSpec,
        values: &[f64],
        weights: &[f64],
        row: usize,
        what: &dyn Fn(usize) -> String,
    ) -> Result<f64> {
        let total: f64 = weights.iter().sum();
        let w = |k: usize| weights[k] / total;
        let needs_non_negative = matches!(spec.function, Mean::Geometric | Mean::Harmonic)
            || (spec.function == Mean::Power && spec.p.is_some_and(|p| p < 0.0 || p.fract() != 0.0));
        if needs_non_negative {
            if let Some(k) = values.iter().position(|&v| v < 0.0) {
                return Err(Error::row(
                    "levels",
                    row,
                    None,
                    format!(
                        "{}: value {} is negative; a {} mean needs values >= 0 (normalise to [0, 1] first)",
                        what(k),
                        values[k],
                        spec.function.name()
                    ),
                ));
            }
        }
        Ok(match spec.function {
            Mean::Arithmetic => values.iter().enumerate().map(|(k, v)| w(k) * v).sum(),
            Mean::Geometric => {
                if values.contains(&0.0) {
                    0.0
                } else {
                    values.iter().enumerate().map(|(k, v)| w(k) * v.ln()).sum::<f64>().exp()
                }
            }
            Mean::Harmonic => {
                if values.contains(&0.0) {
                    0.0
                } else {
                    1.0 / values.iter().enumerate().map(|(k, v)| w(k) / v).sum::<f64>()
                }
            }
            Mean::Power => {
                let p = spec.p.expect("checked");
                if p < 0.0 && values.contains(&0.0) {
                    0.0
                } else {
                    values.iter().enumerate().map(|(k, v)| w(k) * v.powf(p)).sum::<f64>().powf(1.0 / p)
                }
            }
            Mean::Minimum => values.iter().copied().fold(f64::INFINITY, f64::min),
            Mean::Bod | Mean::Scorer(_) => {
                unreachable!("benefit of the doubt and scorer levels are solved per group, not per row")
            }
        })
    }
}

/// Bounds on a benefit-of-the-doubt solution's weights.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BodBounds {
    /// lo S <= w_j y_j <= hi S, S = sum_l w_l y_l: each member's share of the unit's score.
    pub share: Option<[f64; 2]>,
    /// lo W <= w_j <= hi W, W = sum_l w_l: each member's share of the total weight.
    pub weight_share: Option<[f64; 2]>,
}

/// Benefit of the doubt for one unit: max_w sum_j w_j y_j subject to sum_j w_j r_kj <= 1 for
/// every reference row k, w >= 0, and the `bounds` given. Both kinds of bound are ratios, so
/// the score stays invariant to the scale of the weights (the Handbook's endnote 28).
pub fn benefit_of_the_doubt(y: &[f64], reference: &[Vec<f64>], bounds: BodBounds) -> Result<f64> {
    use minilp::{ComparisonOp, OptimizationDirection, Problem};
    if let Some(v) = y.iter().chain(reference.iter().flatten()).find(|v| !(v.is_finite() && **v >= 0.0)) {
        return Err(Error::data("bod", format!("value {v} must be finite and >= 0 (normalise to [0, 1] first)")));
    }
    // Shares of m members sum to 1, so bounds that exclude 1/m leave only w = 0 (a score of 0).
    let m = y.len() as f64;
    for (key, bound) in [("share", bounds.share), ("weight-share", bounds.weight_share)] {
        if let Some([lo, hi]) = bound.filter(|[lo, hi]| lo * m > 1.0 + 1e-12 || hi * m < 1.0 - 1e-12) {
            return Err(Error::data(
                "bod",
                format!(
                    "`{key}` bounds [{lo}, {hi}] leave no feasible weights for {m} members (need lo <= 1/{m} <= hi)"
                ),
            ));
        }
    }
    let mut problem = Problem::new(OptimizationDirection::Maximize);
    let w: Vec<minilp::Variable> = y.iter().map(|&yj| problem.add_var(yj, (0.0, f64::INFINITY))).collect();
    for row in reference {
        let terms: Vec<(minilp::Variable, f64)> = w.iter().copied().zip(row.iter().copied()).collect();
        problem.add_constraint(&terms[..], ComparisonOp::Le, 1.0);
    }
    // c_j x_j - bound sum_l c_l x_l compared with 0, for the coefficients c (y for score
    // shares, 1 for weight shares).
    let mut ratio_bounds = |[lo, hi]: [f64; 2], c: &dyn Fn(usize) -> f64| {
        for j in 0..y.len() {
            let at = |bound: f64| -> Vec<(minilp::Variable, f64)> {
                (0..y.len()).map(|l| (w[l], if l == j { c(l) - bound * c(l) } else { -bound * c(l) })).collect()
            };
            problem.add_constraint(&at(lo)[..], ComparisonOp::Ge, 0.0);
            problem.add_constraint(&at(hi)[..], ComparisonOp::Le, 0.0);
        }
    };
    if let Some(share) = bounds.share {
        ratio_bounds(share, &|l| y[l]);
    }
    if let Some(share) = bounds.weight_share {
        ratio_bounds(share, &|_| 1.0);
    }
    match problem.solve() {
        Ok(solution) => Ok(solution.objective()),
        Err(minilp::Error::Infeasible) => Err(Error::data("bod", "the share bounds leave no feasible weights")),
        Err(minilp::Error::Unbounded) => Err(Error::data(
            "bod",
            "the score is unbounded: a member has a positive value here and 0 in every reference row",
        )),
    }
}

impl FittedScorer for FittedLevels {
    fn group_weights(&self) -> resil_core::GroupWeights {
        let mut out = Vec::new();
        for (l, (member_names, groups)) in self.levels.iter().enumerate() {
            for g in groups {
                let total: f64 = g.weights.iter().sum();
                let members =
                    g.members.iter().zip(&g.weights).map(|(&m, w)| (member_names[m].clone(), w / total)).collect();
                out.push((level_column(LEVELS[l], &g.name), members));
            }
        }
        out
    }

    fn score(&self, data: &Matrix) -> Result<Outcome<ScoreTable>> {
        let mut below: Vec<Vec<f64>> = data.columns().map(<[f64]>::to_vec).collect();
        let mut extras = Vec::new();
        let mut direction = Direction::HigherIsBetter;
        // Each refused row's first refusal (lowest level, first group): the first refused row is
        // reported, so the same row is named however the rows are cut into blocks.
        let mut refused = BTreeMap::new();
        for (l, name) in LEVELS.iter().enumerate() {
            let (level, level_direction) = self.apply_level(l, &below, &mut refused)?;
            if l < 2 {
                let groups = &self.levels[l].1;
                extras.extend(groups.iter().zip(&level).map(|(g, c)| (level_column(name, &g.name), c.clone())));
            }
            direction = level_direction;
            below = level;
        }
        if let Some(first) = refused.into_values().next() {
            return Err(first);
        }
        let score = below.into_iter().next().expect("one index");
        Ok(Outcome::new(ScoreTable { score, extras, direction }))
    }
}

impl LevelsParams {
    fn spec(&self, l: usize) -> &LevelSpec {
        self.specs()[l].1
    }
}

impl FittedLevels {
    /// The names of group `g`'s members at level `l`.
    fn member_names(&self, l: usize, g: &Group) -> Vec<String> {
        g.members.iter().map(|&m| self.levels[l].0[m].clone()).collect()
    }

    /// Sets each group's member weights at level `l` to `fit(k, group k, its members' context)`,
    /// keeping the method's notes, each said of its group.
    fn settle_weights(
        &mut self,
        l: usize,
        notes: &mut Vec<Diagnostic>,
        cx: &StageContext<'_>,
        fit: impl Fn(usize, &Group, &StageContext<'_>) -> Result<Outcome<Weights>>,
    ) -> Result<()> {
        for k in 0..self.levels[l].1.len() {
            let g = &self.levels[l].1[k];
            let fitted = with_member_context(&self.member_names(l, g), cx, |cx| fit(k, g, cx));
            let fitted = fitted.map_err(|e| weights_refused(l, g, e))?;
            notes.extend(group_notes(format!("levels: weights of {}", group_label(l, g)), fitted.notes));
            self.levels[l].1[k].weights = fitted.value.0;
        }
        Ok(())
    }

    /// Sets level `l`'s fitted scorer of each group to `fit(k, group k, its members' context)`,
    /// keeping the scorer's notes, each said of its group.
    fn settle_scorers(
        &mut self,
        l: usize,
        notes: &mut Vec<Diagnostic>,
        cx: &StageContext<'_>,
        fit: impl Fn(usize, &Group, &StageContext<'_>) -> Result<Outcome<Box<dyn FittedScorer>>>,
    ) -> Result<()> {
        let mut scorers = Vec::new();
        for (k, g) in self.levels[l].1.iter().enumerate() {
            let fitted = with_member_context(&self.member_names(l, g), cx, |cx| fit(k, g, cx))?;
            notes.extend(group_notes(format!("levels: {} {}", LEVELS[l], group_label(l, g)), fitted.notes));
            scorers.push(Arc::from(fitted.value));
        }
        self.fitted_scorers[l] = scorers;
        Ok(())
    }

    /// The matrix column that holds the fit-over-chunks slots of each member of each group of
    /// level `l`: the member's first indicator, so no two members of a level share one.
    fn hosts(&self, l: usize) -> Vec<Vec<usize>> {
        let host = |level: usize, member: usize| -> usize {
            (0..level).rev().fold(member, |m, below| self.levels[below].1[m].members[0])
        };
        self.levels[l].1.iter().map(|g| g.members.iter().map(|&m| host(l, m)).collect()).collect()
    }

    /// The inputs of level `l` (one column per member) for `chunk`'s rows: the chunk aggregated
    /// through the levels below, the first refused row named as in the chunk.
    fn inputs_at(&self, l: usize, chunk: &Matrix) -> Result<Vec<Vec<f64>>> {
        let mut below: Vec<Vec<f64>> = chunk.columns().map(<[f64]>::to_vec).collect();
        let mut refused = BTreeMap::new();
        for level in 0..l {
            below = self.apply_level(level, &below, &mut refused)?.0;
        }
        match refused.into_values().next() {
            Some(first) => Err(first),
            None => Ok(below),
        }
    }

    /// Level `l`'s column of each group from the level below's columns `below`, with the
    /// groups' weights and fitted scorers, and the level's direction. A row's first refusal is
    /// kept in `refused` (the row's value is NaN) so that the first refused row is reported.
    // A row indexes every member column of its group at once: a range loop reads best.
    #[allow(clippy::needless_range_loop)]
    fn apply_level(
        &self,
        l: usize,
        below: &[Vec<f64>],
        refused: &mut BTreeMap<usize, Error>,
    ) -> Result<(Vec<Vec<f64>>, Direction)> {
        let spec = self.params.spec(l);
        let (member_names, groups) = &self.levels[l];
        let n = below.first().map_or(0, Vec::len);
        let mut direction = Direction::HigherIsBetter;
        let mut level = Vec::with_capacity(groups.len());
        for (k, g) in groups.iter().enumerate() {
            if let Some(fitted) = self.fitted_scorers[l].get(k) {
                // A scorer level: fitted on the reference rows, applied to these rows.
                let scored = fitted.score(&member_block(g, below))?.value;
                if scored.direction == Direction::LowerIsBetter && l < 2 {
                    // The level above would aggregate it the wrong way round.
                    return Err(Error::param(
                        "levels",
                        format!("{}.function", LEVELS[l]),
                        format!(
                            "{}'s score is lower-is-better; the level above aggregates higher-is-better values: \
                             use it at the index level",
                            spec.function.name()
                        ),
                    ));
                }
                direction = scored.direction;
                level.push(scored.score);
                continue;
            }
            // The reference rows of this group's members, row by row, for `bod`.
            let frontier: Vec<Vec<f64>> = if spec.function == Mean::Bod {
                let cols = &self.frontiers[l];
                let rows = cols.first().map_or(0, Vec::len);
                (0..rows).map(|r| g.members.iter().map(|&m| cols[m][r]).collect()).collect()
            } else {
                Vec::new()
            };
            let mut column = Vec::with_capacity(n);
            for row in 0..n {
                let values: Vec<f64> = g.members.iter().map(|&m| below[m][row]).collect();
                // A matrix's criteria (`resil score`) sit in one unnamed sub-system.
                let of = if g.name.is_empty() { String::new() } else { format!(" of `{}`", g.name) };
                let what = |k: usize| {
                    format!("{} `{}`{of}", ["indicator", "sub-system", "system"][l], member_names[g.members[k]])
                };
                let value = if spec.function == Mean::Bod {
                    let bounds = BodBounds { share: spec.share, weight_share: spec.weight_share };
                    benefit_of_the_doubt(&values, &frontier, bounds)
                        .map_err(|e| Error::row("levels", row, None, format!("bod{of}: {e}")))
                } else {
                    self.mean(spec, &values, &g.weights, row, &what)
                };
                column.push(value.unwrap_or_else(|e| {
                    refused.entry(row).or_insert(e);
                    f64::NAN
                }));
            }
            level.push(column);
        }
        Ok((level, direction))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::{Indicator, Polarity, Provenance};

    fn system(members: &[(&str, &str, &str)]) -> IndicatorSystem {
        IndicatorSystem::new(
            members
                .iter()
                .map(|(id, sub, sys)| Indicator {
                    id: id.to_string(),
                    name: id.to_string(),
                    unit: String::new(),
                    system: sys.to_string(),
                    subsystem: sub.to_string(),
                    polarity: Polarity::Benefit,
                    source: String::new(),
                    provenance: Provenance::Unspecified,
                    note: String::new(),
                })
                .collect(),
        )
    }

    fn score(params: LevelsParams, sys: &IndicatorSystem, rows: &[Vec<f64>], w: &[f64]) -> Result<ScoreTable> {
        let m = Matrix::from_rows(rows);
        let o = sys.polarities();
        let fitted = params.check()?.fit(&m, &Weights(w.to_vec()), &StageContext::columns(sys, &o))?.value;
        Ok(fitted.score(&m)?.value)
    }

    fn level(function: Mean) -> LevelSpec {
        LevelSpec { function, ..Default::default() }
    }

    #[test]
    fn the_hdi_formula_by_hand() {
        // UNDP HDR technical notes: HDI = (I_health I_education I_income)^(1/3), with
        // I_education = (I_eys + I_mys) / 2. Indices by hand: 0.8, (0.5 + 0.7) / 2 = 0.6, 0.9.
        let sys = system(&[
            ("LE", "health", "hdi"),
            ("EYS", "education", "hdi"),
            ("MYS", "education", "hdi"),
            ("GNI", "income", "hdi"),
        ]);
        let params = LevelsParams {
            subsystem: level(Mean::Arithmetic),
            system: LevelSpec { weights: LevelWeights::Named("equal".into()), ..level(Mean::Geometric) },
            index: level(Mean::Arithmetic),
        };
        let t = score(params, &sys, &[vec![0.8, 0.5, 0.7, 0.9]], &[0.25; 4]).unwrap();
        let expected = (0.8f64 * 0.6 * 0.9).powf(1.0 / 3.0);
        assert!((t.score[0] - expected).abs() < 1e-15, "{} vs {expected}", t.score[0]);
        let education = &t.extras.iter().find(|(n, _)| n == "subsystem:education").unwrap().1;
        assert!((education[0] - 0.6).abs() < 1e-15);
    }

    #[test]
    fn means_and_their_order() {
        // One group of two members with weights 1 and 3: arithmetic (1*2 + 3*8)/4 = 6.5,
        // geometric 2^(1/4) 8^(3/4) = 2^(0.25 + 2.25) = 2^2.5, harmonic 4 / (1/2 + 3/8) = 32/7,
        // power p = 2: sqrt((4 + 3*64)/4) = 7, minimum 2.
        let sys = system(&[("A", "s", "x"), ("B", "s", "x")]);
        let at = |function: Mean, p: Option<f64>| {
            let spec = LevelSpec {
                function,
                p,
                weights: LevelWeights::Fixed([("A".into(), 1.0), ("B".into(), 3.0)].into()),
                ..Default::default()
            };
            let params = LevelsParams { subsystem: spec, ..Default::default() };
            score(params, &sys, &[vec![2.0, 8.0]], &[0.5, 0.5]).unwrap().score[0]
        };
        assert!((at(Mean::Arithmetic, None) - 6.5).abs() < 1e-14);
        assert!((at(Mean::Geometric, None) - 2f64.powf(2.5)).abs() < 1e-12);
        assert!((at(Mean::Harmonic, None) - 32.0 / 7.0).abs() < 1e-14);
        assert!((at(Mean::Power, Some(2.0)) - 7.0).abs() < 1e-14);
        assert_eq!(at(Mean::Minimum, None), 2.0);
    }

    #[test]
    fn negatives_and_bad_parameters_are_errors_zeros_a_rule() {
        let sys = system(&[("A", "s", "x"), ("B", "s", "x")]);
        let geo = LevelsParams { subsystem: level(Mean::Geometric), ..Default::default() };
        let e = score(geo.clone(), &sys, &[vec![-0.1, 0.5]], &[0.5, 0.5]).unwrap_err().to_string();
        assert!(e.starts_with("levels: row 1: indicator `A` of `s`: value -0.1 is negative"), "{e}");
        assert_eq!(score(geo.clone(), &sys, &[vec![0.0, 0.5]], &[0.5, 0.5]).unwrap().score[0], 0.0);
        // A matrix's criteria (`resil score`) sit in one unnamed sub-system: no "of ``".
        let flat = system(&[("A", "", ""), ("B", "", "")]);
        let e = score(geo.clone(), &flat, &[vec![0.5, -0.1]], &[0.5, 0.5]).unwrap_err().to_string();
        assert!(e.starts_with("levels: row 1: indicator `B`: value -0.1 is negative"), "{e}");
        // The first refused row in row order is named, whichever group refuses it (the groups
        // are aggregated one after the other, a block of rows at a time).
        let two = system(&[("A", "x", "s"), ("B", "y", "s")]);
        let e = score(geo, &two, &[vec![0.5, 0.5], vec![0.5, -1.0], vec![-2.0, 0.5]], &[0.5, 0.5]).unwrap_err();
        assert!(e.to_string().starts_with("levels: row 2: indicator `B` of `y`: value -1 is negative"), "{e}");
        let power = LevelsParams { subsystem: level(Mean::Power), ..Default::default() };
        assert!(power.check().unwrap_err().to_string().contains("subsystem.p"));
        let p_on_mean =
            LevelsParams { system: LevelSpec { p: Some(2.0), ..level(Mean::Arithmetic) }, ..Default::default() };
        assert!(p_on_mean.check().unwrap_err().to_string().contains("only a power mean takes `p`"));
        let bad = LevelsParams {
            index: LevelSpec { weights: LevelWeights::Named("entropy".into()), ..Default::default() },
            ..Default::default()
        };
        assert!(bad.check().unwrap_err().to_string().contains("index.weights"));
        let missing = LevelsParams {
            subsystem: LevelSpec { weights: LevelWeights::Fixed([("A".into(), 1.0)].into()), ..Default::default() },
            ..Default::default()
        };
        let e = score(missing, &sys, &[vec![0.1, 0.5]], &[0.5, 0.5]).unwrap_err().to_string();
        assert!(e.contains("subsystem.weights.B"), "{e}");
    }

    #[test]
    fn run_weights_are_renormalised_within_each_group_and_summed_upwards() {
        // Indicator weights 0.1, 0.3 (sub-system a) and 0.6 (b); both in system x.
        // a = (0.1*1 + 0.3*0)/0.4 = 0.25; b = 1; index = (0.4*0.25 + 0.6*1) / 1 = 0.7.
        let sys = system(&[("A", "a", "x"), ("B", "a", "x"), ("C", "b", "x")]);
        let t = score(LevelsParams::default(), &sys, &[vec![1.0, 0.0, 1.0]], &[0.1, 0.3, 0.6]).unwrap();
        assert!((t.score[0] - 0.7).abs() < 1e-15, "{}", t.score[0]);
        // With arithmetic means and run weights at every level, the index is the weighted sum (WSM).
        let wsm: f64 = [0.1 * 1.0, 0.3 * 0.0, 0.6 * 1.0].iter().sum();
        assert!((t.score[0] - wsm).abs() < 1e-15);
    }

    #[test]
    fn every_mean_matches_scipy() {
        // Independent computation: scipy 1.17.1 gmean, hmean, pmean and numpy average with weights
        // 1, 2, 3, 4 (tests/reference/scipy_means.py -> data/reference-cases/scipy_means.json).
        let case = resil_test_support::reference_case("scipy_means");
        let rows: Vec<Vec<f64>> = case["rows"].as_array().unwrap().iter().map(resil_test_support::floats).collect();
        let sys = system(&[("A", "s", "x"), ("B", "s", "x"), ("C", "s", "x"), ("D", "s", "x")]);
        let weights =
            LevelWeights::Fixed([("A".into(), 1.0), ("B".into(), 2.0), ("C".into(), 3.0), ("D".into(), 4.0)].into());
        for (function, p, key) in [
            (Mean::Arithmetic, None, "arithmetic"),
            (Mean::Geometric, None, "geometric"),
            (Mean::Harmonic, None, "harmonic"),
            (Mean::Power, Some(3.0), "power_3"),
            (Mean::Power, Some(-0.5), "power_minus_half"),
            (Mean::Minimum, None, "minimum"),
        ] {
            let params = LevelsParams {
                subsystem: LevelSpec { function, p, weights: weights.clone(), ..Default::default() },
                ..Default::default()
            };
            let got = score(params, &sys, &rows, &[0.25; 4]).unwrap().score;
            for (g, e) in got.iter().zip(resil_test_support::floats(&case[key])) {
                assert!((g - e).abs() < 1e-14, "{key}: {g} vs scipy {e}");
            }
        }
    }

    proptest::proptest! {
        /// The classical inequality of means for positive values and any weights:
        /// minimum <= harmonic <= geometric <= arithmetic <= power(p = 2) <= maximum.
        #[test]
        fn means_are_ordered(values in proptest::collection::vec(0.01f64..100.0, 2..6), seed in 0u64..1000) {
            let n = values.len();
            let members: Vec<(String, String, String)> = (0..n).map(|j| (format!("C{j}"), "s".into(), "x".into())).collect();
            let refs: Vec<(&str, &str, &str)> = members.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
            let sys = system(&refs);
            let w: Vec<f64> = (0..n).map(|j| 1.0 + ((seed as usize * 7 + j * 13) % 5) as f64).collect();
            let at = |function: Mean, p: Option<f64>| {
                let params = LevelsParams { subsystem: LevelSpec { function, p, ..Default::default() }, ..Default::default() };
                score(params, &sys, std::slice::from_ref(&values), &w).unwrap().score[0]
            };
            let max = values.iter().copied().fold(f64::MIN, f64::max);
            let chain = [at(Mean::Minimum, None), at(Mean::Harmonic, None), at(Mean::Geometric, None), at(Mean::Arithmetic, None), at(Mean::Power, Some(2.0)), max];
            for pair in chain.windows(2) {
                proptest::prop_assert!(pair[0] <= pair[1] * (1.0 + 1e-12), "{chain:?}");
            }
        }
    }

    #[test]
    fn benefit_of_the_doubt_matches_scipy_linprog() {
        // Independent computation: scipy 1.17.1 linprog (HiGHS) on the Handbook's model, without
        // and with share bounds [0.1, 0.6] (tests/reference/scipy_bod.py -> scipy_bod.json).
        let case = resil_test_support::reference_case("scipy_bod");
        let rows: Vec<Vec<f64>> = case["rows"].as_array().unwrap().iter().map(resil_test_support::floats).collect();
        let sys = system(&[("A", "s", "x"), ("B", "s", "x"), ("C", "s", "x")]);
        for (share, key) in [(None, "bod"), (Some([0.1, 0.6]), "bod_share")] {
            let spec = LevelSpec { function: Mean::Bod, share, ..Default::default() };
            let got = score(LevelsParams { subsystem: spec, ..Default::default() }, &sys, &rows, &[1.0 / 3.0; 3])
                .unwrap()
                .score;
            for (g, e) in got.iter().zip(resil_test_support::floats(&case[key])) {
                assert!((g - e).abs() < 1e-9, "{key}: {g} vs scipy {e}");
            }
        }
        // By hand: (1, 0) and (0, 1) are on the frontier (score 1); (0.4, 0.4) reaches 0.8 at best
        // (w = (1, 1): the others stay at 1, it scores 0.4 + 0.4).
        let spec = LevelSpec { function: Mean::Bod, ..Default::default() };
        let hand = score(
            LevelsParams { subsystem: spec, ..Default::default() },
            &system(&[("A", "s", "x"), ("B", "s", "x")]),
            &[vec![1.0, 0.0], vec![0.0, 1.0], vec![0.4, 0.4]],
            &[0.5, 0.5],
        )
        .unwrap()
        .score;
        assert!(
            (hand[0] - 1.0).abs() < 1e-12 && (hand[1] - 1.0).abs() < 1e-12 && (hand[2] - 0.8).abs() < 1e-12,
            "{hand:?}"
        );
        // Weights are the model's own; share bounds only for bod, within [0, 1].
        let weighted =
            LevelSpec { function: Mean::Bod, weights: LevelWeights::Named("equal".into()), ..Default::default() };
        assert!(LevelsParams { subsystem: weighted, ..Default::default() }
            .check()
            .unwrap_err()
            .to_string()
            .contains("`weight-share` bounds instead"));
        let bad = LevelSpec { function: Mean::Arithmetic, share: Some([0.1, 0.5]), ..Default::default() };
        assert!(LevelsParams { subsystem: bad, ..Default::default() }
            .check()
            .unwrap_err()
            .to_string()
            .contains("only `bod` takes `share`"));
    }

    #[test]
    fn benefit_of_the_doubt_reproduces_the_handbooks_technology_achievement_index() {
        // Published example: the OECD/JRC Handbook (2008), Table 19, benefit of the doubt on the
        // 23 TAI countries of Table A.2, min-max normalised, each weight 10-15 % of the total
        // (endnote 29); tests/reference/handbook_tai_bod.py transcribes both tables.
        let case = resil_test_support::reference_case("handbook_tai_bod");
        let raw: Vec<Vec<f64>> = case["rows"].as_array().unwrap().iter().map(resil_test_support::floats).collect();
        let m = raw[0].len();
        let (lo, hi): (Vec<f64>, Vec<f64>) = (0..m)
            .map(|j| raw.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| (a.min(r[j]), b.max(r[j]))))
            .unzip();
        let rows: Vec<Vec<f64>> =
            raw.iter().map(|r| (0..m).map(|j| (r[j] - lo[j]) / (hi[j] - lo[j])).collect()).collect();
        let ids: Vec<String> = (0..m).map(|j| format!("i{j}")).collect();
        let sys = system(&ids.iter().map(|id| (id.as_str(), "tai", "tai")).collect::<Vec<_>>());
        let bounds = resil_test_support::floats(&case["weight_share"]);
        let spec = LevelSpec { function: Mean::Bod, weight_share: Some([bounds[0], bounds[1]]), ..Default::default() };
        let got = score(LevelsParams { subsystem: spec, ..Default::default() }, &sys, &rows, &vec![1.0 / m as f64; m])
            .unwrap()
            .score;
        // The same programme solved by scipy's HiGHS, unrounded.
        for (g, e) in got.iter().zip(resil_test_support::floats(&case["scipy"])) {
            assert!((g - e).abs() < 1e-9, "{g} vs scipy {e}");
        }
        // Table 19 to two decimals (0.005), plus what the print's log columns, rounded to 0.01,
        // can move a score (measured by the script: < 0.005): within 0.01 for all 23 countries,
        // and the same three on the frontier.
        let published = resil_test_support::floats(&case["published"]);
        let slack = case["published_tolerance"].as_f64().unwrap() + case["log_rounding_spread"].as_f64().unwrap();
        assert!(slack < 0.01);
        for (k, (g, p)) in got.iter().zip(&published).enumerate() {
            assert!((g - p).abs() <= slack, "{}: {g} vs Table 19 {p}", case["countries"][k]);
            assert_eq!((g - 1.0).abs() < 1e-9, *p == 1.0, "{}: frontier", case["countries"][k]);
        }
        // Without the bounds most countries reach the frontier on their best indicator alone.
        let free = LevelSpec { function: Mean::Bod, ..Default::default() };
        let unbounded =
            score(LevelsParams { subsystem: free, ..Default::default() }, &sys, &rows, &vec![1.0 / m as f64; m])
                .unwrap()
                .score;
        assert!(unbounded.iter().filter(|s| (*s - 1.0).abs() < 1e-9).count() > 3, "{unbounded:?}");
        // As a config writes it.
        let written: LevelSpec = serde_json::from_str(r#"{"function": "bod", "weight-share": [0.1, 0.15]}"#).unwrap();
        assert_eq!(written.weight_share, Some([0.1, 0.15]));
        // Bounds only for bod and within [0, 1].
        let bad = LevelSpec { function: Mean::Minimum, weight_share: Some([0.1, 0.15]), ..Default::default() };
        let err = LevelsParams { subsystem: bad, ..Default::default() }.check().unwrap_err().to_string();
        assert!(err.contains("subsystem.weight-share") && err.contains("only `bod`"), "{err}");
        let bad = LevelSpec { function: Mean::Bod, weight_share: Some([0.2, 0.1]), ..Default::default() };
        assert!(LevelsParams { subsystem: bad, ..Default::default() }
            .check()
            .unwrap_err()
            .to_string()
            .contains("lo <= hi"));
        let infeasible = LevelSpec { function: Mean::Bod, weight_share: Some([0.2, 0.3]), ..Default::default() };
        let err =
            score(LevelsParams { subsystem: infeasible, ..Default::default() }, &sys, &rows, &vec![1.0 / m as f64; m])
                .unwrap_err()
                .to_string();
        assert!(err.contains("no feasible weights"), "{err}");
    }

    proptest::proptest! {
        /// Benefit of the doubt: every score is at most 1, and some unit of the block is on the
        /// frontier (scores 1), whatever the data.
        #[test]
        fn bod_scores_are_at_most_one_and_someone_is_on_the_frontier(
            rows in proptest::collection::vec(proptest::collection::vec(0.01f64..1.0, 3), 2..10)
        ) {
            let sys = system(&[("A", "s", "x"), ("B", "s", "x"), ("C", "s", "x")]);
            let spec = LevelSpec { function: Mean::Bod, ..Default::default() };
            let got = score(LevelsParams { subsystem: spec, ..Default::default() }, &sys, &rows, &[1.0 / 3.0; 3]).unwrap().score;
            proptest::prop_assert!(got.iter().all(|&s| s <= 1.0 + 1e-9), "{got:?}");
            proptest::prop_assert!(got.iter().any(|&s| (s - 1.0).abs() < 1e-9), "{got:?}");
        }
    }

    #[test]
    fn a_level_can_be_scored_by_an_mcda_method() {
        // A sub-system scored by TOPSIS with its member weights equals TOPSIS run on its columns;
        // WSM equals the weighted arithmetic mean.
        let sys = system(&[("A", "s", "x"), ("B", "s", "x"), ("C", "s", "x")]);
        let rows = vec![vec![0.2, 0.9, 0.4], vec![0.8, 0.1, 0.5], vec![0.5, 0.5, 0.9], vec![0.1, 0.3, 0.2]];
        let w = [0.5, 0.3, 0.2];
        // A scorer level, built as the registry builds it.
        let by = |scorer: Box<dyn Scorer>, name: &str| -> ScoreTable {
            let params = LevelsParams {
                subsystem: LevelSpec { function: Mean::from(name.to_string()), ..Default::default() },
                ..Default::default()
            };
            let m = Matrix::from_rows(&rows);
            let o = sys.polarities();
            let levels = params.check_with(Vec::new(), vec![scorer]).unwrap();
            let fitted = levels.fit(&m, &Weights(w.to_vec()), &StageContext::columns(&sys, &o)).unwrap().value;
            fitted.score(&m).unwrap().value
        };
        let topsis = by(Box::new(crate::TopsisParams::default().check().unwrap()), "topsis").score;
        let m = Matrix::from_rows(&rows);
        let o = sys.polarities();
        let direct = crate::TopsisParams::default()
            .check()
            .unwrap()
            .fit(&m, &Weights(w.to_vec()), &StageContext::columns(&sys, &o))
            .unwrap()
            .value
            .score(&m)
            .unwrap()
            .value
            .score;
        for (a, b) in topsis.iter().zip(&direct) {
            assert!((a - b).abs() < 1e-15, "{topsis:?} vs {direct:?}");
        }
        let wsm = by(Box::new(crate::WeightedParams::default().check(crate::Aggregation::Sum).unwrap()), "wsm").score;
        let mean = score(LevelsParams::default(), &sys, &rows, &w).unwrap().score;
        for (a, b) in wsm.iter().zip(&mean) {
            assert!((a - b).abs() < 1e-15);
        }
    }

    /// Weights proportional to each column's mean: a weighting method with one pass, for the
    /// levels' fit over chunks (the method crates are not dependencies of this one).
    #[derive(Debug)]
    struct MeanWeights;

    impl resil_core::Weighter for MeanWeights {
        fn chunked(&self) -> Option<Box<dyn ChunkedFit<Weights> + '_>> {
            Some(Box::new(resil_core::chunked::StatsFit {
                method: "mean-weights",
                spread: false,
                build: |stats: Vec<resil_core::stats::ColumnStats>, _: &StageContext<'_>| {
                    Ok(Outcome::new(Weights::normalized(stats.iter().map(|s| s.mean).collect())?))
                },
            }))
        }
    }

    /// A matrix's rows cut every `size` rows.
    struct Cut<'a>(&'a [Vec<f64>], usize);

    impl resil_core::chunked::RowChunks for Cut<'_> {
        fn count(&self) -> usize {
            self.0.len().div_ceil(self.1)
        }

        fn with_chunk(&self, k: usize, f: &mut dyn FnMut(&Matrix, usize) -> Result<()>) -> Result<()> {
            let rows = &self.0[k * self.1..((k + 1) * self.1).min(self.0.len())];
            f(&Matrix::from_rows(rows), k * self.1)
        }
    }

    #[test]
    fn a_fit_over_chunks_equals_the_fit_on_the_whole_rows() {
        // Six indicators in three sub-systems of two systems; TOPSIS with fitted member weights
        // scores each sub-system, fitted weights weigh the sub-systems, WSM makes the index.
        let sys = system(&[
            ("A", "s1", "x"),
            ("B", "s1", "x"),
            ("C", "s2", "x"),
            ("D", "s3", "y"),
            ("E", "s3", "y"),
            ("F", "s2", "x"),
        ]);
        let rows: Vec<Vec<f64>> = (0..37)
            .map(|i| (0..6).map(|j| ((i * 7 + j * 13) % 17) as f64 / 16.0 + 0.01 * j as f64).collect())
            .collect();
        let params = LevelsParams {
            subsystem: LevelSpec {
                function: Mean::from("topsis".to_string()),
                weights: LevelWeights::Method { method: "mean-weights".into(), params: MethodParams::new() },
                ..Default::default()
            },
            system: LevelSpec {
                weights: LevelWeights::Method { method: "mean-weights".into(), params: MethodParams::new() },
                ..Default::default()
            },
            index: level(Mean::from("wsm".to_string())),
        };
        let scorers: Vec<Box<dyn Scorer>> = vec![
            Box::new(crate::TopsisParams::default().check().unwrap()),
            Box::new(crate::WeightedParams::default().check(crate::Aggregation::Sum).unwrap()),
        ];
        let levels = params.check_with(vec![Box::new(MeanWeights), Box::new(MeanWeights)], scorers).unwrap();
        let m = Matrix::from_rows(&rows);
        let o = sys.polarities();
        let cx = StageContext::columns(&sys, &o);
        let w = Weights(vec![1.0 / 6.0; 6]);
        let fit = levels.chunked(&w).expect("every level's method fits over chunks");
        // The members' slots sit in their first indicators' columns: s1 -> A, s2 -> C, s3 -> D.
        let base = levels.fitted(&w, &cx).unwrap();
        assert_eq!(base.hosts(1), vec![vec![0, 2], vec![3]]);
        assert_eq!(base.hosts(2), vec![vec![0, 3]]);
        let whole = levels.fit_whole(&m, &w, &cx).unwrap().value;
        let in_memory = levels.fit(&m, &w, &cx).unwrap().value;
        let scored = |f: &dyn FittedScorer| (f.score(&m).unwrap().value, f.group_weights());
        let (want, want_weights) = scored(&whole);
        // One chunk is the in-memory fit: the same bits as the fit on the whole rows.
        assert_eq!(scored(&*in_memory), (want.clone(), want_weights.clone()));
        let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-12);
        for size in [1, 5, 36] {
            let chunked = resil_core::chunked::fit_sequential(&*fit, &Cut(&rows, size), 6, &cx).unwrap().value;
            let (got, got_weights) = scored(&*chunked);
            assert!(close(&got.score, &want.score), "{size}: {:?} vs {:?}", got.score, want.score);
            for ((name, a), (_, b)) in got_weights.iter().zip(&want_weights) {
                let (a, b): (Vec<f64>, Vec<f64>) = (a.iter().map(|x| x.1).collect(), b.iter().map(|x| x.1).collect());
                assert!(close(&a, &b), "{size}: {name}");
            }
        }
        // The fitted weights are the mean weights of each level's inputs, not the run's.
        let s2 = &want_weights.iter().find(|(g, _)| g == "subsystem:s2").unwrap().1;
        let mean = |j: usize| rows.iter().map(|r| r[j]).sum::<f64>() / rows.len() as f64;
        assert!((s2[0].1 - mean(2) / (mean(2) + mean(5))).abs() < 1e-15, "{s2:?}");
    }
}
