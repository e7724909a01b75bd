//! `evident evidence add|remove|rehash`: record evidence of an action, take it
//! off, or record the new hash of a file that changed on purpose.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::commands::args::EditArgs;
use crate::commands::context::Context;
use crate::commands::output::{conclude, print_refusal};
use crate::edit::{self, EVIDENCE_TYPES, Session, Which};
use crate::error::{Error, Outcome, Result};
use crate::model::{ActionId, AssessmentId, Date, Evidence, Workspace};

/// Add, remove or rehash evidence of an action.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    Add(AddArgs),
    Remove(RemoveArgs),
    Rehash(RehashArgs),
}

/// Add evidence to an action: a file or a link.
///
/// A file is copied to evidence/<ACTION>/<file name> (a file already under
/// evidence/ is referred to where it is) and recorded with its SHA-256, so that
/// later changes to it are detected. When a different file of that name is
/// already there, the copy is called <name>-2.<ext>; when the same content is
/// there, it is reused. In a group, every assessment of the group that lists
/// the action gets the same item.
#[derive(Debug, clap::Args)]
#[command(after_help = format!(
    "Accepted file types: {}\n\nExamples:\n  evident evidence add mfa-admins ~/exports/ca-policy.json --name \"CA policy export\"\n  evident evidence add mfa-admins --url https://wiki.example.com/runbooks/mfa --name Runbook",
    EVIDENCE_TYPES.iter().map(|t| format!(".{t}")).collect::<Vec<_>>().join(" ")
))]
pub(crate) struct AddArgs {
    /// The action (its id: actions/<ACTION>.toml).
    pub action: String,
    /// The evidence file.
    #[arg(required_unless_present = "url", conflicts_with = "url")]
    pub file: Option<PathBuf>,
    /// A link to evidence kept elsewhere (http or https) instead of a file; needs --name.
    #[arg(long, value_name = "URL", requires = "name")]
    pub url: Option<String>,
    /// What the evidence is. Default: the file name.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    #[command(flatten)]
    pub edit: EditArgs,
}

/// Remove an evidence item from an action.
///
/// Refused once the test status is passed, failed-* or out-of-scope: the
/// evidence a verdict rests on is kept. The file itself stays in the
/// repository (delete it with `git rm` if nothing needs it). In a group, the
/// item is removed from every assessment of the group that lists the action.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  evident evidence remove mfa-admins \"CA policy export\"")]
pub(crate) struct RemoveArgs {
    /// The action (its id: actions/<ACTION>.toml).
    pub action: String,
    /// The name of the evidence item.
    pub name: String,
    #[command(flatten)]
    pub edit: EditArgs,
}

/// Record the new SHA-256 of evidence files that changed on purpose.
///
/// `evident check` reports an evidence file whose content no longer matches
/// its recorded `sha256` (E0403). When the change is intended, this records
/// the hash the file has now: of every changed file among ACTION's evidence,
/// or of the item NAME only; with --all, of every changed evidence file in the
/// repository, or in the assessments named with --assessment. Items whose file
/// still matches are left as they are; when none changed, it says so and
/// writes nothing. In a group, every assessment of the group that lists the
/// action is updated.
///
/// Refused once the test status is passed, failed-* or out-of-scope: the
/// evidence a verdict rests on may not change (E0701). Restore the file, or
/// move the test status back in a commit of its own, rehash and test again.
/// A missing file, a path out of the repository or a link named is an error.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  evident evidence rehash non-discrimination
  evident evidence rehash mfa-admins \"CA policy export\" --assessment hipaa-2026
  evident evidence rehash --all --dry-run
  evident evidence rehash --all -a hipaa-2026")]
pub(crate) struct RehashArgs {
    /// The action (its id: actions/<ACTION>.toml).
    #[arg(required_unless_present = "all")]
    pub action: Option<String>,
    /// Only the evidence item of this name. Default: every item whose file changed.
    pub name: Option<String>,
    /// Every evidence file that changed since its hash was recorded: in the repository, or
    /// with --assessment in those assessments (and their groups).
    #[arg(long, conflicts_with = "action")]
    pub all: bool,
    #[command(flatten)]
    pub edit: EditArgs,
}

pub(crate) fn run(ctx: &Context, cmd: Command) -> Result<Outcome> {
    match cmd {
        Command::Add(args) => add(ctx, args),
        Command::Remove(args) => remove(ctx, args),
        Command::Rehash(args) => rehash(ctx, args),
    }
}

fn add(ctx: &Context, args: AddArgs) -> Result<Outcome> {
    let ui = ctx.ui();
    let Some((lock, loaded)) = ctx.load_for_edit(args.edit.write.json())? else {
        return Ok(Outcome::Failed);
    };
    let ws = &loaded.workspace;
    let root = &loaded.repo.root;
    let action = edit::action(ws, &loaded.report, &args.action)?;
    let targets = edit::targets(ws, &action.id, &args.edit.assessments)?;
    let mut session = Session::new(root, ws, Date::today());
    let item = match (&args.url, &args.file) {
        (Some(url), _) => {
            edit::check_url(url)?;
            Evidence {
                name: name(args.name.as_deref(), None)?,
                path: None,
                sha256: None,
                url: Some(url.clone()),
            }
        }
        (None, Some(file)) => {
            let found = edit::evidence_file(root, &action.id, file)?;
            session.copy(&found);
            let file_name = file.file_name().map(|n| n.to_string_lossy().into_owned());
            found.item(name(args.name.as_deref(), file_name)?)
        }
        (None, None) => return Err(Error::new("give a FILE or `--url`")),
    };
    for assessment in targets {
        if let Some(file) = session.open(&assessment, action)? {
            file.add_evidence(&item)?;
        }
    }
    conclude(ui, &lock, &session.plan(&ws.config.rules), args.edit.write.dry_run, args.edit.write.json())
}

/// The name of a new item: `--name`, or the file name.
fn name(given: Option<&str>, file_name: Option<String>) -> Result<String> {
    match given.map(str::trim) {
        Some("") => Err(Error::new("`--name` is empty")
            .hint("say what the evidence is, e.g. `--name \"CA policy export\"`")),
        Some(name) => Ok(name.to_owned()),
        None => file_name.ok_or_else(|| Error::new("give the evidence a name with `--name`")),
    }
}

fn remove(ctx: &Context, args: RemoveArgs) -> Result<Outcome> {
    let ui = ctx.ui();
    let Some((lock, loaded)) = ctx.load_for_edit(args.edit.write.json())? else {
        return Ok(Outcome::Failed);
    };
    let ws = &loaded.workspace;
    let action = edit::action(ws, &loaded.report, &args.action)?;
    let mut session = Session::new(&loaded.repo.root, ws, Date::today());
    let mut removed = Vec::new();
    let mut edited = BTreeSet::new();
    let mut not_found = None;
    for assessment in edit::targets(ws, &action.id, &args.edit.assessments)? {
        let Some(file) = session.open(&assessment, action)? else {
            continue;
        };
        // A group member that lacks the item (the group was out of sync) is
        // skipped; only an item found nowhere is an error.
        if file.before.evidence.iter().any(|e| e.name == args.name) {
            removed.push(file.remove_evidence(&args.name)?);
            edited.insert(file.path.clone());
        } else if not_found.is_none() {
            not_found = file.remove_evidence(&args.name).err();
        }
    }
    if removed.is_empty()
        && let Some(err) = not_found
    {
        return Err(err);
    }
    let outcome = conclude(
        ui,
        &lock,
        &session.plan(&ws.config.rules),
        args.edit.write.dry_run,
        args.edit.write.json(),
    )?;
    if outcome == Outcome::Success {
        let paths: BTreeSet<&str> = removed.iter().filter_map(|e| e.path.as_deref()).collect();
        for path in paths {
            let users = edit::evidence_users(ws, path, &edited);
            let text = if users.is_empty() {
                format!(
                    "{path}: no longer used; delete it with `git rm -- {}` if nothing else needs it",
                    crate::diag::shell::quote(path)
                )
            } else {
                format!("{path}: still used by {}", users.join(", "))
            };
            ui.status("Kept", &text);
        }
    }
    Ok(outcome)
}

fn rehash(ctx: &Context, args: RehashArgs) -> Result<Outcome> {
    let ui = ctx.ui();
    let write = args.edit.write;
    let Some((lock, loaded)) = ctx.load_for_edit(write.json())? else {
        return Ok(Outcome::Failed);
    };
    let ws = &loaded.workspace;
    let (states, which, scope) = match &args.action {
        Some(id) => {
            let action = edit::action(ws, &loaded.report, id)?;
            let states: Vec<(AssessmentId, ActionId)> =
                edit::targets(ws, &action.id, &args.edit.assessments)?
                    .into_iter()
                    .map(|a| (a, action.id.clone()))
                    .collect();
            match args.name.as_deref() {
                Some(name) => (states, Which::Named(name), format!("evidence `{name}` of `{}`", action.id)),
                None => (states, Which::Files, format!("every evidence file of `{}`", action.id)),
            }
        }
        None if args.edit.assessments.is_empty() => {
            (every_state(ws), Which::Files, "every evidence file".to_owned())
        }
        None => {
            let scope = format!("every evidence file of `{}`", args.edit.assessments.join("`, `"));
            (states_of(ws, &args.edit.assessments)?, Which::Files, scope)
        }
    };
    // A state file that does not load is missing from the workspace: its evidence is unknown.
    let asked = &args.edit.assessments;
    let unloaded = edit::unloaded_states(&loaded.report, |a, action| {
        let in_scope = asked.is_empty() || asked.iter().any(|x| x == a.as_str());
        (args.all && in_scope) || states.iter().any(|s| s == &(a.clone(), action.clone()))
    });
    if let Some(report) = unloaded {
        print_refusal(
            ui,
            &report,
            write.json(),
            "these state files do not load, so their evidence is unknown; fix them first (nothing was written)",
        );
        return Ok(Outcome::Failed);
    }
    let changed = edit::changed(&loaded.repo.root, ws, &states, which)?;
    let mut session = Session::new(&loaded.repo.root, ws, Date::today());
    if changed.is_empty() {
        ui.status("Nothing", &format!("to rehash: {scope} matches its recorded hash"));
        // JSON callers get the (empty) list of changes all the same.
        return match write.json() {
            true => conclude(ui, &lock, &session.plan(&ws.config.rules), write.dry_run, true),
            false => Ok(Outcome::Success),
        };
    }
    for item in &changed {
        let Some(action) = ws.actions.get(item.action.as_str()) else { continue };
        if let Some(file) = session.open(&item.assessment, action)? {
            file.rehash_evidence(item.index, &item.name, &item.sha256)?;
        }
    }
    conclude(ui, &lock, &session.plan(&ws.config.rules), write.dry_run, write.json())
}

/// Every state of an action that exists, for `rehash --all`.
fn every_state(ws: &Workspace) -> Vec<(AssessmentId, ActionId)> {
    let mut out = Vec::new();
    for (assessment, entry) in &ws.assessments {
        for action in entry.states.keys().filter(|a| ws.actions.contains_key(a.as_str())) {
            out.push((assessment.clone(), action.clone()));
        }
    }
    out
}

/// Every state of the `asked` assessments, for `rehash --all -a`, with those of the other
/// members of their groups that list the action: a group keeps a shared action's state identical.
fn states_of(ws: &Workspace, asked: &[String]) -> Result<Vec<(AssessmentId, ActionId)>> {
    let asked: BTreeSet<AssessmentId> =
        asked.iter().map(|a| edit::known_assessment(ws, a)).collect::<Result<_>>()?;
    let mut out = BTreeSet::new();
    for (assessment, action) in every_state(ws).into_iter().filter(|(a, _)| asked.contains(a)) {
        // A state the template no longer lists has no group to keep in sync.
        let members = edit::targets(ws, &action, &[assessment.to_string()]).unwrap_or_default();
        out.extend(members.into_iter().map(|m| (m, action.clone())));
        out.insert((assessment, action));
    }
    Ok(out.into_iter().collect())
}
