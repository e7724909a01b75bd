//! Renderers for diagnostics: terminal (rustc-like, or one line each),
//! JSON, GitHub workflow annotations and SARIF 2.1.0. Each handles every kind
//! of [`Location`]: a place in a repository file is shown with its line and
//! column (and, on a terminal, a snippet); a spreadsheet cell with its sheet,
//! row and column; a file of a past commit with the commit.

use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::term::termcolor::Buffer;
use codespan_reporting::term::{self, Config};
use serde_json::{Value, json};

use super::snippet::{self, Shown, View};
use super::{Code, Diagnostic, Location, Report, Severity, Sources};
use crate::render::json::{CheckOutput, DiagnosticOutput, PlaceOutput, RelatedOutput};

/// Renders diagnostics as rustc does: header, snippet with underline, hint.
/// Overlong lines are cut around what is underlined (see [`super::snippet`]).
pub fn human(report: &Report, color: bool) -> String {
    // Per file: shown whole (no overlong line, prepared once) or cut per diagnostic.
    enum Prepared<'a> {
        Whole(Rc<Shown<'a>>),
        Long(&'a str, Vec<Range<usize>>),
    }
    let mut prepared: HashMap<&str, Prepared> = HashMap::new();
    let mut buffer = if color { Buffer::ansi() } else { Buffer::no_color() };
    let config = Config::default();
    for d in &report.diagnostics {
        let severity = match d.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
        };
        let message = match d.location.describe() {
            Some(place) => format!("{place}: {}", d.message),
            None => d.message.clone(),
        };
        let mut cs = CsDiagnostic::new(severity).with_code(d.code.code()).with_message(message);
        let mut notes = Vec::new();
        // (file, span, primary, message) of every label.
        let mut labels: Vec<(&str, Range<usize>, bool, Option<&str>)> = Vec::new();
        if let Location::File { file, span } = &d.location {
            match span {
                Some(span) if report.sources.get(file).is_some() => {
                    labels.push((file, span.clone(), true, d.label.as_deref()));
                }
                _ => notes.push(format!("in `{file}`")),
            }
        }
        for r in &d.related {
            if report.sources.get(&r.file).is_some() {
                labels.push((&r.file, r.span.clone(), false, Some(&r.message)));
            }
        }
        let mut view = View::default();
        let mut ids: Vec<&str> = Vec::new();
        for (file, _, _, _) in &labels {
            if ids.contains(file) {
                continue;
            }
            let Some(text) = report.sources.get(file) else { continue };
            let entry = prepared.entry(file).or_insert_with(|| {
                let long = snippet::long_lines(text);
                if long.is_empty() {
                    Prepared::Whole(Rc::new(Shown::new(file, text, &[], &[])))
                } else {
                    Prepared::Long(text, long)
                }
            });
            view.files.push(match entry {
                Prepared::Whole(shown) => shown.clone(),
                Prepared::Long(text, long) => {
                    let points: Vec<usize> =
                        labels.iter().filter(|l| l.0 == *file).flat_map(|l| [l.1.start, l.1.end]).collect();
                    Rc::new(Shown::new(file, text, long, &points))
                }
            });
            ids.push(file);
        }
        for (file, span, primary, message) in labels {
            let Some(id) = ids.iter().position(|f| *f == file) else { continue };
            let shown = &view.files[id];
            let span = shown.shown_offset(span.start)..shown.shown_offset(span.end);
            let label = if primary { Label::primary(id, span) } else { Label::secondary(id, span) };
            cs.labels.push(match message {
                Some(m) => label.with_message(m),
                None => label,
            });
        }
        notes.extend(d.notes.iter().map(|n| format!("note: {n}")));
        if let Some(hint) = &d.hint {
            notes.push(format!("help: {hint}"));
        }
        cs = cs.with_notes(notes);
        // Rendering only fails when a span is out of range; fall back to a plain line.
        if term::emit_to_write_style(&mut buffer, &config, &view, &cs).is_err() {
            use std::io::Write;
            let _ = writeln!(buffer, "{}[{}]: {}", severity_word(d.severity), d.code.code(), d.message);
        }
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// One line per diagnostic, for messages beside a command's output (a
/// warning of `evident history`, the problems of a spreadsheet):
/// `warning[E0707]: PLACE: MESSAGE`, then an indented line per note and hint.
pub(crate) fn short(sources: &Sources, d: &Diagnostic, color: bool) -> String {
    use anstyle::{AnsiColor, Style};
    let paint = |style: Style, text: &str| {
        if color { format!("{style}{text}{style:#}") } else { text.to_owned() }
    };
    let style = match d.severity {
        Severity::Error => AnsiColor::Red.on_default().bold(),
        Severity::Warning => AnsiColor::Yellow.on_default().bold(),
    };
    let place = match &d.location {
        Location::Nowhere => None,
        Location::File { file, span: None } => Some(file.clone()),
        Location::File { file, span: Some(span) } => {
            let (line, column) = sources.line_col(file, span.start);
            Some(format!("{file}:{line}:{column}"))
        }
        other => other.describe(),
    };
    let mut out = paint(style, &format!("{}[{}]", severity_word(d.severity), d.code.code()));
    out.push_str(": ");
    if let Some(place) = place {
        out.push_str(&place);
        out.push_str(": ");
    }
    out.push_str(&d.message);
    out.push('\n');
    let help = AnsiColor::Cyan.on_default().bold();
    for note in &d.notes {
        out.push_str(&format!("  {}: {note}\n", paint(help, "note")));
    }
    if let Some(hint) = &d.hint {
        out.push_str(&format!("  {}: {hint}\n", paint(help, "help")));
    }
    out
}

/// One line that sums a report up.
pub fn summary_line(report: &Report) -> String {
    let (e, w) = (report.error_count(), report.warning_count());
    let files = match report.commits_checked {
        Some(commits) if report.only_commits() => plural(commits, "commit"),
        Some(commits) => {
            format!("{} and {}", plural(report.files_checked, "file"), plural(commits, "commit"))
        }
        None => plural(report.files_checked, "file"),
    };
    match (e, w) {
        (0, 0) => format!("checked {files}: no problems"),
        (0, w) => format!("checked {files}: {}", plural(w, "warning")),
        (e, 0) => format!("checked {files}: {}", plural(e, "error")),
        (e, w) => format!("checked {files}: {} and {}", plural(e, "error"), plural(w, "warning")),
    }
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

struct Position {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

/// The line and column range of a diagnostic in its file: for a repository
/// file (1:1 for the file as a whole), and for a CSV row its line.
fn position(sources: &Sources, d: &Diagnostic) -> Option<Position> {
    match &d.location {
        Location::File { file, .. } if file.ends_with('/') => None,
        Location::File { span: None, .. } => {
            // A problem with the file as a whole.
            Some(Position { line: 1, column: 1, end_line: 1, end_column: 1 })
        }
        Location::File { file, span: Some(span) } => {
            let (line, column) = sources.line_col(file, span.start);
            let (end_line, end_column) = sources.line_col(file, span.end);
            Some(Position { line, column, end_line, end_column })
        }
        Location::Cell(cell) => cell.line.map(|line| {
            let line = line as usize;
            Position { line, column: 1, end_line: line, end_column: 1 }
        }),
        Location::Nowhere | Location::Commit(_) => None,
    }
}

#[cfg(test)]
/// The JSON object of one diagnostic (docs/design/outputs.md). Every
/// diagnostic has `code`, `rule`, `severity`, `message` and `file`; a place
/// in a repository file adds `line` and `column` (numbers); a spreadsheet
/// cell `sheet`, `row` and `column` (the column's header); a file of a past
/// commit `commit` (the full id) and `date`.
pub(crate) fn json_diagnostic(sources: &Sources, d: &Diagnostic) -> Value {
    crate::render::json::to_value(&diagnostic_output(sources, d))
}

/// One diagnostic as its output type.
pub(crate) fn diagnostic_output(sources: &Sources, d: &Diagnostic) -> DiagnosticOutput {
    let place = match &d.location {
        Location::Cell(cell) => {
            PlaceOutput::Cell { sheet: cell.sheet.clone(), row: cell.row, column: cell.column.clone() }
        }
        Location::Commit(c) => {
            // The location is the commit: `made_in` would say it twice.
            PlaceOutput::Commit { line: (), column: (), commit: c.commit.clone(), date: c.date.clone() }
        }
        Location::Nowhere | Location::File { .. } => {
            let pos = position(sources, d);
            PlaceOutput::File {
                line: pos.as_ref().map(|p| p.line),
                column: pos.as_ref().map(|p| p.column),
                end_line: pos.as_ref().map(|p| p.end_line),
                end_column: pos.as_ref().map(|p| p.end_column),
                commit: d.made_in.as_ref().map(|c| c.commit.clone()),
                date: d.made_in.as_ref().and_then(|c| c.date.clone()),
            }
        }
    };
    DiagnosticOutput {
        code: d.code.code(),
        rule: d.code.name(),
        severity: d.severity,
        message: d.message.clone(),
        file: d.file().map(str::to_owned),
        place,
        hint: d.hint.clone(),
        notes: d.notes.clone(),
        related: d
            .related
            .iter()
            .map(|r| {
                let (line, column) = sources.line_col(&r.file, r.span.start);
                RelatedOutput { file: r.file.clone(), line, column, message: r.message.clone() }
            })
            .collect(),
    }
}

/// The whole report as one JSON object.
pub fn json(report: &Report) -> Value {
    crate::render::json::to_value(&check_output(report))
}

/// The whole report as its output type (without a score gate).
pub(crate) fn check_output(report: &Report) -> CheckOutput {
    CheckOutput {
        ok: !report.has_errors(),
        files: (!report.only_commits()).then_some(report.files_checked),
        commits: report.commits_checked,
        errors: report.error_count(),
        warnings: report.warning_count(),
        diagnostics: report.diagnostics.iter().map(|d| diagnostic_output(&report.sources, d)).collect(),
        score_gate: None,
    }
}

/// GitHub Actions workflow commands (`::error file=…,line=…::message`).
/// `prefix` is the repository's path inside the git work tree ("" at the root).
pub fn github(report: &Report, prefix: &str) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let mut props = Vec::new();
        if let Some(file) = d.file() {
            props.push(format!("file={}", escape_property(&format!("{}{file}", prefix_of(d, prefix)))));
        }
        if let Some(p) = position(&report.sources, d) {
            props.push(format!("line={}", p.line));
            props.push(format!("col={}", p.column));
            props.push(format!("endLine={}", p.end_line));
            props.push(format!("endColumn={}", p.end_column));
        }
        props.push(format!("title={}", escape_property(&format!("{} {}", d.code.code(), d.code.name()))));
        let mut message = match d.location.describe() {
            Some(place) => format!("{place}: {}", d.message),
            None => d.message.clone(),
        };
        if let Some(hint) = &d.hint {
            message.push_str("\nhelp: ");
            message.push_str(hint);
        }
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&format!("::{command} {}::{}\n", props.join(","), escape_data(&message)));
    }
    out
}

/// The repository's path in the git work tree, for files of the repository;
/// a spreadsheet's path is the one the user gave.
fn prefix_of<'a>(d: &Diagnostic, prefix: &'a str) -> &'a str {
    if matches!(d.location, Location::Cell(_)) { "" } else { prefix }
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// SARIF 2.1.0, for GitHub code scanning and other viewers. Built with
/// `json!` rather than an output type: SARIF is a third-party format whose
/// schema is OASIS's, not ours, so there is nothing for `schemas/output/` to own.
pub fn sarif(report: &Report, prefix: &str) -> Value {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.code(),
                "name": c.name(),
                "shortDescription": {"text": c.summary()},
                "fullDescription": {"text": c.explanation()},
                "defaultConfiguration": {"level": sarif_level(c.default_severity())},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let mut message = match d.location.describe() {
                Some(place) => format!("{place}: {}", d.message),
                None => d.message.clone(),
            };
            if let Some(hint) = &d.hint {
                message.push_str(&format!(" (help: {hint})"));
            }
            let mut result = json!({
                "ruleId": d.code.code(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == d.code),
                "level": sarif_level(d.severity),
                "message": {"text": message},
            });
            if let (Some(c), false) = (&d.made_in, matches!(d.location, Location::Commit(_))) {
                // The commit a history rule was broken in; the location is the file now.
                result["properties"] = json!({"commit": c.commit, "date": c.date});
            }
            if let Some(file) = d.file() {
                let mut location = json!({
                    "physicalLocation": {
                        "artifactLocation": {"uri": format!("{}{file}", prefix_of(d, prefix)), "uriBaseId": "%SRCROOT%"},
                    }
                });
                match &d.location {
                    Location::Cell(cell) => {
                        location["properties"] =
                            json!({"sheet": cell.sheet, "row": cell.row, "column": cell.column});
                    }
                    Location::Commit(c) => {
                        location["properties"] = json!({"commit": c.commit, "date": c.date});
                    }
                    Location::Nowhere | Location::File { .. } => {}
                }
                if let Some(p) = position(&report.sources, d) {
                    location["physicalLocation"]["region"] = json!({
                        "startLine": p.line,
                        "startColumn": p.column,
                        "endLine": p.end_line,
                        "endColumn": p.end_column,
                    });
                }
                result["locations"] = json!([location]);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "evident",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Cell, CommitPath};

    fn report(d: Diagnostic) -> Report {
        Report { diagnostics: vec![d], ..Report::default() }
    }

    fn cell() -> Diagnostic {
        Diagnostic::new(Code::ImportInvalidValue, "unknown test status \"pased\"")
            .in_cell(Cell {
                file: "actions.xlsx".into(),
                sheet: Some("Actions".into()),
                row: Some(14),
                line: None,
                column: Some("Test status".into()),
            })
            .hint("did you mean \"passed\"?")
    }

    fn commit() -> Diagnostic {
        Diagnostic::new(
            Code::PastFileUnreadable,
            "`[implementation` is not closed; its last good version was kept",
        )
        .in_commit(CommitPath {
            commit: "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d".into(),
            date: Some("2026-05-02".into()),
            path: "assessments/ccpa-2026/mfa.toml".into(),
        })
    }

    #[test]
    fn a_spreadsheet_cell_in_every_format() {
        let d = cell();
        let r = report(d.clone());
        let place = r#"actions.xlsx: sheet "Actions", row 14, column "Test status""#;
        assert_eq!(
            short(&r.sources, &d, false),
            format!(
                "error[E0804]: {place}: unknown test status \"pased\"\n  help: did you mean \"passed\"?\n"
            )
        );
        assert!(human(&r, false).starts_with(&format!("error[E0804]: {place}: unknown test status")));
        let json = json_diagnostic(&r.sources, &d);
        assert_eq!(json["file"], "actions.xlsx");
        assert_eq!(json["sheet"], "Actions");
        assert_eq!(json["row"], 14);
        assert_eq!(json["column"], "Test status");
        assert_eq!(json["severity"], "error");
        let sarif = sarif(&r, "sub/");
        let location = &sarif["runs"][0]["results"][0]["locations"][0];
        // The spreadsheet's path is the user's, not the repository's.
        assert_eq!(location["physicalLocation"]["artifactLocation"]["uri"], "actions.xlsx");
        assert_eq!(location["properties"]["sheet"], "Actions");
        assert_eq!(location["properties"]["row"], 14);
        assert_eq!(location["properties"]["column"], "Test status");
        let github = github(&r, "sub/");
        assert!(github.starts_with("::error file=actions.xlsx,title=E0804 import-invalid-value::actions.xlsx: sheet \"Actions\", row 14"), "{github}");
    }

    #[test]
    fn a_csv_row_has_its_line() {
        let mut d = cell();
        if let Location::Cell(c) = &mut d.location {
            c.sheet = None;
            c.line = Some(15);
        }
        let r = report(d.clone());
        assert!(
            short(&r.sources, &d, false)
                .starts_with(r#"error[E0804]: actions.xlsx: row 14 (line 15), column "Test status": "#)
        );
        let region = &sarif(&r, "")["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], 15);
        assert!(github(&r, "").contains(",line=15,"));
    }

    #[test]
    fn a_file_of_a_past_commit_in_every_format() {
        let d = commit();
        let r = report(d.clone());
        let place = "assessments/ccpa-2026/mfa.toml in 1a2b3c4 (2026-05-02)";
        assert_eq!(
            short(&r.sources, &d, false),
            format!(
                "warning[E0707]: {place}: `[implementation` is not closed; its last good version was kept\n"
            )
        );
        assert!(human(&r, false).starts_with(&format!("warning[E0707]: {place}: ")));
        let json = json_diagnostic(&r.sources, &d);
        assert_eq!(json["file"], "assessments/ccpa-2026/mfa.toml");
        assert_eq!(json["commit"], "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d");
        assert_eq!(json["date"], "2026-05-02");
        assert_eq!(json["line"], Value::Null);
        assert_eq!(json["severity"], "warning");
        let sarif = sarif(&r, "sub/");
        let result = &sarif["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], "E0707");
        assert_eq!(result["level"], "warning");
        let location = &result["locations"][0];
        assert_eq!(
            location["physicalLocation"]["artifactLocation"]["uri"],
            "sub/assessments/ccpa-2026/mfa.toml"
        );
        assert_eq!(location["properties"]["commit"], "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d");
        assert!(location["physicalLocation"].get("region").is_none());
        assert!(
            github(&r, "").starts_with(
                "::warning file=assessments/ccpa-2026/mfa.toml,title=E0707 past-file-unreadable::"
            )
        );
    }

    #[test]
    fn a_place_in_a_repository_file_is_unchanged() {
        let mut sources = Sources::default();
        sources.insert("actions/mfa.toml", "id = \"mfa\"\nversion = 0\n");
        let d = Diagnostic::new(Code::InvalidFormat, "versions start at 1").at("actions/mfa.toml", 21..22);
        let json = json_diagnostic(&sources, &d);
        assert_eq!((json["line"].as_u64(), json["column"].as_u64()), (Some(2), Some(11)));
        assert_eq!(short(&sources, &d, false), "error[E0205]: actions/mfa.toml:2:11: versions start at 1\n");
    }
}
