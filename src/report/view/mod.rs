//! The report's view model: everything the templates show, computed once from
//! the workspace, its scores and the timeline. Templates only display it;
//! every number, label, link and chart is decided here.
//!
//! Links are relative to the site's root (`actions/mfa.html`); templates put
//! the page's way back to the root (`""` or `"../"`) in front of them.
//!
//! [`types`] holds the serializable view structs; `lookup` turns model
//! values into them (names, people, pages, commits); `filters` makes the
//! action list's filter options, `breakdowns` the score tables and "what to
//! do next", `trends` the score charts, and [`url`] encodes links.

pub(crate) mod age;
mod breakdowns;
mod filters;
mod lookup;
mod trends;
pub(crate) mod types;
pub(crate) mod url;

use std::collections::BTreeSet;

use crate::filter::{ActionFilter, action_rows};
use crate::history::timeline::Timeline;
use crate::model::Workspace;
use crate::score::Scores;
use breakdowns::{breakdowns, next};
use filters::filters;
pub(crate) use lookup::score_view;
use lookup::{Lookup, commit_view};
use trends::{samples, trends};
pub use types::*;
pub(crate) use url::encode;

/// How many actions "what to do next" lists.
pub(crate) const NEXT_COUNT: usize = 10;
/// How many status changes the overview lists.
pub(crate) const RECENT_COUNT: usize = 20;
/// Where evidence files are copied in the output, under their repository path.
pub(crate) const FILES_DIR: &str = "files";

/// What the report is built from.
pub struct Input<'a> {
    pub workspace: &'a Workspace,
    pub scores: &'a Scores,
    pub timeline: &'a Timeline,
    /// Repository paths of the evidence files that will be copied into the output.
    pub evidence_available: &'a BTreeSet<String>,
}

/// Builds the view model.
pub fn build(input: &Input<'_>) -> Report {
    let ws = input.workspace;
    let t = input.timeline;
    let pairs = crate::score::pairs(ws);
    let rows = action_rows(&pairs, &ActionFilter::default());
    let look = Lookup::new(input, &rows);
    let samples = samples(t);
    let actions: Vec<ActionView> = rows.iter().map(|r| look.action(r)).collect();
    Report {
        title: "Compliance report".into(),
        head: t.points.last().and_then(|p| t.commits.get(p.commit)).map(commit_view),
        notes: notes(t),
        overall: score_view(input.scores.overall),
        managed: input
            .scores
            .managed
            .iter()
            .map(|r| ManagedView {
                id: r.id.clone().unwrap_or_default(),
                label: r.label.clone(),
                score: score_view(r.score),
            })
            .collect(),
        assessments: input.scores.assessments.iter().map(|a| look.assessment(a, &pairs, &samples)).collect(),
        breakdowns: breakdowns(input.scores, &look),
        next: next(input.workspace, &rows, &actions, input.scores.overall, &look),
        trends: trends(&samples, &look),
        filters: filters(&rows, &look),
        recent: t.events.iter().rev().take(RECENT_COUNT).map(|e| look.event(e)).collect(),
        problems: t.problems.iter().filter_map(|p| look.problem(p)).collect(),
        counts: Counts {
            actions: actions.len(),
            assessments: input.scores.assessments.len(),
            commits: t.commits.len(),
            events: t.events.len(),
        },
        actions,
    }
}

/// Repository paths of the evidence files of every state the report shows.
pub fn evidence_paths(ws: &Workspace) -> BTreeSet<String> {
    crate::score::pairs(ws)
        .iter()
        .flat_map(|p| p.state.evidence.iter().filter_map(|e| e.path.clone()).collect::<Vec<_>>())
        .collect()
}

fn notes(t: &Timeline) -> Vec<Note> {
    let mut notes = Vec::new();
    if t.commits.is_empty() {
        notes.push(Note {
            level: "info",
            text: "This repository has no commits yet: the report shows the current files. Score trends and status timelines appear once the repository is committed to git.".into(),
        });
    }
    if t.shallow
        && let Some(first) = t.points.first().and_then(|p| t.commits.get(p.commit))
    {
        notes.push(Note {
            level: "info",
            text: format!(
                "This is a shallow clone: history starts at the first available commit, {} of {}. Trends and status timelines show nothing before it.",
                first.short(),
                first.date()
            ),
        });
    }
    if !t.problems.is_empty() {
        let n = t.problems.len();
        notes.push(Note {
            level: "warning",
            text: format!(
                "{} in past commits could not be read; the history kept the last good version of each (see “Problems in history”).",
                if n == 1 { "1 file".to_owned() } else { format!("{n} files") }
            ),
        });
    }
    notes
}
