//! Builds the [`Workspace`] from the files of one version of a repository.

use std::collections::BTreeMap;
use std::ops::Range;

use rayon::prelude::*;
use toml::de::DeTable;

use super::{Parsed, parse, tree};
use crate::diag::{Code, Diagnostic, Report};
use crate::model::{Action, ActionState, Assessment, AssessmentEntry, Config, Template, Workspace};
use crate::repo::layout::Entry;
use crate::schema::FileKind;

/// One file's path, what it is, and its bytes (or why they could not be read).
#[derive(Debug)]
pub struct RawFile {
    pub path: String,
    pub entry: Entry,
    pub bytes: Result<Vec<u8>, String>,
}

/// A file's typed content (if valid), its diagnostics and its text.
type ParsedItem = (Option<Item>, Vec<Diagnostic>, Option<std::sync::Arc<str>>);

pub enum Item {
    Config(Config),
    Template(Template),
    Action(Action),
    Assessment(Assessment),
    State(ActionState),
}

/// Parses every file (in parallel) and assembles the workspace. Files with
/// errors are left out of the workspace; their diagnostics go in the report.
pub fn assemble(files: Vec<RawFile>) -> (Workspace, Report) {
    let parsed: Vec<(RawFile, ParsedItem)> = files
        .into_par_iter()
        .map(|file| {
            let parsed = parse_one(&file);
            (file, parsed)
        })
        .collect();

    let mut ws = Workspace::default();
    let mut report = Report::default();
    let mut states: Vec<(crate::model::AssessmentId, crate::model::ActionId, ActionState)> = Vec::new();
    for (file, (item, diags, text)) in parsed {
        report.files_checked += 1;
        report.diagnostics.extend(diags);
        if let Some(text) = &text {
            report.sources.insert(file.path.clone(), text.clone());
        }
        let (Some(item), Some(text)) = (item, text) else {
            continue;
        };
        match (file.entry, item) {
            (Entry::Config, Item::Config(c)) => ws.config = c,
            (Entry::Template(id), Item::Template(t)) => {
                check_id(&mut report, &file.path, &text, id.as_str(), t.id.as_str(), Named::File);
                ws.templates.insert(id, t);
            }
            (Entry::Action(id), Item::Action(a)) => {
                check_id(&mut report, &file.path, &text, id.as_str(), a.id.as_str(), Named::File);
                ws.actions.insert(id, a);
            }
            (Entry::Assessment(id), Item::Assessment(a)) => {
                check_id(&mut report, &file.path, &text, id.as_str(), a.id.as_str(), Named::Directory);
                ws.assessments.insert(id, AssessmentEntry { assessment: a, states: BTreeMap::new() });
            }
            (Entry::State(assessment, action), Item::State(s)) => states.push((assessment, action, s)),
            _ => {}
        }
    }
    for (assessment, action, state) in states {
        // A state whose assessment.toml is broken or missing has nowhere to go;
        // the assessment's own diagnostics say why.
        if let Some(entry) = ws.assessments.get_mut(&assessment) {
            entry.states.insert(action, state);
        }
    }
    (ws, report)
}

/// Builds the workspace of a past version: typed parsing only (no schema
/// checks, no diagnostics); files that do not parse are left out. History
/// needs the values, and its files were checked when they were committed.
pub fn assemble_quietly(files: Vec<RawFile>) -> (Workspace, Vec<String>) {
    let parsed: Vec<(RawFile, Option<Item>)> = files
        .into_par_iter()
        .map(|file| {
            let item = file.bytes.as_ref().ok().and_then(|b| parse_typed(&file.entry, b));
            (file, item)
        })
        .collect();
    let mut ws = Workspace::default();
    let mut broken = Vec::new();
    let mut states = Vec::new();
    for (file, item) in parsed {
        let Some(item) = item else {
            broken.push(file.path);
            continue;
        };
        match (file.entry, item) {
            (Entry::Config, Item::Config(c)) => ws.config = c,
            (Entry::Template(id), Item::Template(t)) => {
                ws.templates.insert(id, t);
            }
            (Entry::Action(id), Item::Action(a)) => {
                ws.actions.insert(id, a);
            }
            (Entry::Assessment(id), Item::Assessment(a)) => {
                ws.assessments.insert(id, AssessmentEntry { assessment: a, states: BTreeMap::new() });
            }
            (Entry::State(assessment, action), Item::State(s)) => states.push((assessment, action, s)),
            _ => {}
        }
    }
    for (assessment, action, state) in states {
        if let Some(entry) = ws.assessments.get_mut(&assessment) {
            entry.states.insert(action, state);
        }
    }
    (ws, broken)
}

/// The typed value of a file, without schema checks.
pub fn parse_typed(entry: &Entry, bytes: &[u8]) -> Option<Item> {
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match entry {
        Entry::Config => toml::from_str(text).ok().map(Item::Config),
        Entry::Template(_) => toml::from_str(text).ok().map(Item::Template),
        Entry::Action(_) => toml::from_str(text).ok().map(Item::Action),
        Entry::Assessment(_) => toml::from_str(text).ok().map(Item::Assessment),
        Entry::State(..) => toml::from_str(text).ok().map(Item::State),
        Entry::Misplaced(_) | Entry::Other => None,
    }
}

fn parse_one(file: &RawFile) -> ParsedItem {
    let bytes = match &file.bytes {
        Ok(b) => b,
        Err(e) => {
            let d = Diagnostic::new(Code::UnreadableFile, format!("cannot read `{}`: {e}", file.path))
                .in_file(&file.path);
            return (None, vec![d], None);
        }
    };
    fn wrap<T>(
        p: Parsed<T>,
        f: impl Fn(T) -> Item,
    ) -> (Option<Item>, Vec<Diagnostic>, Option<std::sync::Arc<str>>) {
        (p.value.map(f), p.diagnostics, Some(p.text))
    }
    match &file.entry {
        Entry::Config => wrap(parse::<Config>(FileKind::Config, &file.path, bytes), Item::Config),
        Entry::Template(_) => wrap(parse::<Template>(FileKind::Template, &file.path, bytes), Item::Template),
        Entry::Action(_) => wrap(parse::<Action>(FileKind::Action, &file.path, bytes), Item::Action),
        Entry::Assessment(_) => {
            wrap(parse::<Assessment>(FileKind::Assessment, &file.path, bytes), Item::Assessment)
        }
        Entry::State(..) => wrap(parse::<ActionState>(FileKind::State, &file.path, bytes), Item::State),
        Entry::Misplaced(_) | Entry::Other => (None, Vec::new(), None),
    }
}

/// What an id must match.
enum Named {
    File,
    Directory,
}

fn check_id(report: &mut Report, file: &str, text: &str, expected: &str, found: &str, named: Named) {
    if expected == found {
        return;
    }
    let (what, rename) = match named {
        Named::File => ("file name", format!("rename the file to `{found}.toml`")),
        Named::Directory => ("directory name", format!("rename the directory to `{found}`")),
    };
    report.diagnostics.push(
        Diagnostic::new(Code::IdMismatch, format!("id `{found}` does not match the {what} `{expected}`"))
            .at(file, span_of(text, "/id").unwrap_or(0..0))
            .label(format!("expected `{expected}`"))
            .hint(format!("change the id to `{expected}`, or {rename}")),
    );
}

/// The span of the value at a JSON pointer in a TOML text. Parses again:
/// only called when reporting a problem.
pub fn span_of(text: &str, pointer: &str) -> Option<Range<usize>> {
    let doc = DeTable::parse(text).ok()?;
    tree::locate(&doc, &tree::pointer_segments(pointer)).map(|l| l.value)
}

/// The span of the key at a JSON pointer (falls back to the value's span).
pub fn key_span_of(text: &str, pointer: &str) -> Option<Range<usize>> {
    let doc = DeTable::parse(text).ok()?;
    tree::locate(&doc, &tree::pointer_segments(pointer)).map(|l| l.key.unwrap_or(l.value))
}
