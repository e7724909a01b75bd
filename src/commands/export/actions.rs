//! `evident export actions`: every (assessment, action) as a spreadsheet row,
//! the same file `evident import actions` reads back as a bulk update.

use crate::cli::GlobalArgs;
use crate::commands::list::FilterArgs;
use crate::commands::{load_for_scoring, require_clean};
use crate::error::{Outcome, Result};
use crate::filter::action_rows;
use crate::render::table_export::{Cell, Table};
use crate::score::Pair;
use crate::ui::Ui;

/// Export improvement actions, one row per assessment and action, as CSV or XLSX.
///
/// Each row has the action's filter columns (group, regulation, category,
/// types, solution, service...), its state in the assessment (owner,
/// implementation and test status, dates and notes) and the points it earns
/// there out of the points it could earn. The filters are those of
/// `evident list actions`.
///
/// Edit the owner, status, date and notes columns and the file re-imports as
/// a bulk update with `evident import actions`; the other columns are for
/// reading and filtering and are not imported.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  evident export actions --format xlsx --out actions.xlsx
  evident export actions --regulation gdpr --test-status none --format csv --out todo.csv
  evident export actions --owner ana@example.com --format csv")]
pub struct Args {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub output: super::Output,
}

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

pub fn run(ui: &Ui, global: &GlobalArgs, args: Args) -> Result<Outcome> {
    args.output.target()?;
    let loaded = load_for_scoring(ui, global)?;
    if !require_clean(ui, &loaded.report) {
        return Ok(Outcome::Failed);
    }
    let filter = args.filter.filter(&loaded.workspace)?;
    let pairs = crate::score::pairs(&loaded.workspace);
    let rows = action_rows(&pairs, &filter);
    let mut kept: Vec<&Pair> = rows.iter().flat_map(|r| r.pairs.iter().copied()).collect();
    kept.sort_by(|a, b| (a.assessment, a.id).cmp(&(b.assessment, b.id)));
    args.output.write(ui, &table(&kept))?;
    Ok(Outcome::Success)
}

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
