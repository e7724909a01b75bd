//! `evident assign`: give one or more actions an owner.

use crate::commands::args::EditArgs;
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
/// a `[people]` table, the owner must be listed there. Nothing is written
/// unless every action can be assigned.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  evident assign mfa-admins block-legacy-auth --to ana@example.com
  evident assign dpia-process --to cy@example.com --assessment gdpr-2026")]
pub(crate) struct Args {
    /// The actions to assign (their ids: actions/<ACTION>.toml).
    #[arg(required = true, value_name = "ACTION")]
    pub actions: Vec<String>,
    /// The new owner: an e-mail address.
    #[arg(long, value_name = "EMAIL")]
    pub to: String,
    #[command(flatten)]
    pub edit: EditArgs,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let Some((lock, loaded)) = ctx.load_for_edit(args.edit.format.is_json())? else {
        return Ok(Outcome::Failed);
    };
    let ws = &loaded.workspace;
    edit::check_person(ws, &args.to)?;
    // Every action is resolved before any file is opened: one bad id stops them all.
    let mut actions: Vec<(&Action, Vec<AssessmentId>)> = Vec::new();
    for id in &args.actions {
        let action = edit::action(ws, &loaded.report, id)?;
        if !actions.iter().any(|(a, _)| a.id == action.id) {
            actions.push((action, edit::targets_everywhere(ws, &action.id, &args.edit.assessments)?));
        }
    }
    let mut session = Session::new(&loaded.repo.root, ws, Date::today());
    for (action, targets) in actions {
        for assessment in targets {
            if let Some(file) = session.open(&assessment, action)? {
                file.set_owner(&args.to);
            }
        }
    }
    conclude(ui, &lock, &session.plan(&ws.config.rules), args.edit.dry_run, args.edit.format.is_json())
}
