//! Imputation by group means (COINr's `indgroup_mean`): a missing cell takes the mean of the same
//! indicator in the same period over the units of its group (its region, its province, or any
//! column of the unit list), the way a cross-section without a time axis is filled.

use resil_core::{ImputedCell, Imputer, Outcome, Panel, Result, Unit};
use serde::{Deserialize, Serialize};

use resil_core::Error;

/// Unchecked parameters: the unit attribute that defines the groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct GroupMeanImputerParams {
    /// `region`, `province`, or a column of the unit list (`Group_EurAsia`).
    pub group: String,
}

impl Default for GroupMeanImputerParams {
    fn default() -> Self {
        GroupMeanImputerParams { group: "region".into() }
    }
}

impl GroupMeanImputerParams {
    pub fn check(self) -> Result<GroupMeanImputer> {
        if self.group.trim().is_empty() {
            return Err(Error::param("group-mean", "group", "name the unit attribute that defines the groups"));
        }
        Ok(GroupMeanImputer { group: self.group })
    }
}

/// The checked method.
#[derive(Debug, Clone)]
pub struct GroupMeanImputer {
    group: String,
}

impl GroupMeanImputer {
    /// The group `unit` belongs to (its region, its province, or its value in the column).
    pub fn group_of<'a>(&self, unit: &'a Unit) -> Option<&'a str> {
        match self.group.as_str() {
            "region" => Some(unit.region.as_str()),
            "province" => Some(unit.province.as_str()),
            tag => unit.tags.get(tag).map(String::as_str),
        }
    }
}

impl Imputer for GroupMeanImputer {
    fn impute(&self, panel: &Panel) -> Result<Outcome<(Panel, Vec<ImputedCell>)>> {
        let units = panel.units();
        let groups: Vec<&str> = units
            .iter()
            .map(|u| {
                self.group_of(u).filter(|g| !g.is_empty()).ok_or_else(|| {
                    Error::data(
                        format!("unit `{}`", u.id),
                        format!(
                            "has no `{}` to group it by (a column of the unit list, region or province)",
                            self.group
                        ),
                    )
                })
            })
            .collect::<Result<_>>()?;
        let mut values = panel.values().clone();
        let mut cells = Vec::new();
        let mut problems = Vec::new();
        for (j, indicator) in panel.system().indicators().iter().enumerate() {
            for (t, &period) in panel.periods().iter().enumerate() {
                for (u, unit) in units.iter().enumerate() {
                    if panel.get(u, t, j).is_finite() {
                        continue;
                    }
                    let peers: Vec<f64> = (0..units.len())
                        .filter(|&v| groups[v] == groups[u])
                        .map(|v| panel.get(v, t, j))
                        .filter(|x| x.is_finite())
                        .collect();
                    if peers.is_empty() {
                        problems.push(Error::data(
                            format!(
                                "unit `{}` ({}), indicator `{}`, period {period}",
                                unit.id, unit.name, indicator.id
                            ),
                            format!(
                                "no unit of its group `{}` = `{}` has a value to take the mean of",
                                self.group, groups[u]
                            ),
                        ));
                        continue;
                    }
                    let mean = peers.iter().sum::<f64>() / peers.len() as f64;
                    values.column_mut(j)[panel.row_of(u, t)] = mean;
                    cells.push(ImputedCell {
                        unit: unit.id.clone(),
                        period,
                        indicator: indicator.id.clone(),
                        value: mean,
                        method: format!("group-mean:{}={}", self.group, groups[u]),
                    });
                }
            }
        }
        if !problems.is_empty() {
            return Err(Error::from_list(problems));
        }
        Ok(Outcome::new((panel.with_values(values), cells)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resil_core::{IndicatorSystem, Matrix, Polarity};

    fn unit(id: &str, region: &str) -> Unit {
        Unit {
            id: id.into(),
            name: id.into(),
            province: "P".into(),
            region: region.into(),
            seat: None,
            centroid: None,
            neighbours: Vec::new(),
            aliases: Vec::new(),
            excluded: None,
            tags: Default::default(),
        }
    }

    #[test]
    fn a_gap_takes_its_groups_mean_and_is_listed() {
        // Units A, B, C in group x and D in y; A lacks the value: (2 + 6) / 2 = 4.
        let units = vec![unit("A", "x"), unit("B", "x"), unit("C", "x"), unit("D", "y")];
        let m = Matrix::from_rows(&[vec![f64::NAN], vec![2.0], vec![6.0], vec![100.0]]);
        let panel = Panel::new(units, vec![2018], IndicatorSystem::flat(&[Polarity::Benefit]), m);
        let out = GroupMeanImputerParams::default().check().unwrap().impute(&panel).unwrap().value;
        assert_eq!(out.0.get(0, 0, 0), 4.0);
        assert_eq!(out.1[0].method, "group-mean:region=x");
        // A group without any value is an error naming the cell and the group.
        let lonely = vec![unit("A", "x"), unit("D", "y")];
        let m = Matrix::from_rows(&[vec![f64::NAN], vec![1.0]]);
        let panel = Panel::new(lonely, vec![2018], IndicatorSystem::flat(&[Polarity::Benefit]), m);
        let e = GroupMeanImputerParams::default().check().unwrap().impute(&panel).unwrap_err().to_string();
        assert!(e.contains("unit `A` (A), indicator `C1`, period 2018") && e.contains("`region` = `x`"), "{e}");
    }
}
