//! Command-line interface: arguments, dispatch, exit codes.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::commands;
use crate::commands::context::Context;
use crate::error::{Error, Outcome};
use crate::ui::{ColorChoice, Ui};

const ABOUT: &str = "Compliance as code: validate, score and report a git repository of TOML assessments";

const LONG_ABOUT: &str = "\
evident turns a git repository of TOML files into a compliance program.

Templates (templates/*.toml) list the controls of a regulation and the
improvement actions (actions/*.toml) that satisfy them. Assessments
(assessments/<id>/assessment.toml) apply a template; the state of each action
in an assessment (implementation and test status, owner, notes, evidence)
lives in assessments/<id>/<action>.toml.";

const AFTER_HELP: &str = "\
Examples:
  evident init my-compliance          Start a compliance repository
  evident validate                    Check every file; exit 1 on errors
  evident score --by category         Scores by category
  evident list actions --owner ana@example.com --test-status none
  evident explain E0303               Explain a diagnostic code

Exit codes: 0 success, 1 errors in the repository or a failed check,
2 the command could not run (bad arguments, no repository, I/O error).";

#[derive(Debug, Parser)]
#[command(name = "evident", version, about = ABOUT, long_about = LONG_ABOUT, after_help = AFTER_HELP)]
#[command(propagate_version = true, max_term_width = 100)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args)]
pub(crate) struct GlobalArgs {
    /// The compliance repository (the directory with evident.toml). Default:
    /// the current directory or the nearest parent with evident.toml.
    #[arg(long, short = 'R', global = true, value_name = "DIR", env = "EVIDENT_REPO")]
    pub repo: Option<PathBuf>,
    /// When to use colours.
    #[arg(long, global = true, value_enum, default_value_t, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Print only results and errors, no status messages.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    Init(commands::init::Args),
    New(commands::new::Args),
    Validate(commands::validate::Args),
    Check(commands::check::Args),
    Score(commands::score::Args),
    List(commands::list::Args),
    Diff(commands::diff::Args),
    History(commands::history::Args),
    Report(commands::report::Args),
    #[command(subcommand)]
    Export(commands::export::Command),
    #[command(subcommand)]
    Import(commands::import::Command),
    #[command(subcommand)]
    Library(commands::library::Command),
    Set(commands::set::Args),
    Assign(commands::assign::Args),
    #[command(subcommand)]
    Evidence(commands::evidence::Command),
    Sync(commands::sync::Args),
    Test(commands::test::Args),
    Updates(commands::updates::Args),
    Accept(commands::accept::Args),
    Audit(commands::audit::Args),
    #[command(subcommand)]
    Trust(commands::trust::Command),
    Alerts(commands::alerts::Args),
    Schema(commands::schema::Args),
    Explain(commands::explain::Args),
    Completions(commands::completions::Args),
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap exits 0 for --help/--version and 2 for usage errors.
            if e.use_stderr() || std::io::stdout().is_terminal() {
                let _ = e.print();
                return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
            }
            // Help and version go to stdout, checked like any output.
            let ui = Ui::plain();
            ui.out(&e.render().to_string());
            if let Some(e) = crate::ui::output_error() {
                ui.error(&e);
                return ExitCode::from(2);
            }
            return ExitCode::SUCCESS;
        }
    };
    let ctx = Context::new(Ui::new(cli.global.color, cli.global.quiet), cli.global.repo.clone());
    let result = run(cli.command, &ctx);
    let ui = ctx.ui();
    if let Some(e) = crate::ui::output_error() {
        ui.error(&e);
        return ExitCode::from(2);
    }
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::from(1),
        Err(e) => {
            ui.error(&e);
            ExitCode::from(2)
        }
    }
}

/// Runs one subcommand with the context built from the global arguments.
fn run(command: Command, ctx: &Context) -> Result<Outcome, Error> {
    match command {
        Command::Validate(args) => commands::validate::run(ctx, args),
        Command::Check(args) => commands::check::run(ctx, args),
        Command::Audit(args) => commands::audit::run(ctx, args),
        Command::Alerts(args) => commands::alerts::run(ctx, args),
        Command::Diff(args) => commands::diff::run(ctx, args),
        Command::History(args) => commands::history::run(ctx, args),
        Command::Report(args) => commands::report::run(ctx, args),
        Command::Export(cmd) => commands::export::run(ctx, cmd),
        Command::Import(cmd) => commands::import::run(ctx, cmd),
        Command::Library(cmd) => commands::library::run(ctx, cmd),
        Command::Sync(args) => commands::sync::run(ctx, args),
        Command::Test(args) => commands::test::run(ctx, args),
        Command::Trust(cmd) => commands::trust::run(ctx, cmd),
        Command::Updates(args) => commands::updates::run(ctx, args),
        Command::Accept(args) => commands::accept::run(ctx, args),
        Command::Set(args) => commands::set::run(ctx, args),
        Command::Assign(args) => commands::assign::run(ctx, args),
        Command::Evidence(cmd) => commands::evidence::run(ctx, cmd),
        Command::Score(args) => commands::score::run(ctx, args),
        Command::List(args) => commands::list::run(ctx, args),
        Command::Init(args) => commands::init::run(ctx, args),
        Command::New(args) => commands::new::run(ctx, args),
        Command::Schema(args) => commands::schema::run(ctx, args),
        Command::Explain(args) => commands::explain::run(ctx, args),
        Command::Completions(args) => commands::completions::run(ctx, args, &mut Cli::command()),
    }
}
