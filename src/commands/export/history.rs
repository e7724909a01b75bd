//! `evident export history`: the testing history as a spreadsheet.

use std::collections::BTreeMap;

use crate::commands::args::EventFilter;
use crate::commands::context::Context;
use crate::commands::output::warn_problems;
use crate::error::{Outcome, Result};
use crate::history::timeline::{CommitInfo, StatusEvent, Timeline};
use crate::model::{Date, Workspace};
use crate::render::table_export::{Cell, Table};

/// Export the testing history: every change of a test status, as CSV or XLSX.
///
/// One row per commit, assessment and action whose test status changed, in
/// commit order: when (the author's date), the commit, who, the action and
/// its assessment, regulation and template, the test status before and after,
/// the test date and notes, and the implementation status, owner and number
/// of evidence items after the change. Titles, templates and regulations are
/// those of HEAD. The filters are those of `evident history`.
///
/// CSV goes to stdout unless `--out FILE` is given; XLSX needs `--out`. A
/// file is replaced atomically. In the workbook the header row is frozen,
/// every column has a filter and the dates are Excel dates. Times are the
/// author's local time: CSV adds the offset from UTC (ISO 8601), Excel dates
/// have no time zone.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  evident export history --format xlsx --out testing-history.xlsx
  evident export history mfa-admins --format csv
  evident export history --assessment gdpr-2026 --since 2026-01-01 --format csv --out gdpr.csv
  evident export history --author cy@example.com --format xlsx -o cy.xlsx")]
pub struct Args {
    #[command(flatten)]
    pub filter: EventFilter,
    #[command(flatten)]
    pub output: super::Output,
}

/// The columns, in order.
pub const HEADERS: [&str; 17] = [
    "Date",
    "Commit",
    "Author",
    "Author email",
    "Assessment",
    "Action",
    "Title",
    "Regulation",
    "Template",
    "Test status before",
    "Test status after",
    "Test date",
    "Test notes",
    "Implementation status",
    "Owner",
    "Evidence",
    "Commit message",
];

pub fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    args.output.target()?;
    let repo = ctx.repo()?;
    let timeline = ctx.timeline(&repo, args.filter.all_parents)?;
    args.filter.check_names(&timeline)?;
    warn_problems(ui, &timeline);
    let git = crate::history::GitRepo::open(&repo.root)?;
    let (head, _) = crate::history::snapshot_at(&git, git.committed_head()?)?;
    let events = timeline.events.iter().filter(|e| e.test_changed() && args.filter.keep(&timeline, e));
    let table = table(&timeline, events, &head);
    args.output.write(ui, &table)?;
    Ok(Outcome::Success)
}

/// The rows of the given events; `ws` names the actions and assessments.
pub fn table<'t>(
    timeline: &Timeline,
    events: impl Iterator<Item = &'t StatusEvent>,
    ws: &Workspace,
) -> Table {
    let names = Names::of(ws);
    let rows = events.map(|e| row(&timeline.commits[e.commit], e, &names)).collect();
    Table { sheet: "Testing history".into(), headers: HEADERS.to_vec(), rows }
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

fn row(commit: &CommitInfo, e: &StatusEvent, names: &Names<'_>) -> Vec<Cell> {
    let before = e.before_or_default();
    let after = e.after_or_default();
    let (regulation, template) = names.templates.get(e.assessment.as_str()).copied().unwrap_or_default();
    let test_date = after.test_date.as_deref().and_then(|d| d.parse::<Date>().ok());
    vec![
        author_time(commit),
        Cell::text(&commit.id),
        Cell::text(&commit.author_name),
        Cell::text(&commit.author_email),
        Cell::text(&e.assessment),
        Cell::text(&e.action),
        Cell::text(names.titles.get(e.action.as_str()).copied().unwrap_or_default()),
        Cell::text(regulation),
        Cell::text(template),
        Cell::text(before.test.as_str()),
        Cell::text(after.test.as_str()),
        test_date.map_or(Cell::Empty, Cell::Date),
        Cell::opt(after.test_notes),
        Cell::text(after.implementation.as_str()),
        Cell::opt(after.owner),
        Cell::Int(after.evidence.len() as i64),
        Cell::text(&commit.summary),
    ]
}

/// The author's local date and time, with its offset from UTC.
fn author_time(c: &CommitInfo) -> Cell {
    let offset = jiff::tz::Offset::from_seconds(c.offset_minutes * 60).unwrap_or(jiff::tz::Offset::UTC);
    match jiff::Timestamp::from_second(c.time) {
        Ok(t) => Cell::DateTime(offset.to_datetime(t), offset),
        Err(_) => Cell::Empty,
    }
}
