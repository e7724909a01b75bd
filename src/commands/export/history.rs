//! `evident export history`: the testing history as a spreadsheet.

use crate::commands::args::EventFilter;
use crate::commands::context::Context;
use crate::commands::output::warn_problems;
use crate::error::{Outcome, Result};

/// Export the testing history: every test recorded, as CSV or XLSX.
///
/// One row per commit, assessment and action whose test changed, in commit
/// order: a new test status, or a re-test that keeps the status and records a
/// new test date or notes. Each row has when (the author's date), the commit,
/// who, the action and its assessment, regulation and template, the test
/// status before and after, the test date and notes, the implementation
/// status, owner and number of evidence items after the change, the commit
/// message, and whether the status changed (`Status changed`: true, or false
/// for a re-test with the same result). Titles, templates and regulations are
/// those of HEAD. The filters are those of `evident history`.
///
/// CSV goes to stdout unless `--out FILE` is given; XLSX needs `--out`.
/// Without `--format`, the extension of the `--out` file names the format. A
/// file is replaced atomically, its missing folders created. In the workbook the header row is frozen,
/// every column has a filter and the dates are Excel dates. Times are the
/// author's local time: CSV adds the offset from UTC (ISO 8601), Excel dates
/// have no time zone.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  evident export history --format xlsx --out testing-history.xlsx
  evident export history mfa-admins --format csv
  evident export history --assessment gdpr-2026 --since 2026-01-01 --format csv --out gdpr.csv
  evident export history --author cy@example.com --format xlsx -o cy.xlsx")]
pub(crate) struct Args {
    #[command(flatten)]
    pub filter: EventFilter,
    #[command(flatten)]
    pub output: super::Output,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    args.output.target()?;
    let repo = ctx.repo()?;
    let timeline = ctx.history_timeline(&repo, args.filter.all_parents)?;
    args.filter.check_names(&timeline, &repo.root)?;
    warn_problems(ui, &timeline);
    // Titles are those of HEAD; before the first commit there are no rows to title.
    let head = match repo.head_commit() {
        Some(_) => {
            let git = crate::history::GitRepo::open(&repo.root)?;
            crate::history::snapshot_at(&git, git.committed_head()?)?.0
        }
        None => crate::model::Workspace::default(),
    };
    let events = timeline
        .events
        .iter()
        .filter(|e| crate::render::sheets::history::is_test_record(e) && args.filter.keep(&timeline, e));
    let table = crate::render::sheets::history::table(&timeline, events, &head);
    args.output.write(ui, &table)?;
    Ok(Outcome::Success)
}
