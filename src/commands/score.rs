//! `evident score`: compliance scores.

use crate::commands::args::OutputFormat;
use crate::commands::context::Context;
use crate::commands::output::{require_clean, to_json_text};
use crate::error::{Outcome, Result};
use crate::render::score::{self, By};

/// Compute compliance scores.
///
/// Each action is worth 27, 9, 3 or 1 points (mandatory or discretionary ×
/// preventative, detective or corrective; `[scoring]` in evident.toml can
/// change the table). It earns them in an assessment when it is implemented
/// (or alternative) and its test passed; out-of-scope removes it from the
/// maximum. The overall score and the breakdowns count each action once: it
/// earns when it earns in every assessment where it is in scope.
///
/// Refuses (exit 1) when the repository has errors.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evident score\n  evident score --by control\n  evident score --format json | jq .overall.percent"
)]
pub(crate) struct Args {
    /// Which breakdown to show (JSON always has all of them).
    #[arg(long, value_enum, default_value_t = By::Assessment)]
    pub by: By,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let loaded = ctx.load_for_scoring()?;
    if !require_clean(ui, &loaded.report, args.format.is_json()) {
        return Ok(Outcome::Failed);
    }
    let scores = crate::score::compute(&loaded.workspace);
    let text = match args.format {
        OutputFormat::Human => score::human(&scores, args.by, ui.color_stdout),
        OutputFormat::Json => to_json_text(&score::json(&scores, loaded.repo.head_commit().as_deref())),
        OutputFormat::Markdown => score::markdown(&scores, args.by),
    };
    ui.out(&text);
    let pending = crate::updates::pending(&loaded.workspace).len();
    if pending > 0 && args.format == OutputFormat::Human {
        ui.status(
            "Note",
            &format!(
                "{} pending: scored on the accepted definitions until accepted (`evident updates`)",
                crate::diag::render::plural(pending, "update")
            ),
        );
    }
    Ok(Outcome::Success)
}
