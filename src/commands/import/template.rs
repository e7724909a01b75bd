//! `evident import template`: a template spreadsheet as the template's next version.

use std::path::PathBuf;

use crate::commands::args::WriteArgs;
use crate::commands::context::Context;
use crate::commands::output::to_json_text;
use crate::error::{Error, Outcome, Result};
use crate::repo::layout::template_path;
use crate::repo::write::Changeset;
use crate::schema::FileKind;

/// Make a template's next version from a spreadsheet (CSV or XLSX).
///
/// Reads the file `evident export template` writes, after you edited it: one
/// row per control (id, title, family, description, and its actions, one per
/// line or separated by commas). Controls may be added, removed, reordered or
/// changed; every action must exist in `actions/`. When anything changed,
/// `templates/<ID>.toml` is rewritten with the next version number and the
/// changes are listed; assessments on the template then show a pending
/// template update until they accept it. A template id the repository does
/// not have yet becomes a new template (version 1).
///
/// Every row is checked first; any problem is reported with its row and
/// column and nothing is written (exit 2). The file is written whole:
/// comments in the old template file are not kept.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  evident export template gdpr --format xlsx --out gdpr.xlsx
  # add, remove or change controls and their actions, then:
  evident import template gdpr.xlsx --dry-run
  evident import template gdpr.xlsx")]
pub(crate) struct Args {
    /// The spreadsheet: `.csv`, or `.xlsx` (the sheet "Template", or its only sheet).
    pub file: PathBuf,
    #[command(flatten)]
    pub write: WriteArgs,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let Some((lock, loaded)) = ctx.load_clean_for_write(args.write.json())? else {
        return Ok(Outcome::Failed);
    };
    let ws = &loaded.workspace;
    let (sheet, mut problems) = crate::import::read(&args.file, crate::render::sheets::template::SHEET)?;
    let plan = match crate::import::template::plan(ws, &sheet) {
        Ok(plan) if problems.is_empty() => plan,
        Ok(_) => return super::actions::refuse(ui, &args.file, args.write.format, &problems),
        Err(more) => {
            problems.extend(more);
            problems.sort_by_key(crate::import::row_of);
            return super::actions::refuse(ui, &args.file, args.write.format, &problems);
        }
    };
    let t = &plan.template;
    let path = template_path(t.id.as_str());
    let write = !plan.changes.is_empty() && !args.write.dry_run;
    if !plan.changes.is_empty() {
        let text = toml::to_string(t).map_err(|e| Error::new(format!("could not write `{path}`: {e}")))?;
        // What is written must read back as a valid template.
        let parsed = crate::load::parse::<crate::model::Template>(FileKind::Template, &path, text.as_bytes());
        if parsed.value.as_ref() != Some(t) || parsed.diagnostics.iter().any(|d| d.is_error()) {
            return Err(Error::new(format!("internal error: the new `{path}` does not read back"))
                .hint("please report this bug; nothing was written"));
        }
        if write {
            let mut set = Changeset::new();
            set.put(path.clone(), text);
            set.commit(&lock)?;
        }
    }
    let previous = plan.previous.as_ref().map(|p| p.version);
    if args.write.json() {
        ui.out(&to_json_text(&crate::render::json::ImportTemplateOutput {
            template: t.id.to_string(),
            previous_version: previous,
            version: t.version,
            changes: plan.changes.clone(),
            written: write,
        }));
        return Ok(Outcome::Success);
    }
    if plan.changes.is_empty() {
        ui.status("No change", &format!("{} matches `{path}` (version {})", sheet.file, t.version));
        return Ok(Outcome::Success);
    }
    let verb = match (previous.is_some(), args.write.dry_run) {
        (true, false) => "Updated",
        (true, true) => "Would update",
        (false, false) => "Created",
        (false, true) => "Would create",
    };
    let versions = match previous {
        Some(p) => format!("version {p} → {}", t.version),
        None => format!("version {}", t.version),
    };
    ui.status(verb, &format!("{path} ({versions})"));
    // The lines under the status line go with it.
    for change in plan.changes.iter().filter(|_| !ui.quiet) {
        ui.err(&format!("{:>12} {change}\n", ""));
    }
    Ok(Outcome::Success)
}
