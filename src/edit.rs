//! Editing action state files the way a person would.
//!
//! The editing commands (`set`, `assign`, `evidence add|remove`) change a few
//! keys of `assessments/<a>/<action>.toml` and leave the rest of the text
//! (comments, spacing, key order, quoting) as it was: they edit the TOML
//! document with `toml_edit` instead of re-serialising the typed state.
//!
//! Every edit goes through a [`Session`]:
//!
//! 1. [`targets`] decides which assessments an edit goes to: those asked for,
//!    widened to the other members of their group that list the action, so that
//!    the state a group shares stays identical (group synchronisation);
//! 2. [`Session::open`] reads each state file, or starts a new one when it is
//!    missing, and refuses files that do not load;
//! 3. the command changes each [`StateEdit`];
//! 4. [`Session::plan`] reads every result back with the loader `validate`
//!    uses, runs the status rules, and gathers the files to write into one
//!    [`Changeset`], so that either every file is written or none is.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;
use std::path::{Component, Path, PathBuf};

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, TableLike, Value};

use crate::checks::evidence::{Resolved, resolve, sha256_bytes};
use crate::checks::group::differences;
use crate::checks::status::{Problem, problems};
use crate::diag::{Code, Diagnostic, Report, did_you_mean, suggest};
use crate::error::{Error, Result};
use crate::load::span_of;
use crate::model::{
    Action, ActionId, ActionState, AssessmentId, Date, Evidence, Implementation, ImplementationStatus, Level,
    Test, TestStatus, Workspace,
};
use crate::repo::layout::{self, EVIDENCE_DIR, Entry, state_path};
use crate::repo::write::{Changeset, WriteStatus, contained_path};
use crate::schema::FileKind;

// ---------------------------------------------------------------------------
// Where an edit goes
// ---------------------------------------------------------------------------

/// Errors that stop every edit: a file that decides where an edit goes (the
/// configuration, a template, an assessment) did not load, so group
/// membership, people or rule levels would be guessed. Returns them with their
/// sources, ready to print, or `None` when there are none.
pub fn unusable_inputs(report: &Report) -> Option<Report> {
    let blocking: Vec<Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && is_loading_error(d.code))
        .filter(|d| {
            d.file.as_deref().is_some_and(|f| {
                matches!(layout::classify(f), Entry::Config | Entry::Template(_) | Entry::Assessment(_))
            })
        })
        .cloned()
        .collect();
    (!blocking.is_empty()).then(|| Report {
        diagnostics: blocking,
        sources: report.sources.clone(),
        ..Report::default()
    })
}

/// Codes of the reading steps (E01xx: the file, E02xx: its schema): a file
/// with one of them is missing from the workspace.
fn is_loading_error(code: Code) -> bool {
    let c = code.code();
    c.starts_with("E01") || c.starts_with("E02")
}

/// The action an edit is about, with a suggestion when it does not exist.
pub fn action<'w>(ws: &'w Workspace, report: &Report, id: &str) -> Result<&'w Action> {
    if let Some(action) = ws.actions.get(id) {
        return Ok(action);
    }
    let mut err = Error::new(format!("no action `{id}`"));
    let file = layout::action_path(id);
    if let Some(hint) = did_you_mean(id, ws.actions.keys().map(ActionId::as_str)) {
        err = err.hint(hint);
    } else if report.sources.get(&file).is_some() {
        err = err.hint(format!("`{file}` has errors; `evident validate` shows them"));
    } else {
        err = err.hint("`evident list actions` lists the actions");
    }
    Err(err)
}

/// The assessments an edit of `action` goes to.
///
/// With `asked` assessments: those, each of which must list the action.
/// Without: every assessment that lists the action, provided there is only one
/// or they are all in one group (otherwise the choice is the user's). Either
/// way the other members of each chosen assessment's group that list the
/// action are added, because a group keeps the state of a shared action
/// identical. Sorted by id.
pub fn targets(ws: &Workspace, action: &ActionId, asked: &[String]) -> Result<Vec<AssessmentId>> {
    let listing = listing(ws, action);
    if listing.is_empty() {
        return Err(Error::new(format!("no assessment lists `{action}`"))
            .hint("add the action to a control of a template, or create an assessment with `evident new assessment`"));
    }
    let chosen: Vec<&AssessmentId> = if asked.is_empty() {
        unambiguous(ws, action, &listing)?
    } else {
        asked.iter().map(|a| asked_assessment(ws, action, &listing, a)).collect::<Result<_>>()?
    };
    let mut out = BTreeSet::new();
    for id in chosen {
        out.insert(id.clone());
        out.extend(group_members(ws, action, id));
    }
    Ok(out.into_iter().collect())
}

/// All the assessments listing the action, when that is what the user must mean.
fn unambiguous<'w>(
    ws: &Workspace,
    action: &ActionId,
    listing: &[&'w AssessmentId],
) -> Result<Vec<&'w AssessmentId>> {
    let groups: BTreeSet<Option<&str>> = listing.iter().map(|id| group_of(ws, id)).collect();
    let one_group = groups.len() == 1 && groups.iter().all(Option::is_some);
    if listing.len() == 1 || one_group {
        return Ok(listing.to_vec());
    }
    let names: Vec<String> = listing.iter().map(|id| format!("`{id}`")).collect();
    Err(Error::new(format!(
        "`{action}` is in {} assessments that are not in one group: {}",
        listing.len(),
        names.join(", ")
    ))
    .hint("choose with `--assessment <id>` (repeat it for several)"))
}

/// An assessment named on the command line: it must exist and list the action.
fn asked_assessment<'w>(
    ws: &'w Workspace,
    action: &ActionId,
    listing: &[&'w AssessmentId],
    asked: &str,
) -> Result<&'w AssessmentId> {
    let Some((id, entry)) = ws.assessments.get_key_value(asked) else {
        let err = Error::new(format!("no assessment `{asked}`"));
        return Err(match did_you_mean(asked, ws.assessments.keys().map(AssessmentId::as_str)) {
            Some(hint) => err.hint(hint),
            None => err.hint(format!("`{action}` is in: {}", list(listing))),
        });
    };
    if !listing.contains(&id) {
        return Err(Error::new(format!(
            "assessment `{asked}` (template `{}`) does not list `{action}`",
            entry.assessment.template
        ))
        .hint(format!("`{action}` is in: {}", list(listing))));
    }
    Ok(id)
}

fn list(ids: &[&AssessmentId]) -> String {
    ids.iter().map(|id| id.as_str()).collect::<Vec<_>>().join(", ")
}

fn group_of<'w>(ws: &'w Workspace, id: &AssessmentId) -> Option<&'w str> {
    ws.assessments.get(id).and_then(|e| e.assessment.group.as_ref()).map(|g| g.as_str())
}

/// The assessments whose template lists the action, by directory id (the
/// id their state files live under).
fn listing<'w>(ws: &'w Workspace, action: &ActionId) -> Vec<&'w AssessmentId> {
    ws.assessments
        .iter()
        .filter(|(_, e)| ws.template_of(&e.assessment).is_some_and(|t| t.lists_action(action.as_str())))
        .map(|(id, _)| id)
        .collect()
}

/// The other members of `id`'s group that list the action.
fn group_members(ws: &Workspace, action: &ActionId, id: &AssessmentId) -> Vec<AssessmentId> {
    let Some(group) = group_of(ws, id) else {
        return Vec::new();
    };
    listing(ws, action).into_iter().filter(|m| group_of(ws, m) == Some(group)).cloned().collect()
}

/// Checks an owner: an e-mail address, listed in `[people]` when that table exists.
pub fn check_person(ws: &Workspace, email: &str) -> Result<()> {
    let shaped = email.split_once('@').is_some_and(|(user, host)| {
        !user.is_empty() && !host.is_empty() && !host.contains('@') && !email.contains(char::is_whitespace)
    });
    let people = ws.config.people.as_ref();
    if shaped && people.is_none_or(|p| p.contains_key(email)) {
        return Ok(());
    }
    let err = if shaped {
        Error::new(format!("`{email}` is not listed in `[people]` of `{}`", layout::CONFIG_FILE))
    } else {
        Error::new(format!("`{email}` is not an e-mail address"))
    };
    let hint = people.and_then(|p| similar_person(p, email)).unwrap_or_else(|| {
        if shaped {
            format!("add `\"{email}\" = \"Name\"` to `[people]`")
        } else {
            "owners are e-mail addresses, e.g. `ana@example.com`".to_owned()
        }
    });
    Err(err.hint(hint))
}

/// "did you mean" over the addresses and, since people are often typed by
/// name, over the names of `[people]`.
fn similar_person(people: &BTreeMap<String, String>, typed: &str) -> Option<String> {
    if let Some(hint) = did_you_mean(typed, people.keys().map(String::as_str)) {
        return Some(hint);
    }
    let name = suggest(typed, people.values().map(String::as_str))?;
    let (address, name) = people.iter().find(|(_, n)| n.as_str() == name)?;
    Some(format!("did you mean `{address}` ({name})?"))
}

// ---------------------------------------------------------------------------
// Changes to one file
// ---------------------------------------------------------------------------

/// A change to `[implementation]` or `[test]`. When the status changes and no
/// date is given, the date becomes today (the day the status was reached);
/// a status that keeps its value keeps its date, and gets today's when it
/// needs one and has none.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatusChange<S> {
    pub status: Option<S>,
    pub date: Option<Date>,
    /// New notes; an empty string removes them.
    pub notes: Option<String>,
}

impl<S> StatusChange<S> {
    pub fn is_empty(&self) -> bool {
        self.status.is_none() && self.date.is_none() && self.notes.is_none()
    }
}

/// The two status tables, for code shared between them.
pub trait StatusTable: Copy + PartialEq + Display {
    /// The table's key in a state file.
    const TABLE: &'static str;
    /// The status and date of the table in a state.
    fn current(state: &ActionState) -> (Self, Option<Date>);
    /// A state that has this status and nothing else.
    fn alone(self) -> ActionState;
}

impl StatusTable for ImplementationStatus {
    const TABLE: &'static str = "implementation";
    fn current(state: &ActionState) -> (Self, Option<Date>) {
        (state.implementation.status, state.implementation.date)
    }
    fn alone(self) -> ActionState {
        ActionState {
            implementation: Implementation { status: self, ..Default::default() },
            ..Default::default()
        }
    }
}

impl StatusTable for TestStatus {
    const TABLE: &'static str = "test";
    fn current(state: &ActionState) -> (Self, Option<Date>) {
        (state.test.status, state.test.date)
    }
    fn alone(self) -> ActionState {
        ActionState { test: Test { status: self, ..Default::default() }, ..Default::default() }
    }
}

/// Whether the status rules want a date with this status. Asks
/// `checks::status` rather than repeating its list, so the two cannot drift.
fn needs_date<S: StatusTable>(action: &Action, status: S, today: Date) -> bool {
    let prefix = format!("/{}/", S::TABLE);
    problems(action, &status.alone(), today)
        .iter()
        .any(|p| p.code == Code::DateRequired && p.pointer.starts_with(&prefix))
}

/// One state file being edited.
#[derive(Debug)]
pub struct StateEdit {
    /// Repository-relative path.
    pub path: String,
    pub assessment: AssessmentId,
    pub action: Action,
    /// The text on disk without a byte-order mark; `None` for a new file.
    original: Option<String>,
    /// The state as read (for a new file: the default state).
    pub before: ActionState,
    doc: DocumentMut,
    today: Date,
    /// Rules the edit itself breaks (e.g. evidence removed after a verdict).
    refusals: Vec<Problem>,
}

impl StateEdit {
    pub fn is_new(&self) -> bool {
        self.original.is_none()
    }

    pub fn set_owner(&mut self, owner: &str) {
        let root_had_values =
            self.doc.iter().any(|(_, item)| item.is_value() || item.as_table().is_some_and(Table::is_dotted));
        set_value(self.doc.as_table_mut(), "owner", Value::from(owner));
        if !root_had_values {
            separate_first_table(&mut self.doc, "owner");
        }
    }

    pub fn change_implementation(&mut self, change: &StatusChange<ImplementationStatus>) -> Result<()> {
        self.change_status(change)
    }

    pub fn change_test(&mut self, change: &StatusChange<TestStatus>) -> Result<()> {
        self.change_status(change)
    }

    fn change_status<S: StatusTable>(&mut self, change: &StatusChange<S>) -> Result<()> {
        if change.is_empty() {
            return Ok(());
        }
        let (current, current_date) = S::current(&self.before);
        let mut date = change.date;
        if let Some(status) = change.status
            && date.is_none()
            && (status != current || (current_date.is_none() && needs_date(&self.action, status, self.today)))
        {
            date = Some(self.today);
        }
        let path = self.path.clone();
        let table = status_table(&mut self.doc, S::TABLE, &path)?;
        // `status` is required: a table this edit creates gets the current one.
        let status = change.status.or((!table.contains_key("status")).then_some(current));
        if let Some(status) = status {
            set_value(table, "status", Value::from(status.to_string()));
        }
        if let Some(date) = date {
            set_value(table, "date", date.to_toml());
        }
        match change.notes.as_deref() {
            Some(notes) if notes.trim().is_empty() => {
                table.remove("notes");
            }
            Some(notes) => set_value(table, "notes", Value::from(notes)),
            None => {}
        }
        Ok(())
    }

    /// Adds an evidence item. An identical item already there is left alone
    /// (returns false); another item with the same name, or the same file or
    /// link under another name, is an error.
    pub fn add_evidence(&mut self, item: &Evidence) -> Result<bool> {
        if let Some(existing) = self.before.evidence.iter().find(|e| e.name == item.name) {
            if existing == item {
                return Ok(false);
            }
            return Err(Error::new(format!("`{}` already has evidence named `{}`", self.path, item.name))
                .hint("choose another name with `--name`, or remove the other item first with `evident evidence remove`"));
        }
        // The same file or link twice under two names is a slip, not more evidence.
        let same_place = |e: &&Evidence| {
            (e.path.is_some() && e.path == item.path) || (e.url.is_some() && e.url == item.url)
        };
        if let Some(existing) = self.before.evidence.iter().find(same_place) {
            let place = item.path.as_deref().or(item.url.as_deref()).unwrap_or_default();
            return Err(Error::new(format!(
                "`{}` already records `{place}` as evidence `{}`",
                self.path, existing.name
            ))
            .hint("to rename it, remove it with `evident evidence remove` and add it again"));
        }
        let table = evidence_table(item);
        match self.doc.get_mut("evidence") {
            None => {
                let mut tables = ArrayOfTables::new();
                tables.push(table);
                self.doc.insert("evidence", Item::ArrayOfTables(tables));
            }
            Some(Item::ArrayOfTables(tables)) => tables.push(table),
            Some(Item::Value(Value::Array(array))) => {
                array.push(Value::InlineTable(table.into_inline_table()))
            }
            Some(_) => return Err(unexpected_shape(&self.path, "evidence")),
        }
        Ok(true)
    }

    /// Removes the evidence item called `name` and returns it. Refused (as a
    /// diagnostic, so that `[rules]` applies) once the test reached a verdict.
    pub fn remove_evidence(&mut self, name: &str) -> Result<Evidence> {
        let Some(index) = self.before.evidence.iter().position(|e| e.name == name) else {
            let names: Vec<&str> = self.before.evidence.iter().map(|e| e.name.as_str()).collect();
            let err = Error::new(format!("`{}` has no evidence named `{name}`", self.path));
            return Err(match (did_you_mean(name, names.iter().copied()), names.is_empty()) {
                (Some(hint), _) => err.hint(hint),
                (None, true) => err.hint("it has no evidence at all"),
                (None, false) => err.hint(format!("its evidence: {}", names.join(", "))),
            });
        };
        let status = self.before.test.status;
        if status.is_verdict() {
            self.refusals.push(Problem {
                code: Code::EvidenceFrozen,
                message: format!("cannot remove evidence `{name}`: the test status is `{status}`"),
                pointer: "/test/status",
                hint: Some(format!(
                    "evidence is kept once a test is passed, failed or out of scope; to replace it, first move the test status back (e.g. `evident set {} --test in-progress`) in its own commit",
                    self.action.id
                )),
            });
        }
        match self.doc.get_mut("evidence") {
            Some(Item::ArrayOfTables(tables)) if index < tables.len() => {
                tables.remove(index);
            }
            Some(Item::Value(Value::Array(array))) if index < array.len() => {
                array.remove(index);
            }
            _ => return Err(unexpected_shape(&self.path, "evidence")),
        }
        // An empty `[[evidence]]` list is no list at all.
        let empty = match self.doc.get("evidence") {
            Some(Item::ArrayOfTables(t)) => t.is_empty(),
            Some(Item::Value(Value::Array(a))) => a.is_empty(),
            _ => false,
        };
        if empty {
            self.doc.remove("evidence");
        }
        Ok(self.before.evidence[index].clone())
    }
}

/// `[implementation]` or `[test]`, created (in file order: implementation,
/// test, evidence) when the file has none.
fn status_table<'d>(doc: &'d mut DocumentMut, key: &str, path: &str) -> Result<&'d mut dyn TableLike> {
    if doc.get(key).is_none() {
        let mut table = Table::new();
        // A new table takes the position just before the first table that
        // must follow it; on a tie the printer keeps insertion order, which
        // puts it after the table already there.
        let followers: &[&str] = if key == "implementation" { &["test", "evidence"] } else { &["evidence"] };
        let position = followers.iter().filter_map(|k| position_of(doc, k)).min();
        table.set_position(position.map(|p| p - 1));
        doc.insert(key, Item::Table(table));
    }
    doc.get_mut(key).and_then(Item::as_table_like_mut).ok_or_else(|| unexpected_shape(path, key))
}

/// Lays out a top-level key added to a file that had none: the comments
/// heading the file stay at its top, above the key, and a blank line
/// separates the key from the first table.
fn separate_first_table(doc: &mut DocumentMut, new_key: &str) {
    let first = doc
        .iter()
        .filter_map(|(key, _)| position_of(doc, key).map(|p| (p, key.to_owned())))
        .min()
        .map(|(_, key)| key);
    let decor = match first.and_then(|key| doc.get_mut(&key)) {
        Some(Item::Table(t)) => t.decor_mut(),
        Some(Item::ArrayOfTables(a)) => match a.get_mut(0) {
            Some(t) => t.decor_mut(),
            None => return,
        },
        _ => return,
    };
    let heading = decor.prefix().and_then(|p| p.as_str()).unwrap_or_default().to_owned();
    decor.set_prefix("\n");
    if !heading.trim().is_empty()
        && let Some(mut key) = doc.as_table_mut().key_mut(new_key)
    {
        key.leaf_decor_mut().set_prefix(heading);
    }
}

fn position_of(doc: &DocumentMut, key: &str) -> Option<isize> {
    match doc.get(key)? {
        // Dotted tables (`test.status = ...`) have no header to place.
        Item::Table(t) if !t.is_dotted() => t.position(),
        Item::ArrayOfTables(a) => a.get(0).and_then(Table::position),
        _ => None,
    }
}

/// Sets a value and keeps the old one's surrounding spaces and trailing
/// comment. An equal value is left untouched, so that quoting and layout
/// survive a no-op edit.
fn set_value(table: &mut dyn TableLike, key: &str, mut new: Value) {
    match table.get_mut(key) {
        Some(Item::Value(old)) => {
            if same_value(old, &new) {
                return;
            }
            *new.decor_mut() = old.decor().clone();
            *old = new;
        }
        _ => {
            table.insert(key, Item::Value(new));
        }
    }
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(a), Value::String(b)) => a.value() == b.value(),
        (Value::Datetime(a), Value::Datetime(b)) => a.value() == b.value(),
        (Value::Integer(a), Value::Integer(b)) => a.value() == b.value(),
        _ => false,
    }
}

fn evidence_table(item: &Evidence) -> Table {
    let mut table = Table::new();
    table.insert("name", Item::Value(Value::from(item.name.as_str())));
    for (key, value) in [("path", &item.path), ("sha256", &item.sha256), ("url", &item.url)] {
        if let Some(v) = value {
            table.insert(key, Item::Value(Value::from(v.as_str())));
        }
    }
    table
}

/// The schema was checked before editing, so this only happens on a bug.
fn unexpected_shape(path: &str, key: &str) -> Error {
    Error::new(format!("internal error: `{key}` in `{path}` has an unexpected shape"))
        .hint("please report this bug; nothing was written")
}

// ---------------------------------------------------------------------------
// The session: open, change, plan
// ---------------------------------------------------------------------------

/// The files an editing command changes, collected before anything is written.
pub struct Session<'w> {
    root: PathBuf,
    ws: &'w Workspace,
    today: Date,
    files: BTreeMap<String, StateEdit>,
    /// Evidence files to copy into the repository.
    copies: BTreeMap<String, Vec<u8>>,
    /// State files that cannot be edited, and their diagnostics.
    unreadable: Vec<String>,
    unreadable_report: Report,
}

impl<'w> Session<'w> {
    pub fn new(root: &Path, ws: &'w Workspace, today: Date) -> Self {
        Session {
            root: root.to_path_buf(),
            ws,
            today,
            files: BTreeMap::new(),
            copies: BTreeMap::new(),
            unreadable: Vec::new(),
            unreadable_report: Report::default(),
        }
    }

    /// The state file of `action` in `assessment`, ready to change. `None`
    /// when the file does not load; its diagnostics then refuse the plan.
    pub fn open(&mut self, assessment: &AssessmentId, action: &Action) -> Result<Option<&mut StateEdit>> {
        let path = state_path(assessment.as_str(), action.id.as_str());
        if !self.files.contains_key(&path) {
            let Some(edit) = self.read(&path, assessment, action)? else {
                return Ok(None);
            };
            self.files.insert(path.clone(), edit);
        }
        Ok(self.files.get_mut(&path))
    }

    fn read(&mut self, path: &str, assessment: &AssessmentId, action: &Action) -> Result<Option<StateEdit>> {
        let full = contained_path(&self.root, path)?;
        let (original, before) = match std::fs::symlink_metadata(&full) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (None, new_state(action)),
            Err(e) => return Err(Error::io("read", &full, e)),
            Ok(meta) if !meta.file_type().is_file() => {
                self.unreadable.push(path.to_owned());
                self.unreadable_report.diagnostics.push(
                    Diagnostic::new(Code::SymlinkedFile, format!("`{path}` is not a regular file"))
                        .in_file(path)
                        .hint("replace it with a regular file; evident does not write through links"),
                );
                return Ok(None);
            }
            Ok(_) => {
                let bytes = std::fs::read(&full).map_err(|e| Error::io("read", &full, e))?;
                let parsed = crate::load::parse::<ActionState>(FileKind::State, path, &bytes);
                let errors: Vec<Diagnostic> =
                    parsed.diagnostics.into_iter().filter(|d| d.is_error()).collect();
                match parsed.value {
                    Some(state) if errors.is_empty() => (Some(parsed.text.to_string()), state),
                    _ => {
                        self.unreadable.push(path.to_owned());
                        self.unreadable_report.diagnostics.extend(errors);
                        self.unreadable_report.sources.insert(path, parsed.text);
                        return Ok(None);
                    }
                }
            }
        };
        let text = original.clone().unwrap_or_else(|| crate::scaffold::state_text(&before));
        let doc = text.parse::<DocumentMut>().map_err(|e| {
            Error::new(format!("`{path}` is valid TOML for evident but not for its editor: {e}"))
                .hint("please report this bug; nothing was written")
        })?;
        Ok(Some(StateEdit {
            path: path.to_owned(),
            assessment: assessment.clone(),
            action: action.clone(),
            original,
            before,
            doc,
            today: self.today,
            refusals: Vec::new(),
        }))
    }

    /// Adds an evidence file to write with the state files.
    pub fn copy(&mut self, file: &EvidenceFile) {
        if let Some(bytes) = &file.copy {
            self.copies.insert(file.path.clone(), bytes.clone());
        }
    }

    /// Reads every changed file back and checks it: the schema, the status
    /// rules (with `[rules]` levels) and the edit's own refusals. Problems
    /// the file already had before the edit are reported as warnings: this
    /// edit did not cause them and should not be blocked by them.
    pub fn plan(self, rules: &BTreeMap<String, Level>) -> Plan {
        let mut caused = self.unreadable_report;
        let mut already = Report::default();
        let mut files = Vec::new();
        let mut changeset = Changeset::new();
        let mut after_states = Vec::new();
        for (path, copy) in &self.copies {
            changeset.put(path.clone(), copy.clone());
        }
        for edit in self.files.into_values() {
            let Some(result) = check_file(&edit, self.today, &mut caused, &mut already) else {
                continue;
            };
            if result.change != FileChange::Unchanged {
                changeset.put(edit.path.clone(), result.text.clone());
            }
            after_states.push((edit.assessment.clone(), edit.action.id.clone(), result.after.clone()));
            files.push(FileResult { path: edit.path, change: result.change, what: result.what });
        }
        caused.finish(rules);
        already.finish(rules);
        for d in &mut already.diagnostics {
            d.severity = crate::diag::Severity::Warning;
            d.notes.push("the file already had this problem before the edit".into());
        }
        caused.diagnostics.append(&mut already.diagnostics);
        caused.sources.extend(already.sources);
        Plan {
            files,
            copies: self.copies.into_keys().collect(),
            report: caused,
            unreadable: self.unreadable,
            group_warnings: group_warnings(self.ws, &after_states),
            changeset,
        }
    }
}

/// The default state of an action in an assessment, as a new file records it.
fn new_state(action: &Action) -> ActionState {
    ActionState { accepted_version: Some(action.version), ..ActionState::default() }
}

/// A checked result of one edit.
struct Checked {
    text: String,
    after: ActionState,
    change: FileChange,
    what: Vec<String>,
}

/// Reads an edited file back and sorts its problems into those the edit
/// causes and those the file already had. `None` when it does not load.
fn check_file(edit: &StateEdit, today: Date, caused: &mut Report, already: &mut Report) -> Option<Checked> {
    let mut text = render(&edit.doc, edit.original.as_deref());
    let parsed = crate::load::parse::<ActionState>(FileKind::State, &edit.path, text.as_bytes());
    let errors: Vec<Diagnostic> = parsed.diagnostics.into_iter().filter(|d| d.is_error()).collect();
    let after = match parsed.value {
        Some(after) if errors.is_empty() => after,
        _ => {
            caused.diagnostics.extend(errors);
            caused.sources.insert(edit.path.as_str(), text);
            return None;
        }
    };
    if after == edit.before {
        let text = edit.original.clone().unwrap_or_default();
        return Some(Checked { text, after, change: FileChange::Unchanged, what: Vec::new() });
    }
    if edit.original.is_none() {
        // A new file gets the canonical layout `evident new` writes.
        text = crate::scaffold::state_text(&after);
    }
    // A problem counts as the file's own only when it is word for word the
    // same: an edit that moves a future date further out causes its problem.
    let before_problems: BTreeSet<(Code, &str, String)> = problems(&edit.action, &edit.before, today)
        .into_iter()
        .map(|p| (p.code, p.pointer, p.message))
        .collect();
    let mut found = false;
    for problem in problems(&edit.action, &after, today).into_iter().chain(edit.refusals.iter().cloned()) {
        let target = if before_problems.contains(&(problem.code, problem.pointer, problem.message.clone())) {
            &mut *already
        } else {
            &mut *caused
        };
        let span = span_of(&text, problem.pointer).unwrap_or(0..0);
        target.diagnostics.push(
            Diagnostic::new(problem.code, problem.message).at(&edit.path, span).maybe_hint(problem.hint),
        );
        found = true;
    }
    if found {
        caused.sources.insert(edit.path.as_str(), text.as_str());
        already.sources.insert(edit.path.as_str(), text.as_str());
    }
    let change = if edit.is_new() { FileChange::Created } else { FileChange::Updated };
    let what = describe(&edit.before, &after);
    Some(Checked { text, after, change, what })
}

/// The document's text, with the original's line endings and final newline.
fn render(doc: &DocumentMut, original: Option<&str>) -> String {
    let mut text = doc.to_string();
    if !text.ends_with('\n') && original.is_none_or(|o| o.ends_with('\n')) {
        text.push('\n');
    }
    // Lines the editor added end in `\n`; a CRLF file should stay CRLF throughout.
    if original.is_some_and(|o| o.contains("\r\n")) {
        text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    text
}

/// Members of a group that still disagree on a shared action after the edit
/// (they disagreed before it on something it did not change).
fn group_warnings(ws: &Workspace, states: &[(AssessmentId, ActionId, ActionState)]) -> Vec<String> {
    let mut by_group: BTreeMap<(&str, &ActionId), Vec<(&AssessmentId, &ActionState)>> = BTreeMap::new();
    for (assessment, action, state) in states {
        if let Some(group) = group_of(ws, assessment) {
            by_group.entry((group, action)).or_default().push((assessment, state));
        }
    }
    let mut out = Vec::new();
    for ((group, action), members) in by_group {
        let Some(((first, first_state), rest)) = members.split_first() else {
            continue;
        };
        for (member, state) in rest {
            let what = differences(first_state, state);
            if !what.is_empty() {
                out.push(format!(
                    "group `{group}`: `{first}` and `{member}` still disagree on `{action}` ({}); run `evident sync`",
                    what.join(", ")
                ));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------

/// What happens to one state file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileChange {
    Created,
    Updated,
    Unchanged,
}

/// One state file in a plan, with what changes in words.
#[derive(Clone, Debug)]
pub struct FileResult {
    pub path: String,
    pub change: FileChange,
    pub what: Vec<String>,
}

/// Everything an edit would write, checked.
#[derive(Debug)]
pub struct Plan {
    /// State files, sorted by path.
    pub files: Vec<FileResult>,
    /// Evidence files copied into the repository.
    pub copies: Vec<String>,
    /// Errors refuse the plan; warnings are shown.
    pub report: Report,
    /// State files that could not be edited because they do not load.
    pub unreadable: Vec<String>,
    /// Groups whose members still disagree after the edit.
    pub group_warnings: Vec<String>,
    changeset: Changeset,
}

impl Plan {
    pub fn is_refused(&self) -> bool {
        self.report.has_errors()
    }

    /// Writes every changed file at once (all or nothing).
    pub fn write(&self, root: &Path) -> Result<Vec<(String, WriteStatus)>> {
        if self.is_refused() {
            return Err(Error::new("internal error: writing a refused edit"));
        }
        self.changeset.apply(root)
    }
}

/// What changed between two states, in words ("test none → passed").
pub fn describe(before: &ActionState, after: &ActionState) -> Vec<String> {
    let mut out = Vec::new();
    value_change(&mut out, "owner", before.owner.as_deref(), after.owner.as_deref());
    let (bi, ai) = (&before.implementation, &after.implementation);
    status_change(&mut out, "implementation", bi.status, ai.status);
    value_change(&mut out, "implementation date", bi.date.as_ref(), ai.date.as_ref());
    notes_change(&mut out, "implementation notes", &bi.notes, &ai.notes);
    let (bt, at) = (&before.test, &after.test);
    status_change(&mut out, "test", bt.status, at.status);
    value_change(&mut out, "test date", bt.date.as_ref(), at.date.as_ref());
    notes_change(&mut out, "test notes", &bt.notes, &at.notes);
    evidence_changes(&mut out, &before.evidence, &after.evidence);
    out
}

fn status_change<S: PartialEq + Display>(out: &mut Vec<String>, what: &str, before: S, after: S) {
    if before != after {
        out.push(format!("{what} {before} → {after}"));
    }
}

fn value_change<T: PartialEq + Display + ?Sized>(
    out: &mut Vec<String>,
    what: &str,
    b: Option<&T>,
    a: Option<&T>,
) {
    match (b, a) {
        (None, Some(a)) => out.push(format!("{what} {a}")),
        (Some(b), Some(a)) if b != a => out.push(format!("{what} {b} → {a}")),
        (Some(_), None) => out.push(format!("{what} removed")),
        _ => {}
    }
}

fn notes_change(out: &mut Vec<String>, what: &str, before: &Option<String>, after: &Option<String>) {
    match (before, after) {
        (None, Some(_)) => out.push(format!("{what} added")),
        (Some(b), Some(a)) if b != a => out.push(format!("{what} changed")),
        (Some(_), None) => out.push(format!("{what} removed")),
        _ => {}
    }
}

fn evidence_changes(out: &mut Vec<String>, before: &[Evidence], after: &[Evidence]) {
    for b in before {
        match after.iter().find(|a| a.name == b.name) {
            None => out.push(format!("evidence `{}` removed", b.name)),
            Some(a) if a != b => out.push(format!("evidence `{}` changed", b.name)),
            Some(_) => {}
        }
    }
    for a in after.iter().filter(|a| !before.iter().any(|b| b.name == a.name)) {
        let place = a.path.as_deref().or(a.url.as_deref()).unwrap_or_default();
        out.push(format!("evidence `{}` added ({place})", a.name));
    }
}

// ---------------------------------------------------------------------------
// Evidence files
// ---------------------------------------------------------------------------

/// File types accepted as evidence: the seeds' list (documents .doc .xls .ppt
/// .txt .pdf, images .jpg .png, video .mkv, archives .zip .rar) and their
/// modern forms, plus the plain-text exports compliance work produces.
pub const EVIDENCE_TYPES: &[&str] = &[
    "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "md", "csv", "json", "pdf", "jpg", "jpeg", "png",
    "mkv", "zip", "rar",
];

/// An evidence file ready to record.
#[derive(Clone, Debug)]
pub struct EvidenceFile {
    /// Repository-relative path to record.
    pub path: String,
    pub sha256: String,
    /// The bytes to write at `path` when copying; `None` when the file is
    /// already there (in place, or the same content under that name).
    copy: Option<Vec<u8>>,
}

impl EvidenceFile {
    pub fn item(&self, name: String) -> Evidence {
        Evidence { name, path: Some(self.path.clone()), sha256: Some(self.sha256.clone()), url: None }
    }
}

/// Decides where the evidence file `file` (a path as the user typed it) goes.
///
/// A file already under `evidence/` is referred to in place. Any other file is
/// copied to `evidence/<action>/<file name>`; when a different file has that
/// name the copy is called `<name>-2.<ext>` (then -3...), and when the same
/// content is already there it is reused. The file must be a regular file of
/// an accepted type, and a link inside the repository that points outside it
/// is refused: it would smuggle an outside file in under an inside name.
pub fn evidence_file(root: &Path, action: &ActionId, file: &Path) -> Result<EvidenceFile> {
    let shown = file.display();
    let meta = std::fs::symlink_metadata(file).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::new(format!("no file `{shown}`")),
        _ => Error::io("read", file, e),
    })?;
    let real = std::fs::canonicalize(file)
        .map_err(|_| Error::new(format!("`{shown}` is a link to a file that does not exist")))?;
    if !real.is_file() {
        let what = if meta.is_dir() { "a directory" } else { "not a regular file" };
        return Err(
            Error::new(format!("`{shown}` is {what}")).hint("evidence is a file (or a link with `--url`)")
        );
    }
    let inside_real = real.starts_with(root);
    if !inside_real && looks_inside(root, file) {
        return Err(Error::new(format!(
            "`{shown}` is a link to `{}`, outside the repository",
            real.display()
        ))
        .hint(format!("give the file's own path (`{}`) to copy it into the repository", real.display())));
    }
    let rel = relative(root, &real);
    if inside_real && rel.starts_with(&format!("{EVIDENCE_DIR}/")) {
        check_type(&rel)?;
        return match resolve(root, &rel) {
            Resolved::File { sha256 } => Ok(EvidenceFile { path: rel, sha256, copy: None }),
            Resolved::Unreadable(e) => Err(Error::new(format!("cannot read `{rel}`: {e}"))),
            _ => Err(Error::new(format!("`{rel}` is not a file inside the repository"))),
        };
    }
    let name = file.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        Error::new(format!("the name of `{shown}` is not valid UTF-8")).hint("rename the file")
    })?;
    check_type(name)?;
    let bytes = std::fs::read(&real).map_err(|e| Error::io("read", &real, e))?;
    // The hash is of the bytes copied, so a file changing meanwhile cannot mismatch.
    let sha256 = sha256_bytes(&bytes);
    let (path, reused) = destination(root, action, name, &sha256)?;
    Ok(EvidenceFile { path, sha256, copy: (!reused).then_some(bytes) })
}

/// Refuses file types that are not evidence.
fn check_type(name: &str) -> Result<()> {
    let ext = Path::new(name).extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    if ext.as_deref().is_some_and(|e| EVIDENCE_TYPES.contains(&e)) {
        return Ok(());
    }
    let what = match &ext {
        Some(ext) => format!("`.{ext}` files are not accepted as evidence"),
        None => format!("`{name}` has no file type (extension)"),
    };
    let types: Vec<String> = EVIDENCE_TYPES.iter().map(|t| format!(".{t}")).collect();
    Err(Error::new(what).hint(format!("accepted types: {}", types.join(" "))))
}

/// The path under `evidence/<action>/` for a copy, and whether a file with
/// the same content is already there.
fn destination(root: &Path, action: &ActionId, name: &str, sha256: &str) -> Result<(String, bool)> {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    for n in 1..=1000 {
        let file = if n == 1 { name.to_owned() } else { format!("{stem}-{n}{ext}") };
        let candidate = format!("{EVIDENCE_DIR}/{action}/{file}");
        match resolve(root, &candidate) {
            Resolved::Missing => return Ok((candidate, false)),
            Resolved::File { sha256: existing } if existing == sha256 => return Ok((candidate, true)),
            Resolved::Outside(why) => {
                return Err(Error::new(format!("refusing to write `{candidate}`: {why}")));
            }
            _ => {}
        }
    }
    Err(Error::new(format!("too many files named like `{name}` in `{EVIDENCE_DIR}/{action}/`"))
        .hint("rename the file before adding it"))
}

/// Whether `file`, as typed, names a place inside the repository: by name,
/// or once the directories leading to it are resolved (the last component,
/// the link itself, is not followed).
fn looks_inside(root: &Path, file: &Path) -> bool {
    let by_name = lexical_absolute(file).is_some_and(|p| p.starts_with(root));
    let parent = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let by_parent = std::fs::canonicalize(parent).is_ok_and(|p| p.starts_with(root));
    by_name || by_parent
}

/// `path` made absolute without following links; `..` removed by name.
fn lexical_absolute(path: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(path).ok()?;
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

/// Repository-relative, `/`-separated.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Checks a link given as evidence: http or https, no spaces.
pub fn check_url(url: &str) -> Result<()> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    if rest.is_some_and(|r| !r.is_empty() && !r.contains(char::is_whitespace)) {
        return Ok(());
    }
    Err(Error::new(format!("`{url}` is not an http or https link"))
        .hint("links start with `https://` (or `http://`) and contain no spaces"))
}

/// State files other than `except` that refer to the evidence file `path`.
pub fn evidence_users(ws: &Workspace, path: &str, except: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for (assessment, entry) in &ws.assessments {
        for (action, state) in &entry.states {
            let file = state_path(assessment.as_str(), action.as_str());
            if !except.contains(&file) && state.evidence.iter().any(|e| e.path.as_deref() == Some(path)) {
                out.push(file);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc_edit(text: &str) -> StateEdit {
        let action: Action = toml::from_str(
            "id = \"mfa\"\ntitle = \"MFA\"\nversion = 2\ncategory = \"control-access\"\naction_type = \"technical\"\ncontrol_type = \"preventative\"\nmandatory = true\ntesting = \"manual\"\n",
        )
        .expect("action");
        StateEdit {
            path: "assessments/a/mfa.toml".into(),
            assessment: AssessmentId::new("a"),
            before: toml::from_str(text).expect("state"),
            action,
            original: Some(text.into()),
            doc: text.parse().expect("doc"),
            today: Date::new(2026, 11, 23).expect("date"),
            refusals: Vec::new(),
        }
    }

    #[test]
    fn keeps_comments_and_spacing() {
        let text = "# MFA for admins\nowner   =   \"ana@example.com\"   # the owner\n\n[implementation]\nstatus = \"planned\"  # soon\n\n[test]  # tests\nstatus = \"none\"\n";
        let mut edit = doc_edit(text);
        edit.set_owner("bo@example.com");
        let change = StatusChange { status: Some(ImplementationStatus::Implemented), ..Default::default() };
        edit.change_implementation(&change).expect("edit");
        let out = render(&edit.doc, Some(text));
        assert_eq!(
            out,
            "# MFA for admins\nowner   =   \"bo@example.com\"   # the owner\n\n[implementation]\nstatus = \"implemented\"  # soon\ndate = 2026-11-23\n\n[test]  # tests\nstatus = \"none\"\n"
        );
    }

    #[test]
    fn new_tables_go_in_file_order() {
        let text = "owner = \"ana@example.com\"\n\n[[evidence]]\nname = \"Runbook\"\nurl = \"https://example.com\"\n";
        let mut edit = doc_edit(text);
        let test = StatusChange { status: Some(TestStatus::InProgress), ..Default::default() };
        edit.change_test(&test).expect("test");
        let implementation =
            StatusChange { status: Some(ImplementationStatus::Planned), ..Default::default() };
        edit.change_implementation(&implementation).expect("implementation");
        let out = render(&edit.doc, Some(text));
        let order: Vec<usize> =
            ["[implementation]", "[test]", "[[evidence]]"].iter().filter_map(|h| out.find(h)).collect();
        assert_eq!(order.len(), 3, "{out}");
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{out}");
    }

    #[test]
    fn unchanged_status_keeps_its_date_and_inline_tables_work() {
        let text = "implementation = { status = \"implemented\", date = 2026-01-05 }\nevidence = [{ name = \"a\", url = \"https://a.example\" }]\n";
        let mut edit = doc_edit(text);
        let same = StatusChange { status: Some(ImplementationStatus::Implemented), ..Default::default() };
        edit.change_implementation(&same).expect("edit");
        assert_eq!(render(&edit.doc, Some(text)), text);
        let link =
            Evidence { name: "b".into(), path: None, sha256: None, url: Some("https://b.example".into()) };
        assert!(edit.add_evidence(&link).expect("add"));
        edit.remove_evidence("a").expect("remove");
        let out = render(&edit.doc, Some(text));
        let state: ActionState = toml::from_str(&out).expect("valid");
        assert_eq!(state.evidence, vec![link]);
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let text = "[implementation]\r\nstatus = \"planned\"\r\n";
        let mut edit = doc_edit(text);
        edit.set_owner("ana@example.com");
        let out = render(&edit.doc, Some(text));
        assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
    }

    #[test]
    fn describes_changes() {
        let before = ActionState::default();
        let mut after = before.clone();
        after.owner = Some("ana@example.com".into());
        after.test.status = TestStatus::Passed;
        after.test.date = Date::new(2026, 11, 23);
        assert_eq!(
            describe(&before, &after),
            ["owner ana@example.com", "test none → passed", "test date 2026-11-23"]
        );
    }

    #[test]
    fn evidence_types() {
        assert!(check_type("report.PDF").is_ok());
        assert!(check_type("export.xlsx").is_ok());
        assert!(check_type("script.sh").is_err());
        assert!(check_type("README").is_err());
    }
}
