//! `evident diff`: what changed between two versions of the compliance
//! repository, with the score deltas.

use std::collections::BTreeSet;

use crate::commands::args::OutputFormat;
use crate::commands::context::Context;
use crate::commands::output::to_json_text;
use crate::diag::Report;
use crate::diff::{Side, SideKind, WorkspaceDiff};
use crate::error::{Error, Outcome, Result};
use crate::history::{GitRepo, load_at};
use crate::model::Workspace;
use crate::render::diff as render;
use crate::repo::Repo;
use crate::repo::layout::{self, Entry};
use crate::ui::Ui;

/// Show what changed between two versions of the repository
///
/// With no revision, compares HEAD with the working tree (uncommitted and
/// untracked files included; before the first commit, everything is new).
/// With BASE, compares BASE with the working tree; with BASE and HEAD,
/// compares two commits (the working tree plays no part). Revisions are
/// anything git understands: `main`, `HEAD~3`, `origin/main`, a commit id.
///
/// Shows the score deltas (overall, by assessment, by category, in percentage
/// points), then per assessment the actions whose state changed: owner,
/// implementation and test status with dates, notes (as a word diff),
/// evidence added or removed; then changes to templates, action definitions
/// and evident.toml. An assessment whose directory moved, with its states
/// unchanged, shows as renamed.
///
/// A file with errors on either side is left out of both, with a warning
/// (`evident validate` lists the problems), so that it shows neither as
/// removed nor as new.
///
/// `--format json` prints one object:
///
///   {"base": SIDE, "head": SIDE, "changed": bool,
///    "scores": {"overall": DELTA,
///               "assessments": [{"id", "label", "renamed_from", ...DELTA}],
///               "categories": [{"id", "label", "renamed_from": null, ...DELTA}]},
///    "assessments": [{"id", "status", "renamed_from", "name", "template",
///                     "template_version", "group",
///                     "changes": {"name", "template", "template_version",
///                                 "group", "service", "description"},
///                     "actions": [{"action", "file", "owner",
///                                  "implementation": {"status", "date", "notes"},
///                                  "test": {"status", "date", "notes"},
///                                  "evidence": [{"name", "status", "before",
///                                                "after", "fields"}],
///                                  "accepted_version"}]}],
///    "templates": [{"id", "status", "name", "version",
///                   "changes": {"name", "regulation", "version",
///                               "description", "source"},
///                   "controls": [{"id", "status", "title", "changes",
///                                 "actions_added", "actions_removed"}]}],
///    "actions": [{"id", "status", "title", "points",
///                 "changes": {"title", "version", "category", "action_type",
///                             "control_type", "mandatory", "points", "testing",
///                             "solution", "service", "guidance",
///                             "links_added", "links_removed"}}],
///    "config": {"people": [{"email", "status", "name"}],
///               "assessors_added", "assessors_removed", "admins_added",
///               "admins_removed", "scoring", "rules": [{"rule", "before",
///               "after"}], "max_score_drop"}}
///
/// SIDE is {"kind": "commit" | "worktree" | "empty", "rev", "commit"}.
/// DELTA is {"before": SCORE | null, "after": SCORE | null, "delta": number |
/// null}, SCORE {"earned", "max", "percent"}, and "delta" the change in
/// percentage points (null when a side is absent or has a maximum of 0). A
/// changed value is {"before", "after"}, null when unchanged; a changed text
/// also has "words": [{"op": "equal" | "removed" | "added", "text"}]. "status"
/// is "added", "removed", "changed" or "renamed"; an action's "file" says
/// whether its state file was added, removed or changed. Every key is always
/// present; lists are sorted by id.
#[derive(Debug, clap::Args)]
#[command(
    verbatim_doc_comment,
    after_help = "Examples:\n  evident diff                         HEAD against the working tree\n  evident diff origin/main             what this branch changes, uncommitted work included\n  evident diff v1 v2 --format markdown a pull-request comment\n  evident diff main HEAD --exit-code   exit 1 when something changed"
)]
pub(crate) struct Args {
    /// The version to compare from (default: HEAD).
    #[arg(value_name = "BASE")]
    pub base: Option<String>,
    /// The version to compare to (default: the working tree).
    #[arg(value_name = "HEAD")]
    pub head: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Exit with 1 when there are changes, 0 when there are none.
    #[arg(long)]
    pub exit_code: bool,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let repo = ctx.repo()?;
    let git = GitRepo::open(&repo.root)?;
    let (base, head) = sides(&git, &args)?;
    let (mut before, broken_before) = load(&repo, &git, &base)?;
    let (mut after, broken_after) = load(&repo, &git, &head)?;
    warn_unreadable(ui, &base, &broken_before);
    warn_unreadable(ui, &head, &broken_after);
    crate::diff::leave_out(&mut before, &mut after, (&broken_before, &broken_after));
    let diff = WorkspaceDiff::compute(&before, &after);
    let text = match args.format {
        OutputFormat::Human => render::human(&diff, &base, &head, ui.color_stdout),
        OutputFormat::Json => to_json_text(&render::json(&diff, &base, &head)),
        OutputFormat::Markdown => render::markdown(&diff, &base, &head),
    };
    ui.out(&text);
    Ok(Outcome::failed_if(args.exit_code && !diff.is_empty()))
}

/// Resolves the arguments to the two sides of the diff.
fn sides(git: &GitRepo, args: &Args) -> Result<(Side, Side)> {
    let commit = |rev: &str| git.resolve(rev).map(|id| Side::commit(rev, id));
    match (&args.base, &args.head) {
        (None, _) => {
            // Before the first commit there is nothing to compare with: all is new.
            let base = git.head()?.map(|id| Side::commit("HEAD", id)).unwrap_or_else(Side::empty);
            Ok((base, Side::worktree()))
        }
        (Some(base), None) => Ok((commit(base)?, Side::worktree())),
        (Some(base), Some(head)) => Ok((commit(base)?, commit(head)?)),
    }
}

/// Loads one side, with the files that have errors (and are missing from it).
fn load(repo: &Repo, git: &GitRepo, side: &Side) -> Result<(Workspace, Vec<Entry>)> {
    let (mut workspace, report, at) = match (&side.commit, side.kind) {
        (Some(id), _) => {
            let oid = git2::Oid::from_str(id).map_err(|e| Error::git("invalid commit id", e))?;
            let (ws, report) = load_at(git, oid)?;
            (ws, report, Some(oid))
        }
        (None, SideKind::Worktree) => {
            let (ws, report) = crate::repo::journal::read_whole(&repo.root, || crate::load::worktree(repo))?;
            (ws, report, git.committed_head().ok())
        }
        (None, _) => (Workspace::default(), Report::default(), None),
    };
    // Scores of assessments with pending updates use the accepted definitions.
    crate::updates::apply_deferred_at(&mut workspace, git, at);
    let files: BTreeSet<&str> =
        report.diagnostics.iter().filter(|d| d.is_error()).filter_map(|d| d.file()).collect();
    Ok((workspace, files.into_iter().map(layout::classify).collect()))
}

/// Warns that files with errors are left out; `evident validate` says why.
fn warn_unreadable(ui: &Ui, side: &Side, files: &[Entry]) {
    if files.is_empty() {
        return;
    }
    let (at, fix) = match &side.rev {
        Some(rev) => (format!("at `{rev}`"), "check it out and run `evident validate` to see why"),
        None => ("in the working tree".to_owned(), "`evident validate` shows why"),
    };
    let (has, is) = if files.len() == 1 { ("has", "is") } else { ("have", "are") };
    ui.diagnostic(&crate::diag::Diagnostic::new(
        crate::diag::Code::FilesLeftOut,
        format!(
            "{} {at} {has} errors and {is} left out of both sides of the diff ({fix})",
            crate::diag::render::plural(files.len(), "file")
        ),
    ));
}
