//! Assessments and action states: additions, removals, renames, state and evidence changes.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::Serialize;

use super::*;
use crate::model::{
    ActionId, ActionState, AssessmentEntry, AssessmentId, Date, Evidence, GroupId, ImplementationStatus,
    TemplateId, TestStatus, Workspace,
};

/// An assessment that was added, removed, renamed or changed.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub(crate) struct AssessmentDiff {
    pub id: AssessmentId,
    pub status: Status,
    pub renamed_from: Option<AssessmentId>,
    /// Name, template, version and group after (before, when removed).
    pub name: String,
    pub template: TemplateId,
    pub template_version: u32,
    pub group: Option<GroupId>,
    pub changes: AssessmentChanges,
    /// The actions whose state changed, by action id.
    pub actions: Vec<StateDiff>,
}

/// Changed fields of `assessment.toml`.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub(crate) struct AssessmentChanges {
    pub name: Option<Change<String>>,
    pub template: Option<Change<TemplateId>>,
    pub template_version: Option<Change<u32>>,
    pub group: Option<Change<Option<GroupId>>>,
    pub service: Option<Change<Option<String>>>,
    pub description: Option<TextChange>,
}

impl AssessmentChanges {
    pub(crate) fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.template.is_none()
            && self.template_version.is_none()
            && self.group.is_none()
            && self.service.is_none()
            && self.description.is_none()
    }
}

/// Pairs removed and added assessments that are the same one moved: same
/// template, identical states (non-empty, or else the same name). New id → old id.
pub(super) fn renames(before: &Workspace, after: &Workspace) -> BTreeMap<AssessmentId, AssessmentId> {
    let mut removed: Vec<&AssessmentEntry> = before
        .assessments
        .iter()
        .filter(|(id, _)| !after.assessments.contains_key(*id))
        .map(|(_, e)| e)
        .collect();
    let mut out = BTreeMap::new();
    for (id, new) in after.assessments.iter().filter(|(id, _)| !before.assessments.contains_key(*id)) {
        let same = |old: &&AssessmentEntry| {
            old.assessment.template == new.assessment.template
                && old.states == new.states
                && (!new.states.is_empty() || old.assessment.name == new.assessment.name)
        };
        if let Some(i) = removed.iter().position(same) {
            out.insert(id.clone(), removed.remove(i).assessment.id.clone());
        }
    }
    out
}

pub(super) fn assessments(
    before: &Workspace,
    after: &Workspace,
    renames: &BTreeMap<AssessmentId, AssessmentId>,
) -> Vec<AssessmentDiff> {
    let moved_away: BTreeSet<&AssessmentId> = renames.values().collect();
    let ids: BTreeSet<&AssessmentId> = after
        .assessments
        .keys()
        .chain(before.assessments.keys().filter(|id| !moved_away.contains(id)))
        .collect();
    ids.into_iter()
        .filter_map(|id| {
            let from = renames.get(id);
            let old = before.assessments.get(from.unwrap_or(id));
            let diff = assessment_diff(id, old, after.assessments.get(id), from)?;
            let unchanged =
                diff.status == Status::Changed && diff.changes.is_empty() && diff.actions.is_empty();
            (!unchanged).then_some(diff)
        })
        .collect()
}

pub(super) fn assessment_diff(
    id: &AssessmentId,
    before: Option<&AssessmentEntry>,
    after: Option<&AssessmentEntry>,
    renamed_from: Option<&AssessmentId>,
) -> Option<AssessmentDiff> {
    let mut status = status_of(before, after)?;
    if renamed_from.is_some() {
        status = Status::Renamed;
    }
    let current = &after.or(before)?.assessment;
    let changes = match (before, after) {
        (Some(b), Some(a)) => {
            let (b, a) = (&b.assessment, &a.assessment);
            AssessmentChanges {
                name: change(&b.name, &a.name),
                template: change(&b.template, &a.template),
                template_version: change(&b.template_version, &a.template_version),
                group: change(&b.group, &a.group),
                service: change(&b.service, &a.service),
                description: text_change(b.description.as_deref(), a.description.as_deref()),
            }
        }
        _ => AssessmentChanges::default(),
    };
    let empty = BTreeMap::new();
    let states = (before.map_or(&empty, |e| &e.states), after.map_or(&empty, |e| &e.states));
    Some(AssessmentDiff {
        id: id.clone(),
        status,
        renamed_from: renamed_from.cloned(),
        name: current.name.clone(),
        template: current.template.clone(),
        template_version: current.template_version,
        group: current.group.clone(),
        changes,
        actions: by_id(states.0, states.1, state_diff),
    })
}

/// What the state of one action looks like after the change, for showing
/// unchanged values next to changed ones.
#[derive(Clone, Debug, Default)]
pub(crate) struct Current {
    pub owner: Option<String>,
    pub implementation: ImplementationStatus,
    pub test: TestStatus,
}

/// The changes of one action's state in one assessment. A missing file is the
/// default state (not implemented, no test), so a deleted file shows as the
/// statuses going back to the defaults.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub(crate) struct StateDiff {
    pub action: ActionId,
    /// Whether the state file was added, removed or changed.
    pub file: Status,
    pub owner: Option<Change<Option<String>>>,
    pub implementation: PhaseDiff<ImplementationStatus>,
    pub test: PhaseDiff<TestStatus>,
    pub evidence: Vec<EvidenceDiff>,
    pub accepted_version: Option<Change<Option<u32>>>,
    #[serde(skip)]
    pub current: Current,
}

/// Status, date and notes of the implementation or the test.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub(crate) struct PhaseDiff<S> {
    pub status: Option<Change<S>>,
    pub date: Option<Change<Option<Date>>>,
    pub notes: Option<TextChange>,
}

pub(super) fn phase<S: PartialEq + Copy>(
    status: (S, S),
    date: (Option<Date>, Option<Date>),
    notes: (Option<&str>, Option<&str>),
) -> PhaseDiff<S> {
    PhaseDiff {
        status: change(&status.0, &status.1),
        date: change(&date.0, &date.1),
        notes: text_change(notes.0, notes.1),
    }
}

pub(super) fn state_diff(
    action: &ActionId,
    before: Option<&ActionState>,
    after: Option<&ActionState>,
) -> Option<StateDiff> {
    let file = status_of(before, after)?;
    if file == Status::Changed && before == after {
        return None;
    }
    let default = ActionState::default();
    let (b, a) = (before.unwrap_or(&default), after.unwrap_or(&default));
    let (bi, ai) = (&b.implementation, &a.implementation);
    let (bt, at) = (&b.test, &a.test);
    Some(StateDiff {
        action: action.clone(),
        file,
        owner: change(&b.owner, &a.owner),
        implementation: phase(
            (bi.status, ai.status),
            (bi.date, ai.date),
            (bi.notes.as_deref(), ai.notes.as_deref()),
        ),
        test: phase((bt.status, at.status), (bt.date, at.date), (bt.notes.as_deref(), at.notes.as_deref())),
        evidence: evidence_diff(&b.evidence, &a.evidence),
        accepted_version: change(&b.accepted_version, &a.accepted_version),
        current: Current { owner: a.owner.clone(), implementation: ai.status, test: at.status },
    })
}

/// An evidence item as JSON shows it: every key, `null` when absent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub(crate) struct EvidenceItem {
    pub name: String,
    pub path: Option<String>,
    pub sha256: Option<String>,
    pub url: Option<String>,
}

impl From<&Evidence> for EvidenceItem {
    fn from(e: &Evidence) -> Self {
        EvidenceItem {
            name: e.name.clone(),
            path: e.path.clone(),
            sha256: e.sha256.clone(),
            url: e.url.clone(),
        }
    }
}

/// An evidence item added, removed or changed (matched by name).
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub(crate) struct EvidenceDiff {
    pub name: String,
    pub status: Status,
    pub before: Option<EvidenceItem>,
    pub after: Option<EvidenceItem>,
    /// For a changed item: which of `path`, `sha256`, `url` differ.
    pub fields: Vec<&'static str>,
}

/// Evidence matched by name; items sharing a name are matched in file order.
pub(super) fn evidence_diff(before: &[Evidence], after: &[Evidence]) -> Vec<EvidenceDiff> {
    let group = |list: &[Evidence]| {
        let mut map: BTreeMap<String, Vec<EvidenceItem>> = BTreeMap::new();
        for e in list {
            map.entry(e.name.clone()).or_default().push(e.into());
        }
        map
    };
    let (b, a) = (group(before), group(after));
    let names: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let (olds, news) =
            (b.get(name).map_or(&[][..], Vec::as_slice), a.get(name).map_or(&[][..], Vec::as_slice));
        for i in 0..olds.len().max(news.len()) {
            let (old, new) = (olds.get(i), news.get(i));
            let Some(status) = status_of(old, new) else { continue };
            let fields = match (old, new) {
                (Some(o), Some(n)) => evidence_fields(o, n),
                _ => Vec::new(),
            };
            if status == Status::Changed && fields.is_empty() {
                continue;
            }
            out.push(EvidenceDiff {
                name: name.clone(),
                status,
                before: old.cloned(),
                after: new.cloned(),
                fields,
            });
        }
    }
    out
}

pub(super) fn evidence_fields(old: &EvidenceItem, new: &EvidenceItem) -> Vec<&'static str> {
    [("path", old.path != new.path), ("sha256", old.sha256 != new.sha256), ("url", old.url != new.url)]
        .into_iter()
        .filter_map(|(field, differs)| differs.then_some(field))
        .collect()
}
