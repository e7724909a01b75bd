//! `evident set`: record the status, dates, notes and owner of an action.

use crate::commands::args::WriteArgs;
use crate::commands::context::Context;
use crate::commands::output::conclude;
use crate::edit::{self, Session, StatusChange};
use crate::error::{Error, Outcome, Result};
use crate::model::{Date, ImplementationStatus, TestStatus};

/// Record an action's implementation and test status, dates, notes and owner.
///
/// Only what is given changes; the rest of the state file (comments, layout,
/// other keys) stays as it is. In a group, every assessment of the group that
/// lists the action gets the same change, so the group stays in sync. Without
/// `--assessment`, the action must be in one assessment, or in several of one
/// group.
///
/// When a status changes and no date is given, its date becomes today. The
/// result must follow the status rules of `evident check` (a passed test needs
/// an implementation and evidence; alternative and out-of-scope need notes;
/// dates not in the future...); otherwise nothing is written and the problems
/// are shown (exit 1).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  evident set mfa-admins --implementation implemented --date 2026-03-02 --notes \"Policy CA-01\"
  evident set mfa-admins --test passed --notes \"Sampled 20 admin sign-ins\"
  evident set dpia-process -a gdpr-2026 --implementation out-of-scope --notes \"No DPIA needed\"
  evident set mfa-admins --owner ana@example.com --dry-run")]
pub(crate) struct Args {
    /// The action (its id: actions/<ACTION>.toml).
    pub action: String,
    /// An assessment to change (repeat for several). Default: every assessment
    /// that lists the action, when there is one or they are all in one group.
    #[arg(long = "assessment", short = 'a', value_name = "ASSESSMENT")]
    pub assessments: Vec<String>,
    /// The implementation status.
    #[arg(long, value_enum, value_name = "STATUS")]
    pub implementation: Option<ImplementationStatus>,
    /// The test status.
    #[arg(long, value_enum, value_name = "STATUS")]
    pub test: Option<TestStatus>,
    /// The date of each status being set (YYYY-MM-DD). Default: today when the status changes.
    #[arg(long, value_name = "DATE", conflicts_with_all = ["implementation_date", "test_date"])]
    pub date: Option<Date>,
    /// The implementation date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub implementation_date: Option<Date>,
    /// The test date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub test_date: Option<Date>,
    /// Notes of the status being set ("" removes them). When setting both
    /// statuses, use --implementation-notes and --test-notes.
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["implementation_notes", "test_notes"])]
    pub notes: Option<String>,
    /// Implementation notes: for alternative and out-of-scope, the justification.
    #[arg(long, value_name = "TEXT")]
    pub implementation_notes: Option<String>,
    /// Test notes: what was sampled and what was found.
    #[arg(long, value_name = "TEXT")]
    pub test_notes: Option<String>,
    /// The owner (an e-mail address, listed in [people] when evident.toml has that table);
    /// `none` removes it (`list actions --owner none` lists the actions without an owner).
    #[arg(long, value_name = "EMAIL")]
    pub owner: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let (implementation, test) = changes(&args)?;
    let Some((lock, loaded)) = ctx.load_for_edit(args.write.json())? else {
        return Ok(Outcome::Failed);
    };
    let ws = &loaded.workspace;
    let action = edit::action(ws, &loaded.report, &args.action)?;
    let owner = args.owner.as_deref().map(|o| edit::owner_change(ws, o)).transpose()?;
    let mut session = Session::new(&loaded.repo.root, ws, Date::today());
    for assessment in edit::targets(ws, &action.id, &args.assessments)? {
        let Some(file) = session.open(&assessment, action)? else {
            continue;
        };
        match owner {
            Some(Some(owner)) => file.set_owner(owner),
            Some(None) => file.remove_owner(),
            None => {}
        }
        file.change_implementation(&implementation)?;
        if (test.status.is_some() || test.notes.is_some())
            && crate::automation::is_automatic(&ws.config, action, &file.before)
        {
            file.refuse_hand_set_test();
        }
        file.change_test(&test)?;
    }
    conclude(ui, &lock, &session.plan(&ws.config.rules), args.write.dry_run, args.write.json())
}

/// The two table changes the arguments ask for; usage errors for arguments
/// that make no sense together.
fn changes(args: &Args) -> Result<(StatusChange<ImplementationStatus>, StatusChange<TestStatus>)> {
    let both = args.implementation.is_some() && args.test.is_some();
    let neither = args.implementation.is_none() && args.test.is_none();
    if args.date.is_some() && neither {
        return Err(Error::new("`--date` is the date of the status being set, and none is")
            .hint("add `--implementation` or `--test`, or use `--implementation-date` / `--test-date`"));
    }
    if args.notes.is_some() && (both || neither) {
        let why = if both { "both statuses are being set" } else { "no status is being set" };
        return Err(Error::new(format!("`--notes` is ambiguous: {why}"))
            .hint("use `--implementation-notes` and `--test-notes`"));
    }
    // `--notes` and `--date` go to whichever status is set.
    let for_implementation = args.implementation.is_some();
    let implementation = StatusChange {
        status: args.implementation,
        date: args.implementation_date.or(args.date.filter(|_| for_implementation)),
        notes: args.implementation_notes.clone().or(args.notes.clone().filter(|_| for_implementation)),
    };
    let for_test = args.test.is_some();
    let test = StatusChange {
        status: args.test,
        date: args.test_date.or(args.date.filter(|_| for_test)),
        notes: args.test_notes.clone().or(args.notes.clone().filter(|_| for_test)),
    };
    if implementation.is_empty() && test.is_empty() && args.owner.is_none() {
        return Err(Error::new("nothing to set")
            .hint("give `--implementation`, `--test`, a date, notes or `--owner` (`evident set --help`)"));
    }
    Ok((implementation, test))
}
