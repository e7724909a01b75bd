//! `evident import`: bring controls and updates in from other formats: OSCAL
//! catalogs, and spreadsheets read back into the repository. One file per
//! import; reading and checking the sheets is `crate::import`.

pub(crate) mod actions;
pub(crate) mod ciso;
pub(crate) mod mapping;
pub(crate) mod oscal;
pub(crate) mod template;

use crate::commands::context::Context;
use crate::error::{Outcome, Result};

/// Import templates and actions from OSCAL, CISO Assistant libraries and spreadsheets.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    Actions(actions::ActionsArgs),
    CisoAssistant(ciso::Args),
    Mapping(mapping::Args),
    Oscal(oscal::Args),
    Template(template::Args),
}

pub(crate) fn run(ctx: &Context, cmd: Command) -> Result<Outcome> {
    match cmd {
        Command::Actions(args) => actions::run(ctx, args),
        Command::CisoAssistant(args) => ciso::run(ctx, args),
        Command::Mapping(args) => mapping::run(ctx, args),
        Command::Oscal(args) => oscal::run(ctx, args),
        Command::Template(args) => template::run(ctx, args),
    }
}
