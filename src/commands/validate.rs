//! `evident validate`: check every file and report every problem.

use crate::cli::GlobalArgs;
use crate::commands::{load, to_json_text};
use crate::diag::render;
use crate::error::{Outcome, Result};
use crate::ui::Ui;

/// Check every file of the repository: TOML syntax, the JSON Schemas, ids,
/// references between files, people, and evidence files and their hashes.
///
/// Every problem is reported (not only the first) with a code, the file, line
/// and column, and a hint. Exit code 1 when there are errors; warnings alone
/// exit 0.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evident validate\n  evident validate --format sarif > evident.sarif\n  evident validate --format github   # annotations in GitHub Actions"
)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics with snippets, on stderr.
    Human,
    /// One JSON object with every diagnostic, on stdout.
    Json,
    /// GitHub Actions workflow commands (annotations), on stdout.
    Github,
    /// SARIF 2.1.0 (code scanning), on stdout.
    Sarif,
}

pub fn run(ui: &Ui, global: &GlobalArgs, args: Args) -> Result<Outcome> {
    let loaded = load(global)?;
    let report = &loaded.report;
    match args.format {
        Format::Human => {
            ui.err(&render::human(report, ui.color_stderr));
            let line = render::summary_line(report);
            let style = if report.has_errors() {
                crate::ui::RED.bold()
            } else {
                crate::ui::GREEN.bold()
            };
            ui.err(&format!("{}\n", ui.paint_err(style, line)));
        }
        Format::Json => ui.out(&to_json_text(&render::json(report))),
        Format::Github => ui.out(&render::github(report, &loaded.repo.git_prefix())),
        Format::Sarif => ui.out(&to_json_text(&render::sarif(
            report,
            &loaded.repo.git_prefix(),
        ))),
    }
    Ok(Outcome::failed_if(report.has_errors()))
}
