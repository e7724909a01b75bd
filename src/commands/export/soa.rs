//! `evident export soa`: an assessment's Statement of Applicability.

use std::path::PathBuf;

use crate::commands::context::Context;
use crate::commands::output::require_clean;
use crate::error::{Error, Outcome, Result};
use crate::render::table_export::TableFormat;

/// Export an assessment's Statement of Applicability, as CSV, XLSX or Markdown.
///
/// One row per control of the assessment's template, applicable or not. A
/// control is not applicable when every one of its actions is out of scope
/// in the assessment; the justification is the notes of the out-of-scope
/// statuses (`action: notes`, one a line, when the control has several
/// actions). Implementation and test are summarised over the control's
/// in-scope actions ("2 of 3 implemented, 1 planned": implemented or
/// alternative; "1 of 3 passed, 1 failed"), then each action's statuses,
/// the owners, the evidence (name and path or link) and the points.
///
/// CSV and Markdown go to stdout unless `--out FILE` is given; XLSX needs
/// `--out`. Without `--format`, the extension of the `--out` file names the
/// format. A file is replaced atomically, its missing folders created.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  evident export soa -a iso27001-2026 --format xlsx --out soa.xlsx
  evident export soa -a iso27001-2026 --format md > soa.md
  evident export soa -a gdpr-2026 --format csv --out gdpr-soa.csv")]
pub(crate) struct Args {
    /// The assessment (its id: assessments/<ID>/).
    #[arg(long = "assessment", short = 'a', value_name = "ASSESSMENT")]
    pub assessment: String,
    /// File format. Default: the one the `--out` file's extension names (`.csv`, `.xlsx`, `.md`).
    #[arg(long, value_enum)]
    pub format: Option<SoaFormat>,
    /// The file to write (replaced atomically). Default for CSV and Markdown, and `-`: stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// The formats of the statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SoaFormat {
    /// Comma-separated values (UTF-8, RFC 4180 quoting), one header row.
    Csv,
    /// An Excel workbook with one sheet: frozen header, filters.
    Xlsx,
    /// A Markdown document: a heading and one table.
    #[value(alias = "markdown")]
    Md,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let table_format = match super::format_of(args.format, args.out.as_deref())? {
        SoaFormat::Csv => Some(TableFormat::Csv),
        SoaFormat::Xlsx => Some(TableFormat::Xlsx),
        SoaFormat::Md => None,
    };
    let output = table_format.map(|format| super::Output { format: Some(format), out: args.out.clone() });
    if let Some(output) = &output {
        output.target()?;
    }
    let loaded = ctx.load_for_scoring()?;
    if !require_clean(ui, &loaded.report, false) {
        return Ok(Outcome::Failed);
    }
    let ws = &loaded.workspace;
    let id = crate::edit::known_assessment(ws, &args.assessment)?;
    let pairs = crate::score::pairs(ws);
    let soa = crate::soa::build(ws, &pairs, id.as_str()).ok_or_else(|| {
        Error::new(format!("the template of assessment `{id}` is not in the repository"))
            .hint("run `evident validate` to see what is missing")
    })?;
    match output {
        Some(output) => output.write(ui, &crate::render::soa::table(&soa))?,
        None => {
            let text = crate::render::soa::markdown(&soa);
            match args.out.as_deref().filter(|p| *p != std::path::Path::new("-")) {
                Some(path) => {
                    crate::repo::write::replace_file(path, text.as_bytes())?;
                    ui.status("Wrote", &path.display().to_string());
                }
                None => ui.out(&text),
            }
        }
    }
    Ok(Outcome::Success)
}
