//! `evident export template`: a template's controls as a spreadsheet, the
//! file `evident import template` reads back as a new version.

use crate::commands::context::Context;
use crate::commands::output::require_clean;
use crate::error::{Error, Outcome, Result};
use crate::model::{TemplateId, parse_id};
use crate::render::sheets::template::table;

/// Export an assessment template, one row per control, as CSV or XLSX.
///
/// Each row has the template's id, name, regulation, version, source and
/// description (the same on every row), and one control: its id, title,
/// family, description and the ids of its actions (one per line). Edit it
/// (add, remove or change controls; add or remove actions) and
/// `evident import template` makes it the template's next version.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  evident export template gdpr --format xlsx --out gdpr.xlsx
  evident export template hipaa --format csv")]
pub(crate) struct Args {
    /// The template (its id: templates/<ID>.toml).
    #[arg(value_parser = parse_id)]
    pub id: String,
    #[command(flatten)]
    pub output: super::Output,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    args.output.target()?;
    let loaded = ctx.load()?;
    if !require_clean(ui, &loaded.report, false) {
        return Ok(Outcome::Failed);
    }
    let ws = &loaded.workspace;
    let Some(template) = ws.templates.get(&TemplateId::from(args.id.as_str())) else {
        let mut e = Error::new(format!("no template `{}`", args.id));
        if let Some(h) = crate::diag::did_you_mean(&args.id, ws.templates.keys().map(|k| k.as_str())) {
            e = e.hint(h);
        }
        return Err(e);
    };
    args.output.write(ui, &table(template))?;
    Ok(Outcome::Success)
}
