//! Score deltas: overall, per assessment and per breakdown row.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::Serialize;

use super::*;
use crate::model::AssessmentId;
use crate::score::{Score, Scores};

/// A score before and after; either side is absent when the item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(into = "ScoreChangeJson")]
pub(crate) struct ScoreChange {
    pub before: Option<Score>,
    pub after: Option<Score>,
    /// After minus before, in tenths of a percentage point; `None` when a side
    /// is absent or has nothing in scope (max 0: its percentage means nothing).
    pub delta_tenths: Option<i64>,
    /// Whether the points (earned or maximum) or the presence changed.
    pub changed: bool,
}

impl ScoreChange {
    pub(crate) fn new(before: Option<Score>, after: Option<Score>) -> Self {
        let delta_tenths = match (before, after) {
            (Some(b), Some(a)) if b.max > 0 && a.max > 0 => {
                Some(a.tenths_of_percent() as i64 - b.tenths_of_percent() as i64)
            }
            _ => None,
        };
        ScoreChange { before, after, delta_tenths, changed: before != after }
    }
}

/// What a [`ScoreChange`] serialises as: the delta in percentage points.
#[derive(Serialize, JsonSchema)]
struct ScoreChangeJson {
    before: Option<Score>,
    after: Option<Score>,
    /// After minus before, in percentage points (one decimal).
    delta: Option<f64>,
}

impl From<ScoreChange> for ScoreChangeJson {
    fn from(c: ScoreChange) -> Self {
        ScoreChangeJson { before: c.before, after: c.after, delta: c.delta_tenths.map(|d| d as f64 / 10.0) }
    }
}

/// One row of a score comparison (an assessment or a category).
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub(crate) struct ScoreRow {
    pub id: String,
    /// The assessment's name or the category's label (after; before when removed).
    pub label: String,
    /// For a renamed assessment, its id before.
    pub renamed_from: Option<String>,
    #[serde(flatten)]
    pub change: ScoreChange,
}

/// Scores before and after: overall, by assessment and by category. Every
/// row of either side is listed; `changed` tells which moved.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub(crate) struct ScoreDiff {
    pub overall: ScoreChange,
    pub assessments: Vec<ScoreRow>,
    pub categories: Vec<ScoreRow>,
}

impl ScoreDiff {
    pub(super) fn new(
        before: &Scores,
        after: &Scores,
        renames: &BTreeMap<AssessmentId, AssessmentId>,
    ) -> Self {
        let renamed: BTreeMap<&str, &str> =
            renames.iter().map(|(new, old)| (new.as_str(), old.as_str())).collect();
        let old_ids: BTreeSet<&str> = renamed.values().copied().collect();
        let b: BTreeMap<&str, _> = before.assessments.iter().map(|a| (a.id.as_str(), a)).collect();
        let a: BTreeMap<&str, _> = after.assessments.iter().map(|a| (a.id.as_str(), a)).collect();
        let ids: BTreeSet<&str> =
            a.keys().chain(b.keys().filter(|id| !old_ids.contains(*id))).copied().collect();
        let assessments = ids
            .into_iter()
            .map(|id| {
                let from = renamed.get(id).copied();
                let (old, new) = (b.get(from.unwrap_or(id)), a.get(id));
                ScoreRow {
                    id: id.to_owned(),
                    label: new.or(old).map(|s| s.name.clone()).unwrap_or_default(),
                    renamed_from: from.map(str::to_owned),
                    change: ScoreChange::new(old.map(|s| s.score), new.map(|s| s.score)),
                }
            })
            .collect();
        let b: BTreeMap<_, _> = before.categories.iter().map(|c| (c.id.clone(), c)).collect();
        let a: BTreeMap<_, _> = after.categories.iter().map(|c| (c.id.clone(), c)).collect();
        let categories = by_id(&b, &a, |id, old, new| {
            let row = new.or(old)?;
            Some(ScoreRow {
                id: id.clone().unwrap_or_default(),
                label: row.label.clone(),
                renamed_from: None,
                change: ScoreChange::new(old.map(|s| s.score), new.map(|s| s.score)),
            })
        });
        ScoreDiff {
            overall: ScoreChange::new(Some(before.overall), Some(after.overall)),
            assessments,
            categories,
        }
    }
}
