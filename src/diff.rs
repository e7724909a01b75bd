//! What changed between two versions of a compliance repository.
//!
//! [`WorkspaceDiff::compute`] compares two [`Workspace`]s (a commit, the working
//! tree, or nothing at all) and lists, in id order: assessments added, removed,
//! renamed or changed with the state changes of their actions; template,
//! action and configuration changes; and the score deltas. It is pure: no I/O,
//! no clock. Renderers (`crate::render::diff`) only format the result; every
//! comparison, word diff and delta is made here.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Serialize, Serializer};
use similar::{Algorithm, ChangeTag};

use crate::model::{
    Action, ActionId, ActionState, ActionType, AssessmentEntry, AssessmentId, Category, Config, Control,
    ControlId, ControlType, Date, Evidence, GroupId, ImplementationStatus, Level, Link, PointsTable,
    Template, TemplateId, TestStatus, Testing, Workspace,
};
use crate::repo::layout::Entry;
use crate::score::{self, Score, Scores};

/// How an item differs between the two sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Added,
    Removed,
    Changed,
    /// An assessment whose directory moved (see [`WorkspaceDiff::compute`]).
    Renamed,
}

/// A value before and after.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change<T> {
    pub before: T,
    pub after: T,
}

/// `Some` when the values differ.
fn change<T: PartialEq + Clone>(before: &T, after: &T) -> Option<Change<T>> {
    (before != after).then(|| Change { before: before.clone(), after: after.clone() })
}

/// One run of a word-level diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WordOp {
    Equal,
    Removed,
    Added,
}

/// Consecutive words (with the whitespace between them) that share an op.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Words {
    pub op: WordOp,
    pub text: String,
}

/// A changed free text (notes, guidance, descriptions) with its word diff.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TextChange {
    pub before: Option<String>,
    pub after: Option<String>,
    pub words: Vec<Words>,
}

/// `Some` when the texts differ; an absent text diffs as the empty one.
pub fn text_change(before: Option<&str>, after: Option<&str>) -> Option<TextChange> {
    if before == after {
        return None;
    }
    let words = word_diff(before.unwrap_or_default(), after.unwrap_or_default());
    Some(TextChange { before: before.map(str::to_owned), after: after.map(str::to_owned), words })
}

/// Word-level diff (words and whitespace runs are the tokens). Changes split
/// only by whitespace are joined (`[-FIDO2 keys-]{+passkeys+}` rather than
/// `[-FIDO2-]{+passkeys+} [-keys-]`), and each change lists its removed words
/// before its added ones.
pub fn word_diff(before: &str, after: &str) -> Vec<Words> {
    // (equal text) or (removed, added)
    enum Seg {
        Equal(String),
        Change(String, String),
    }
    let mut segs: Vec<Seg> = Vec::new();
    for (tag, text) in similar::utils::diff_words(Algorithm::Patience, before, after) {
        if tag == ChangeTag::Equal {
            match segs.last_mut() {
                Some(Seg::Equal(last)) => last.push_str(text),
                _ => segs.push(Seg::Equal(text.to_owned())),
            }
            continue;
        }
        // Whitespace between two changes belongs to both sides of one change.
        if let [.., Seg::Change(..), Seg::Equal(ws)] = segs.as_slice()
            && ws.trim().is_empty()
            && let Some(Seg::Equal(ws)) = segs.pop()
            && let Some(Seg::Change(removed, added)) = segs.last_mut()
        {
            removed.push_str(&ws);
            added.push_str(&ws);
        }
        if !matches!(segs.last(), Some(Seg::Change(..))) {
            segs.push(Seg::Change(String::new(), String::new()));
        }
        if let Some(Seg::Change(removed, added)) = segs.last_mut() {
            let side = if tag == ChangeTag::Delete { removed } else { added };
            side.push_str(text);
        }
    }
    let mut out = Vec::new();
    for seg in segs {
        let runs = match seg {
            Seg::Equal(text) => vec![(WordOp::Equal, text)],
            Seg::Change(removed, added) => vec![(WordOp::Removed, removed), (WordOp::Added, added)],
        };
        out.extend(runs.into_iter().filter(|(_, t)| !t.is_empty()).map(|(op, text)| Words { op, text }));
    }
    out
}

/// Everything that differs between two workspaces.
#[derive(Clone, Debug, Serialize)]
pub struct WorkspaceDiff {
    pub scores: ScoreDiff,
    pub assessments: Vec<AssessmentDiff>,
    pub templates: Vec<TemplateDiff>,
    pub actions: Vec<ActionDiff>,
    pub config: ConfigDiff,
}

impl WorkspaceDiff {
    /// Compares `before` with `after`.
    ///
    /// An assessment that disappears while another with the same template and
    /// identical action states appears is reported as renamed (its directory
    /// moved), so that only real changes show. Both sides need state files for
    /// this, or the same name.
    pub fn compute(before: &Workspace, after: &Workspace) -> WorkspaceDiff {
        let renames = renames(before, after);
        let points = (before.config.points_table(), after.config.points_table());
        WorkspaceDiff {
            scores: ScoreDiff::new(&score::compute(before), &score::compute(after), &renames),
            assessments: assessments(before, after, &renames),
            templates: by_id(&before.templates, &after.templates, template_diff),
            actions: by_id(&before.actions, &after.actions, |id, b, a| action_diff(id, b, a, points)),
            config: ConfigDiff::new(&before.config, &after.config),
        }
    }

    /// Whether nothing changed (scores follow from the rest).
    pub fn is_empty(&self) -> bool {
        self.assessments.is_empty()
            && self.templates.is_empty()
            && self.actions.is_empty()
            && self.config.is_empty()
    }
}

/// Diffs two maps key by key: `f(key, before, after)` returns `None` when nothing changed.
fn by_id<K: Ord, V, D>(
    before: &BTreeMap<K, V>,
    after: &BTreeMap<K, V>,
    f: impl Fn(&K, Option<&V>, Option<&V>) -> Option<D>,
) -> Vec<D> {
    let keys: BTreeSet<&K> = before.keys().chain(after.keys()).collect();
    keys.into_iter().filter_map(|k| f(k, before.get(k), after.get(k))).collect()
}

/// The status of an item present on one side or both.
fn status_of<T>(before: Option<T>, after: Option<T>) -> Option<Status> {
    match (before, after) {
        (None, Some(_)) => Some(Status::Added),
        (Some(_), None) => Some(Status::Removed),
        (Some(_), Some(_)) => Some(Status::Changed),
        (None, None) => None,
    }
}

/// Leaves the files that could not be read on either side out of both, so
/// that a broken file shows neither as removed nor as new. A configuration
/// readable on one side only is used on both.
pub fn leave_out(before: &mut Workspace, after: &mut Workspace, unreadable: (&[Entry], &[Entry])) {
    for entry in unreadable.0.iter().chain(unreadable.1) {
        for ws in [&mut *before, &mut *after] {
            match entry {
                Entry::Template(id) => drop(ws.templates.remove(id)),
                Entry::Action(id) => drop(ws.actions.remove(id)),
                Entry::Assessment(id) => drop(ws.assessments.remove(id)),
                Entry::State(assessment, action) => {
                    if let Some(e) = ws.assessments.get_mut(assessment) {
                        e.states.remove(action);
                    }
                }
                Entry::Config | Entry::Misplaced(_) | Entry::Other => {}
            }
        }
    }
    match (unreadable.0.contains(&Entry::Config), unreadable.1.contains(&Entry::Config)) {
        (true, false) => before.config = after.config.clone(),
        (false, true) => after.config = before.config.clone(),
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// Scores

/// A score before and after; either side is absent when the item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScoreChange {
    pub before: Option<Score>,
    pub after: Option<Score>,
    /// After minus before, in tenths of a percentage point; `None` when a side
    /// is absent or has nothing in scope (max 0: its percentage means nothing).
    pub delta_tenths: Option<i64>,
    /// Whether the points (earned or maximum) or the presence changed.
    pub changed: bool,
}

impl ScoreChange {
    pub fn new(before: Option<Score>, after: Option<Score>) -> Self {
        let delta_tenths = match (before, after) {
            (Some(b), Some(a)) if b.max > 0 && a.max > 0 => {
                Some(a.tenths_of_percent() as i64 - b.tenths_of_percent() as i64)
            }
            _ => None,
        };
        ScoreChange { before, after, delta_tenths, changed: before != after }
    }
}

impl Serialize for ScoreChange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("ScoreChange", 3)?;
        st.serialize_field("before", &self.before)?;
        st.serialize_field("after", &self.after)?;
        st.serialize_field("delta", &self.delta_tenths.map(|d| d as f64 / 10.0))?;
        st.end()
    }
}

/// One row of a score comparison (an assessment or a category).
#[derive(Clone, Debug, Serialize)]
pub struct ScoreRow {
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
#[derive(Clone, Debug, Serialize)]
pub struct ScoreDiff {
    pub overall: ScoreChange,
    pub assessments: Vec<ScoreRow>,
    pub categories: Vec<ScoreRow>,
}

impl ScoreDiff {
    fn new(before: &Scores, after: &Scores, renames: &BTreeMap<AssessmentId, AssessmentId>) -> Self {
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

// ---------------------------------------------------------------------------
// Assessments and action states

/// An assessment that was added, removed, renamed or changed.
#[derive(Clone, Debug, Serialize)]
pub struct AssessmentDiff {
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
#[derive(Clone, Debug, Default, Serialize)]
pub struct AssessmentChanges {
    pub name: Option<Change<String>>,
    pub template: Option<Change<TemplateId>>,
    pub template_version: Option<Change<u32>>,
    pub group: Option<Change<Option<GroupId>>>,
    pub service: Option<Change<Option<String>>>,
    pub description: Option<TextChange>,
}

impl AssessmentChanges {
    pub fn is_empty(&self) -> bool {
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
fn renames(before: &Workspace, after: &Workspace) -> BTreeMap<AssessmentId, AssessmentId> {
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

fn assessments(
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

fn assessment_diff(
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
pub struct Current {
    pub owner: Option<String>,
    pub implementation: ImplementationStatus,
    pub test: TestStatus,
}

/// The changes of one action's state in one assessment. A missing file is the
/// default state (not implemented, no test), so a deleted file shows as the
/// statuses going back to the defaults.
#[derive(Clone, Debug, Serialize)]
pub struct StateDiff {
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
#[derive(Clone, Debug, Serialize)]
pub struct PhaseDiff<S> {
    pub status: Option<Change<S>>,
    pub date: Option<Change<Option<Date>>>,
    pub notes: Option<TextChange>,
}

fn phase<S: PartialEq + Copy>(
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

fn state_diff(
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EvidenceItem {
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
#[derive(Clone, Debug, Serialize)]
pub struct EvidenceDiff {
    pub name: String,
    pub status: Status,
    pub before: Option<EvidenceItem>,
    pub after: Option<EvidenceItem>,
    /// For a changed item: which of `path`, `sha256`, `url` differ.
    pub fields: Vec<&'static str>,
}

/// Evidence matched by name; items sharing a name are matched in file order.
fn evidence_diff(before: &[Evidence], after: &[Evidence]) -> Vec<EvidenceDiff> {
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

fn evidence_fields(old: &EvidenceItem, new: &EvidenceItem) -> Vec<&'static str> {
    [("path", old.path != new.path), ("sha256", old.sha256 != new.sha256), ("url", old.url != new.url)]
        .into_iter()
        .filter_map(|(field, differs)| differs.then_some(field))
        .collect()
}

// ---------------------------------------------------------------------------
// Templates

/// A template that was added, removed or changed.
#[derive(Clone, Debug, Serialize)]
pub struct TemplateDiff {
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

#[derive(Clone, Debug, Default, Serialize)]
pub struct TemplateChanges {
    pub name: Option<Change<String>>,
    pub regulation: Option<Change<String>>,
    pub version: Option<Change<u32>>,
    pub description: Option<TextChange>,
    pub source: Option<Change<Option<String>>>,
}

/// A control that was added, removed or changed.
#[derive(Clone, Debug, Serialize)]
pub struct ControlDiff {
    pub id: ControlId,
    pub status: Status,
    /// The title after (before, when removed).
    pub title: String,
    pub changes: ControlChanges,
    pub actions_added: Vec<ActionId>,
    pub actions_removed: Vec<ActionId>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ControlChanges {
    pub title: Option<Change<String>>,
    pub family: Option<Change<Option<String>>>,
    pub description: Option<TextChange>,
}

pub fn template_diff(
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
fn controls_by_id(template: Option<&Template>) -> BTreeMap<&ControlId, &Control> {
    let mut map = BTreeMap::new();
    for c in template.map(|t| t.controls.as_slice()).unwrap_or_default() {
        map.entry(&c.id).or_insert(c);
    }
    map
}

fn control_diff(id: &ControlId, before: Option<&Control>, after: Option<&Control>) -> Option<ControlDiff> {
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

// ---------------------------------------------------------------------------
// Actions

/// An action definition that was added, removed or changed.
#[derive(Clone, Debug, Serialize)]
pub struct ActionDiff {
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
#[derive(Clone, Debug, Default, Serialize)]
pub struct ActionChanges {
    pub title: Option<Change<String>>,
    pub version: Option<Change<u32>>,
    pub category: Option<Change<Category>>,
    pub action_type: Option<Change<ActionType>>,
    pub control_type: Option<Change<ControlType>>,
    pub mandatory: Option<Change<bool>>,
    pub points: Option<Change<u64>>,
    pub testing: Option<Change<Testing>>,
    pub solution: Option<Change<Option<String>>>,
    pub service: Option<Change<Option<String>>>,
    pub guidance: Option<TextChange>,
    pub links_added: Vec<Link>,
    pub links_removed: Vec<Link>,
}

pub fn action_diff(
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

// ---------------------------------------------------------------------------
// Configuration

/// Changes of `evident.toml`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ConfigDiff {
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

#[derive(Clone, Debug, Serialize)]
pub struct PersonDiff {
    pub email: String,
    pub status: Status,
    pub name: Change<Option<String>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RuleDiff {
    pub rule: String,
    pub before: Option<Level>,
    pub after: Option<Level>,
}

/// The effective points table: mandatory and discretionary rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PointsView {
    pub mandatory: PointsByType,
    pub discretionary: PointsByType,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PointsByType {
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
    fn new(before: &Config, after: &Config) -> Self {
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

    pub fn is_empty(&self) -> bool {
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
fn list_diff(before: &[String], after: &[String]) -> (Vec<String>, Vec<String>) {
    let (b, a): (BTreeSet<&String>, BTreeSet<&String>) = (before.iter().collect(), after.iter().collect());
    (a.difference(&b).map(|s| (*s).clone()).collect(), b.difference(&a).map(|s| (*s).clone()).collect())
}

// ---------------------------------------------------------------------------
// The two sides

/// Which version of the repository one side of a diff is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Side {
    pub kind: SideKind,
    /// The revision as given (`HEAD`, `main`, an id); `None` for the working
    /// tree and the empty repository.
    pub rev: Option<String>,
    /// The full commit id, for a commit.
    pub commit: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SideKind {
    Commit,
    /// The files on disk, committed or not.
    Worktree,
    /// Nothing: the base of a repository without commits.
    Empty,
}

impl Side {
    pub fn commit(rev: &str, id: impl ToString) -> Side {
        Side { kind: SideKind::Commit, rev: Some(rev.to_owned()), commit: Some(id.to_string()) }
    }

    pub fn worktree() -> Side {
        Side { kind: SideKind::Worktree, rev: None, commit: None }
    }

    pub fn empty() -> Side {
        Side { kind: SideKind::Empty, rev: None, commit: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Assessment, Implementation, Test};

    fn action(id: &str, mandatory: bool) -> Action {
        Action {
            id: id.into(),
            title: format!("Action {id}"),
            version: 1,
            category: Category::ControlAccess,
            action_type: ActionType::Technical,
            control_type: ControlType::Preventative,
            mandatory,
            testing: Testing::Manual,
            solution: None,
            service: None,
            guidance: None,
            links: Vec::new(),
        }
    }

    fn state(implementation: ImplementationStatus, test: TestStatus) -> ActionState {
        ActionState {
            implementation: Implementation { status: implementation, ..Implementation::default() },
            test: Test { status: test, ..Test::default() },
            ..ActionState::default()
        }
    }

    /// One template `t` with control `c1` listing `actions`, one assessment `a1`.
    fn workspace(actions: &[(&str, bool)], states: &[(&str, ActionState)]) -> Workspace {
        let mut ws = Workspace::default();
        for (id, mandatory) in actions {
            ws.actions.insert((*id).into(), action(id, *mandatory));
        }
        let control = Control {
            id: ControlId::new("c1"),
            title: "Control one".into(),
            family: None,
            description: None,
            actions: actions.iter().map(|(id, _)| (*id).into()).collect(),
            urn: None,
            groups: Vec::new(),
            related: Vec::new(),
        };
        let template = Template {
            id: "t".into(),
            name: "T".into(),
            regulation: "T".into(),
            version: 1,
            description: None,
            source: None,
            urn: None,
            controls: vec![control],
        };
        ws.templates.insert("t".into(), template);
        let assessment = Assessment {
            id: "a1".into(),
            name: "A one".into(),
            template: "t".into(),
            template_version: 1,
            group: None,
            service: None,
            description: None,
        };
        let states = states.iter().map(|(id, s)| ((*id).into(), s.clone())).collect();
        ws.assessments.insert("a1".into(), AssessmentEntry { assessment, states });
        ws
    }

    fn ops(words: &[Words]) -> String {
        words
            .iter()
            .map(|w| match w.op {
                WordOp::Equal => w.text.clone(),
                WordOp::Removed => format!("[-{}-]", w.text),
                WordOp::Added => format!("{{+{}+}}", w.text),
            })
            .collect()
    }

    #[test]
    fn word_diff_joins_changes_split_by_spaces() {
        assert_eq!(
            ops(&word_diff("use FIDO2 keys now", "use passkeys now")),
            "use [-FIDO2 keys-]{+passkeys+} now"
        );
        assert_eq!(ops(&word_diff("", "new text")), "{+new text+}");
        assert_eq!(ops(&word_diff("same", "same")), "same");
        assert!(text_change(Some("x"), Some("x")).is_none());
        let c = text_change(None, Some("a b")).unwrap();
        assert_eq!((c.before, c.after.as_deref()), (None, Some("a b")));
    }

    #[test]
    fn nothing_changed() {
        let ws =
            workspace(&[("mfa", true)], &[("mfa", state(ImplementationStatus::Planned, TestStatus::None))]);
        let diff = WorkspaceDiff::compute(&ws, &ws.clone());
        assert!(diff.is_empty());
        assert!(!diff.scores.overall.changed);
        assert_eq!(diff.scores.overall.delta_tenths, Some(0));
    }

    #[test]
    fn status_change_moves_the_score() {
        let before = workspace(&[("mfa", true), ("log", false)], &[]);
        let done = state(ImplementationStatus::Implemented, TestStatus::Passed);
        let after = workspace(&[("mfa", true), ("log", false)], &[("mfa", done)]);
        let diff = WorkspaceDiff::compute(&before, &after);
        let [a] = diff.assessments.as_slice() else { panic!("{:?}", diff.assessments) };
        let [s] = a.actions.as_slice() else { panic!("{:?}", a.actions) };
        assert_eq!((s.action.as_str(), s.file), ("mfa", Status::Added));
        let imp = s.implementation.status.as_ref().unwrap();
        assert_eq!(
            (imp.before, imp.after),
            (ImplementationStatus::NotImplemented, ImplementationStatus::Implemented)
        );
        // mfa 27 + log 9 = 36 points; 0/36 -> 27/36 = 75.0%: +75.0 points.
        let o = diff.scores.overall;
        assert_eq!((o.before.unwrap().earned, o.after.unwrap().earned, o.after.unwrap().max), (0, 27, 36));
        assert_eq!(o.delta_tenths, Some(750));
    }

    #[test]
    fn deleted_state_file_returns_to_the_defaults() {
        let done = state(ImplementationStatus::Implemented, TestStatus::Passed);
        let before = workspace(&[("mfa", true)], &[("mfa", done)]);
        let after = workspace(&[("mfa", true)], &[]);
        let diff = WorkspaceDiff::compute(&before, &after);
        let s = &diff.assessments[0].actions[0];
        assert_eq!(s.file, Status::Removed);
        assert_eq!(s.test.status.as_ref().map(|c| c.after), Some(TestStatus::None));
    }

    #[test]
    fn mandatory_flip_changes_points() {
        let before = workspace(&[("mfa", true)], &[]);
        let after = workspace(&[("mfa", false)], &[]);
        let diff = WorkspaceDiff::compute(&before, &after);
        let c = &diff.actions[0].changes;
        assert_eq!(c.mandatory, Some(Change { before: true, after: false }));
        assert_eq!(c.points, Some(Change { before: 27, after: 9 }));
        // Nothing earned either way: 0/27 -> 0/9, both 0.0%, the points moved.
        assert_eq!(diff.scores.overall.delta_tenths, Some(0));
        assert!(diff.scores.overall.changed);
    }

    #[test]
    fn nothing_in_scope_has_no_delta() {
        let out = state(ImplementationStatus::OutOfScope, TestStatus::None);
        let before = workspace(&[("mfa", true)], &[]);
        let after = workspace(&[("mfa", true)], &[("mfa", out)]);
        let diff = WorkspaceDiff::compute(&before, &after);
        assert_eq!(diff.scores.overall.after.map(|s| s.max), Some(0));
        assert_eq!(diff.scores.overall.delta_tenths, None);
    }

    #[test]
    fn moved_assessment_is_a_rename() {
        let done = state(ImplementationStatus::Implemented, TestStatus::Passed);
        let before = workspace(&[("mfa", true)], &[("mfa", done)]);
        let mut after = before.clone();
        let mut entry = after.assessments.remove("a1").unwrap();
        entry.assessment.id = "a2".into();
        after.assessments.insert("a2".into(), entry);
        let diff = WorkspaceDiff::compute(&before, &after);
        let [a] = diff.assessments.as_slice() else { panic!("{:?}", diff.assessments) };
        assert_eq!(
            (a.id.as_str(), a.status, a.renamed_from.as_ref().map(|r| r.as_str())),
            ("a2", Status::Renamed, Some("a1"))
        );
        assert!(a.actions.is_empty() && a.changes.is_empty());
        let [row] = diff.scores.assessments.as_slice() else { panic!("{:?}", diff.scores.assessments) };
        assert!(!row.change.changed);
    }

    #[test]
    fn evidence_by_name() {
        let ev = |name: &str, url: &str| Evidence {
            name: name.into(),
            path: None,
            sha256: None,
            url: Some(url.into()),
        };
        let before = [ev("a", "https://x/a"), ev("b", "https://x/b")];
        let after = [ev("b", "https://x/b2"), ev("c", "https://x/c")];
        let d = evidence_diff(&before, &after);
        let got: Vec<_> = d.iter().map(|e| (e.name.as_str(), e.status, e.fields.clone())).collect();
        assert_eq!(
            got,
            [
                ("a", Status::Removed, vec![]),
                ("b", Status::Changed, vec!["url"]),
                ("c", Status::Added, vec![])
            ]
        );
    }

    #[test]
    fn template_control_added() {
        let before = workspace(&[("mfa", true)], &[]);
        let mut after = before.clone();
        let t = after.templates.get_mut("t").unwrap();
        t.version = 2;
        t.controls.push(Control {
            id: ControlId::new("c2"),
            title: "Two".into(),
            family: None,
            description: None,
            actions: vec!["mfa".into()],
            urn: None,
            groups: Vec::new(),
            related: Vec::new(),
        });
        let diff = WorkspaceDiff::compute(&before, &after);
        let t = &diff.templates[0];
        assert_eq!(t.changes.version, Some(Change { before: 1, after: 2 }));
        let [c] = t.controls.as_slice() else { panic!("{:?}", t.controls) };
        assert_eq!((c.id.as_str(), c.status, c.actions_added.len()), ("c2", Status::Added, 1));
    }

    #[test]
    fn people_and_roles() {
        let mut before = Workspace::default();
        before.config.people = Some([("a@x".to_owned(), "A".to_owned())].into());
        let mut after = before.clone();
        after.config.people =
            Some([("a@x".to_owned(), "Ann".to_owned()), ("b@x".to_owned(), "B".to_owned())].into());
        after.config.roles.assessors = vec!["b@x".into()];
        let c = WorkspaceDiff::compute(&before, &after).config;
        let people: Vec<_> = c.people.iter().map(|p| (p.email.as_str(), p.status)).collect();
        assert_eq!(people, [("a@x", Status::Changed), ("b@x", Status::Added)]);
        assert_eq!(c.assessors_added, ["b@x"]);
    }
}
