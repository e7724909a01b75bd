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

    let mut builder = Builder::default();
    let mut report = Report::default();
    for (file, (item, diags, text)) in parsed {
        report.files_checked += 1;
        report.diagnostics.extend(diags);
        if let Some(text) = &text {
            report.sources.insert(file.path.clone(), text.clone());
        }
        let (Some(item), Some(text)) = (item, text) else {
            continue;
        };
        if let Some((declared, expected, named)) = builder.add(file.entry, item) {
            check_id(&mut report, &file.path, &text, &expected, &declared, named);
        }
    }
    (builder.finish(), report)
}

/// Collects typed files into a workspace. State files wait until every
/// assessment is in: a state whose assessment.toml is broken or missing has
/// nowhere to go (the assessment's own diagnostics say why).
#[derive(Default)]
struct Builder {
    ws: Workspace,
    states: Vec<(crate::model::AssessmentId, crate::model::ActionId, ActionState)>,
}

impl Builder {
    /// Adds a file's value. Returns the id the file declares, the id its path
    /// implies and what names it, when the two differ.
    fn add(&mut self, entry: Entry, item: Item) -> Option<(String, String, Named)> {
        let mismatch = |declared: &str, expected: &str, named| {
            (declared != expected).then(|| (declared.to_owned(), expected.to_owned(), named))
        };
        match (entry, item) {
            (Entry::Config, Item::Config(c)) => self.ws.config = c,
            (Entry::Template(id), Item::Template(t)) => {
                let m = mismatch(t.id.as_str(), id.as_str(), Named::File);
                self.ws.templates.insert(id, t);
                return m;
            }
            (Entry::Action(id), Item::Action(a)) => {
                let m = mismatch(a.id.as_str(), id.as_str(), Named::File);
                self.ws.actions.insert(id, a);
                return m;
            }
            (Entry::Assessment(id), Item::Assessment(a)) => {
                let m = mismatch(a.id.as_str(), id.as_str(), Named::Directory);
                self.ws.assessments.insert(id, AssessmentEntry { assessment: a, states: BTreeMap::new() });
                return m;
            }
            (Entry::State(assessment, action), Item::State(s)) => self.states.push((assessment, action, s)),
            _ => {}
        }
        None
    }

    fn finish(mut self) -> Workspace {
        for (assessment, action, state) in self.states {
            if let Some(entry) = self.ws.assessments.get_mut(&assessment) {
                entry.states.insert(action, state);
            }
        }
        self.ws
    }
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
    let mut builder = Builder::default();
    let mut broken = Vec::new();
    for (file, item) in parsed {
        match item {
            Some(item) => {
                builder.add(file.entry, item);
            }
            None => broken.push(file.path),
        }
    }
    (builder.finish(), broken)
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
    with_spans(text, |spans| spans.get(&tree::pointer_segments(pointer)).map(|(_, value)| value.clone()))
}

/// The span of the key at a JSON pointer (falls back to the value's span).
pub fn key_span_of(text: &str, pointer: &str) -> Option<Range<usize>> {
    with_spans(text, |spans| {
        spans.get(&tree::pointer_segments(pointer)).map(|(key, value)| key.clone().unwrap_or(value.clone()))
    })
}

/// Every value of a document by its pointer segments: the key's span (none
/// for array items and the root) and the value's.
type SpanIndex = std::collections::HashMap<Vec<String>, (Option<Range<usize>>, Range<usize>)>;

thread_local! {
    /// The index of the last document looked up on this thread. Diagnostics
    /// come file by file, so a file with 10,000 of them is parsed once, not
    /// 10,000 times (which made a long template take minutes to report).
    static LAST_SPANS: std::cell::RefCell<Option<(String, std::rc::Rc<Option<SpanIndex>>)>> =
        const { std::cell::RefCell::new(None) };
}

fn with_spans<T>(text: &str, f: impl FnOnce(&SpanIndex) -> Option<T>) -> Option<T> {
    let cached = LAST_SPANS.with(|last| {
        last.borrow().as_ref().filter(|(t, _)| t == text).map(|(_, index)| std::rc::Rc::clone(index))
    });
    let index = cached.unwrap_or_else(|| {
        let index = std::rc::Rc::new(DeTable::parse(text).ok().map(|doc| span_index(&doc)));
        LAST_SPANS.with(|last| *last.borrow_mut() = Some((text.to_owned(), std::rc::Rc::clone(&index))));
        index
    });
    index.as_ref().as_ref().and_then(f)
}

fn span_index(doc: &toml::Spanned<DeTable<'_>>) -> SpanIndex {
    use toml::de::DeValue;
    fn walk(value: &DeValue<'_>, path: &mut Vec<String>, out: &mut SpanIndex) {
        match value {
            DeValue::Table(table) => {
                for (k, v) in table.iter() {
                    path.push(k.get_ref().to_string());
                    out.insert(path.clone(), (Some(k.span()), v.span()));
                    walk(v.get_ref(), path, out);
                    path.pop();
                }
            }
            DeValue::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    path.push(i.to_string());
                    out.insert(path.clone(), (None, v.span()));
                    walk(v.get_ref(), path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = SpanIndex::new();
    out.insert(Vec::new(), (None, doc.span()));
    let mut path = Vec::new();
    for (k, v) in doc.get_ref().iter() {
        path.push(k.get_ref().to_string());
        out.insert(path.clone(), (Some(k.span()), v.span()));
        walk(v.get_ref(), &mut path, &mut out);
        path.pop();
    }
    out
}
