//! Output shared by commands: diagnostic reports, JSON text, the refusal of
//! a repository with errors, the plans of editing commands, what the commands
//! that write whole files changed, and the warnings of a history walk.

use crate::commands::args::DiagnosticFormat;
use crate::commands::context::Loaded;
use crate::diag::{Code, Diagnostic, Report, render};
use crate::edit::{FileChange, Plan};
use crate::error::{Outcome, Result};
use crate::history::timeline::Timeline;
use crate::render::json::{ChangedFile, ChangesOutput, FileChangeOutput};
use crate::repo::journal::WriteLock;
use crate::repo::write::WriteStatus;
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

/// For commands that need a clean repository: false when it has errors,
/// after printing them ([`print_refusal`]).
pub(crate) fn require_clean(ui: &Ui, report: &Report, json: bool) -> bool {
    if !report.has_errors() {
        return true;
    }
    let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
    let shown = Report { diagnostics: errors, sources: report.sources.clone(), ..Report::default() };
    let why = format!(
        "the repository has {}; fix them first (`evident validate` lists every problem)",
        render::plural(shown.diagnostics.len(), "error")
    );
    print_refusal(ui, if json { report } else { &shown }, json, &why);
    false
}

/// Prints why a command refused to run (exit 1) because of the diagnostics
/// of `report`. A command whose output is JSON (`json`) prints them on stdout
/// as `validate --format json` does, so that a script always reads one JSON
/// object, and only the reason on stderr; otherwise they go to stderr with
/// snippets. Shared by every command that refuses a repository with errors.
pub(crate) fn print_refusal(ui: &Ui, report: &Report, json: bool, why: &str) {
    if json {
        ui.out(&to_json_text(&render::json(report)));
    } else {
        ui.err(&render::human(report, ui.color_stderr));
    }
    ui.err(&format!("{}: {why}\n", ui.paint_err(RED.bold(), "error")));
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
/// the editing commands; with `json`, what changed is one JSON object on
/// stdout ([`ChangesOutput`]) instead of lines on stderr.
pub(crate) fn conclude(ui: &Ui, lock: &WriteLock, plan: &Plan, dry_run: bool, json: bool) -> Result<Outcome> {
    let refused = plan.is_refused();
    if json {
        if !refused && !dry_run {
            plan.write(lock)?;
        }
        ui.out(&to_json_text(&changes_output(plan, dry_run)));
        if refused {
            ui.err(&format!(
                "{}: {}; nothing was written\n",
                ui.paint_err(RED.bold(), "error"),
                why_refused(plan, true)
            ));
        }
        return Ok(Outcome::failed_if(refused));
    }
    if !plan.report.diagnostics.is_empty() {
        ui.err(&render::human(&plan.report, ui.color_stderr));
    }
    if refused {
        ui.err(&format!(
            "{}: {}; nothing was written\n",
            ui.paint_err(RED.bold(), "error"),
            why_refused(plan, false)
        ));
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

/// Why a refused plan was refused (the rules are in the JSON output, or above).
fn why_refused(plan: &Plan, json: bool) -> String {
    if plan.unreadable.is_empty() {
        let which = if json { "in `diagnostics`" } else { "above" };
        format!("the change would break the rules {which}")
    } else {
        format!("fix `{}` first", plan.unreadable.join("`, `"))
    }
}

/// A plan as the JSON output of the edits.
fn changes_output(plan: &Plan, dry_run: bool) -> ChangesOutput {
    let sources = &plan.report.sources;
    ChangesOutput {
        written: !plan.is_refused() && !dry_run,
        dry_run,
        files: plan
            .files
            .iter()
            .map(|f| ChangedFile {
                path: f.path.clone(),
                change: match f.change {
                    FileChange::Created => FileChangeOutput::Created,
                    FileChange::Updated => FileChangeOutput::Updated,
                    FileChange::Unchanged => FileChangeOutput::Unchanged,
                },
                what: f.what.clone(),
            })
            .collect(),
        copies: plan.copies.clone(),
        diagnostics: plan
            .report
            .diagnostics
            .iter()
            .chain(&plan.group_warnings)
            .map(|d| render::diagnostic_output(sources, d))
            .collect(),
    }
}

/// The `changes` JSON of a command that writes whole files (`new`, `sync`,
/// `library add`, `trust add`), as the edits print it: what became of each
/// file (from the write, or [`crate::repo::write::Changeset::preview`] on a
/// dry run), what changes in it (`what`), and the problems found. An error
/// among them means nothing was written (the command exits 1).
pub(crate) fn print_file_changes(
    ui: &Ui,
    files: &[(String, WriteStatus)],
    what: impl Fn(&str) -> Vec<String>,
    dry_run: bool,
    diagnostics: &[Diagnostic],
) {
    let refused = diagnostics.iter().any(Diagnostic::is_error);
    let mut changed: Vec<ChangedFile> = files
        .iter()
        .map(|(path, status)| ChangedFile {
            path: path.clone(),
            change: match status {
                WriteStatus::Created => FileChangeOutput::Created,
                WriteStatus::Updated => FileChangeOutput::Updated,
                WriteStatus::Unchanged => FileChangeOutput::Unchanged,
            },
            what: if *status == WriteStatus::Unchanged { Vec::new() } else { what(path) },
        })
        .collect();
    changed.sort_by(|a, b| a.path.cmp(&b.path));
    let sources = crate::diag::Sources::default();
    let output = ChangesOutput {
        written: !refused && !dry_run,
        dry_run,
        files: changed,
        copies: Vec::new(),
        diagnostics: diagnostics.iter().map(|d| render::diagnostic_output(&sources, d)).collect(),
    };
    ui.out(&to_json_text(&output));
}

/// The status line verb of a file written (or, on a dry run, to be written); none when unchanged.
pub(crate) fn write_verb(status: WriteStatus, dry_run: bool) -> Option<&'static str> {
    match (status, dry_run) {
        (WriteStatus::Created, false) => Some("Created"),
        (WriteStatus::Created, true) => Some("Would create"),
        (WriteStatus::Updated, false) => Some("Updated"),
        (WriteStatus::Updated, true) => Some("Would update"),
        (WriteStatus::Unchanged, _) => None,
    }
}

/// Refuses to edit when the files that decide where an edit goes have errors.
pub(crate) fn refuse_inputs(ui: &Ui, report: &Report, json: bool) -> Outcome {
    print_refusal(
        ui,
        report,
        json,
        "the configuration, templates or assessments have errors, so the edit cannot tell which files to change; fix them first (nothing was written)",
    );
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
