//! Diagnostics: what is wrong, where, and how to fix it.
//!
//! Checks collect every problem as a [`Diagnostic`] instead of stopping at the
//! first; renderers in [`render`] turn them into terminal output, JSON, GitHub
//! annotations or SARIF. A diagnostic is about one [`Location`]: a place in a
//! file of the repository, a cell of a spreadsheet being imported, or a file
//! as it was in a past commit. Warnings are diagnostics too, each with its
//! code, so that they reach `--format json` and SARIF as errors do.

mod codes;
pub mod render;
pub(crate) mod shell;
mod snippet;

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

pub use codes::Code;
use serde::Serialize;

use crate::model::Level;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A secondary location ("first defined here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub file: String,
    pub span: Range<usize>,
    pub message: String,
}

/// Where a problem is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Location {
    /// Nowhere in particular: the repository or the command as a whole.
    #[default]
    Nowhere,
    /// A file of the repository (repository-relative, `/` separators), or a
    /// byte range of its text.
    File { file: String, span: Option<Range<usize>> },
    /// A spreadsheet being imported: the whole file, a row or one cell.
    Cell(Cell),
    /// A file as it was in a commit of the history.
    Commit(CommitPath),
}

/// A file, sheet, row or cell of a spreadsheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    /// The file name, as the user gave it.
    pub file: String,
    /// The sheet's name (XLSX only).
    pub sheet: Option<String>,
    /// The row number a spreadsheet shows (the header is usually row 1).
    pub row: Option<usize>,
    /// The CSV line the row starts on.
    pub line: Option<u64>,
    /// The column's header.
    pub column: Option<String>,
}

/// A file in a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitPath {
    /// The full commit id.
    pub commit: String,
    /// The commit's author date, `YYYY-MM-DD`, when known.
    pub date: Option<String>,
    /// Repository-relative path with `/` separators.
    pub path: String,
}

/// The commit a problem was made in, beside a place in the working tree: a
/// history rule's diagnostic points at the file as it is now and names the
/// commit that broke the rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitRef {
    /// The full commit id.
    pub commit: String,
    /// The commit's author date, `YYYY-MM-DD`, when known.
    pub date: Option<String>,
}

impl Location {
    /// The file the problem is in: the repository file, the spreadsheet, or
    /// the path in the commit.
    pub(crate) fn file(&self) -> Option<&str> {
        match self {
            Location::Nowhere => None,
            Location::File { file, .. } => Some(file),
            Location::Cell(cell) => Some(&cell.file),
            Location::Commit(c) => Some(&c.path),
        }
    }

    /// The place as words, for places a snippet cannot show:
    /// `actions.xlsx: sheet "Actions", row 14, column "Test status"`, or
    /// `assessments/a/mfa.toml in 1a2b3c4 (2026-05-02)`. `None` for a
    /// repository file, which renderers show with line and column.
    pub(crate) fn describe(&self) -> Option<String> {
        match self {
            Location::Nowhere | Location::File { .. } => None,
            Location::Cell(cell) => {
                let mut out = cell.file.clone();
                let mut parts = Vec::new();
                if let Some(sheet) = &cell.sheet {
                    parts.push(format!("sheet \"{sheet}\""));
                }
                match (cell.row, cell.line) {
                    (Some(row), Some(line)) if line as usize != row => {
                        parts.push(format!("row {row} (line {line})"))
                    }
                    (Some(row), _) => parts.push(format!("row {row}")),
                    _ => {}
                }
                if let Some(column) = &cell.column {
                    parts.push(format!("column \"{column}\""));
                }
                if !parts.is_empty() {
                    out.push_str(": ");
                    out.push_str(&parts.join(", "));
                }
                Some(out)
            }
            Location::Commit(c) => {
                let short: String = c.commit.chars().take(7).collect();
                Some(match &c.date {
                    Some(date) => format!("{} in {short} ({date})", c.path),
                    None => format!("{} in {short}", c.path),
                })
            }
        }
    }
}

/// One problem found in the repository, a spreadsheet or the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    /// Text under the primary underline.
    pub label: Option<String>,
    pub related: Vec<Related>,
    pub hint: Option<String>,
    pub notes: Vec<String>,
    /// The commit the problem was made in, when it is not the location
    /// itself (history rules: see [`CommitRef`]).
    pub made_in: Option<CommitRef>,
    /// Where in its file the problem is, as JSON pointers tried in order, for a
    /// diagnostic placed later in the working tree's text ([`Report::locate`]).
    pub(crate) pointers: Vec<String>,
}

impl Diagnostic {
    /// Applies the level `[rules]` gives this diagnostic's rule, if any;
    /// false when the rule is off.
    pub(crate) fn apply_level(&mut self, levels: &BTreeMap<String, Level>) -> bool {
        if !self.code.configurable() {
            return true;
        }
        match levels.get(self.code.name()) {
            Some(Level::Off) => false,
            Some(Level::Warning) => {
                self.severity = Severity::Warning;
                true
            }
            Some(Level::Error) => {
                self.severity = Severity::Error;
                true
            }
            None => true,
        }
    }

    pub(crate) fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            location: Location::Nowhere,
            label: None,
            related: Vec::new(),
            hint: None,
            notes: Vec::new(),
            made_in: None,
            pointers: Vec::new(),
        }
    }

    /// Places the diagnostic at the first of these keys (JSON pointers) that its
    /// file has, once [`Report::locate`] reads the file.
    pub(crate) fn at_first_of(mut self, pointers: Vec<String>) -> Self {
        self.pointers = pointers;
        self
    }

    /// The file the problem is in ([`Location::file`]).
    pub(crate) fn file(&self) -> Option<&str> {
        self.location.file()
    }

    /// The byte range in a repository file, when the problem has one.
    pub(crate) fn byte_span(&self) -> Option<&Range<usize>> {
        match &self.location {
            Location::File { span, .. } => span.as_ref(),
            _ => None,
        }
    }

    /// About a whole file of the repository.
    pub(crate) fn in_file(mut self, file: impl Into<String>) -> Self {
        self.location = Location::File { file: file.into(), span: None };
        self
    }

    /// About a byte range of a file of the repository.
    pub(crate) fn at(mut self, file: impl Into<String>, span: Range<usize>) -> Self {
        self.location = Location::File { file: file.into(), span: Some(span) };
        self
    }

    /// Sets (or, with `None`, removes) the byte range in the diagnostic's file.
    pub(crate) fn span(mut self, span: Option<Range<usize>>) -> Self {
        if let Location::File { span: s, .. } = &mut self.location {
            *s = span;
        }
        self
    }

    /// About a spreadsheet, a row or a cell.
    pub(crate) fn in_cell(mut self, cell: Cell) -> Self {
        self.location = Location::Cell(cell);
        self
    }

    /// About a file as it was in a commit.
    pub(crate) fn in_commit(mut self, at: CommitPath) -> Self {
        self.location = Location::Commit(at);
        self
    }

    pub(crate) fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub(crate) fn maybe_hint(mut self, hint: Option<String>) -> Self {
        if hint.is_some() {
            self.hint = hint;
        }
        self
    }

    pub(crate) fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub(crate) fn related(
        mut self,
        file: impl Into<String>,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        self.related.push(Related { file: file.into(), span, message: message.into() });
        self
    }

    /// Lowered to a warning: for a code that is an error where the rule is
    /// checked, told where it only needs attention (a command that copies a
    /// state the group disagrees on).
    pub(crate) fn into_warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub(crate) fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The text of every file read, for snippets and line/column numbers.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: BTreeMap<String, Arc<str>>,
}

impl Sources {
    pub(crate) fn insert(&mut self, path: impl Into<String>, text: impl Into<Arc<str>>) {
        self.files.insert(path.into(), text.into());
    }

    pub(crate) fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(|t| &**t)
    }

    pub(crate) fn extend(&mut self, other: Sources) {
        self.files.extend(other.files);
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub(crate) fn line_col(&self, path: &str, offset: usize) -> (usize, usize) {
        self.get(path).map(|text| line_col(text, offset)).unwrap_or((1, 1))
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

/// A set of diagnostics with the configured rule levels applied.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    pub sources: Sources,
    /// How many files were checked.
    pub files_checked: usize,
    /// How many commits were checked (`check --base`, `audit`); `None` when
    /// the history was not.
    pub commits_checked: Option<usize>,
}

impl Report {
    /// Whether only commits were checked, no files (`audit`).
    pub(crate) fn only_commits(&self) -> bool {
        self.commits_checked.is_some() && self.files_checked == 0
    }
}

impl Report {
    pub(crate) fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub(crate) fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// For diagnostics of the history rules: adds the text of the files they
    /// name, as `read` returns it (the command reads the working tree), for
    /// snippets, and points each at the place its message is about when it
    /// has none yet (its pointers, or the test status of a state file).
    pub fn locate(&mut self, mut read: impl FnMut(&str) -> Option<String>) {
        for d in &mut self.diagnostics {
            let test_status = matches!(
                d.code,
                Code::EvidenceFrozen
                    | Code::AssessorRequired
                    | Code::SignatureMissing
                    | Code::SignatureUnknownKey
                    | Code::SignatureOtherSigner
                    | Code::SignatureBad
                    | Code::SignatureUnverified
            );
            let pointers = match (d.pointers.is_empty(), test_status) {
                (false, _) => d.pointers.clone(),
                (true, true) => vec!["/test/status".to_owned()],
                (true, false) => continue,
            };
            let Location::File { file, span } = &mut d.location else { continue };
            if self.sources.get(file).is_none()
                && let Some(text) = read(file)
            {
                self.sources.insert(file.clone(), text);
            }
            if span.as_ref().is_none_or(|s| s.is_empty())
                && let Some(text) = self.sources.get(file)
            {
                *span = pointers.iter().find_map(|p| crate::load::span_of(text, p)).or(span.clone());
            }
        }
    }

    /// Applies `[rules]` levels and sorts by file and position, so output is stable.
    pub fn finish(&mut self, levels: &BTreeMap<String, Level>) {
        self.diagnostics.retain_mut(|d| d.apply_level(levels));
        self.diagnostics.sort_by(|a, b| {
            (a.file(), a.byte_span().map(|s| s.start), a.code, &a.message).cmp(&(
                b.file(),
                b.byte_span().map(|s| s.start),
                b.code,
                &b.message,
            ))
        });
        self.diagnostics.dedup();
    }
}

/// The closest of `candidates` to `word`, if close enough to be a likely typo.
pub(crate) fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// "did you mean `x`?" for the closest candidate.
pub(crate) fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    suggest(word, candidates).map(|s| format!("did you mean `{s}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_columns() {
        let text = "a = 1\r\nbé = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 7), (2, 1));
        // `=` after a two-byte character is the 4th character.
        assert_eq!(line_col(text, 11), (2, 4));
        assert_eq!(line_col(text, 1000), (3, 1));
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("statsu", ["status", "date", "notes"]), Some("status"));
        assert_eq!(suggest("zzz", ["status", "date"]), None);
    }
}
