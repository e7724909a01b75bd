//! `evident assign`: give one or more actions an owner.

use crate::commands::args::WriteArgs;
use crate::commands::context::Context;
use crate::commands::output::conclude;
use crate::edit::{self, Session};
use crate::error::{Outcome, Result};
use crate::model::{Action, AssessmentId, Date};

/// Assign improvement actions to an owner, several at once.
///
/// Sets `owner` in the state file of each action, in every assessment that
/// lists it (or in the `--assessment`s given); in a group, every assessment of
/// the group that lists the action gets the same owner. When evident.toml has
/// a `[people]` table, the owner must be listed there. `--to none` removes
/// the owner instead. Nothing is written unless every action can be assigned.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  evident assign mfa-admins block-legacy-auth --to ana@example.com
  evident assign dpia-process --to cy@example.com --assessment gdpr-2026
  evident assign dpia-process --to none            Remove the owner")]
pub(crate) struct Args {
    /// The actions to assign (their ids: actions/<ACTION>.toml).
    #[arg(required = true, value_name = "ACTION")]
    pub actions: Vec<String>,
    /// The new owner: an e-mail address, or `none` to remove the owner (`list actions --owner
    /// none` lists the actions without one).
    #[arg(long, value_name = "EMAIL")]
    pub to: String,
    /// Only in this assessment (repeat for several); the other members of its group that list
    /// the action get the same owner. Default: every assessment that lists the action, in any
    /// group or none.
    #[arg(long = "assessment", short = 'a', value_name = "ASSESSMENT")]
    pub assessments: Vec<String>,
    #[command(flatten)]
    pub write: WriteArgs,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let Some((lock, loaded)) = ctx.load_for_edit(args.write.json())? else {
        return Ok(Outcome::Failed);
    };
    let ws = &loaded.workspace;
    let owner = edit::owner_change(ws, &args.to)?;
    // Every action is resolved before any file is opened: one bad id stops them all.
    let mut actions: Vec<(&Action, Vec<AssessmentId>)> = Vec::new();
    for id in &args.actions {
        let action = edit::action(ws, &loaded.report, id)?;
        if !actions.iter().any(|(a, _)| a.id == action.id) {
            actions.push((action, edit::targets_everywhere(ws, &action.id, &args.assessments)?));
        }
    }
    let mut session = Session::new(&loaded.repo.root, ws, Date::today());
    for (action, targets) in actions {
        for assessment in targets {
            if let Some(file) = session.open(&assessment, action)? {
                match owner {
                    Some(owner) => file.set_owner(owner),
                    None => file.remove_owner(),
                }
            }
        }
    }
    conclude(ui, &lock, &session.plan(&ws.config.rules), args.write.dry_run, args.write.json())
}
