//! The indicator-source seam: anything that yields observations for declared indicators (CSV
//! tables now, plugins later), and the lookup of units by id, name or former code.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::PathBuf;

use crate::{Error, IndicatorSystem, Observation, Outcome, Result, Unit};

/// Finds a unit by its id, its name, or any alias (former codes and names).
#[derive(Debug, Clone)]
pub struct UnitIndex {
    by_key: BTreeMap<String, usize>,
}

impl UnitIndex {
    /// Builds the index; a key shared by two units is an error naming both.
    pub fn new(units: &[Unit]) -> Result<Self> {
        let mut by_key: BTreeMap<String, usize> = BTreeMap::new();
        let mut problems = Vec::new();
        for (u, unit) in units.iter().enumerate() {
            let keys = std::iter::once(&unit.id).chain(std::iter::once(&unit.name)).chain(&unit.aliases);
            for key in keys.filter(|k| !k.is_empty()) {
                if let Some(&other) = by_key.get(key.as_str()) {
                    if other != u {
                        problems.push(Error::data(
                            format!("unit `{}`", unit.id),
                            format!("id, name or alias `{key}` is also used by unit `{}`", units[other].id),
                        ));
                    }
                    continue;
                }
                by_key.insert(key.clone(), u);
            }
        }
        if problems.is_empty() {
            Ok(UnitIndex { by_key })
        } else {
            Err(Error::from_list(problems))
        }
    }

    pub fn find(&self, key: &str) -> Option<usize> {
        self.by_key.get(key.trim()).copied()
    }
}

/// What a source is asked for.
#[derive(Debug, Clone, Copy)]
pub struct SourceRequest<'a> {
    pub units: &'a [Unit],
    pub unit_index: &'a UnitIndex,
    pub periods: &'a [i32],
    pub system: &'a IndicatorSystem,
    /// Positions (in `system`) of the indicators this source must provide.
    pub indicators: &'a [usize],
}

/// A provider of indicator values.
pub trait IndicatorSource: Debug + Send + Sync {
    /// The source id from the config.
    fn id(&self) -> &str;
    /// Files it reads, so the manifest can record their hashes.
    fn inputs(&self) -> Vec<PathBuf>;
    /// Every observation it has for the requested indicators, with notes for the run log, or
    /// every problem found.
    fn load(&self, request: &SourceRequest<'_>) -> Result<Outcome<Vec<Observation>>>;
}
