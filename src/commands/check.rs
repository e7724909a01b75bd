//! `evident check`: everything `validate` checks, the status rules, group
//! synchronisation and, with `--base`, the history rules of a change.

use std::path::PathBuf;

use crate::checks::gate;
use crate::checks::history::{self as history_rules, HistoryRules, RecordedVerdict, Roles};
use crate::cli::GlobalArgs;
use crate::commands::{DiagnosticFormat, Loaded, print_report};
use crate::diag::{Code, Diagnostic, Report};
use crate::error::{Error, Outcome, Result};
use crate::history::events::CommitChanges;
use crate::history::events::{self, BlobCache};
use crate::history::{GitRepo, snapshot_at};
use crate::model::{Config, Date, Workspace};
use crate::render::summary::{Links, Summary, markdown};
use crate::repo::Repo;
use crate::score::Scores;
use crate::ui::Ui;

/// Check the repository as a pull request should be checked.
///
/// Runs everything `validate` does, plus the status rules (a passed test needs
/// an implementation and evidence; alternative and out-of-scope need notes;
/// dates present, in order and not in the future; monitoring-only statuses only
/// on automatic actions) and group synchronisation.
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
/// reported, unless `[check] assessor-drops = "fail"`.
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

/// What the history of a change says (`--base`).
struct Range {
    base_name: String,
    base: String,
    head: String,
    /// Commits with state changes, for the summary.
    changes: Vec<CommitChanges>,
    /// Scores and workspace at the base.
    before: Scores,
    base_ws: Workspace,
    /// The configuration in force at HEAD: the base's, with the changes
    /// admins made in the range.
    in_force: Config,
    /// Test verdicts assessors recorded in the range.
    verdicts: Vec<RecordedVerdict>,
    diagnostics: Report,
    commits: usize,
    /// About the range itself (a base that is not an ancestor, uncommitted changes).
    warnings: Vec<Diagnostic>,
}

pub fn run(ui: &Ui, global: &GlobalArgs, args: Args) -> Result<Outcome> {
    let repo = Repo::discover(global.repo.as_deref())?;
    // The working tree and the history are independent: read them side by side.
    let (loaded, range) = std::thread::scope(|scope| {
        let history = args.base.as_deref().map(|rev| scope.spawn(|| read_range(ui, &repo, rev)));
        let loaded = load_worktree(&repo);
        let range = history.map(|h| h.join().unwrap_or_else(|_| Err(Error::new("reading history failed"))));
        (loaded, range.transpose())
    });
    let mut loaded = loaded?;
    let range = range?;
    if !loaded.report.has_errors() {
        // Assessments with pending updates are scored on the accepted definitions.
        let warnings = crate::updates::apply_deferred(&mut loaded.workspace, &loaded.repo.root);
        loaded.report.diagnostics.extend(warnings);
    }
    let after = (!loaded.report.has_errors()).then(|| crate::score::compute(&loaded.workspace));
    let mut levels = loaded.workspace.config.rules.clone();
    let mut score_gate = None;
    if let Some(range) = &range {
        loaded.report.diagnostics.extend(range.warnings.iter().cloned());
        loaded.report.diagnostics.extend(range.diagnostics.diagnostics.iter().cloned());
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
            let mut json = crate::diag::render::json(&loaded.report);
            if let (Some(map), Some(g)) = (json.as_object_mut(), &score_gate) {
                map.insert("score_gate".to_owned(), serde_json::to_value(g).unwrap_or_default());
            }
            ui.out(&crate::commands::to_json_text(&json));
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
    let (workspace, mut report) =
        crate::repo::journal::read_whole(&repo.root, || crate::load::worktree(repo))?;
    crate::checks::validate(&workspace, &mut report, &repo.root);
    crate::checks::file_rules(&workspace, &mut report, Date::today());
    Ok(Loaded { repo: repo.clone(), workspace, report })
}

/// The history rules over BASE..HEAD, and the base's scores and configuration.
fn read_range(ui: &Ui, repo: &Repo, rev: &str) -> Result<Range> {
    let git = GitRepo::open(&repo.root)?;
    let head = git.committed_head()?;
    let base = git.resolve(rev)?;
    let mut warnings = Vec::new();
    if git.repo.graph_descendant_of(head, base).ok() != Some(true) && head != base {
        warnings.push(Diagnostic::new(
            Code::BaseNotAncestor,
            format!("`{rev}` is not an ancestor of HEAD; checking the commits of HEAD that `{rev}` lacks"),
        ));
    }
    if is_dirty(&git) {
        warnings.push(Diagnostic::new(
            Code::UncommittedChanges,
            "the working tree has uncommitted changes: the file rules and the scores include them, the history rules cover commits only",
        ));
    }
    let (mut base_ws, _) = snapshot_at(&git, base)?;
    crate::updates::apply_deferred_at(&mut base_ws, &git, Some(base));
    let ids = events::commits(&git, Some(base), head, false)?;
    git.require_complete(&ids, &format!("checking `{rev}..HEAD`"))?;
    let bar = ui.progress(ids.len() as u64, "Checking");
    let mut cache = BlobCache::default();
    let base_config = base_ws.config.clone();
    let mut rules = HistoryRules::new(Roles::Fixed(&base_config));
    let mut changes = Vec::new();
    // Spans are found later, in the working tree's text.
    let no_sources = Report::default();
    events::walk(&git, &ids, events::Parents::All, &mut cache, |c, cache| {
        bar.inc(1);
        rules.visit(&git, &c, cache, &no_sources);
        if !c.states.is_empty() {
            changes.push(c);
        }
    })?;
    bar.finish_and_clear();
    let mut diagnostics = Report::default();
    let in_force = rules.in_force(head).map(|c| (*c).clone()).unwrap_or_else(|| base_ws.config.clone());
    let verdicts = rules.recorded_verdicts();
    rules.finish(&mut diagnostics);
    Ok(Range {
        base_name: rev.to_owned(),
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

/// Whether tracked files under the repository differ from HEAD (untracked ones too).
fn is_dirty(git: &GitRepo) -> bool {
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(false).exclude_submodules(true);
    if !git.prefix.is_empty() {
        opts.pathspec(git.prefix.trim_end_matches('/'));
    }
    git.repo.statuses(Some(&mut opts)).map(|s| !s.is_empty()).unwrap_or(false)
}
