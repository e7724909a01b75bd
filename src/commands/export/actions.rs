//! `evident export actions`: every (assessment, action) as a spreadsheet row,
//! the same file `evident import actions` reads back as a bulk update.

use crate::commands::args::FilterArgs;
use crate::commands::context::Context;
use crate::commands::output::require_clean;
use crate::error::{Outcome, Result};
use crate::filter::action_rows;
use crate::render::sheets::actions::table;
use crate::score::Pair;

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
  evident export actions --out actions.xlsx              The format from the extension
  evident export actions --regulation gdpr --test-status none --format csv --out todo.csv
  evident export actions --owner ana@example.com --format csv")]
pub(crate) struct Args {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub output: super::Output,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    args.output.target()?;
    let loaded = ctx.load_for_scoring()?;
    if !require_clean(ui, &loaded.report, false) {
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
