//! The spreadsheet of `evident export actions`: one row per (assessment,
//! action), the file `evident import actions` reads back as a bulk update
//! (`import::actions`). Export and import share this layout.

use crate::render::table_export::{Cell, Table};
use crate::score::{Pair, Score};

/// The sheet `evident import actions` looks for in a workbook.
pub(crate) const SHEET: &str = "Actions";

/// A column of the sheet. The order of [`Column::ALL`] is the order in the
/// file; the importer finds columns by header, in any order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Column {
    Assessment,
    Group,
    Regulation,
    Template,
    Action,
    Title,
    Category,
    ActionType,
    ControlType,
    Mandatory,
    TestingType,
    Solution,
    Service,
    Owner,
    ImplementationStatus,
    ImplementationDate,
    ImplementationNotes,
    TestStatus,
    TestDate,
    TestNotes,
    Evidence,
    PointsEarned,
    PointsAvailable,
}

impl Column {
    /// Every column, in the order of the file.
    pub(crate) const ALL: [Column; 23] = [
        Column::Assessment,
        Column::Group,
        Column::Regulation,
        Column::Template,
        Column::Action,
        Column::Title,
        Column::Category,
        Column::ActionType,
        Column::ControlType,
        Column::Mandatory,
        Column::TestingType,
        Column::Solution,
        Column::Service,
        Column::Owner,
        Column::ImplementationStatus,
        Column::ImplementationDate,
        Column::ImplementationNotes,
        Column::TestStatus,
        Column::TestDate,
        Column::TestNotes,
        Column::Evidence,
        Column::PointsEarned,
        Column::PointsAvailable,
    ];

    /// The column's header.
    pub(crate) const fn header(self) -> &'static str {
        match self {
            Column::Assessment => "Assessment",
            Column::Group => "Group",
            Column::Regulation => "Regulation",
            Column::Template => "Template",
            Column::Action => "Action",
            Column::Title => "Title",
            Column::Category => "Category",
            Column::ActionType => "Action type",
            Column::ControlType => "Control type",
            Column::Mandatory => "Mandatory",
            Column::TestingType => "Testing type",
            Column::Solution => "Solution",
            Column::Service => "Service",
            Column::Owner => "Owner",
            Column::ImplementationStatus => "Implementation status",
            Column::ImplementationDate => "Implementation date",
            Column::ImplementationNotes => "Implementation notes",
            Column::TestStatus => "Test status",
            Column::TestDate => "Test date",
            Column::TestNotes => "Test notes",
            Column::Evidence => "Evidence",
            Column::PointsEarned => "Points earned",
            Column::PointsAvailable => "Points available",
        }
    }

    /// The column's cell for one pair (`score` is the pair's).
    pub(crate) fn cell(self, p: &Pair<'_>, score: Score) -> Cell {
        let a = p.action;
        let s = &p.state;
        match self {
            Column::Assessment => Cell::text(p.assessment.as_str()),
            Column::Group => Cell::opt(p.group.map(|g| g.as_str())),
            Column::Regulation => Cell::text(p.regulation),
            Column::Template => Cell::text(p.template.as_str()),
            Column::Action => Cell::text(p.id.as_str()),
            Column::Title => Cell::text(&a.title),
            Column::Category => Cell::text(a.category.label()),
            Column::ActionType => Cell::text(a.action_type.as_str()),
            Column::ControlType => Cell::text(a.control_type.as_str()),
            Column::Mandatory => Cell::Bool(a.mandatory),
            Column::TestingType => Cell::text(a.testing.as_str()),
            Column::Solution => Cell::opt(a.solution.as_deref()),
            Column::Service => Cell::opt(a.service.as_deref()),
            Column::Owner => Cell::opt(s.owner.as_deref()),
            Column::ImplementationStatus => Cell::text(s.implementation.status.as_str()),
            Column::ImplementationDate => s.implementation.date.map_or(Cell::Empty, Cell::Date),
            Column::ImplementationNotes => Cell::opt(s.implementation.notes.as_deref()),
            Column::TestStatus => Cell::text(s.test.status.as_str()),
            Column::TestDate => s.test.date.map_or(Cell::Empty, Cell::Date),
            Column::TestNotes => Cell::opt(s.test.notes.as_deref()),
            Column::Evidence => Cell::Int(s.evidence.len() as i64),
            Column::PointsEarned => Cell::Int(score.earned as i64),
            Column::PointsAvailable => Cell::Int(score.max as i64),
        }
    }
}

impl super::Header for Column {
    fn header(self) -> &'static str {
        Column::header(self)
    }
}

/// The headers, in order.
pub(crate) const HEADERS: [&str; 23] = super::headers!(Column, 23);

/// The rows of the given pairs, in the given order.
pub(crate) fn table(pairs: &[&Pair<'_>]) -> Table {
    Table { sheet: SHEET.into(), headers: HEADERS.to_vec(), rows: pairs.iter().map(|p| row(p)).collect() }
}

/// One pair's row: its cell in each column.
pub(crate) fn row(p: &Pair<'_>) -> Vec<Cell> {
    let score = p.score();
    Column::ALL.iter().map(|c| c.cell(p, score)).collect()
}
