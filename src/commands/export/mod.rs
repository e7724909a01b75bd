//! `evident export`: data for spreadsheets, auditors and other tools. One
//! file per export; the spreadsheet writing itself is `render::table_export`.

pub(crate) mod actions;
pub(crate) mod history;
pub(crate) mod oscal;
pub(crate) mod soa;
pub(crate) mod template;

use std::path::{Path, PathBuf};

use crate::commands::context::Context;
use crate::error::{Error, Outcome, Result};
use crate::render::table_export::{Table, TableFormat, encode};
use crate::ui::Ui;

/// Export data for spreadsheets, auditors (OSCAL) and other tools.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    Actions(actions::Args),
    History(history::Args),
    Oscal(oscal::Args),
    Soa(soa::Args),
    Template(template::Args),
}

pub(crate) fn run(ctx: &Context, cmd: Command) -> Result<Outcome> {
    match cmd {
        Command::Actions(args) => actions::run(ctx, args),
        Command::History(args) => history::run(ctx, args),
        Command::Oscal(args) => oscal::run(ctx, args),
        Command::Soa(args) => soa::run(ctx, args),
        Command::Template(args) => template::run(ctx, args),
    }
}

/// Where an export goes: `--out FILE`, or stdout for `-` or no `--out`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Output {
    /// File format. Default: the one the `--out` file's extension names (`.csv`, `.xlsx`).
    #[arg(long, value_enum)]
    pub format: Option<TableFormat>,
    /// The file to write (replaced atomically). Default for CSV, and `-`: stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

impl Output {
    /// The file to write, `None` for stdout. Refuses XLSX on stdout (usage error).
    pub(crate) fn target(&self) -> Result<Option<&Path>> {
        let file = self.out.as_deref().filter(|p| *p != Path::new("-"));
        if file.is_none() && self.table_format()? == TableFormat::Xlsx {
            return Err(Error::new("an XLSX workbook is a binary file and is not written to stdout")
                .hint("name the file with `--out FILE.xlsx`, or use `--format csv`"));
        }
        Ok(file)
    }

    /// The format given, or the one the `--out` file's extension names.
    pub(crate) fn table_format(&self) -> Result<TableFormat> {
        format_of(self.format, self.out.as_deref())
    }

    /// Checks the target, encodes the table and writes it.
    pub(crate) fn write(&self, ui: &Ui, table: &Table) -> Result<()> {
        let target = self.target()?;
        let bytes = encode(table, self.table_format()?)?;
        match target {
            None => ui.out_bytes(&bytes),
            Some(path) => {
                crate::repo::write::replace_file(path, &bytes)?;
                let rows = crate::diag::render::plural(table.rows.len(), "row");
                ui.status("Wrote", &format!("{} ({rows})", path.display()));
            }
        }
        Ok(())
    }
}

/// The format given with `--format`, or else the one the extension of the `--out` file names
/// (any name or alias of a format: `.csv`, `.xlsx`, `.md`); an error naming the choices otherwise.
pub(crate) fn format_of<F: clap::ValueEnum + Copy>(given: Option<F>, out: Option<&Path>) -> Result<F> {
    if let Some(format) = given {
        return Ok(format);
    }
    let names: Vec<String> = F::value_variants()
        .iter()
        .filter_map(|v| v.to_possible_value())
        .map(|p| format!("`{}`", p.get_name()))
        .collect();
    let choices = names.join(", ");
    let Some(file) = out.filter(|p| *p != Path::new("-")) else {
        return Err(Error::new(format!("no format given: add `--format` ({choices})"))
            .hint("or name a file with `--out` whose extension is the format, e.g. `--out export.csv`"));
    };
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or_default();
    F::value_variants()
        .iter()
        .find(|v| v.to_possible_value().is_some_and(|p| p.matches(ext, true)))
        .copied()
        .ok_or_else(|| {
            Error::new(format!("cannot tell the format of `{}` from its extension", file.display()))
                .hint(format!("add `--format` ({choices}), or give the file one of those as its extension"))
        })
}
