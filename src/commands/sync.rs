//! `evident sync`: make the assessments of each group agree on the actions
//! they share.

use std::collections::BTreeMap;

use crate::commands::args::WriteArgs;
use crate::commands::context::Context;
use crate::commands::output::print_file_changes;
use crate::diag::{Code, Diagnostic};
use crate::error::{Error, Outcome, Result};
use crate::history::GitRepo;
use crate::model::{ActionState, AssessmentId, Workspace};
use crate::repo::layout::state_path;
use crate::repo::write::{Changeset, WriteStatus};
use crate::sync::{Plan, Resolution, plan};
use crate::ui::BOLD;

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
#[command(after_help = "Examples:
  evident sync --dry-run
  evident sync
  evident sync --prefer gdpr-2026
  evident sync --dry-run --format json")]
pub(crate) struct Args {
    /// When sides conflict, take this assessment's state.
    #[arg(long, value_name = "ASSESSMENT")]
    pub prefer: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let (json, dry_run) = (args.write.json(), args.write.dry_run);
    let Some((lock, loaded)) = ctx.load_clean_for_write(json)? else {
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
        if json {
            print_file_changes(ui, &[], |_| Vec::new(), dry_run, &[]);
        }
        return Ok(Outcome::Success);
    }
    let conflicts = conflicts(ws, &plans, prefer.as_ref());
    if !conflicts.is_empty() {
        if json {
            print_file_changes(ui, &[], |_| Vec::new(), dry_run, &conflicts);
        } else {
            conflicts.iter().for_each(|d| ui.diagnostic(d));
        }
        ui.err(&format!(
            "{}: nothing was written; {} to resolve\n",
            ui.paint_err(crate::ui::RED.bold(), "error"),
            crate::diag::render::plural(conflicts.len(), "conflict")
        ));
        return Ok(Outcome::Failed);
    }
    let mut set = Changeset::new();
    let mut what: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in &plans {
        let Resolution::Copy { from, to, reason } = &p.resolution else { continue };
        for target in to {
            let text = copy_text(ws, &loaded.report, from, target, &p.action)?;
            let path = state_path(target.as_str(), p.action.as_str());
            what.insert(path.clone(), vec![format!("copied from `{from}` ({reason})")]);
            set.put(path, text);
        }
        if json {
            continue;
        }
        let verb = if dry_run { "Would copy" } else { "Copied" };
        ui.err(&format!(
            "{verb} {} in group `{}` from {} to {} ({reason})\n",
            ui.paint_err(BOLD, format!("`{}`", p.action)),
            p.group,
            from,
            to.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
        ));
    }
    let statuses = if dry_run { set.preview(&loaded.repo.root)? } else { set.commit(&lock)? };
    if json {
        print_file_changes(ui, &statuses, |p| what.get(p).cloned().unwrap_or_default(), dry_run, &[]);
        return Ok(Outcome::Success);
    }
    if !dry_run {
        for (file, status) in statuses {
            if status != WriteStatus::Unchanged {
                ui.status("Updated", &file);
            }
        }
    }
    Ok(Outcome::Success)
}

/// The groups whose sides both changed, as errors naming them and the `--prefer` that
/// would settle each (with a note when the `--prefer` given is not in the group).
fn conflicts(ws: &Workspace, plans: &[Plan], prefer: Option<&AssessmentId>) -> Vec<Diagnostic> {
    let groups = crate::checks::group::groups(ws);
    let mut out = Vec::new();
    for p in plans {
        let Resolution::Conflict { sides, reason } = &p.resolution else { continue };
        let names: Vec<String> = sides.iter().map(crate::sync::Side::describe).collect();
        let options: Vec<String> =
            sides.iter().map(|s| format!("`evident sync --prefer {}`", s.assessment)).collect();
        let mut d = Diagnostic::new(
            Code::GroupOutOfSync,
            format!("group `{}` disagrees on `{}`: {}; {reason}", p.group, p.action, names.join(" and ")),
        )
        .hint(format!("choose one side with {}", options.join(" or ")));
        if let Some(prefer) = prefer
            && !groups.get(&p.group).is_some_and(|members| members.contains(&prefer))
        {
            d = d.note(format!("`--prefer {prefer}` does not apply: it is not in group `{}`", p.group));
        }
        out.push(d);
    }
    out
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
