//! `evident import`: spreadsheets read back into the repository. One file
//! per import; reading and checking the sheets is `crate::import`.

pub mod actions;
pub mod template;

use crate::cli::GlobalArgs;
use crate::error::{Outcome, Result};
use crate::ui::Ui;

/// Import data from spreadsheets.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    Actions(actions::ActionsArgs),
    Template(template::Args),
}

pub fn run(ui: &Ui, global: &GlobalArgs, cmd: Command) -> Result<Outcome> {
    match cmd {
        Command::Actions(args) => actions::run(ui, global, args),
        Command::Template(args) => template::run(ui, global, args),
    }
}
