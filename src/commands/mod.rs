//! One module per subcommand: an `Args` struct whose doc comments are the
//! help text, and a `run` function.

pub mod completions;
pub mod explain;
pub mod init;
pub mod list;
pub mod new;
pub mod schema;
pub mod score;
pub mod validate;

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

/// Finds the repository, reads every file and runs the file checks.
pub fn load(global: &GlobalArgs) -> Result<Loaded> {
    let repo = Repo::discover(global.repo.as_deref())?;
    let (workspace, mut report) = crate::load::worktree(&repo);
    crate::checks::validate(&workspace, &mut report, &repo.root);
    report.finish(&workspace.config.rules);
    Ok(Loaded {
        repo,
        workspace,
        report,
    })
}

/// For commands that need a clean repository: prints the problems to stderr
/// and returns false when there are errors.
pub fn require_clean(ui: &Ui, report: &Report) -> bool {
    if !report.has_errors() {
        return true;
    }
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    let shown = Report {
        diagnostics: errors,
        sources: report.sources.clone(),
        files_checked: report.files_checked,
    };
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
    let mut s = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    s.push('\n');
    s
}
