//! What changed between two versions of a compliance repository.
//!
//! [`WorkspaceDiff::compute`] compares two [`Workspace`]s (a commit, the working
//! tree, or nothing at all) and lists, in id order: assessments added, removed,
//! renamed or changed with the state changes of their actions; template,
//! action and configuration changes; and the score deltas. It is pure: no I/O,
//! no clock. Renderers (`crate::render::diff`) only format the result; every
//! comparison, word diff and delta is made here.
//!
//! One module per kind of file: `assessment` (assessments and action
//! states, with renames and evidence), `template`, `action`, `config`;
//! `scores` holds the score deltas, `words` the word diffs of notes and
//! `side` names the two versions compared.

mod action;
mod assessment;
mod config;
mod scores;
mod side;
mod template;
mod words;

pub(crate) use action::*;
pub(crate) use assessment::*;
pub(crate) use config::*;
pub(crate) use scores::*;
pub(crate) use side::*;
pub(crate) use template::*;
pub(crate) use words::*;

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::Serialize;

use crate::model::Workspace;
use crate::repo::layout::Entry;
use crate::score;

/// How an item differs between the two sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Status {
    Added,
    Removed,
    Changed,
    /// An assessment whose directory moved (see [`WorkspaceDiff::compute`]).
    Renamed,
}

/// A value before and after.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Change<T> {
    pub before: T,
    pub after: T,
}

/// `Some` when the values differ.
fn change<T: PartialEq + Clone>(before: &T, after: &T) -> Option<Change<T>> {
    (before != after).then(|| Change { before: before.clone(), after: after.clone() })
}

/// Everything that differs between two workspaces.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub(crate) struct WorkspaceDiff {
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
    pub(crate) fn compute(before: &Workspace, after: &Workspace) -> WorkspaceDiff {
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
    pub(crate) fn is_empty(&self) -> bool {
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
pub(crate) fn leave_out(before: &mut Workspace, after: &mut Workspace, unreadable: (&[Entry], &[Entry])) {
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

#[cfg(test)]
mod tests;
