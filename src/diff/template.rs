//! Templates and their controls.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::Serialize;

use super::*;
use crate::model::{ActionId, Control, ControlId, Template, TemplateId};

/// A template that was added, removed or changed.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub(crate) struct TemplateDiff {
    pub id: TemplateId,
    pub status: Status,
    /// Name and version after (before, when removed).
    pub name: String,
    pub version: u32,
    pub changes: TemplateChanges,
    /// Controls added, removed or changed, by id. For an added (removed)
    /// template every control is added (removed).
    pub controls: Vec<ControlDiff>,
}

#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub(crate) struct TemplateChanges {
    pub name: Option<Change<String>>,
    pub regulation: Option<Change<String>>,
    pub version: Option<Change<u32>>,
    pub description: Option<TextChange>,
    pub source: Option<Change<Option<String>>>,
}

/// A control that was added, removed or changed.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub(crate) struct ControlDiff {
    pub id: ControlId,
    pub status: Status,
    /// The title after (before, when removed).
    pub title: String,
    pub changes: ControlChanges,
    pub actions_added: Vec<ActionId>,
    pub actions_removed: Vec<ActionId>,
}

#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub(crate) struct ControlChanges {
    pub title: Option<Change<String>>,
    pub family: Option<Change<Option<String>>>,
    pub description: Option<TextChange>,
}

pub(crate) fn template_diff(
    id: &TemplateId,
    before: Option<&Template>,
    after: Option<&Template>,
) -> Option<TemplateDiff> {
    let status = status_of(before, after)?;
    if before == after {
        return None;
    }
    let current = after.or(before)?;
    let changes = match (before, after) {
        (Some(b), Some(a)) => TemplateChanges {
            name: change(&b.name, &a.name),
            regulation: change(&b.regulation, &a.regulation),
            version: change(&b.version, &a.version),
            description: text_change(b.description.as_deref(), a.description.as_deref()),
            source: change(&b.source, &a.source),
        },
        _ => TemplateChanges::default(),
    };
    let controls = (controls_by_id(before), controls_by_id(after));
    Some(TemplateDiff {
        id: id.clone(),
        status,
        name: current.name.clone(),
        version: current.version,
        changes,
        controls: by_id(&controls.0, &controls.1, |id, b, a| control_diff(id, b.copied(), a.copied())),
    })
}

/// Controls by id. Duplicate ids are a validation error; the first one counts here.
pub(super) fn controls_by_id(template: Option<&Template>) -> BTreeMap<&ControlId, &Control> {
    let mut map = BTreeMap::new();
    for c in template.map(|t| t.controls.as_slice()).unwrap_or_default() {
        map.entry(&c.id).or_insert(c);
    }
    map
}

pub(super) fn control_diff(
    id: &ControlId,
    before: Option<&Control>,
    after: Option<&Control>,
) -> Option<ControlDiff> {
    let status = status_of(before, after)?;
    let current = after.or(before)?;
    let changes = match (before, after) {
        (Some(b), Some(a)) => ControlChanges {
            title: change(&b.title, &a.title),
            family: change(&b.family, &a.family),
            description: text_change(b.description.as_deref(), a.description.as_deref()),
        },
        _ => ControlChanges::default(),
    };
    let actions = |c: Option<&Control>| -> BTreeSet<ActionId> {
        c.map(|c| c.actions.iter().cloned().collect()).unwrap_or_default()
    };
    let (b, a) = (actions(before), actions(after));
    let actions_added: Vec<ActionId> = a.difference(&b).cloned().collect();
    let actions_removed: Vec<ActionId> = b.difference(&a).cloned().collect();
    let unchanged = status == Status::Changed
        && changes.title.is_none()
        && changes.family.is_none()
        && changes.description.is_none()
        && actions_added.is_empty()
        && actions_removed.is_empty();
    (!unchanged).then(|| ControlDiff {
        id: id.clone(),
        status,
        title: current.title.clone(),
        changes,
        actions_added,
        actions_removed,
    })
}
