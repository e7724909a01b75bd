//! `evident check`: everything `validate` checks, the status rules, group
//! synchronisation, the history rules over the uncommitted changes and, with
//! `--base`, over the commits of a change.

use std::path::PathBuf;

use crate::checks::gate;
use crate::checks::history as history_rules;
use crate::checks::range::{self, Range};
use crate::commands::args::DiagnosticFormat;
use crate::commands::context::{Context, Loaded};
use crate::commands::output::print_report;
use crate::error::{Error, Outcome, Result};
use crate::model::Date;
use crate::render::summary::{Links, Summary, markdown};
use crate::repo::Repo;
use crate::ui::Ui;

/// Check the repository as a pull request should be checked.
///
/// Runs everything `validate` does, plus the status rules (a passed test needs
/// an implementation and evidence; alternative and out-of-scope need notes;
/// dates present, in order and not in the future; monitoring-only statuses only
/// on automatic actions) and group synchronisation. And the history rules
/// (below) over the uncommitted changes, judged as a commit on top of HEAD
/// by the author `git commit` would record (staged or not, untracked files included), by
/// HEAD's roles and rules.
///
/// With `--base REV`, also checks every commit in REV..HEAD, merges included,
/// each by the roles and rule levels in force at its parent (REV's for the
/// first): no evidence removed or altered after a test verdict; test verdicts
/// (passed, failed-*, out-of-scope) set only by assessors; `[roles]`,
/// `[rules]`, `[check]` and `[scoring]` changed only by admins; no action
/// definition changed without a version bump. And no drop of the overall or
/// any assessment's score between REV and the working tree beyond `[check]
/// max-score-drop`, each side scored by its own `[scoring]`; a drop that comes
/// entirely from test verdicts assessors recorded in the range passes and is
/// reported, unless `[check] assessor-drops = "fail"`. The uncommitted
/// changes are judged after HEAD, as the next commit.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evident check\n  evident check --base origin/main --summary summary.md\n  evident check --base main --format sarif > evident.sarif"
)]
pub(crate) struct Args {
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

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let repo = ctx.repo()?;
    // The working tree and the history are independent: read them side by side.
    let (loaded, range, uncommitted) = std::thread::scope(|scope| {
        let history = args.base.as_deref().map(|rev| scope.spawn(|| read_range(ui, &repo, rev)));
        // Without a base, the history rules judge the uncommitted changes alone.
        let pending = args.base.is_none().then(|| scope.spawn(|| range::uncommitted(&repo.root)));
        let loaded = load_worktree(&repo);
        let failed = || Error::new("reading history failed");
        let range = history.map(|h| h.join().unwrap_or_else(|_| Err(failed())));
        let pending = pending.map(|h| h.join().unwrap_or_else(|_| Err(failed())));
        (loaded, range.transpose(), pending.transpose())
    });
    let mut loaded = loaded?;
    let range = range?;
    let uncommitted = uncommitted?;
    if !loaded.report.has_errors() {
        // Assessments with pending updates are scored on the accepted definitions.
        let warnings = crate::updates::apply_deferred(&mut loaded.workspace, &loaded.repo.root);
        loaded.report.diagnostics.extend(warnings);
    }
    let after = (!loaded.report.has_errors()).then(|| crate::score::compute(&loaded.workspace));
    let mut levels = loaded.workspace.config.rules.clone();
    if let Some(judged) = uncommitted {
        loaded.report.diagnostics.extend(judged.diagnostics);
        // HEAD's configuration set the history rules' levels: the change cannot relax them.
        levels = history_rules::levels_from_base(&levels, &crate::model::Config::default());
    }
    let mut score_gate = None;
    if let Some(range) = &range {
        loaded.report.diagnostics.extend(range.warnings.iter().cloned());
        loaded.report.diagnostics.extend(range.diagnostics.diagnostics.iter().cloned());
        loaded.report.commits_checked = Some(range.commits);
        // The change is judged by the base's rules: its own evident.toml may not
        // relax the history rules or re-weight the points it is compared on.
        // The file rules too: the levels in force at HEAD are the base's with
        // the changes admins made in the range, not the working tree's.
        levels = history_rules::levels_from_base(&range.in_force.rules, &range.in_force);
        if after.is_some() {
            let judged = gate::judge(&gate::Input {
                before: &range.before,
                base: &range.base_ws,
                head: &loaded.workspace,
                verdicts: &range.verdicts,
                settings: &range.in_force.check,
            });
            gate::diagnostics(&judged, &mut loaded.report);
            score_gate = Some(judged);
        }
    }
    loaded.report.locate(|file| std::fs::read_to_string(loaded.repo.path(file)).ok());
    loaded.report.finish(&levels);
    // Score drops only the rules allow are told whatever the level of E0703.
    let allowed_drops = score_gate.as_ref().map(|g| g.drops.iter().filter(|d| d.passed).count()).unwrap_or(0);
    match args.format {
        DiagnosticFormat::Json => {
            let mut output = crate::diag::render::check_output(&loaded.report);
            output.score_gate = score_gate.clone();
            ui.out(&crate::commands::output::to_json_text(&crate::render::json::to_value(&output)));
        }
        _ => {
            print_report(ui, &loaded, args.format);
            if allowed_drops > 0
                && let Some(g) = &score_gate
            {
                ui.err(&crate::render::summary::allowed_drops_text(g));
            }
        }
    }

    let github_summary = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()).map(PathBuf::from);
    if args.summary.is_some() || github_summary.is_some() {
        let head = range.as_ref().map(|r| r.head.clone()).or_else(|| loaded.repo.head_commit());
        let summary = Summary {
            report: &loaded.report,
            base: range.as_ref().map(|r| (r.base_name.as_str(), r.base.clone())),
            head: head.clone(),
            commits: range.as_ref().map(|r| r.changes.as_slice()).unwrap_or_default(),
            commit_count: range.as_ref().map_or(0, |r| r.commits),
            before: range.as_ref().map(|r| &r.before),
            after: after.as_ref(),
            links: Links::from_env(&loaded.repo.git_prefix(), head.as_deref()),
            gate: score_gate.as_ref(),
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

/// The working tree with the checks of `validate` and the file rules.
fn load_worktree(repo: &Repo) -> Result<Loaded> {
    let mut loaded = crate::commands::context::load_worktree(repo.clone())?;
    crate::checks::file_rules(&loaded.workspace, &mut loaded.report, Date::today());
    Ok(loaded)
}

/// The history rules over BASE..HEAD, with a progress bar.
fn read_range(ui: &Ui, repo: &Repo, rev: &str) -> Result<Range> {
    let walk = range::prepare(&repo.root, rev)?;
    let bar = ui.progress(walk.commits() as u64, "Checking");
    let range = walk.run(&|n| bar.inc(n))?;
    bar.finish_and_clear();
    Ok(range)
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
        crate::repo::write::replace_file(path, text.as_bytes())
    }
}
