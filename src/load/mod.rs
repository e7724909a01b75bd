//! Loading: bytes of one file → checked, typed value, with diagnostics.
//!
//! Each file goes through the same steps: UTF-8 and byte-order-mark checks,
//! TOML parsing (all syntax errors, with recovery), JSON Schema validation
//! (every violation, mapped back to the TOML source), then typed
//! deserialisation. The steps only need the bytes, so the same code reads the
//! working tree and blobs from git history.

pub mod assemble;
pub mod schema_errors;
pub mod tree;

pub use assemble::{Item, RawFile, assemble, assemble_quietly, key_span_of, parse_typed, span_of};

use std::sync::Arc;

use serde::de::DeserializeOwned;
use toml::de::DeTable;

use crate::diag::{Code, Diagnostic};
use crate::schema::FileKind;

/// The outcome of reading one file.
#[derive(Debug)]
pub struct Parsed<T> {
    /// The typed value, when the file is free of errors.
    pub value: Option<T>,
    pub diagnostics: Vec<Diagnostic>,
    /// The text as read (without a byte-order mark), for snippets.
    pub text: Arc<str>,
}

const BOM: &str = "\u{feff}";

/// Reads one file of the given kind. `file` is its repository-relative path.
pub fn parse<T: DeserializeOwned>(kind: FileKind, file: &str, bytes: &[u8]) -> Parsed<T> {
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
    let value = parse_text::<T>(kind, file, &text, &mut diagnostics);
    Parsed { value, diagnostics, text }
}

fn parse_text<T: DeserializeOwned>(
    kind: FileKind,
    file: &str,
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<T> {
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        diagnostics.extend(errors.iter().map(|e| syntax_diagnostic(file, text, e)));
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

fn syntax_diagnostic(file: &str, text: &str, e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim();
    let (first, rest) = message.split_once('\n').unwrap_or((message, ""));
    let mut span = e.span().unwrap_or(0..0);
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
    let (ws, mut report) = assemble(raw);
    report.diagnostics.extend(scan.diagnostics);
    (ws, report)
}
