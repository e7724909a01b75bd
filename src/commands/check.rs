//! `evident check`: everything `validate` checks, the status rules, group
//! synchronisation and, with `--base`, the history rules of a change.

use std::path::PathBuf;

use crate::checks::history::{self as history_rules, HistoryRules, Roles};
use crate::cli::GlobalArgs;
use crate::commands::{DiagnosticFormat, load_unfinished, print_report};
use crate::error::{Error, Outcome, Result};
use crate::history::events::{self, BlobCache};
use crate::history::{GitRepo, load_at};
use crate::model::Date;
use crate::render::summary::{Links, Summary, markdown};
use crate::ui::Ui;

/// Check the repository as a pull request should be checked.
///
/// Runs everything `validate` does, plus the status rules (a passed test needs
/// an implementation and evidence; alternative and out-of-scope need notes;
/// dates present, in order and not in the future; monitoring-only statuses only
/// on automatic actions) and group synchronisation.
///
/// With `--base REV`, also checks every commit in REV..HEAD: no evidence
/// removed or altered after a test verdict, test verdicts set only by
/// assessors (from `[roles]` in evident.toml at REV), and no drop of the
/// overall or any assessment's score between REV and the working tree beyond
/// `[check] max-score-drop` (read at REV). Rule levels come from `[rules]`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evident check\n  evident check --base origin/main --summary summary.md\n  evident check --base main --format sarif > evident.sarif"
)]
pub struct Args {
    /// Also check the commits from REV (exclusive) to HEAD.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Output format of the diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    pub format: DiagnosticFormat,
    /// Write a Markdown summary (scores before → after, status changes, problems)
    /// to FILE. It is also appended to $GITHUB_STEP_SUMMARY when that is set.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
}

pub fn run(ui: &Ui, global: &GlobalArgs, args: Args) -> Result<Outcome> {
    let mut loaded = load_unfinished(global)?;
    crate::checks::file_rules(&loaded.workspace, &mut loaded.report, Date::today());
    let after = (!loaded.report.has_errors()).then(|| crate::score::compute(&loaded.workspace));

    let mut range = None;
    if let Some(rev) = &args.base {
        let git = GitRepo::open(&loaded.repo.root)?;
        let head = git.committed_head()?;
        let base = git.resolve(rev)?;
        if git.repo.graph_descendant_of(head, base).ok() != Some(true) && head != base {
            ui.warn(&format!(
                "`{rev}` is not an ancestor of HEAD; checking the commits of HEAD that `{rev}` lacks"
            ));
        }
        if is_dirty(&git) {
            ui.warn("the working tree has uncommitted changes: the file rules and the scores include them, the history rules cover commits only");
        }
        let (base_ws, _) = load_at(&git, base)?;
        let ids = events::commits(&git, Some(base), head, false)?;
        let bar = ui.progress(ids.len() as u64, "Checking");
        let mut cache = BlobCache::default();
        let mut rules = HistoryRules::new(Roles::Fixed(&base_ws.config));
        let mut changes = Vec::new();
        events::walk(&git, &ids, events::Parents::All, &mut cache, |c, cache| {
            bar.inc(1);
            rules.visit(&git, &c, cache, &loaded.report);
            // The summary lists status changes only.
            if !c.states.is_empty() {
                changes.push(c);
            }
        })?;
        bar.finish_and_clear();
        rules.finish(&mut loaded.report);
        let before = crate::score::compute(&base_ws);
        if let Some(after) = &after {
            history_rules::score_drops(
                &before,
                after,
                base_ws.config.check.max_score_drop,
                &mut loaded.report,
            );
        }
        range = Some((rev.as_str(), base.to_string(), head.to_string(), changes, before));
    }
    loaded.report.finish(&loaded.workspace.config.rules);
    print_report(ui, &loaded, args.format);

    let github_summary = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()).map(PathBuf::from);
    if args.summary.is_some() || github_summary.is_some() {
        let head = range.as_ref().map(|r| r.2.clone()).or_else(|| loaded.repo.head_commit());
        let summary = Summary {
            report: &loaded.report,
            base: range.as_ref().map(|r| (r.0, r.1.clone())),
            head: head.clone(),
            commits: range.as_ref().map(|r| r.3.as_slice()).unwrap_or_default(),
            before: range.as_ref().map(|r| &r.4),
            after: after.as_ref(),
            links: Links::from_env(&loaded.repo.git_prefix(), head.as_deref()),
        };
        let text = markdown(&summary);
        if let Some(path) = &args.summary {
            write_summary(path, &text, false)?;
        }
        if let Some(path) = &github_summary {
            write_summary(path, &text, true)?;
        }
    }
    Ok(Outcome::failed_if(loaded.report.has_errors()))
}

/// Writes (or, for $GITHUB_STEP_SUMMARY, appends) the summary.
fn write_summary(path: &std::path::Path, text: &str, append: bool) -> Result<()> {
    use std::io::Write;
    if append {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| Error::io("open", path, e))?;
        file.write_all(text.as_bytes()).map_err(|e| Error::io("write", path, e))
    } else {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut set = crate::repo::write::Changeset::new();
        set.put(name, text);
        set.apply(dir).map(|_| ())
    }
}

/// Whether tracked files under the repository differ from HEAD (untracked ones too).
fn is_dirty(git: &GitRepo) -> bool {
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(false).exclude_submodules(true);
    if !git.prefix.is_empty() {
        opts.pathspec(git.prefix.trim_end_matches('/'));
    }
    git.repo.statuses(Some(&mut opts)).map(|s| !s.is_empty()).unwrap_or(false)
}
