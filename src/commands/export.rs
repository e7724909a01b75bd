//! `evident export` (being written).

use crate::cli::GlobalArgs;
use crate::error::{Error, Outcome, Result};
use crate::ui::Ui;

/// Export data for spreadsheets and other tools.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// (not yet available)
    History,
}

pub fn run(_ui: &Ui, _global: &GlobalArgs, _cmd: Command) -> Result<Outcome> {
    Err(Error::new("`evident export` is not available yet"))
}
