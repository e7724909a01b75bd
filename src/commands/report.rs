//! `evident report` (being written).

use crate::cli::GlobalArgs;
use crate::error::{Error, Outcome, Result};
use crate::ui::Ui;

/// (not yet available)
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_ui: &Ui, _global: &GlobalArgs, _args: Args) -> Result<Outcome> {
    Err(Error::new("`evident report` is not available yet"))
}
