//! `evident import`: bring controls and updates in from other formats.

pub mod oscal;

use crate::cli::GlobalArgs;
use crate::error::{Outcome, Result};
use crate::ui::Ui;

/// Import templates and actions from other formats.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    Oscal(oscal::Args),
}

pub fn run(ui: &Ui, global: &GlobalArgs, cmd: Command) -> Result<Outcome> {
    match cmd {
        Command::Oscal(args) => oscal::run(ui, global, args),
    }
}
