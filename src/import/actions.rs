//! The rows of an action export as a bulk update.
//!
//! Rows are keyed by (assessment, action). Only the editable columns are read
//! (owner, implementation and test status, dates and notes); a row changes
//! what differs from the repository, field by field. A blank cell means "no
//! value" (no owner, no date, no notes), except that a blank date next to a
//! status the row changes becomes today's date, as with `evident set`.
//!
//! Groups keep a shared action's state identical, so a field one row of a
//! group changes is changed in every assessment of the group that lists the
//! action; two rows of one group that change a field to different values are
//! an error. Rows the file does not have are left alone, so a filtered export
//! imports as well as a full one.
//!
//! Everything is checked before anything is planned: [`plan`] returns every
//! problem of every row, or the changes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::cells::{self, CellError};
use super::{Columns, Row, Sheet, Value, problem_at};
use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::model::{ActionId, ActionState, AssessmentId, Date, ImplementationStatus, TestStatus, Workspace};
use crate::render::sheets::actions::Column;

/// The columns a bulk update reads; the others are for reading and filtering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Field {
    Owner,
    ImplementationStatus,
    ImplementationDate,
    ImplementationNotes,
    TestStatus,
    TestDate,
    TestNotes,
}

impl Field {
    pub(crate) const ALL: [Field; 7] = [
        Field::Owner,
        Field::ImplementationStatus,
        Field::ImplementationDate,
        Field::ImplementationNotes,
        Field::TestStatus,
        Field::TestDate,
        Field::TestNotes,
    ];

    /// The column the field is read from.
    pub(crate) fn column(self) -> Column {
        match self {
            Field::Owner => Column::Owner,
            Field::ImplementationStatus => Column::ImplementationStatus,
            Field::ImplementationDate => Column::ImplementationDate,
            Field::ImplementationNotes => Column::ImplementationNotes,
            Field::TestStatus => Column::TestStatus,
            Field::TestDate => Column::TestDate,
            Field::TestNotes => Column::TestNotes,
        }
    }

    /// The column's header.
    pub(crate) fn header(self) -> &'static str {
        self.column().header()
    }

    /// The date that goes with a status.
    fn date_of_status(self) -> Option<Field> {
        match self {
            Field::ImplementationStatus => Some(Field::ImplementationDate),
            Field::TestStatus => Some(Field::TestDate),
            _ => None,
        }
    }
}

/// A value of one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FieldValue {
    Text(Option<String>),
    Implementation(ImplementationStatus),
    Test(TestStatus),
    Date(Option<Date>),
}

impl FieldValue {
    fn show(&self) -> String {
        match self {
            FieldValue::Text(None) | FieldValue::Date(None) => "(blank)".into(),
            FieldValue::Text(Some(t)) => format!("\"{}\"", t.replace('\n', " ")),
            FieldValue::Implementation(s) => format!("\"{s}\""),
            FieldValue::Test(s) => format!("\"{s}\""),
            FieldValue::Date(Some(d)) => d.to_string(),
        }
    }
}

/// The value of each field in a state.
pub(crate) fn current(state: &ActionState, field: Field) -> FieldValue {
    match field {
        Field::Owner => FieldValue::Text(state.owner.clone()),
        Field::ImplementationStatus => FieldValue::Implementation(state.implementation.status),
        Field::ImplementationDate => FieldValue::Date(state.implementation.date),
        Field::ImplementationNotes => FieldValue::Text(state.implementation.notes.clone()),
        Field::TestStatus => FieldValue::Test(state.test.status),
        Field::TestDate => FieldValue::Date(state.test.date),
        Field::TestNotes => FieldValue::Text(state.test.notes.clone()),
    }
}

/// What to change in one state file: each field with its new value and the
/// spreadsheet row it comes from.
pub(crate) type Changes = BTreeMap<Field, (FieldValue, usize)>;

/// The bulk update: changes by (assessment, action), sorted.
#[derive(Debug, Default)]
pub(crate) struct Update {
    pub files: BTreeMap<(AssessmentId, ActionId), Changes>,
    /// Rows read (blank rows are skipped).
    pub rows: usize,
}

/// The (assessment, action) pairs of the repository, and group membership.
struct Index<'w> {
    ws: &'w Workspace,
    pairs: BTreeSet<(&'w str, &'w str)>,
    /// The assessments of each (group, action), sorted.
    members: BTreeMap<(&'w str, &'w str), Vec<&'w AssessmentId>>,
}

impl<'w> Index<'w> {
    fn of(ws: &'w Workspace) -> Self {
        let mut pairs = BTreeSet::new();
        let mut members: BTreeMap<(&str, &str), Vec<&AssessmentId>> = BTreeMap::new();
        for (id, entry) in &ws.assessments {
            let Some(template) = ws.template_of(&entry.assessment) else { continue };
            for action in template.action_ids() {
                pairs.insert((id.as_str(), action.as_str()));
                if let Some(group) = &entry.assessment.group {
                    let list = members.entry((group.as_str(), action.as_str())).or_default();
                    if list.last() != Some(&id) {
                        list.push(id);
                    }
                }
            }
        }
        Index { ws, pairs, members }
    }
}

/// One row, read and checked.
struct Read<'w> {
    row: usize,
    assessment: &'w AssessmentId,
    action: &'w ActionId,
    values: Vec<(Field, FieldValue)>,
}

/// Reads every row and plans the update, or returns every problem found.
pub(crate) fn plan(ws: &Workspace, sheet: &Sheet) -> Result<Update, Vec<Diagnostic>> {
    let columns = Columns::check(sheet, &Column::ALL, "evident export actions")?;
    let index = Index::of(ws);
    let mut problems = Vec::new();
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    let mut reads = Vec::new();
    for row in sheet.rows.iter().filter(|r| !r.is_blank()) {
        let Some(read) = read_row(&index, &columns, sheet, row, &mut problems) else { continue };
        match seen.insert((read.assessment.as_str(), read.action.as_str()), row.number) {
            Some(first) => problems.push(
                problem_at(
                    Code::ImportDuplicateRow,
                    sheet,
                    row,
                    None,
                    format!("`{}` in `{}` is also in row {first}", read.action, read.assessment),
                )
                .hint("keep one row per assessment and action"),
            ),
            None => reads.push(read),
        }
    }
    let rows = reads.len();
    let files = merge(&index, sheet, reads, &mut problems);
    if problems.is_empty() { Ok(Update { files, rows }) } else { Err(problems) }
}

fn read_row<'w>(
    index: &Index<'w>,
    columns: &Columns,
    sheet: &Sheet,
    row: &Row,
    problems: &mut Vec<Diagnostic>,
) -> Option<Read<'w>> {
    let ws = index.ws;
    let key = |c: Column| super::text_of(columns.cell(row, c)).trim().to_owned();
    let (assessment, action) = (key(Column::Assessment), key(Column::Action));
    let at = |column: Column, message: String| {
        problem_at(Code::ImportUnknownRow, sheet, row, Some(column.header()), message)
    };
    let mut ok = true;
    let found_assessment = ws.assessments.get_key_value(assessment.as_str()).map(|(k, _)| k);
    if found_assessment.is_none() {
        let message = if assessment.is_empty() {
            "no assessment".into()
        } else {
            format!("no assessment `{assessment}`")
        };
        let hint =
            did_you_mean(&assessment, ws.assessments.keys().map(AssessmentId::as_str)).unwrap_or_else(|| {
                "rows must name an assessment of the repository (`evident list actions --per-assessment`)"
                    .into()
            });
        problems.push(at(Column::Assessment, message).hint(hint));
        ok = false;
    }
    let found_action = ws.actions.get_key_value(action.as_str()).map(|(k, _)| k);
    if found_action.is_none() {
        let message = if action.is_empty() { "no action".into() } else { format!("no action `{action}`") };
        let hint = did_you_mean(&action, ws.actions.keys().map(ActionId::as_str))
            .unwrap_or_else(|| "rows must name an action of `actions/`".into());
        problems.push(at(Column::Action, message).hint(hint));
        ok = false;
    }
    if let (Some(a), Some(b)) = (found_assessment, found_action)
        && !index.pairs.contains(&(a.as_str(), b.as_str()))
    {
        let template = &ws.assessments[a].assessment.template;
        problems.push(
            at(
                Column::Action,
                format!("assessment `{a}` (template `{template}`) does not list action `{b}`"),
            )
            .hint("an assessment's actions are those of its template's controls"),
        );
        ok = false;
    }
    let mut values = Vec::with_capacity(Field::ALL.len());
    for field in Field::ALL {
        let cell = columns.cell(row, field.column());
        match read_field(ws, field, cell) {
            Ok(v) => values.push((field, v)),
            Err((message, hint)) => {
                let code = if matches!(field, Field::ImplementationDate | Field::TestDate) {
                    Code::ImportInvalidDate
                } else {
                    Code::ImportInvalidValue
                };
                problems.push(problem_at(code, sheet, row, Some(field.header()), message).maybe_hint(hint));
                ok = false;
            }
        }
    }
    let (assessment, action) = (found_assessment?, found_action?);
    ok.then_some(Read { row: row.number, assessment, action, values })
}

fn read_field(ws: &Workspace, field: Field, cell: &Value) -> Result<FieldValue, CellError> {
    Ok(match field {
        Field::Owner => {
            let owner = cells::text(cell).map(|o| o.trim().to_owned());
            if let Some(o) = &owner {
                crate::edit::check_person(ws, o).map_err(|e| (e.message, e.hints.into_iter().next()))?;
            }
            FieldValue::Text(owner)
        }
        Field::ImplementationStatus => {
            let s = cells::status(
                cell,
                ImplementationStatus::ALL,
                |s| s.as_str(),
                |s| s.label(),
                "implementation status",
            )?;
            FieldValue::Implementation(
                s.ok_or_else(|| blank_status(ImplementationStatus::default().as_str()))?,
            )
        }
        Field::TestStatus => {
            let s = cells::status(cell, TestStatus::ALL, |s| s.as_str(), |s| s.label(), "test status")?;
            FieldValue::Test(s.ok_or_else(|| blank_status(TestStatus::default().as_str()))?)
        }
        Field::ImplementationDate | Field::TestDate => FieldValue::Date(cells::date(cell)?),
        Field::ImplementationNotes | Field::TestNotes => FieldValue::Text(cells::text(cell)),
    })
}

fn blank_status(default: &str) -> CellError {
    ("the status is blank".into(), Some(format!("every row needs a status; the default is \"{default}\"")))
}

/// Turns rows into changes: each field a row changes, in its assessment and,
/// for a group, in every assessment of the group that lists the action.
fn merge(
    index: &Index<'_>,
    sheet: &Sheet,
    reads: Vec<Read<'_>>,
    problems: &mut Vec<Diagnostic>,
) -> BTreeMap<(AssessmentId, ActionId), Changes> {
    // (group or assessment, action) → field → value → first row with it.
    type Key<'a> = (Option<&'a str>, &'a str, &'a str);
    let mut wanted: BTreeMap<Key<'_>, BTreeMap<Field, Vec<(FieldValue, usize)>>> = BTreeMap::new();
    for read in &reads {
        let state = index.ws.state(read.assessment, read.action);
        let group = index.ws.assessments[read.assessment].assessment.group.as_ref().map(|g| g.as_str());
        let key = match group {
            Some(g) => (Some(g), g, read.action.as_str()),
            None => (None, read.assessment.as_str(), read.action.as_str()),
        };
        let mut changed: BTreeSet<Field> =
            read.values.iter().filter(|(f, v)| current(&state, *f) != *v).map(|(f, _)| *f).collect();
        // A changed status takes the row's date with it (blank: today).
        for f in changed.clone() {
            changed.extend(f.date_of_status());
        }
        for (field, value) in &read.values {
            if changed.contains(field) {
                let values = wanted.entry(key).or_default().entry(*field).or_default();
                if !values.iter().any(|(v, _)| v == value) {
                    values.push((value.clone(), read.row));
                }
            }
        }
    }
    let mut files: BTreeMap<(AssessmentId, ActionId), Changes> = BTreeMap::new();
    for ((group, owner, action), fields) in wanted {
        let targets: Vec<AssessmentId> = match group {
            Some(g) => index
                .members
                .get(&(g, action))
                .map(|m| m.iter().map(|a| (*a).clone()).collect())
                .unwrap_or_default(),
            None => vec![AssessmentId::from(owner)],
        };
        for (field, values) in fields {
            if let [(first, row_a), (second, row_b), ..] = values.as_slice() {
                let row = Row { number: *row_b, line: None, cells: Vec::new() };
                problems.push(
                    problem_at(
                        Code::ImportGroupConflict,
                        sheet,
                        &row,
                        Some(field.header()),
                        format!(
                            "rows {row_a} and {row_b} set `{action}` in group `{}` to different values: {} and {}",
                            group.unwrap_or_default(),
                            first.show(),
                            second.show()
                        ),
                    )
                    .hint("a group keeps one state per action: give both rows the same value"),
                );
                continue;
            }
            let Some((value, row)) = values.into_iter().next() else { continue };
            for target in &targets {
                files
                    .entry((target.clone(), ActionId::from(action)))
                    .or_default()
                    .insert(field, (value.clone(), row));
            }
        }
    }
    files
}

/// A read-only column some rows changed: the edits are not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ignored {
    pub column: &'static str,
    pub rows: usize,
    pub first_row: usize,
}

/// The read-only columns (title, category, points...) whose cells differ
/// from what an export would write now, so that people learn their edits
/// there are not imported. Rows that do not name a known pair are skipped
/// (they are [`plan`]'s errors).
pub(crate) fn ignored_edits(ws: &Workspace, sheet: &Sheet) -> Vec<Ignored> {
    let Ok(columns) = Columns::check(sheet, &Column::ALL, "evident export actions") else {
        return Vec::new();
    };
    let editable: BTreeSet<Column> = Field::ALL.iter().map(|f| f.column()).collect();
    let pairs = crate::score::pairs(ws);
    let by_key: HashMap<(&str, &str), &crate::score::Pair<'_>> =
        pairs.iter().map(|p| ((p.assessment.as_str(), p.id.as_str()), p)).collect();
    let mut found: BTreeMap<usize, Ignored> = BTreeMap::new();
    for row in sheet.rows.iter().filter(|r| !r.is_blank()) {
        let key = |c: Column| super::text_of(columns.cell(row, c)).trim().to_owned();
        let (assessment, action) = (key(Column::Assessment), key(Column::Action));
        let Some(pair) = by_key.get(&(assessment.as_str(), action.as_str())) else { continue };
        let now = crate::render::sheets::actions::row(pair);
        for (i, column) in Column::ALL.into_iter().enumerate() {
            if editable.contains(&column) {
                continue;
            }
            let cell = super::text_of(columns.cell(row, column));
            if cell.trim() != now[i].csv_text().trim() {
                let entry = found.entry(i).or_insert(Ignored {
                    column: column.header(),
                    rows: 0,
                    first_row: row.number,
                });
                entry.rows += 1;
            }
        }
    }
    found.into_values().collect()
}
