//! Action definitions.

use schemars::JsonSchema;
use serde::Serialize;

use super::*;
use crate::model::{
    Action, ActionId, ActionType, Category, ControlType, Link, ManagedBy, PointsTable, Testing,
};

/// An action definition that was added, removed or changed.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub(crate) struct ActionDiff {
    pub id: ActionId,
    pub status: Status,
    /// Title and points after (before, when removed).
    pub title: String,
    pub points: u64,
    pub changes: ActionChanges,
}

/// Changed fields of an action definition. `points` is set when the points
/// the action is worth differ (`mandatory` or `control_type` changed, or the
/// scoring table with them).
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub(crate) struct ActionChanges {
    pub title: Option<Change<String>>,
    pub version: Option<Change<u32>>,
    pub category: Option<Change<Category>>,
    pub action_type: Option<Change<ActionType>>,
    pub control_type: Option<Change<ControlType>>,
    pub mandatory: Option<Change<bool>>,
    pub points: Option<Change<u64>>,
    pub testing: Option<Change<Testing>>,
    /// Who carries the action out (`customer` or `provider`): provider-managed
    /// actions leave "what to do next" and group alignment, so a flip shows.
    pub managed_by: Option<Change<ManagedBy>>,
    pub solution: Option<Change<Option<String>>>,
    pub service: Option<Change<Option<String>>>,
    pub guidance: Option<TextChange>,
    pub links_added: Vec<Link>,
    pub links_removed: Vec<Link>,
}

pub(crate) fn action_diff(
    id: &ActionId,
    before: Option<&Action>,
    after: Option<&Action>,
    (table_before, table_after): (PointsTable, PointsTable),
) -> Option<ActionDiff> {
    let status = status_of(before, after)?;
    // A points change from the scoring table alone shows in the config section.
    if before == after {
        return None;
    }
    let current = after.or(before)?;
    let table = if after.is_some() { &table_after } else { &table_before };
    let changes = match (before, after) {
        (Some(b), Some(a)) => ActionChanges {
            title: change(&b.title, &a.title),
            version: change(&b.version, &a.version),
            category: change(&b.category, &a.category),
            action_type: change(&b.action_type, &a.action_type),
            control_type: change(&b.control_type, &a.control_type),
            mandatory: change(&b.mandatory, &a.mandatory),
            points: change(&score::points(&table_before, b), &score::points(&table_after, a)),
            testing: change(&b.testing, &a.testing),
            managed_by: change(&b.managed_by, &a.managed_by),
            solution: change(&b.solution, &a.solution),
            service: change(&b.service, &a.service),
            guidance: text_change(b.guidance.as_deref(), a.guidance.as_deref()),
            links_added: a.links.iter().filter(|l| !b.links.contains(l)).cloned().collect(),
            links_removed: b.links.iter().filter(|l| !a.links.contains(l)).cloned().collect(),
        },
        _ => ActionChanges::default(),
    };
    Some(ActionDiff {
        id: id.clone(),
        status,
        title: current.title.clone(),
        points: score::points(table, current),
        changes,
    })
}
