//! Changes to one state file, made with `toml_edit` so that the rest of the text stays as it was.

use std::fmt::Display;

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, TableLike, Value};

use crate::checks::status::{Broken, problems};
use crate::diag::Diagnostic;
use crate::diag::{Code, did_you_mean};
use crate::error::{Error, Result};
use crate::model::{
    Action, ActionState, AssessmentId, Date, Evidence, Implementation, ImplementationStatus, Test, TestStatus,
};

/// A change to `[implementation]` or `[test]`. When the status changes and no
/// date is given, the date becomes today (the day the status was reached);
/// a status that keeps its value keeps its date, and gets today's when it
/// needs one and has none.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct StatusChange<S> {
    pub status: Option<S>,
    pub date: Option<Date>,
    /// New notes; an empty string removes them.
    pub notes: Option<String>,
}

impl<S> StatusChange<S> {
    pub(crate) fn is_empty(&self) -> bool {
        self.status.is_none() && self.date.is_none() && self.notes.is_none()
    }
}

/// The two status tables, for code shared between them.
pub(crate) trait StatusTable: Copy + PartialEq + Display {
    /// The table's key in a state file.
    const TABLE: &'static str;
    /// The status and date of the table in a state.
    fn current(state: &ActionState) -> (Self, Option<Date>);
    /// A state that has this status and nothing else.
    fn alone(self) -> ActionState;
    /// Whether the date of this status is the day it was reached (today, by
    /// default); the date of a `planned` implementation is its target date.
    fn dated_when_reached(self) -> bool {
        true
    }
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
    fn dated_when_reached(self) -> bool {
        self != ImplementationStatus::Planned
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
    problems(action, &status.alone(), today, "")
        .iter()
        .any(|p| p.diagnostic.code == Code::DateRequired && p.pointer.starts_with(&prefix))
}

/// One state file being edited.
#[derive(Debug)]
pub(crate) struct StateEdit {
    /// Repository-relative path.
    pub path: String,
    pub assessment: AssessmentId,
    pub action: Action,
    /// The text on disk without a byte-order mark; `None` for a new file.
    pub(super) original: Option<String>,
    /// The file on disk starts with a byte-order mark (kept when it is written).
    pub(super) bom: bool,
    /// The state as read (for a new file: the default state).
    pub before: ActionState,
    pub(super) doc: DocumentMut,
    pub(super) today: Date,
    /// Rules the edit itself breaks (e.g. evidence removed after a verdict).
    pub(super) refusals: Vec<Broken>,
    /// The test status committed in HEAD, when the repository is in git.
    pub(super) committed_test: Option<TestStatus>,
    /// What a command suggested in a hint needs to reach this file: ` -a <assessment>`, or
    /// nothing when the action alone says where it goes.
    pub(super) assessment_flag: String,
}

impl StateEdit {
    pub(crate) fn is_new(&self) -> bool {
        self.original.is_none()
    }

    pub(crate) fn set_owner(&mut self, owner: &str) {
        let root_had_values =
            self.doc.iter().any(|(_, item)| item.is_value() || item.as_table().is_some_and(Table::is_dotted));
        set_value(self.doc.as_table_mut(), "owner", Value::from(owner));
        if !root_had_values {
            separate_first_table(&mut self.doc, "owner");
        }
    }

    /// Records that the assessment accepted this version of the action definition.
    pub(crate) fn set_accepted_version(&mut self, version: u32) {
        set_value(self.doc.as_table_mut(), "accepted_version", Value::from(i64::from(version)));
    }

    /// Removes the owner (`--owner none`, a blank owner in a bulk update). Comment lines
    /// above it stay, above what now comes first.
    pub(crate) fn remove_owner(&mut self) {
        let heading = self
            .doc
            .as_table()
            .key("owner")
            .and_then(|k| k.leaf_decor().prefix())
            .and_then(|p| p.as_str())
            .unwrap_or_default()
            .to_owned();
        if self.doc.remove("owner").is_some() && !heading.trim().is_empty() {
            keep_heading(&mut self.doc, &heading);
        }
    }

    /// Removes the date of `[implementation]` (`test: false`) or `[test]`.
    pub(crate) fn remove_date(&mut self, test: bool) {
        let table = if test { TestStatus::TABLE } else { ImplementationStatus::TABLE };
        if let Some(t) = self.doc.get_mut(table).and_then(Item::as_table_like_mut) {
            t.remove("date");
        }
    }

    pub(crate) fn change_implementation(
        &mut self,
        change: &StatusChange<ImplementationStatus>,
    ) -> Result<()> {
        self.change_status(change)
    }

    pub(crate) fn change_test(&mut self, change: &StatusChange<TestStatus>) -> Result<()> {
        self.change_status(change)
    }

    fn change_status<S: StatusTable>(&mut self, change: &StatusChange<S>) -> Result<()> {
        if change.is_empty() {
            return Ok(());
        }
        let (current, current_date) = S::current(&self.before);
        let mut date = change.date;
        // A new plan without a target date given has none: neither today nor
        // the date of the status it replaces.
        let mut drop_date = false;
        if let Some(status) = change.status
            && date.is_none()
            && (status != current || (current_date.is_none() && needs_date(&self.action, status, self.today)))
        {
            if status.dated_when_reached() {
                date = Some(self.today);
            } else {
                drop_date = status != current;
            }
        }
        let path = self.path.clone();
        let table = status_table(&mut self.doc, S::TABLE, &path)?;
        if drop_date {
            table.remove("date");
        }
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
    pub(crate) fn add_evidence(&mut self, item: &Evidence) -> Result<bool> {
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
    pub(crate) fn remove_evidence(&mut self, name: &str) -> Result<Evidence> {
        let Some(index) = self.before.evidence.iter().position(|e| e.name == name) else {
            let names: Vec<&str> = self.before.evidence.iter().map(|e| e.name.as_str()).collect();
            let err = Error::new(format!("`{}` has no evidence named `{name}`", self.path));
            return Err(match (did_you_mean(name, names.iter().copied()), names.is_empty()) {
                (Some(hint), _) => err.hint(hint),
                (None, true) => err.hint("it has no evidence at all"),
                (None, false) => err.hint(format!("its evidence: {}", names.join(", "))),
            });
        };
        self.refuse_if_frozen(
            "remove",
            name,
            "commit the change of the test status first, then remove the evidence in a later commit".to_owned(),
            format!(
                "evidence is kept once a test is passed, failed or out of scope; to replace it, first move the test status back (e.g. `evident set {}{} --test in-progress`) in its own commit",
                self.action.id, self.assessment_flag
            ),
        );
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

    /// Records `sha256` as the hash of the evidence file of the item at
    /// `index`, called `name` (the file changed on purpose; by position, as
    /// two items may share a name). Refused (as a diagnostic, so that
    /// `[rules]` applies) once the test reached a verdict: the evidence a
    /// verdict rests on is frozen (E0701).
    pub(crate) fn rehash_evidence(&mut self, index: usize, name: &str, sha256: &str) -> Result<()> {
        if self.before.evidence.get(index).is_none_or(|e| e.name != name) {
            return Err(Error::new(format!("`{}` has no evidence named `{name}`", self.path)));
        }
        let path = self.before.evidence[index].path.clone().unwrap_or_default();
        self.refuse_if_frozen(
            "rehash",
            name,
            format!(
                "commit the change of the test status on its own first (leave `{path}` out of that commit), then rehash the evidence in a later commit"
            ),
            format!(
                "the evidence a verdict rests on may not change: restore `{path}` as it was recorded; if the change is intended, first move the test status back (e.g. `evident set {}{} --test in-progress`) in a commit of its own, then rehash and test again",
                self.action.id, self.assessment_flag
            ),
        );
        let value = Value::from(sha256);
        match self.doc.get_mut("evidence") {
            Some(Item::ArrayOfTables(tables)) => {
                let item = tables.get_mut(index).ok_or_else(|| unexpected_shape(&self.path, "evidence"))?;
                set_value(item, "sha256", value);
            }
            Some(Item::Value(Value::Array(array))) => {
                let item = array.get_mut(index).and_then(Value::as_inline_table_mut);
                let item = item.ok_or_else(|| unexpected_shape(&self.path, "evidence"))?;
                if !item.contains_key("sha256") {
                    // `{ name = "a", path = "b" }`: the space before `}` stays before `}`.
                    append_inline(item, "sha256", value);
                } else {
                    set_value(item, "sha256", value);
                }
            }
            _ => return Err(unexpected_shape(&self.path, "evidence")),
        }
        Ok(())
    }

    /// Refuses a change (`verb`: remove, rehash) to the evidence item `name`
    /// under a verdict: the one in the file (`now` says what to do), or the one
    /// committed in HEAD when the file withdraws it (`later`), since
    /// `check --base` compares each commit with its parent and the change in
    /// the commit that withdraws the verdict still breaks the rule.
    fn refuse_if_frozen(&mut self, verb: &str, name: &str, later: String, now: String) {
        let status = self.before.test.status;
        if let Some(committed) = self.committed_test.filter(|c| c.is_verdict() && !status.is_verdict()) {
            self.refusals.push(Broken {
                pointer: "/test/status",
                diagnostic: Diagnostic::new(
                    Code::EvidenceFrozen,
                    format!(
                        "cannot {verb} evidence `{name}` yet: the test status committed in HEAD is `{committed}`"
                    ),
                )
                .hint(later),
            });
        }
        if status.is_verdict() {
            self.refusals.push(Broken {
                pointer: "/test/status",
                diagnostic: Diagnostic::new(
                    Code::EvidenceFrozen,
                    format!("cannot {verb} evidence `{name}`: the test status is `{status}`"),
                )
                .hint(now),
            });
        }
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
    let Some(decor) = first_table_decor(doc) else { return };
    let heading = decor.prefix().and_then(|p| p.as_str()).unwrap_or_default().to_owned();
    decor.set_prefix("\n");
    if !heading.trim().is_empty()
        && let Some(mut key) = doc.as_table_mut().key_mut(new_key)
    {
        key.leaf_decor_mut().set_prefix(heading);
    }
}

/// The decor (the comments and blank lines above it) of the table that comes first in the
/// file, or of the first entry of an array of tables.
fn first_table_decor(doc: &mut DocumentMut) -> Option<&mut toml_edit::Decor> {
    let first = doc
        .iter()
        .filter_map(|(key, _)| position_of(doc, key).map(|p| (p, key.to_owned())))
        .min()
        .map(|(_, key)| key)?;
    match doc.get_mut(&first)? {
        Item::Table(t) => Some(t.decor_mut()),
        Item::ArrayOfTables(a) => a.get_mut(0).map(|t| t.decor_mut()),
        _ => None,
    }
}

/// Puts `heading` (comment lines that stood above a removed key) above the first root value,
/// or else above the first table.
fn keep_heading(doc: &mut DocumentMut, heading: &str) {
    let first_value = doc.iter().find(|(_, item)| item.is_value()).map(|(key, _)| key.to_owned());
    if let Some(key) = first_value {
        if let Some(mut k) = doc.as_table_mut().key_mut(&key) {
            let old = k.leaf_decor().prefix().and_then(|p| p.as_str()).unwrap_or_default().to_owned();
            k.leaf_decor_mut().set_prefix(format!("{heading}{old}"));
        }
        return;
    }
    let Some(decor) = first_table_decor(doc) else { return };
    decor.set_prefix(heading.to_owned());
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
pub(super) fn set_value(table: &mut dyn TableLike, key: &str, mut new: Value) {
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

/// Adds a key at the end of an inline table, taking over the spacing that
/// stood between the last value and the closing brace.
fn append_inline(table: &mut toml_edit::InlineTable, key: &str, mut value: Value) {
    if let Some((_, last)) = table.iter_mut().last() {
        let suffix = last.decor().suffix().cloned();
        last.decor_mut().set_suffix("");
        if let Some(suffix) = suffix {
            value.decor_mut().set_prefix(" ");
            value.decor_mut().set_suffix(suffix);
        }
    }
    table.insert(key, value);
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
