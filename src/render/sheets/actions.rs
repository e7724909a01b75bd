//! The spreadsheet of `evident export actions`: one row per (assessment,
//! action), the file `evident import actions` reads back as a bulk update
//! (`import::actions`). Export and import share this layout.

use crate::render::table_export::{Cell, Table};
use crate::score::Pair;

/// The sheet `evident import actions` looks for in a workbook.
pub const SHEET: &str = "Actions";

/// The columns, in order.
pub const HEADERS: [&str; 23] = [
    "Assessment",
    "Group",
    "Regulation",
    "Template",
    "Action",
    "Title",
    "Category",
    "Action type",
    "Control type",
    "Mandatory",
    "Testing type",
    "Solution",
    "Service",
    "Owner",
    "Implementation status",
    "Implementation date",
    "Implementation notes",
    "Test status",
    "Test date",
    "Test notes",
    "Evidence",
    "Points earned",
    "Points available",
];

/// The rows of the given pairs, in the given order.
pub fn table(pairs: &[&Pair<'_>]) -> Table {
    Table { sheet: SHEET.into(), headers: HEADERS.to_vec(), rows: pairs.iter().map(|p| row(p)).collect() }
}

fn row(p: &Pair<'_>) -> Vec<Cell> {
    let a = p.action;
    let s = &p.state;
    let crate::score::Score { earned, max } = p.score();
    vec![
        Cell::text(p.assessment.as_str()),
        Cell::opt(p.group.map(|g| g.as_str())),
        Cell::text(p.regulation),
        Cell::text(p.template.as_str()),
        Cell::text(p.id.as_str()),
        Cell::text(&a.title),
        Cell::text(a.category.label()),
        Cell::text(a.action_type.as_str()),
        Cell::text(a.control_type.as_str()),
        Cell::Bool(a.mandatory),
        Cell::text(a.testing.as_str()),
        Cell::opt(a.solution.as_deref()),
        Cell::opt(a.service.as_deref()),
        Cell::opt(s.owner.as_deref()),
        Cell::text(s.implementation.status.as_str()),
        s.implementation.date.map_or(Cell::Empty, Cell::Date),
        Cell::opt(s.implementation.notes.as_deref()),
        Cell::text(s.test.status.as_str()),
        s.test.date.map_or(Cell::Empty, Cell::Date),
        Cell::opt(s.test.notes.as_deref()),
        Cell::Int(s.evidence.len() as i64),
        Cell::Int(earned as i64),
        Cell::Int(max as i64),
    ]
}
