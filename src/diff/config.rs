//! The configuration (`evident.toml`): people, roles, rules, the points table.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::Serialize;

use super::*;
use crate::model::{Config, Level, PointsTable};

/// Changes of `evident.toml`.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub(crate) struct ConfigDiff {
    /// `[people]` entries added, removed, or renamed (by e-mail address).
    pub people: Vec<PersonDiff>,
    pub assessors_added: Vec<String>,
    pub assessors_removed: Vec<String>,
    pub admins_added: Vec<String>,
    pub admins_removed: Vec<String>,
    /// The points table after the `[scoring]` overrides.
    pub scoring: Option<Change<PointsView>>,
    /// `[rules]` levels that changed (`null`: the rule's default level).
    pub rules: Vec<RuleDiff>,
    pub max_score_drop: Option<Change<f64>>,
    /// `[check] assessor-drops`: "allow" or "fail".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessor_drops: Option<Change<&'static str>>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub(crate) struct PersonDiff {
    pub email: String,
    pub status: Status,
    pub name: Change<Option<String>>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub(crate) struct RuleDiff {
    pub rule: String,
    pub before: Option<Level>,
    pub after: Option<Level>,
}

/// The effective points table: mandatory and discretionary rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub(crate) struct PointsView {
    pub mandatory: PointsByType,
    pub discretionary: PointsByType,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub(crate) struct PointsByType {
    pub preventative: u64,
    pub detective: u64,
    pub corrective: u64,
}

impl From<PointsTable> for PointsView {
    fn from(t: PointsTable) -> Self {
        let row = |r: [u64; 3]| PointsByType { preventative: r[0], detective: r[1], corrective: r[2] };
        PointsView { mandatory: row(t.mandatory), discretionary: row(t.discretionary) }
    }
}

impl ConfigDiff {
    pub(super) fn new(before: &Config, after: &Config) -> Self {
        let empty = BTreeMap::new();
        let people = by_id(
            before.people.as_ref().unwrap_or(&empty),
            after.people.as_ref().unwrap_or(&empty),
            |email, b, a| {
                let status = status_of(b, a)?;
                let name = change(&b.cloned(), &a.cloned())?;
                Some(PersonDiff { email: email.clone(), status, name })
            },
        );
        let (assessors_added, assessors_removed) = list_diff(&before.roles.assessors, &after.roles.assessors);
        let (admins_added, admins_removed) = list_diff(&before.roles.admins, &after.roles.admins);
        let rules = by_id(&before.rules, &after.rules, |rule, b, a| {
            (b != a).then(|| RuleDiff { rule: rule.clone(), before: b.copied(), after: a.copied() })
        });
        ConfigDiff {
            people,
            assessors_added,
            assessors_removed,
            admins_added,
            admins_removed,
            scoring: change(&before.points_table().into(), &after.points_table().into()),
            rules,
            max_score_drop: change(&before.check.max_score_drop, &after.check.max_score_drop),
            assessor_drops: change(
                &before.check.assessor_drops.as_str(),
                &after.check.assessor_drops.as_str(),
            ),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.people.is_empty()
            && self.assessors_added.is_empty()
            && self.assessors_removed.is_empty()
            && self.admins_added.is_empty()
            && self.admins_removed.is_empty()
            && self.scoring.is_none()
            && self.rules.is_empty()
            && self.max_score_drop.is_none()
            && self.assessor_drops.is_none()
    }
}

/// Entries added and removed, sorted.
pub(super) fn list_diff(before: &[String], after: &[String]) -> (Vec<String>, Vec<String>) {
    let (b, a): (BTreeSet<&String>, BTreeSet<&String>) = (before.iter().collect(), after.iter().collect());
    (a.difference(&b).map(|s| (*s).clone()).collect(), b.difference(&a).map(|s| (*s).clone()).collect())
}
