//! The spreadsheet of `evident export history`: one row per commit,
//! assessment and action whose test changed (its status, or a re-test that
//! keeps the status and records a new date or notes), in commit order. Only
//! exported (nothing reads it back).

use std::collections::BTreeMap;

use crate::history::timeline::{CommitInfo, StateSnapshot, StatusEvent, Timeline};
use crate::model::{Date, Workspace};
use crate::render::table_export::{Cell, Table};

/// The sheet's name in a workbook.
pub(crate) const SHEET: &str = "Testing history";

/// A column of the sheet, in the order of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Column {
    Date,
    Commit,
    Author,
    AuthorEmail,
    Assessment,
    Action,
    Title,
    Regulation,
    Template,
    TestStatusBefore,
    TestStatusAfter,
    TestDate,
    TestNotes,
    ImplementationStatus,
    Owner,
    Evidence,
    CommitMessage,
    StatusChanged,
}

impl Column {
    /// Every column, in the order of the file.
    pub(crate) const ALL: [Column; 18] = [
        Column::Date,
        Column::Commit,
        Column::Author,
        Column::AuthorEmail,
        Column::Assessment,
        Column::Action,
        Column::Title,
        Column::Regulation,
        Column::Template,
        Column::TestStatusBefore,
        Column::TestStatusAfter,
        Column::TestDate,
        Column::TestNotes,
        Column::ImplementationStatus,
        Column::Owner,
        Column::Evidence,
        Column::CommitMessage,
        Column::StatusChanged,
    ];

    /// The column's header.
    pub(crate) const fn header(self) -> &'static str {
        match self {
            Column::Date => "Date",
            Column::Commit => "Commit",
            Column::Author => "Author",
            Column::AuthorEmail => "Author email",
            Column::Assessment => "Assessment",
            Column::Action => "Action",
            Column::Title => "Title",
            Column::Regulation => "Regulation",
            Column::Template => "Template",
            Column::TestStatusBefore => "Test status before",
            Column::TestStatusAfter => "Test status after",
            Column::TestDate => "Test date",
            Column::TestNotes => "Test notes",
            Column::ImplementationStatus => "Implementation status",
            Column::Owner => "Owner",
            Column::Evidence => "Evidence",
            Column::CommitMessage => "Commit message",
            Column::StatusChanged => "Status changed",
        }
    }

    /// The column's cell for one event of one commit (`after`: its state after).
    fn cell(self, commit: &CommitInfo, e: &StatusEvent, after: &StateSnapshot, names: &Names<'_>) -> Cell {
        let (regulation, template) = names.templates.get(e.assessment.as_str()).copied().unwrap_or_default();
        match self {
            Column::Date => author_time(commit),
            Column::Commit => Cell::text(&commit.id),
            Column::Author => Cell::text(&commit.author_name),
            Column::AuthorEmail => Cell::text(&commit.author_email),
            Column::Assessment => Cell::text(&e.assessment),
            Column::Action => Cell::text(&e.action),
            Column::Title => Cell::text(names.titles.get(e.action.as_str()).copied().unwrap_or_default()),
            Column::Regulation => Cell::text(regulation),
            Column::Template => Cell::text(template),
            Column::TestStatusBefore => Cell::text(e.before_or_default().test.as_str()),
            Column::TestStatusAfter => Cell::text(after.test.as_str()),
            Column::TestDate => after
                .test_date
                .as_deref()
                .and_then(|d| d.parse::<Date>().ok())
                .map_or(Cell::Empty, Cell::Date),
            Column::TestNotes => Cell::opt(after.test_notes.as_deref()),
            Column::ImplementationStatus => Cell::text(after.implementation.as_str()),
            Column::Owner => Cell::opt(after.owner.as_deref()),
            Column::Evidence => Cell::Int(after.evidence.len() as i64),
            Column::CommitMessage => Cell::text(&commit.summary),
            Column::StatusChanged => Cell::Bool(e.test_changed()),
        }
    }
}

impl super::Header for Column {
    fn header(self) -> &'static str {
        Column::header(self)
    }
}

/// The headers, in order.
pub(crate) const HEADERS: [&str; 18] = super::headers!(Column, 18);

/// Whether an event is a row of the testing history: the test status
/// changed, or a re-test kept it and recorded a new date or new notes.
pub(crate) fn is_test_record(e: &StatusEvent) -> bool {
    let (before, after) = (e.before_or_default(), e.after_or_default());
    before.test != after.test || before.test_date != after.test_date || before.test_notes != after.test_notes
}

/// The rows of the given events; `ws` names the actions and assessments.
pub(crate) fn table<'t>(
    timeline: &Timeline,
    events: impl Iterator<Item = &'t StatusEvent>,
    ws: &Workspace,
) -> Table {
    let names = Names::of(ws);
    let rows = events
        .map(|e| {
            let commit = &timeline.commits[e.commit];
            let after = e.after_or_default();
            Column::ALL.iter().map(|c| c.cell(commit, e, after, &names)).collect()
        })
        .collect();
    Table { sheet: SHEET.into(), headers: HEADERS.to_vec(), rows }
}

/// Titles of actions, and the template and regulation of each assessment.
struct Names<'w> {
    titles: BTreeMap<&'w str, &'w str>,
    templates: BTreeMap<&'w str, (&'w str, &'w str)>,
}

impl<'w> Names<'w> {
    fn of(ws: &'w Workspace) -> Self {
        let titles = ws.actions.iter().map(|(id, a)| (id.as_str(), a.title.as_str())).collect();
        let templates = ws
            .assessments
            .iter()
            .map(|(id, entry)| {
                let template = entry.assessment.template.as_str();
                let regulation = ws.template_of(&entry.assessment).map_or("", |t| t.regulation.as_str());
                (id.as_str(), (regulation, template))
            })
            .collect();
        Names { titles, templates }
    }
}

/// The author's local date and time, with its offset from UTC.
fn author_time(c: &CommitInfo) -> Cell {
    let offset =
        jiff::tz::Offset::from_seconds(c.offset_minutes.saturating_mul(60)).unwrap_or(jiff::tz::Offset::UTC);
    match jiff::Timestamp::from_second(c.time) {
        Ok(t) => Cell::DateTime(offset.to_datetime(t), offset),
        Err(_) => Cell::Empty,
    }
}
