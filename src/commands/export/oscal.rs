//! `evident export oscal`: assessments as OSCAL assessment results (JSON).

use std::path::PathBuf;

use crate::commands::context::Context;
use crate::commands::output::to_json_text;
use crate::error::{Error, Outcome, Result};
use crate::model::AssessmentEntry;
use crate::oscal::results::{self, History};

/// Export assessments as OSCAL 1.1.2 assessment results (JSON).
///
/// One result per assessment: an observation per action (implementation and
/// test status, notes, owner, evidence as relevant-evidence links, and the
/// commit author who last set the test status as the assessor), and a
/// finding per control: satisfied when every in-scope action of the control
/// is implemented (or alternative) and passed, not-satisfied otherwise
/// (reason `fail` when a test failed). Controls whose actions are all out
/// of scope are excluded from the reviewed controls.
///
/// The output is reproducible: UUIDs are derived from the repository and
/// the ids (UUID v5), and dates come from git history (last-modified is
/// the HEAD commit's date), so the same commit gives the same file. It
/// reads the working tree's files and the committed history: commit first.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  evident export oscal --assessment nist-low-2026 --out ar.json
  evident export oscal > all-assessments.json       # one result per assessment")]
pub(crate) struct Args {
    /// An assessment to export (repeat for several). Default: every assessment.
    #[arg(long = "assessment", short = 'a', value_name = "ASSESSMENT")]
    pub assessments: Vec<String>,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let loaded = ctx.load()?;
    // On stdout the export is JSON: so is a refusal.
    let to_stdout = args.out.is_none();
    if !crate::commands::output::require_clean(ui, &loaded.report, to_stdout) {
        return Ok(Outcome::Failed);
    }
    let ws = &loaded.workspace;
    let chosen: Vec<&AssessmentEntry> = if args.assessments.is_empty() {
        ws.assessments.values().collect()
    } else {
        let mut ids = args.assessments.clone();
        ids.sort();
        ids.dedup();
        ids.iter()
            .map(|id| {
                let id = crate::edit::known_assessment(ws, id)?;
                Ok(&ws.assessments[&id])
            })
            .collect::<Result<_>>()?
    };
    if chosen.is_empty() {
        return Err(Error::new("the repository has no assessments to export")
            .hint("create one with `evident new assessment`"));
    }
    let timeline = ctx.timeline(&loaded.repo, false)?;
    let doc = results::document(ws, &chosen, &History { timeline: &timeline });
    let text = to_json_text(&doc);
    match &args.out {
        Some(path) => {
            crate::repo::write::replace_file(path, text.as_bytes())?;
            ui.status("Wrote", &path.display().to_string());
        }
        None => ui.out(&text),
    }
    Ok(Outcome::Success)
}
