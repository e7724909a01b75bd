//! `evident evidence add|remove` (being written).

use crate::cli::GlobalArgs;
use crate::error::{Error, Outcome, Result};
use crate::ui::Ui;

/// Add or remove evidence of an action.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// (not yet available)
    Add,
    /// (not yet available)
    Remove,
}

pub fn run(_ui: &Ui, _global: &GlobalArgs, _cmd: Command) -> Result<Outcome> {
    Err(Error::new("`evident evidence` is not available yet"))
}
