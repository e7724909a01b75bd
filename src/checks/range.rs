//! The history rules of a change (`evident check --base REV`): every commit
//! of REV..HEAD goes through [`HistoryRules`], each judged by the roles and
//! rule levels in force at its parent, and the base is scored for the score
//! gate. The uncommitted changes are judged too, as a commit on top of HEAD
//! ([`worktree`]). The command draws the progress and prints the result.

use std::path::Path;

use git2::Oid;

use super::history::{HistoryRules, RecordedVerdict, Roles};
use crate::diag::{Code, Diagnostic, Report};
use crate::error::Result;
use crate::history::events::{self, BlobCache, CommitChanges};
use crate::history::{GitRepo, snapshot_at, worktree};
use crate::model::{Config, Workspace};
use crate::score::Scores;

/// What the history of a change says.
pub(crate) struct Range {
    pub base_name: String,
    pub base: String,
    pub head: String,
    /// Commits with state changes, for the summary.
    pub changes: Vec<CommitChanges>,
    /// Scores and workspace at the base.
    pub before: Scores,
    pub base_ws: Workspace,
    /// The configuration in force at HEAD: the base's, with the changes
    /// admins made in the range.
    pub in_force: Config,
    /// Test verdicts assessors recorded in the range.
    pub verdicts: Vec<RecordedVerdict>,
    pub diagnostics: Report,
    pub commits: usize,
    /// Warnings for the user (the base is not an ancestor; uncommitted changes).
    pub warnings: Vec<Diagnostic>,
}

/// A range resolved and listed, ready to walk: [`Walk::commits`] says how
/// many commits [`Walk::run`] will visit (for a progress bar).
pub(crate) struct Walk {
    git: GitRepo,
    rev: String,
    base: Oid,
    head: Oid,
    ids: Vec<Oid>,
    base_ws: Workspace,
    warnings: Vec<Diagnostic>,
}

/// Resolves `rev`, lists the commits of `rev..HEAD` and loads the base.
pub(crate) fn prepare(root: &Path, rev: &str) -> Result<Walk> {
    let git = GitRepo::open(root)?;
    let head = git.committed_head()?;
    let base = git.resolve(rev)?;
    let mut warnings = Vec::new();
    if git.repo.graph_descendant_of(head, base).ok() != Some(true) && head != base {
        warnings.push(Diagnostic::new(
            Code::BaseNotAncestor,
            format!("`{rev}` is not an ancestor of HEAD; checking the commits of HEAD that `{rev}` lacks"),
        ));
    }
    let (mut base_ws, _) = snapshot_at(&git, base)?;
    crate::updates::apply_deferred_at(&mut base_ws, &git, Some(base));
    // Both ends are judged fresh or stale as of today, so that time passing is not a drop.
    base_ws.as_of = Some(crate::model::Date::today());
    let ids = events::commits(&git, Some(base), head, false)?;
    git.require_complete(&ids, &format!("checking `{rev}..HEAD`"))?;
    Ok(Walk { git, rev: rev.to_owned(), base, head, ids, base_ws, warnings })
}

impl Walk {
    /// How many commits the walk visits.
    pub(crate) fn commits(&self) -> usize {
        self.ids.len()
    }

    /// Runs the history rules over every commit; `progress(1)` after each.
    pub(crate) fn run(self, progress: &dyn Fn(u64)) -> Result<Range> {
        let Walk { git, rev, base, head, ids, base_ws, warnings } = self;
        let mut cache = BlobCache::default();
        let base_config = base_ws.config.clone();
        let mut rules = HistoryRules::new(Roles::Fixed(&base_config));
        let mut changes = Vec::new();
        // Spans are found later, in the working tree's text.
        let no_sources = Report::default();
        events::walk(&git, &ids, events::Parents::All, &mut cache, |c, cache| {
            progress(1);
            rules.visit(&git, &c, cache, &no_sources);
            if !c.states.is_empty() {
                changes.push(c);
            }
        })?;
        // The uncommitted changes, as the next commit: judged by what is in force at HEAD.
        let pending = worktree::uncommitted(&git, &mut cache)?;
        let in_force = rules.in_force(head).map(|c| (*c).clone()).unwrap_or_else(|| base_ws.config.clone());
        if let Some(c) = &pending.worktree {
            rules.visit(&git, c, &mut cache, &no_sources);
        }
        let mut diagnostics = Report::default();
        let verdicts = rules.recorded_verdicts();
        rules.finish(&mut diagnostics)?;
        // The index apart from the working tree: its verdicts do not reach the score gate.
        if let Some(c) = &pending.staged {
            judge_staged(&git, c, &mut cache, &in_force, &mut diagnostics)?;
        }
        Ok(Range {
            base_name: rev,
            base: base.to_string(),
            head: head.to_string(),
            changes,
            before: crate::score::compute(&base_ws),
            in_force,
            verdicts,
            base_ws,
            diagnostics,
            commits: ids.len(),
            warnings,
        })
    }
}

/// The history rules over the uncommitted changes alone (`evident check`
/// without `--base`), judged as a commit on top of HEAD by HEAD's
/// configuration. Nothing outside git, before the first commit, or when HEAD
/// does not hold the compliance repository.
pub(crate) fn uncommitted(root: &Path) -> Result<Report> {
    let mut report = Report::default();
    let Some(git) = GitRepo::find(root)? else { return Ok(report) };
    let mut cache = BlobCache::default();
    let pending = worktree::uncommitted(&git, &mut cache)?;
    let Some(head) = pending.worktree.as_ref().or(pending.staged.as_ref()).and_then(|c| c.first_parent)
    else {
        return Ok(report);
    };
    let (head_ws, _) = snapshot_at(&git, head)?;
    if let Some(c) = &pending.worktree {
        let mut rules = HistoryRules::new(Roles::Fixed(&head_ws.config));
        rules.visit(&git, c, &mut cache, &Report::default());
        rules.finish(&mut report)?;
    }
    if let Some(c) = &pending.staged {
        judge_staged(&git, c, &mut cache, &head_ws.config, &mut report)?;
    }
    Ok(report)
}

/// Judges the index as a commit of its own and adds what the working tree's
/// judgement did not already say (the same problem in the same file).
fn judge_staged(
    git: &GitRepo,
    staged: &CommitChanges,
    cache: &mut BlobCache,
    config: &Config,
    report: &mut Report,
) -> Result<()> {
    let mut rules = HistoryRules::new(Roles::Fixed(config));
    rules.visit(git, staged, cache, &Report::default());
    let mut own = Report::default();
    rules.finish(&mut own)?;
    let said = |d: &Diagnostic| {
        let message = d.message.replace("the staged changes", "the uncommitted changes");
        report.diagnostics.iter().any(|w| w.code == d.code && w.file() == d.file() && w.message == message)
    };
    let new: Vec<Diagnostic> = own.diagnostics.into_iter().filter(|d| !said(d)).collect();
    report.diagnostics.extend(new);
    Ok(())
}
