//! Diagnostics: what is wrong, where, and how to fix it.
//!
//! Checks collect every problem as a [`Diagnostic`] instead of stopping at the
//! first; renderers in [`render`] turn them into terminal output, JSON, GitHub
//! annotations or SARIF.

mod codes;
pub mod render;
mod snippet;

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

pub use codes::Code;
use serde::Serialize;

use crate::model::Level;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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

/// One problem found in the repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// Repository-relative path with `/` separators.
    pub file: Option<String>,
    /// Byte range in the file's text.
    pub span: Option<Range<usize>>,
    /// Text under the primary underline.
    pub label: Option<String>,
    pub related: Vec<Related>,
    pub hint: Option<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// Applies the level `[rules]` gives this diagnostic's rule, if any;
    /// false when the rule is off.
    pub fn apply_level(&mut self, levels: &BTreeMap<String, Level>) -> bool {
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

    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            file: None,
            span: None,
            label: None,
            related: Vec::new(),
            hint: None,
            notes: Vec::new(),
        }
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn at(mut self, file: impl Into<String>, span: Range<usize>) -> Self {
        self.file = Some(file.into());
        self.span = Some(span);
        self
    }

    pub fn span(mut self, span: Option<Range<usize>>) -> Self {
        self.span = span;
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn maybe_hint(mut self, hint: Option<String>) -> Self {
        if hint.is_some() {
            self.hint = hint;
        }
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn related(
        mut self,
        file: impl Into<String>,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        self.related.push(Related { file: file.into(), span, message: message.into() });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The text of every file read, for snippets and line/column numbers.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: BTreeMap<String, Arc<str>>,
}

impl Sources {
    pub fn insert(&mut self, path: impl Into<String>, text: impl Into<Arc<str>>) {
        self.files.insert(path.into(), text.into());
    }

    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(|t| &**t)
    }

    pub fn extend(&mut self, other: Sources) {
        self.files.extend(other.files);
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, path: &str, offset: usize) -> (usize, usize) {
        self.get(path).map(|text| line_col(text, offset)).unwrap_or((1, 1))
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
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
    /// How many files (or, for `audit`, commits) were checked.
    pub files_checked: usize,
    /// What was counted in `files_checked` ("file" when empty).
    pub unit: &'static str,
}

impl Report {
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// For diagnostics of the history rules: adds the text of the files they
    /// name, as `read` returns it (the command reads the working tree), for
    /// snippets, and points each at the place its message is about when it
    /// has none yet (the test status of a state file).
    pub fn locate(&mut self, mut read: impl FnMut(&str) -> Option<String>) {
        for d in &mut self.diagnostics {
            if !matches!(
                d.code,
                Code::EvidenceFrozen
                    | Code::AssessorRequired
                    | Code::SignatureMissing
                    | Code::SignatureUnknownKey
                    | Code::SignatureOtherSigner
                    | Code::SignatureBad
                    | Code::SignatureUnverified
            ) {
                continue;
            }
            let Some(file) = d.file.clone() else { continue };
            if self.sources.get(&file).is_none()
                && let Some(text) = read(&file)
            {
                self.sources.insert(file.clone(), text);
            }
            if d.span.as_ref().is_none_or(|s| s.is_empty())
                && let Some(text) = self.sources.get(&file)
            {
                d.span = crate::load::span_of(text, "/test/status").or(d.span.clone());
            }
        }
    }

    /// Applies `[rules]` levels and sorts by file and position, so output is stable.
    pub fn finish(&mut self, levels: &BTreeMap<String, Level>) {
        self.diagnostics.retain_mut(|d| d.apply_level(levels));
        self.diagnostics.sort_by(|a, b| {
            (&a.file, a.span.as_ref().map(|s| s.start), a.code, &a.message).cmp(&(
                &b.file,
                b.span.as_ref().map(|s| s.start),
                b.code,
                &b.message,
            ))
        });
        self.diagnostics.dedup();
    }
}

/// The closest of `candidates` to `word`, if close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// "did you mean `x`?" for the closest candidate.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
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
