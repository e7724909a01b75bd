//! The plan: what each file becomes, and how to describe the change to people.

use std::fmt::Display;

use crate::diag::Report;
use crate::error::{Error, Result};
use crate::model::{ActionState, Evidence};
use crate::repo::journal::WriteLock;
use crate::repo::write::{Changeset, WriteStatus};

/// What happens to one state file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileChange {
    Created,
    Updated,
    Unchanged,
}

/// One state file in a plan, with what changes in words.
#[derive(Clone, Debug)]
pub(crate) struct FileResult {
    pub path: String,
    pub change: FileChange,
    pub what: Vec<String>,
}

/// Everything an edit would write, checked.
#[derive(Debug)]
pub(crate) struct Plan {
    /// State files, sorted by path.
    pub files: Vec<FileResult>,
    /// Evidence files copied into the repository.
    pub copies: Vec<String>,
    /// Errors refuse the plan; warnings are shown.
    pub report: Report,
    /// State files that could not be edited because they do not load.
    pub unreadable: Vec<String>,
    /// Shown before writing: groups whose members still disagree after the
    /// edit, and verdicts written by someone who is not an assessor.
    pub group_warnings: Vec<crate::diag::Diagnostic>,
    pub(super) changeset: Changeset,
}

impl Plan {
    pub(crate) fn is_refused(&self) -> bool {
        self.report.has_errors()
    }

    /// Adds another file (not a state file) to write with the others.
    pub(crate) fn add_file(&mut self, path: &str, contents: String, change: FileChange, what: Vec<String>) {
        self.changeset.put(path, contents);
        self.files.push(FileResult { path: path.to_owned(), change, what });
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
    }

    /// Writes every changed file at once (all or nothing).
    pub(crate) fn write(&self, lock: &WriteLock) -> Result<Vec<(String, WriteStatus)>> {
        if self.is_refused() {
            return Err(Error::new("internal error: writing a refused edit"));
        }
        self.changeset.commit(lock)
    }
}

/// What changed between two states, in words ("test none → passed").
pub(crate) fn describe(before: &ActionState, after: &ActionState) -> Vec<String> {
    let mut out = Vec::new();
    value_change(
        &mut out,
        "accepted version",
        before.accepted_version.as_ref(),
        after.accepted_version.as_ref(),
    );
    value_change(&mut out, "owner", before.owner.as_deref(), after.owner.as_deref());
    value_change(&mut out, "testing", before.testing.as_ref(), after.testing.as_ref());
    let (bi, ai) = (&before.implementation, &after.implementation);
    status_change(&mut out, "implementation", bi.status, ai.status);
    value_change(&mut out, "implementation date", bi.date.as_ref(), ai.date.as_ref());
    notes_change(&mut out, "implementation notes", &bi.notes, &ai.notes);
    let (bt, at) = (&before.test, &after.test);
    status_change(&mut out, "test", bt.status, at.status);
    value_change(&mut out, "test date", bt.date.as_ref(), at.date.as_ref());
    notes_change(&mut out, "test notes", &bt.notes, &at.notes);
    evidence_changes(&mut out, &before.evidence, &after.evidence);
    out
}

fn status_change<S: PartialEq + Display>(out: &mut Vec<String>, what: &str, before: S, after: S) {
    if before != after {
        out.push(format!("{what} {before} → {after}"));
    }
}

fn value_change<T: PartialEq + Display + ?Sized>(
    out: &mut Vec<String>,
    what: &str,
    b: Option<&T>,
    a: Option<&T>,
) {
    match (b, a) {
        (None, Some(a)) => out.push(format!("{what} {a}")),
        (Some(b), Some(a)) if b != a => out.push(format!("{what} {b} → {a}")),
        (Some(_), None) => out.push(format!("{what} removed")),
        _ => {}
    }
}

fn notes_change(out: &mut Vec<String>, what: &str, before: &Option<String>, after: &Option<String>) {
    match (before, after) {
        (None, Some(_)) => out.push(format!("{what} added")),
        (Some(b), Some(a)) if b != a => out.push(format!("{what} changed")),
        (Some(_), None) => out.push(format!("{what} removed")),
        _ => {}
    }
}

fn evidence_changes(out: &mut Vec<String>, before: &[Evidence], after: &[Evidence]) {
    for b in before {
        match after.iter().find(|a| a.name == b.name) {
            None => out.push(format!("evidence `{}` removed", b.name)),
            Some(a) if a.path == b.path && a.url == b.url && a.sha256 != b.sha256 => {
                let short = |h: &Option<String>| {
                    h.as_deref().map_or("none".to_owned(), |h| h.chars().take(12).collect())
                };
                out.push(format!("evidence `{}` sha256 {} → {}", b.name, short(&b.sha256), short(&a.sha256)));
            }
            Some(a) if a != b => out.push(format!("evidence `{}` changed", b.name)),
            Some(_) => {}
        }
    }
    for a in after.iter().filter(|a| !before.iter().any(|b| b.name == a.name)) {
        let place = a.path.as_deref().or(a.url.as_deref()).unwrap_or_default();
        out.push(format!("evidence `{}` added ({place})", a.name));
    }
}
