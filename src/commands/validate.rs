//! `evident validate`: check every file and report every problem.

use crate::commands::args::DiagnosticFormat;
use crate::commands::context::Context;
use crate::commands::output::print_report;
use crate::error::{Outcome, Result};

/// Check every file: syntax, schemas, references, people and evidence.
///
/// Checks TOML syntax, the JSON Schemas, ids, references between files,
/// people, and evidence files and their hashes.
///
/// Every problem is reported (not only the first) with a code, the file, line
/// and column, and a hint. Exit code 1 when there are errors; warnings alone
/// exit 0.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evident validate\n  evident validate --format sarif > evident.sarif\n  evident validate --format github   # annotations in GitHub Actions"
)]
pub(crate) struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    pub format: DiagnosticFormat,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let loaded = ctx.load()?;
    print_report(ui, &loaded, args.format);
    Ok(Outcome::failed_if(loaded.report.has_errors()))
}
