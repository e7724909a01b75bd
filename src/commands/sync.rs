//! `evident sync`: make the assessments of each group agree on the actions
//! they share.

use crate::commands::context::Context;
use crate::error::{Error, Outcome, Result};
use crate::history::GitRepo;
use crate::model::{ActionState, AssessmentId, Workspace};
use crate::repo::layout::state_path;
use crate::repo::write::{Changeset, WriteStatus};
use crate::sync::{Plan, Resolution, plan};
use crate::ui::{BOLD, Ui};

/// Copy the state of each shared action to every assessment of its group.
///
/// Assessments in a group keep the owner, implementation, test and evidence of
/// the actions they share identical. For each shared action they disagree on,
/// evident finds in git history where they last agreed and copies the side
/// that changed since then (uncommitted edits count as the newest change) to
/// the others. When two sides changed, it refuses and names both: choose one
/// with `--prefer`. Each copy keeps the target's own `accepted_version`.
/// Running it again changes nothing.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evident sync --dry-run\n  evident sync\n  evident sync --prefer gdpr-2026"
)]
pub(crate) struct Args {
    /// Show what would be copied, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// When sides conflict, take this assessment's state.
    #[arg(long, value_name = "ASSESSMENT")]
    pub prefer: Option<String>,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let Some((lock, loaded)) = ctx.load_clean_for_write(false)? else {
        return Ok(Outcome::Failed);
    };
    let ws = &loaded.workspace;
    let prefer = args.prefer.as_deref().map(|p| crate::edit::known_assessment(ws, p)).transpose()?;
    let git = GitRepo::open(&loaded.repo.root).ok();
    let plans = plan(ws, git.as_ref(), prefer.as_ref());
    if plans.is_empty() {
        if !ui.quiet {
            ui.err("every group is in sync\n");
        }
        return Ok(Outcome::Success);
    }
    let conflicts: Vec<&Plan> =
        plans.iter().filter(|p| matches!(p.resolution, Resolution::Conflict { .. })).collect();
    if !conflicts.is_empty() {
        let groups = crate::checks::group::groups(ws);
        for p in &conflicts {
            report_conflict(ui, p);
            if let Some(prefer) = &prefer
                && !groups.get(&p.group).is_some_and(|members| members.contains(&prefer))
            {
                ui.err(&format!(
                    "  note: `--prefer {prefer}` does not apply: it is not in group `{}`\n",
                    p.group
                ));
            }
        }
        ui.err(&format!(
            "{}: nothing was written; {} to resolve\n",
            ui.paint_err(crate::ui::RED.bold(), "error"),
            crate::diag::render::plural(conflicts.len(), "conflict")
        ));
        return Ok(Outcome::Failed);
    }
    let mut set = Changeset::new();
    for p in &plans {
        let Resolution::Copy { from, to, reason } = &p.resolution else { continue };
        for target in to {
            let text = copy_text(ws, &loaded.report, from, target, &p.action)?;
            set.put(state_path(target.as_str(), p.action.as_str()), text);
        }
        let verb = if args.dry_run { "Would copy" } else { "Copied" };
        ui.err(&format!(
            "{verb} {} in group `{}` from {} to {} ({reason})\n",
            ui.paint_err(BOLD, format!("`{}`", p.action)),
            p.group,
            from,
            to.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
        ));
    }
    if args.dry_run {
        return Ok(Outcome::Success);
    }
    for (file, status) in set.commit(&lock)? {
        if status == WriteStatus::Updated || status == WriteStatus::Created {
            ui.status("Updated", &file);
        }
    }
    Ok(Outcome::Success)
}

fn report_conflict(ui: &Ui, p: &Plan) {
    let Resolution::Conflict { sides, reason } = &p.resolution else { return };
    let names: Vec<String> = sides.iter().map(crate::sync::Side::describe).collect();
    ui.err(&format!(
        "{}: group `{}` disagrees on `{}`: {}; {reason}\n",
        ui.paint_err(crate::ui::RED.bold(), "error"),
        p.group,
        p.action,
        names.join(" and ")
    ));
    let options: Vec<String> =
        sides.iter().map(|s| format!("`evident sync --prefer {}`", s.assessment)).collect();
    ui.err(&format!(
        "  {}: choose one side with {}\n",
        ui.paint_err(crate::ui::CYAN.bold(), "help"),
        options.join(" or ")
    ));
}

/// The winner's file, with the target's own `accepted_version`.
fn copy_text(
    ws: &Workspace,
    report: &crate::diag::Report,
    from: &AssessmentId,
    target: &AssessmentId,
    action: &crate::model::ActionId,
) -> Result<String> {
    let target_version =
        ws.assessments.get(target).and_then(|e| e.states.get(action)).and_then(|s| s.accepted_version);
    let winner_file = state_path(from.as_str(), action.as_str());
    let text = match report.sources.get(&winner_file) {
        Some(text) => text.to_owned(),
        None => crate::scaffold::state_text(&ActionState::default()),
    };
    let mut doc: toml_edit::DocumentMut =
        text.parse().map_err(|e| Error::new(format!("cannot edit `{winner_file}`: {e}")))?;
    match target_version {
        Some(v) => {
            if doc.get("accepted_version").and_then(|i| i.as_integer()) != Some(i64::from(v)) {
                doc["accepted_version"] = toml_edit::value(i64::from(v));
            }
        }
        None => {
            doc.remove("accepted_version");
        }
    }
    let text = doc.to_string();
    let check =
        crate::load::parse::<ActionState>(crate::schema::FileKind::State, &winner_file, text.as_bytes());
    if let Some(d) = check.diagnostics.first() {
        return Err(Error::new(format!("internal error: the copied state is invalid: {}", d.message))
            .hint("nothing was written; please report this bug"));
    }
    Ok(text)
}
