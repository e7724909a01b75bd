//! Output shared by commands: diagnostic reports, JSON text, the refusal of
//! a repository with errors, the plans of editing commands and the warnings
//! of a history walk.

use crate::commands::args::DiagnosticFormat;
use crate::commands::context::Loaded;
use crate::diag::{Code, Diagnostic, Report, render};
use crate::edit::{FileChange, Plan};
use crate::error::{Outcome, Result};
use crate::history::timeline::Timeline;
use crate::repo::journal::WriteLock;
use crate::ui::{RED, Ui};

/// Prints a report in one of the diagnostic formats.
pub(crate) fn print_report(ui: &Ui, loaded: &Loaded, format: DiagnosticFormat) {
    let report = &loaded.report;
    match format {
        DiagnosticFormat::Human => {
            ui.err(&render::human(report, ui.color_stderr));
            // The count line is a status line: `-q` leaves the diagnostics and the exit status.
            if !ui.quiet {
                let line = render::summary_line(report);
                let style = if report.has_errors() { crate::ui::RED.bold() } else { crate::ui::GREEN.bold() };
                ui.err(&format!("{}\n", ui.paint_err(style, line)));
            }
        }
        DiagnosticFormat::Json => ui.out(&to_json_text(&render::json(report))),
        DiagnosticFormat::Github => ui.out(&render::github(report, &loaded.repo.git_prefix())),
        DiagnosticFormat::Sarif => ui.out(&to_json_text(&render::sarif(report, &loaded.repo.git_prefix()))),
    }
}

/// For commands that need a clean repository: prints the problems to stderr
/// and returns false when there are errors.
pub(crate) fn require_clean(ui: &Ui, report: &Report) -> bool {
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

/// Pretty JSON with a trailing newline, DEL, C1 and bidi overrides escaped
/// ([`crate::render::json_text::write_json`]).
pub(crate) fn to_json_text(value: &impl serde::Serialize) -> String {
    let mut out = String::new();
    match crate::render::json_text::write_json(&mut out, value) {
        Ok(()) => out,
        Err(_) => "null\n".into(),
    }
}

/// Prints a plan and writes it, unless it is refused or a dry run. Shared by
/// the editing commands.
pub(crate) fn conclude(ui: &Ui, lock: &WriteLock, plan: &Plan, dry_run: bool) -> Result<Outcome> {
    if !plan.report.diagnostics.is_empty() {
        ui.err(&render::human(&plan.report, ui.color_stderr));
    }
    if plan.is_refused() {
        let why = if plan.unreadable.is_empty() {
            "the change would break the rules above".to_owned()
        } else {
            format!("fix `{}` first", plan.unreadable.join("`, `"))
        };
        ui.err(&format!("{}: {why}; nothing was written\n", ui.paint_err(RED.bold(), "error")));
        return Ok(Outcome::Failed);
    }
    for warning in &plan.group_warnings {
        ui.diagnostic(warning);
    }
    if !dry_run {
        plan.write(lock)?;
    }
    for copy in &plan.copies {
        ui.status(if dry_run { "Would copy" } else { "Copied" }, copy);
    }
    for file in &plan.files {
        let verb = match (file.change, dry_run) {
            (FileChange::Created, false) => "Created",
            (FileChange::Created, true) => "Would create",
            (FileChange::Updated, false) => "Updated",
            (FileChange::Updated, true) => "Would update",
            (FileChange::Unchanged, _) => "Unchanged",
        };
        let text = if file.what.is_empty() {
            format!("{} (nothing to change)", file.path)
        } else {
            format!("{}: {}", file.path, file.what.join(", "))
        };
        ui.status(verb, &text);
    }
    Ok(Outcome::Success)
}

/// Refuses to edit when the files that decide where an edit goes have errors.
pub(crate) fn refuse_inputs(ui: &Ui, report: &Report) -> Outcome {
    ui.err(&render::human(report, ui.color_stderr));
    ui.err(&format!(
        "{}: the configuration, templates or assessments have errors, so the edit cannot tell which files to change; fix them first (nothing was written)\n",
        ui.paint_err(RED.bold(), "error")
    ));
    Outcome::Failed
}

/// Warns where a shallow clone's history starts, and about the files of past
/// commits the timeline could not read.
pub(crate) fn warn_problems(ui: &Ui, timeline: &Timeline) {
    if timeline.shallow
        && let Some(first) = timeline.points.first().map(|p| &timeline.commits[p.commit])
    {
        ui.diagnostic(&Diagnostic::new(
            Code::ShallowHistory,
            format!(
                "this is a shallow clone: history starts at {} ({}); fetch the rest with `git fetch --unshallow`",
                first.short(),
                first.date()
            ),
        ));
    }
    for problem in timeline.diagnostics() {
        ui.diagnostic(&problem);
    }
}
