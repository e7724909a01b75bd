//! `evident completions`: shell completion scripts.

use clap_complete::Shell;

use crate::commands::context::Context;
use crate::error::{Outcome, Result};

/// Print a shell completion script.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evident completions bash > ~/.local/share/bash-completion/completions/evident\n  evident completions zsh > ~/.zfunc/_evident\n  evident completions fish > ~/.config/fish/completions/evident.fish"
)]
pub(crate) struct Args {
    /// The shell.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub(crate) fn run(ctx: &Context, args: Args, command: &mut clap::Command) -> Result<Outcome> {
    let ui = ctx.ui();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, command, "evident", &mut buf);
    ui.out(&String::from_utf8_lossy(&buf));
    Ok(Outcome::Success)
}
