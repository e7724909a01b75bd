//! `evident list actions`: the improvement-action list with filters.

use crate::commands::args::FilterArgs;
use crate::commands::args::OutputFormat;
use crate::commands::context::Context;
use crate::commands::output::require_clean;
use crate::error::{Outcome, Result};
use crate::filter::action_rows;
use crate::render;
use crate::render::json_text::write_json;

/// List things in the repository.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum What {
    Actions(ActionsArgs),
    Controls(crate::commands::list_controls::Args),
}

/// List improvement actions with the points they earn and could earn.
///
/// Filters combine: values of one filter are alternatives (`--category a,b`),
/// different filters must all match. Filters on assessments, statuses and
/// owners look at each action's state in each assessment; the points shown
/// count only the states that match.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evident list actions --test-status none,not-assessed --sort remaining\n  evident list actions --regulation gdpr --owner ana@example.com\n  evident list actions --category control-access --action-type technical --format json"
)]
pub(crate) struct ActionsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// One row per assessment and action instead of one per action (shows
    /// where a "mixed" status comes from). JSON always lists each action's
    /// assessments.
    #[arg(long)]
    pub per_assessment: bool,
    /// Order of the list.
    #[arg(long, value_enum, default_value_t = Sort::Id)]
    pub sort: Sort,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Sort {
    /// By action id.
    Id,
    /// Most points still to gain first ("what to do next").
    Remaining,
    /// By category, then id.
    Category,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let args = match args.what {
        What::Actions(args) => args,
        What::Controls(args) => return crate::commands::list_controls::run(ctx, args),
    };
    let loaded = ctx.load_for_scoring()?;
    if !require_clean(ui, &loaded.report, args.format.is_json()) {
        return Ok(Outcome::Failed);
    }
    let filter = args.filter.filter(&loaded.workspace)?;
    let pairs = crate::score::pairs(&loaded.workspace);
    let mut rows = action_rows(&pairs, &filter);
    match args.sort {
        Sort::Id => {}
        Sort::Remaining => {
            rows.sort_by(|a, b| b.remaining().cmp(&a.remaining()).then(a.action.id.cmp(&b.action.id)))
        }
        Sort::Category => {
            rows.sort_by(|a, b| (a.action.category, &a.action.id).cmp(&(b.action.category, &b.action.id)))
        }
    }
    // A failed write is reported by `ui` when the command ends.
    let out = &mut ui.out_writer();
    let _ = match args.format {
        OutputFormat::Human if args.per_assessment => {
            render::list::human_per_assessment(&rows, ui.color_stdout, out)
        }
        OutputFormat::Human => render::list::human(&rows, ui.color_stdout, out),
        OutputFormat::Json => {
            return write_json(out, &render::json::ListOutput::new(&rows)).map(|_| Outcome::Success);
        }
        OutputFormat::Markdown if args.per_assessment => render::list::markdown_per_assessment(&rows, out),
        OutputFormat::Markdown => render::list::markdown(&rows, out),
    };
    Ok(Outcome::Success)
}
