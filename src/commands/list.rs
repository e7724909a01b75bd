//! `evident list actions`: the improvement-action list with filters.

use crate::cli::GlobalArgs;
use crate::commands::{OutputFormat, load_for_scoring, require_clean, to_json_text};
use crate::error::{Outcome, Result};
use crate::filter::{ActionFilter, action_rows};
use crate::model::{ActionType, Category, ImplementationStatus, TestStatus};
use crate::render;
use crate::ui::Ui;

/// List things in the repository.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(Debug, clap::Subcommand)]
pub enum What {
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
pub struct ActionsArgs {
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

/// The filters of the action list; shared with `evident export actions`.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct FilterArgs {
    /// Only actions of templates with this regulation (or template id).
    #[arg(long, value_delimiter = ',', value_name = "REGULATION")]
    pub regulation: Vec<String>,
    /// Only actions with this solution.
    #[arg(long, value_delimiter = ',', value_name = "SOLUTION")]
    pub solution: Vec<String>,
    /// Only actions in assessments of this group.
    #[arg(long, value_delimiter = ',', value_name = "GROUP")]
    pub group: Vec<String>,
    /// Only actions with this test status.
    #[arg(long, value_delimiter = ',', value_enum, value_name = "STATUS")]
    pub test_status: Vec<TestStatus>,
    /// Only actions of this category.
    #[arg(long, value_delimiter = ',', value_enum, value_name = "CATEGORY")]
    pub category: Vec<Category>,
    /// Only actions owned by this person (`none`: without owner).
    #[arg(long, value_delimiter = ',', value_name = "EMAIL")]
    pub owner: Vec<String>,
    /// Only actions of this type.
    #[arg(long, value_delimiter = ',', value_enum, value_name = "TYPE")]
    pub action_type: Vec<ActionType>,
    /// Only actions of this assessment.
    #[arg(long, value_delimiter = ',', value_name = "ASSESSMENT")]
    pub assessment: Vec<String>,
    /// Only actions with this implementation status.
    #[arg(long, value_delimiter = ',', value_enum, value_name = "STATUS")]
    pub status: Vec<ImplementationStatus>,
}

impl FilterArgs {
    /// The filter, with every value checked against the repository.
    pub fn filter(self, ws: &crate::model::Workspace) -> Result<ActionFilter> {
        let filter = ActionFilter {
            regulations: self.regulation,
            solutions: self.solution,
            groups: self.group,
            test_statuses: self.test_status,
            categories: self.category,
            owners: self.owner,
            action_types: self.action_type,
            assessments: self.assessment,
            statuses: self.status,
        };
        filter.check_values(ws)?;
        Ok(filter)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Sort {
    /// By action id.
    Id,
    /// Most points still to gain first ("what to do next").
    Remaining,
    /// By category, then id.
    Category,
}

pub fn run(ui: &Ui, global: &GlobalArgs, args: Args) -> Result<Outcome> {
    let args = match args.what {
        What::Actions(args) => args,
        What::Controls(args) => return crate::commands::list_controls::run(ui, global, args),
    };
    let loaded = load_for_scoring(ui, global)?;
    if !require_clean(ui, &loaded.report) {
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
    let text = match args.format {
        OutputFormat::Human if args.per_assessment => {
            render::list::human_per_assessment(&rows, ui.color_stdout)
        }
        OutputFormat::Human => render::list::human(&rows, ui.color_stdout),
        OutputFormat::Json => to_json_text(&render::list::json(&rows)),
        OutputFormat::Markdown if args.per_assessment => render::list::markdown_per_assessment(&rows),
        OutputFormat::Markdown => render::list::markdown(&rows),
    };
    ui.out(&text);
    Ok(Outcome::Success)
}
