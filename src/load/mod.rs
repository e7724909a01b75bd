//! Loading: bytes of one file → checked, typed value, with diagnostics.
//!
//! Each file goes through the same steps: UTF-8 and byte-order-mark checks,
//! TOML parsing (all syntax errors, with recovery), JSON Schema validation
//! (every violation, mapped back to the TOML source), then typed
//! deserialisation. The steps only need the bytes, so the same code reads the
//! working tree and blobs from git history.

pub mod assemble;
pub(crate) mod schema_errors;
pub mod tree;

pub use assemble::{Item, RawFile, assemble, assemble_quietly, key_span_of, parse_typed, span_of};

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use toml::de::DeTable;

use crate::diag::{Code, Diagnostic};
use crate::schema::FileKind;

/// The outcome of reading one file.
#[derive(Debug)]
pub(crate) struct Parsed<T> {
    /// The typed value, when the file is free of errors.
    pub value: Option<T>,
    pub diagnostics: Vec<Diagnostic>,
    /// The text as read (without a byte-order mark), for snippets.
    pub text: Arc<str>,
}

const BOM: &str = "\u{feff}";

/// Reads one file of the given kind. `file` is its repository-relative path.
pub(crate) fn parse<T: DeserializeOwned>(kind: FileKind, file: &str, bytes: &[u8]) -> Parsed<T> {
    let mut diagnostics = Vec::new();
    let text: Arc<str> = match std::str::from_utf8(bytes) {
        Ok(text) => text.into(),
        Err(e) => {
            let at = e.valid_up_to();
            let lossy: Arc<str> = String::from_utf8_lossy(bytes).into();
            diagnostics.push(
                Diagnostic::new(Code::InvalidUtf8, "file is not valid UTF-8")
                    .at(file, at..at + 1)
                    .label("invalid byte sequence")
                    .hint("save the file with UTF-8 encoding"),
            );
            return Parsed { value: None, diagnostics, text: lossy };
        }
    };
    let text: Arc<str> = match text.strip_prefix(BOM) {
        Some(rest) => {
            diagnostics.push(
                Diagnostic::new(Code::ByteOrderMark, "file starts with a UTF-8 byte-order mark")
                    .at(file, 0..0)
                    .hint("save the file as UTF-8 without BOM"),
            );
            rest.into()
        }
        None => text,
    };
    let conflicts = merge_conflicts(kind, file, &text);
    if !conflicts.is_empty() {
        // The markers are not TOML: parsing would only add syntax errors that hide the cause.
        diagnostics.extend(conflicts);
        return Parsed { value: None, diagnostics, text };
    }
    let value = parse_text::<T>(kind, file, &text, &mut diagnostics);
    Parsed { value, diagnostics, text }
}

/// The marker lines after `<<<<<<<` in one conflict, with their labels.
type Marks = Vec<(Range<usize>, &'static str)>;

/// One diagnostic per region of unresolved merge-conflict markers that git
/// left in the file (`<<<<<<< ours`, `=======`, `>>>>>>> theirs`), at the
/// line that opens it. Only a line starting with `<<<<<<<` opens a region: a
/// line of `=` alone is a Markdown heading underline in a multi-line string.
fn merge_conflicts(kind: FileKind, file: &str, text: &str) -> Vec<Diagnostic> {
    let marker = |line: &str, mark: &str| {
        line.strip_prefix(mark).is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
    };
    let mut out = Vec::new();
    let mut open: Option<(Range<usize>, Marks)> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let span = offset..offset + line.len();
        offset += raw.len();
        if marker(line, "<<<<<<<") {
            if let Some((start, related)) = open.take() {
                out.push(conflict_diagnostic(kind, file, text, start, related, false));
            }
            open = Some((span, Vec::new()));
        } else if let Some((_, related)) = open.as_mut() {
            if marker(line, "|||||||") {
                related.push((span, "the common ancestor's version starts here"));
            } else if marker(line, "=======") {
                related.push((span, "the other side starts here"));
            } else if marker(line, ">>>>>>>") {
                related.push((span, "the conflict ends here"));
                if let Some((start, related)) = open.take() {
                    out.push(conflict_diagnostic(kind, file, text, start, related, true));
                }
            }
        }
    }
    if let Some((start, related)) = open.take() {
        out.push(conflict_diagnostic(kind, file, text, start, related, false));
    }
    out
}

fn conflict_diagnostic(
    kind: FileKind,
    file: &str,
    text: &str,
    start: Range<usize>,
    related: Marks,
    closed: bool,
) -> Diagnostic {
    let ours = text[start.clone()].trim_start_matches('<').trim();
    let theirs = related
        .last()
        .filter(|_| closed)
        .map(|(span, _)| text[span.clone()].trim_start_matches('>').trim())
        .unwrap_or_default();
    let between = match (ours, theirs) {
        ("", "") => String::new(),
        (ours, "") => format!(" with `{ours}`"),
        ("", theirs) => format!(" (against `{theirs}`)"),
        (ours, theirs) => format!(" between `{ours}` and `{theirs}`"),
    };
    let mut d = Diagnostic::new(Code::MergeConflict, format!("unresolved merge conflict{between}"))
        .at(file, start)
        .label(if closed { "conflict starts here" } else { "conflict starts here and has no `>>>>>>>` end" });
    for (span, message) in related {
        d = d.related(file, span, message);
    }
    let hint = "resolve the conflict: keep the lines you want, delete the `<<<<<<<`, `=======` and `>>>>>>>` lines, then commit";
    d = d.hint(hint);
    if kind == FileKind::State {
        d = d.note(
            "when the action is shared by a group of assessments, resolve one state file and run `evident sync` to copy it to the others",
        );
    }
    d
}

fn parse_text<T: DeserializeOwned>(
    kind: FileKind,
    file: &str,
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<T> {
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        diagnostics.extend(errors.iter().map(|e| syntax_diagnostic(file, text, e, 0)));
        diagnostics.extend(errors_after_unclosed_header(file, text, &errors));
        return None;
    }
    let json = tree::to_json(doc.get_ref());
    let schema_diags = schema_errors::check(file, &doc, &json, kind.validator(), kind.schema());
    if !schema_diags.is_empty() {
        diagnostics.extend(schema_diags);
        return None;
    }
    match T::deserialize(toml::de::Deserializer::from(doc)) {
        Ok(value) => Some(value),
        Err(e) => {
            diagnostics.push(typed_diagnostic(file, &e));
            None
        }
    }
}

/// The syntax errors in the lines after an unclosed table header (`[implementation`): the
/// toml parser reports the header and skips the keys under it. Those lines are parsed again
/// on their own (they are keys and tables the header would have opened), and so on for each
/// unclosed header found. Errors found before are not repeated; a key defined twice is left
/// to the parse of the whole file, since out of its table a key may look like a duplicate.
fn errors_after_unclosed_header(file: &str, text: &str, errors: &[toml::de::Error]) -> Vec<Diagnostic> {
    let unclosed = |e: &toml::de::Error| e.message().contains("unclosed table");
    let span = |e: &toml::de::Error, offset: usize| {
        e.span().map_or(offset..offset, |s| s.start + offset..s.end + offset)
    };
    let mut seen: BTreeSet<(usize, usize)> =
        errors.iter().map(|e| span(e, 0)).map(|s| (s.start, s.end)).collect();
    let mut headers: Vec<usize> = errors.iter().filter(|e| unclosed(e)).map(|e| span(e, 0).start).collect();
    let mut out = Vec::new();
    // The error points at the end of the header's line (its line break, or the end of the file).
    while let Some(at) = headers.pop() {
        let Some(start) = text.get(at..).and_then(|rest| rest.find('\n')).map(|nl| at + nl + 1) else {
            continue;
        };
        let (_, found) = DeTable::parse_recoverable(&text[start..]);
        for e in found.iter().filter(|e| !e.message().contains("duplicate")) {
            let s = span(e, start);
            if seen.insert((s.start, s.end)) {
                if unclosed(e) {
                    headers.push(s.start);
                }
                out.push(syntax_diagnostic(file, text, e, start));
            }
        }
    }
    out
}

/// A syntax error found in the part of `text` that starts at byte `offset`.
fn syntax_diagnostic(file: &str, text: &str, e: &toml::de::Error, offset: usize) -> Diagnostic {
    let message = e.message().trim();
    let (first, rest) = message.split_once('\n').unwrap_or((message, ""));
    let mut span = e.span().map_or(offset..offset, |s| s.start + offset..s.end + offset);
    if span.start > text.len() {
        span = text.len()..text.len();
    }
    let mut d = Diagnostic::new(Code::TomlSyntax, format!("invalid TOML: {first}")).at(file, span);
    let rest = rest.trim();
    if !rest.is_empty() {
        d = d.label(rest.replace('\n', "; "));
    }
    d
}

/// Errors of the typed step: the schema lets these through (e.g. quoted dates).
fn typed_diagnostic(file: &str, e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim();
    let code = if message.contains("date") { Code::InvalidDate } else { Code::WrongType };
    let mut d = Diagnostic::new(code, message.to_owned()).at(file, e.span().unwrap_or(0..0));
    if code == Code::InvalidDate {
        d = d.label("expected a date such as 2026-03-02");
    }
    d
}

/// Reads and parses every data file of the working tree (without cross-file checks).
pub fn worktree(repo: &crate::repo::Repo) -> (crate::model::Workspace, crate::diag::Report) {
    use rayon::prelude::*;
    let scan = repo.scan();
    let raw: Vec<RawFile> = scan
        .files
        .into_par_iter()
        .map(|f| {
            let bytes = std::fs::read(repo.path(&f.path)).map_err(|e| e.to_string());
            RawFile { path: f.path, entry: f.entry, bytes }
        })
        .collect();
    let (mut ws, mut report) = assemble(raw);
    ws.as_of = Some(crate::model::Date::today());
    report.diagnostics.extend(scan.diagnostics);
    (ws, report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ActionState, Template};

    #[test]
    fn merge_conflicts_are_named_once_per_region() {
        let text = "<<<<<<< HEAD\nowner = \"a@x.io\"\n=======\nowner = \"b@x.io\"\n>>>>>>> other\n[implementation]\nstatus = \"planned\"\n";
        let parsed = parse::<ActionState>(FileKind::State, "s.toml", text.as_bytes());
        let codes: Vec<Code> = parsed.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::MergeConflict]);
        assert_eq!(parsed.diagnostics[0].byte_span(), Some(&(0..12)));
        assert!(parsed.diagnostics[0].message.contains("between `HEAD` and `other`"));
    }

    #[test]
    fn syntax_errors_after_an_unclosed_table_header_are_reported() {
        let text =
            "owner = \"ana@example.com\n\n[implementation\nstatus = implemented\n[test\nstatus = passed\n";
        let parsed = parse::<ActionState>(FileKind::State, "s.toml", text.as_bytes());
        let mut lines: Vec<(Code, usize)> = parsed
            .diagnostics
            .iter()
            .map(|d| (d.code, text[..d.byte_span().expect("span").start].lines().count()))
            .collect();
        lines.sort();
        let e = Code::TomlSyntax;
        assert_eq!(lines, [(e, 1), (e, 3), (e, 4), (e, 5), (e, 6)], "{:?}", parsed.diagnostics);
    }

    #[test]
    fn a_heading_underline_in_a_string_is_not_a_conflict() {
        let text = "id = \"t\"\nname = \"T\"\nregulation = \"R\"\nversion = 1\ndescription = \"\"\"\nTitle\n=======\n\"\"\"\n";
        let parsed = parse::<Template>(FileKind::Template, "templates/t.toml", text.as_bytes());
        assert!(parsed.diagnostics.iter().all(|d| d.code != Code::MergeConflict), "{:?}", parsed.diagnostics);
    }
}
