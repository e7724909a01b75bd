//! `evident export` (being written).

use crate::cli::GlobalArgs;
use crate::error::{Error, Outcome, Result};
use crate::ui::Ui;

/// Export data for spreadsheets and other tools.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// (not yet available)
    History,
    Oscal(crate::commands::export_oscal::Args),
}

pub fn run(ui: &Ui, global: &GlobalArgs, cmd: Command) -> Result<Outcome> {
    match cmd {
        Command::Oscal(args) => crate::commands::export_oscal::run(ui, global, args),
        Command::History => Err(Error::new("`evident export` is not available yet")),
    }
}
