//! `evident updates`: templates and actions that moved past what an assessment accepted.

use crate::commands::args::OutputFormat;
use crate::commands::context::Context;
use crate::commands::output::{require_clean, to_json_text};
use crate::error::{Outcome, Result};
use crate::render::updates as render;

/// List pending updates: definitions an assessment has not accepted yet.
///
/// An action is pending in an assessment when `actions/<id>.toml` has a
/// higher `version` than the `accepted_version` of its state file; a template
/// is pending when its `version` is higher than the assessment's
/// `template_version`. Until accepted, the assessment is scored on the
/// version it accepted, read from git history. For each update this shows
/// what changed in the definition and what accepting it would do to the
/// assessment's and the overall score, and which assessments accepting it
/// there touches (a technical action: every assessment with the update; a
/// documentation or operational action or a template: the assessment's
/// group). Accept with `evident accept`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evident updates\n  evident updates --assessment gdpr-2026 --format json"
)]
pub(crate) struct Args {
    /// Only this assessment.
    #[arg(long, short = 'a', value_name = "ASSESSMENT")]
    pub assessment: Option<String>,
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
    let ws = &loaded.workspace;
    if let Some(a) = &args.assessment {
        crate::edit::known_assessment(ws, a)?;
    }
    let updates = crate::updates::updates(ws, args.assessment.as_deref());
    ui.out(&match args.format {
        OutputFormat::Human => render::human(&updates, ui.color_stdout),
        OutputFormat::Markdown => render::markdown(&updates),
        OutputFormat::Json => {
            to_json_text(&crate::render::json::to_value(&crate::render::json::UpdatesOutput {
                updates: &updates,
            }))
        }
    });
    Ok(Outcome::Success)
}
