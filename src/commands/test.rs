//! `evident test`: run the automatic tests and record their results.

use crate::automation::{self, Kind, Skipped, Summary, Unit, interrupt, orphans};
use crate::commands::args::OutputFormat;
use crate::commands::context::Context;
use crate::commands::output::{conclude, refuse_inputs, to_json_text};
use crate::diag::{Code, Diagnostic, Report, render};
use crate::edit::{self, Session};
use crate::error::{Error, Outcome, Result};
use crate::model::{Action, ActionAutomation, ActionId, AssessmentId, Date, Testing};
use crate::repo::layout;

/// Run the automatic tests and record their results.
///
/// Runs the program in the `[automation]` table of each automatic action (or reads the JUnit
/// or SARIF file it names), in parallel, and records the result in every assessment that lists
/// the action: exit 0 is passed, exit 1 the action's `on-fail` status (default failed-medium),
/// anything else, a timeout or a missing or malformed result file could-not-be-detected. The
/// test date becomes today, the notes say what ran and how it ended, and the output is kept
/// as the evidence item "Automatic test output" (replacing the previous one). A pass also
/// records an action that was not implemented or planned as implemented. Files change like
/// with `evident set`: checked, all at once, group members together. Nothing is committed.
///
/// Programs run without a shell, from the repository root, in their own process group (killed
/// whole at the timeout), with only PATH, HOME, EVIDENT_REPO, EVIDENT_ASSESSMENT(S),
/// EVIDENT_ACTION, the assessment's `[automation] env` and evident.toml's `[automation]
/// pass-env` in their environment. They are as trusted as your CI configuration.
///
/// Skipped tests are counted per reason under the table; `--format json` lists each with its
/// `kind`. Rows are sorted by action, then assessments.
///
/// Exit status: 0 when every test ran and its result was recorded (failures included), 1 when
/// a test could not be detected or the results could not be recorded, 2 when evident could
/// not run. On Ctrl-C (SIGINT) or SIGTERM the running checks' groups get SIGTERM, then SIGKILL
/// two seconds later, nothing is written, and evident exits 130 (SIGINT) or 143 (SIGTERM).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  evident test                         Test every automatic action
  evident test tls-in-transit -a gdpr-2026
  evident test --stale --jobs 8        Only results that are stale or missing
  evident test --dry-run --format json")]
pub(crate) struct Args {
    /// Only these actions (ids). Default: every automatic action. Naming a manual action, one
    /// without an `[automation]` run, junit or sarif, or one no assessment lists is an error.
    pub actions: Vec<String>,
    /// Only in this assessment (repeat for several); the other members of its group that list
    /// the action are tested with it.
    #[arg(long = "assessment", short = 'a', value_name = "ASSESSMENT")]
    pub assessments: Vec<String>,
    /// Only the tests whose result is stale (older than its valid-for) or missing.
    #[arg(long)]
    pub stale: bool,
    /// How many tests run at once. Default: the number of CPUs.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Run the tests and show what would change, without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let lock = ctx.lock()?;
    let loaded = ctx.load()?;
    if let Some(report) = edit::unusable_inputs(&loaded.report) {
        return Ok(refuse_inputs(ui, &report, args.format.is_json()));
    }
    // A broken file elsewhere (an action that does not parse is never tested) is shown, and makes
    // the run fail, while the tests that can run still run.
    let broken = loaded.report.has_errors();
    if broken {
        ui.err(&render::human(&loaded.report, ui.color_stderr));
    }
    let (ws, root) = (&loaded.workspace, &loaded.repo.root);
    let actions: Vec<ActionId> = args
        .actions
        .iter()
        .map(|a| edit::action(ws, &loaded.report, a).and_then(testable).map(|a| a.id.clone()))
        .collect::<Result<_>>()?;
    let assessments =
        args.assessments.iter().map(|a| edit::known_assessment(ws, a)).collect::<Result<Vec<_>>>()?;
    let today = Date::today();
    let started = std::time::Instant::now();
    let (units, skipped) = automation::plan(ws, &actions, &assessments, args.stale, today, root);
    listed(&actions, &assessments, &units, &skipped)?;
    let jobs = args
        .jobs
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    // Checks run in their own process groups, out of reach of a Ctrl-C: evident stops them.
    if !units.is_empty() {
        interrupt::install().map_err(|e| Error::new(format!("cannot catch SIGINT and SIGTERM: {e}")))?;
        // Without it a process that left its check's group could outlive the run unnoticed.
        if let Err(e) = orphans::adopt() {
            ui.warn(&format!("processes that checks leave running cannot be stopped: {e}"));
        }
    }
    let bar = ui.progress(units.len() as u64, "Testing");
    let outcomes = automation::run_all(&units, root, jobs, &|| bar.inc(1));
    bar.finish_and_clear();
    stop_orphans(ui);
    if let Some(signal) = interrupt::received() {
        // Nothing was written yet: the results are dropped whole.
        interrupted(ui, signal, "the checks were stopped and nothing was written");
    }

    let mut problems = Report::default();
    let mut session = Session::new(root, ws, today);
    for (unit, outcome) in units.iter().zip(&outcomes) {
        automation::record(&mut session, unit, outcome, today)?;
        let file = automation::unit_files(unit).into_iter().next().unwrap_or_default();
        if let Some(d) = &outcome.problem {
            problems.diagnostics.push(d.clone());
            if let Some((path, text)) = &outcome.source {
                problems.sources.insert(path.as_str(), text.as_str());
            }
        }
        let (code, verb) = match outcome.kind {
            Kind::Passed => continue,
            Kind::Failed => (Code::AutomaticTestFailed, "failed"),
            Kind::CouldNotBeDetected => (Code::AutomaticTestUndetected, "could not be detected"),
        };
        problems.diagnostics.push(
            Diagnostic::new(code, format!("the automatic test of `{}` {verb}", unit.action.id))
                .in_file(file)
                .note(outcome.notes.clone()),
        );
    }
    if !problems.diagnostics.is_empty() {
        problems.finish(&ws.config.rules);
        ui.err(&render::human(&problems, ui.color_stderr));
    }
    let plan = session.plan(&ws.config.rules);
    let recorded = conclude(ui, &lock, &plan, args.dry_run, false)?;
    if let Some(signal) = interrupt::received() {
        // It came while the results were written: they were written whole.
        interrupted(ui, signal, "the results had been written in full");
    }
    let mut summary = Summary::new(ws, &units, &outcomes, skipped, started.elapsed());
    summary.written = recorded == Outcome::Success && !args.dry_run && !units.is_empty();
    ui.out(&match args.format {
        OutputFormat::Human => crate::render::test::human(&summary, ui.color_stdout),
        OutputFormat::Json => to_json_text(&serde_json::to_value(&summary).unwrap_or_default()),
        OutputFormat::Markdown => crate::render::test::markdown(&summary),
    });
    let undetected = summary.could_not_be_detected > 0;
    Ok(if recorded == Outcome::Success && !undetected && !broken {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}

/// A named action that `evident test` can never run is refused, saying why.
fn testable(action: &Action) -> Result<&Action> {
    let (id, file) = (&action.id, layout::action_path(action.id.as_str()));
    if action.testing != Testing::Automatic {
        return Err(Error::new(format!(
            "`{id}` is a manual action: `evident test` runs only actions with `testing = \"automatic\"`"
        ))
        .hint(format!("record its result by hand: `evident set {id} --test <status>`"))
        .hint(format!(
            "to automate it, set `testing = \"automatic\"` and add an `[automation]` table in `{file}`"
        )));
    }
    if !action.automation.as_ref().is_some_and(ActionAutomation::has_source) {
        return Err(Error::new(format!(
            "`{id}` is automatic but has {} in `{file}`: there is nothing to run or read",
            automation::NO_SOURCE
        ))
        .hint(format!(
            "add `[automation]` with `run = [...]`, `junit = {{ file = ... }}` or `sarif = {{ file = ... }}` to `{file}`"
        )));
    }
    Ok(action)
}

/// A named action that no (named) assessment lists is refused: there is nothing to test.
fn listed(
    actions: &[ActionId],
    assessments: &[AssessmentId],
    units: &[Unit<'_>],
    skipped: &[Skipped],
) -> Result<()> {
    let Some(id) = actions.iter().find(|id| {
        !units.iter().any(|u| &u.action.id == *id) && !skipped.iter().any(|k| k.action == id.as_str())
    }) else {
        return Ok(());
    };
    let err = match assessments {
        [] => Error::new(format!("nothing to test: no assessment lists `{id}`"))
            .hint("list it under a `[[controls]]` entry of the template of an assessment"),
        named => Error::new(format!(
            "nothing to test: `{id}` is not in {}",
            named.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
        ))
        .hint(format!("`evident list actions --format json` shows the assessments of `{id}`")),
    };
    Err(err)
}

/// Ends evident after SIGINT or SIGTERM, with the status a shell gives a program the signal
/// ended (128 + its number: 130, 143).
fn interrupted(ui: &crate::ui::Ui, signal: i32, what: &str) -> ! {
    stop_orphans(ui);
    ui.err(&format!("evident test: interrupted by {}; {what}\n", interrupt::name(signal)));
    std::process::exit(interrupt::exit_status(signal))
}

/// Stops what the checks left running out of their process groups, and says so: the check's
/// own output says which check it was.
fn stop_orphans(ui: &crate::ui::Ui) {
    let (stopped, left) = orphans::stop_all();
    if stopped > 0 {
        ui.warn(&format!(
            "stopped {} that checks left running outside their process groups",
            processes(stopped)
        ));
    }
    if left > 0 {
        ui.warn(&format!(
            "could not stop {} that checks left running outside their process groups",
            processes(left)
        ));
    }
}

fn processes(n: usize) -> String {
    format!("{n} process{}", if n == 1 { "" } else { "es" })
}
