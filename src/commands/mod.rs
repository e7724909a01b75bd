//! One module per subcommand: an `Args` struct whose doc comments are the
//! help text, and a `run` function.

pub mod accept;
pub mod alerts;
pub mod assign;
pub mod audit;
pub mod check;
pub mod completions;
pub mod diff;
pub mod evidence;
pub mod explain;
pub mod export;
pub mod history;
pub mod import;
pub mod init;
pub mod list;
pub mod new;
pub mod report;
pub mod schema;
pub mod score;
pub mod set;
pub mod sync;
pub mod trust;
pub mod updates;
pub mod validate;
mod vocabulary;

use crate::cli::GlobalArgs;
use crate::diag::{Report, render};
use crate::error::Result;
use crate::model::Workspace;
use crate::repo::Repo;
use crate::ui::Ui;

/// A loaded and validated working tree.
pub struct Loaded {
    pub repo: Repo,
    pub workspace: Workspace,
    pub report: Report,
}

/// For commands that write the repository: takes its write lock, held until
/// dropped. Called before the repository is loaded, so that what the command
/// reads cannot change before it writes.
pub fn lock(global: &GlobalArgs) -> Result<crate::repo::journal::WriteLock> {
    let repo = Repo::discover(global.repo.as_deref())?;
    crate::repo::journal::WriteLock::acquire(&repo.root)
}

/// Finds the repository, reads every file and runs the checks of `validate`.
pub fn load(global: &GlobalArgs) -> Result<Loaded> {
    let mut loaded = load_unfinished(global)?;
    loaded.report.finish(&loaded.workspace.config.rules);
    Ok(loaded)
}

/// Like [`load`], for commands that score: assessments with pending updates
/// are scored on the definitions they accepted, read from git history.
pub fn load_for_scoring(ui: &Ui, global: &GlobalArgs) -> Result<Loaded> {
    let mut loaded = load(global)?;
    if !loaded.report.has_errors() {
        for warning in crate::updates::apply_deferred(&mut loaded.workspace, &loaded.repo.root) {
            ui.diagnostic(&warning);
        }
    }
    Ok(loaded)
}

/// Like [`load`], but leaves the report open for more checks: the caller
/// calls `report.finish` (which applies `[rules]` levels).
pub fn load_unfinished(global: &GlobalArgs) -> Result<Loaded> {
    let repo = Repo::discover(global.repo.as_deref())?;
    let (workspace, mut report) =
        crate::repo::journal::read_whole(&repo.root, || crate::load::worktree(&repo))?;
    crate::checks::validate(&workspace, &mut report, &repo.root);
    Ok(Loaded { repo, workspace, report })
}

/// Prints a report in one of the diagnostic formats.
pub fn print_report(ui: &Ui, loaded: &Loaded, format: DiagnosticFormat) {
    let report = &loaded.report;
    match format {
        DiagnosticFormat::Human => {
            ui.err(&render::human(report, ui.color_stderr));
            let line = render::summary_line(report);
            let style = if report.has_errors() { crate::ui::RED.bold() } else { crate::ui::GREEN.bold() };
            ui.err(&format!("{}\n", ui.paint_err(style, line)));
        }
        DiagnosticFormat::Json => ui.out(&to_json_text(&render::json(report))),
        DiagnosticFormat::Github => ui.out(&render::github(report, &loaded.repo.git_prefix())),
        DiagnosticFormat::Sarif => ui.out(&to_json_text(&render::sarif(report, &loaded.repo.git_prefix()))),
    }
}

/// Output formats of commands that print results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Tables for people; coloured on a terminal.
    #[value(alias = "text")]
    Human,
    /// JSON for scripts.
    Json,
    /// Markdown, for pull-request comments and job summaries.
    #[value(alias = "md")]
    Markdown,
}

/// Output formats of commands that report diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagnosticFormat {
    /// Diagnostics with snippets, on stderr.
    Human,
    /// One JSON object with every diagnostic, on stdout.
    Json,
    /// GitHub Actions workflow commands (annotations), on stdout.
    Github,
    /// SARIF 2.1.0 (code scanning), on stdout.
    Sarif,
}

/// For commands that need a clean repository: prints the problems to stderr
/// and returns false when there are errors.
pub fn require_clean(ui: &Ui, report: &Report) -> bool {
    if !report.has_errors() {
        return true;
    }
    let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
    let shown = Report { diagnostics: errors, sources: report.sources.clone(), ..Report::default() };
    ui.err(&render::human(&shown, ui.color_stderr));
    ui.err(&format!(
        "{}: the repository has {}; fix them first (`evident validate` lists every problem)\n",
        ui.paint_err(crate::ui::RED.bold(), "error"),
        render::plural(shown.diagnostics.len(), "error")
    ));
    false
}

/// Pretty JSON with a trailing newline.
pub fn to_json_text(value: &serde_json::Value) -> String {
    let s = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    // serde_json escapes C0 controls only; escape DEL, C1 and bidi overrides
    // too (they can only be inside strings), so that the text is the same
    // data and still safe to print on a terminal.
    let mut out = String::with_capacity(s.len() + 1);
    for c in s.chars() {
        if (c.is_control() && c != '\n') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    out
}

/// The timeline of the repository's history, with a progress bar on long
/// walks. The main-line timeline is cached under `.git/evident/`; a run
/// reads only the commits the cache does not have.
pub fn timeline(ui: &Ui, repo: &Repo, all_parents: bool) -> Result<crate::history::timeline::Timeline> {
    use crate::history::cache::{TimelineCache, reusable, truncate};
    use crate::history::engine::{Options, build_from};
    let git = crate::history::GitRepo::open(&repo.root)?;
    let head = git.committed_head()?;
    let mainline = crate::history::events::commits(&git, None, head, true)?;
    let cache = TimelineCache::of(&git);
    let done = if all_parents {
        crate::history::timeline::Timeline::default()
    } else {
        match cache.load() {
            Ok(Some(mut cached)) => {
                let k = reusable(&cached, &mainline);
                truncate(&mut cached, k);
                cached
            }
            Ok(None) => crate::history::timeline::Timeline::default(),
            Err(why) => {
                ui.diagnostic(&crate::diag::Diagnostic::new(
                    crate::diag::Code::HistoryCacheUnusable,
                    format!("ignoring the history cache ({why}); reading the whole history"),
                ));
                crate::history::timeline::Timeline::default()
            }
        }
    };
    let reused = done.commits.len();
    let bar = ui.progress((mainline.len() - reused) as u64, "History");
    let mut scorer = crate::history::scorer::IncrementalScorer::default();
    let timeline = build_from(&git, &mainline, done, Options { all_parents }, &mut scorer, &|n| bar.inc(n))?;
    bar.finish_and_clear();
    if !all_parents
        && (reused != mainline.len() || reused != timeline.commits.len())
        && let Err(why) = cache.store(&timeline)
    {
        ui.diagnostic(&crate::diag::Diagnostic::new(
            crate::diag::Code::HistoryCacheUnusable,
            format!("could not cache the history under .git/evident/ ({why})"),
        ));
    }
    Ok(timeline)
}
