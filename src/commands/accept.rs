//! `evident accept`: accept pending template and action updates.

use std::collections::BTreeSet;

use crate::commands::args::WriteArgs;
use crate::commands::context::Context;
use crate::commands::output::conclude;
use crate::edit::{self, FileChange, Session};
use crate::error::{Error, Outcome, Result};
use crate::model::{AssessmentId, Date, Workspace};
use crate::repo::layout::assessment_path;
use crate::updates::{Pending, accept_scope, pending};

/// Accept pending updates of actions or templates.
///
/// Accepting an action update sets `accepted_version` in its state file to the
/// action's current `version`; accepting a template update sets
/// `template_version` in assessment.toml. From then on the assessment is
/// scored on the current definition.
///
/// Without `--assessment`, an update is accepted everywhere it is pending.
/// `--assessment A` names where it is accepted, and the update's scope applies
/// from there: a technical action's update is accepted in every assessment
/// that lists it; a documentation or operational action's update (and a
/// template's) in A and the rest of A's group, or in A alone when A has no
/// group. `evident updates` shows what each update changes and which
/// assessments accepting it touches. With nothing pending where it was asked
/// for, it says "Nothing to accept" and exits 0; an assessment that does not
/// list the action is an error.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  evident accept mfa-admins                      every assessment where it is pending
  evident accept dpia-process --assessment gdpr-2026   (and the rest of its group)
  evident accept --template --assessment hipaa-2026
  evident accept --all --dry-run")]
pub(crate) struct Args {
    /// The actions whose pending updates to accept.
    #[arg(value_name = "ACTION", required_unless_present_any = ["all", "template"])]
    pub actions: Vec<String>,
    /// Accept every pending update (actions and templates).
    #[arg(long, conflicts_with = "actions")]
    pub all: bool,
    /// Accept the pending template updates.
    #[arg(long, conflicts_with = "all")]
    pub template: bool,
    /// Accept here (repeat for several); a technical action's update then applies in every
    /// assessment that lists it, any other update in this assessment's group.
    #[arg(long = "assessment", short = 'a', value_name = "ASSESSMENT")]
    pub assessments: Vec<String>,
    #[command(flatten)]
    pub write: WriteArgs,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let json = args.write.json();
    let Some((lock, loaded)) = ctx.load_for_edit(json)? else {
        return Ok(Outcome::Failed);
    };
    // Pending updates are read from the state files: one that does not load
    // could hide one, so "nothing to accept" would not be true.
    if !crate::commands::output::require_clean(ui, &loaded.report, json) {
        return Ok(Outcome::Failed);
    }
    let ws = &loaded.workspace;
    for a in &args.assessments {
        edit::known_assessment(ws, a)?;
    }
    let (chosen, nothing) = choose(ws, &loaded.report, &args)?;
    for n in &nothing {
        ui.status("Nothing", &n.what);
        if let Some(elsewhere) = &n.elsewhere {
            ui.note(elsewhere);
        }
    }
    let mut session = Session::new(&loaded.repo.root, ws, Date::today());
    if chosen.is_empty() {
        if nothing.is_empty() {
            ui.status("Nothing", "to accept: no pending updates match");
        }
        // JSON callers get the (empty) list of changes all the same.
        return if json {
            conclude(ui, &lock, &session.plan(&ws.config.rules), args.write.dry_run, true)
        } else {
            Ok(Outcome::Success)
        };
    }
    let mut templates = Vec::new();
    for p in &chosen {
        if p.kind == crate::updates::PendingKind::Template {
            templates.push(p);
            continue;
        }
        let Some(action) = ws.actions.get(p.id.as_str()) else { continue };
        if let Some(file) = session.open(&p.assessment, action)? {
            file.set_accepted_version(p.current);
        }
    }
    let orphans = orphaned_states(ws, &templates);
    if !orphans.is_empty() {
        return Err(Error::new(format!(
            "the new template version no longer lists the actions of these state files: {}",
            orphans.join(", ")
        ))
        .hint(format!(
            "decide what to keep (their history stays in git), remove them with `git rm {}`, then accept again; nothing was written",
            orphans.join(" ")
        )));
    }
    let mut plan = session.plan(&ws.config.rules);
    for p in templates {
        let path = assessment_path(p.assessment.as_str());
        let full = loaded.repo.path(&path);
        let original = std::fs::read_to_string(&full).map_err(|e| Error::io("read", &full, e))?;
        let bom = original.starts_with('\u{feff}');
        let text = original.strip_prefix('\u{feff}').unwrap_or(&original);
        let mut doc: toml_edit::DocumentMut =
            text.parse().map_err(|e| Error::new(format!("cannot edit `{path}`: {e}")))?;
        let decor = doc.get("template_version").and_then(|i| i.as_value()).map(|v| v.decor().clone());
        let mut value = toml_edit::Value::from(i64::from(p.current));
        if let Some(decor) = decor {
            *value.decor_mut() = decor;
        }
        doc.insert("template_version", toml_edit::Item::Value(value));
        let what = vec![format!("template version {} → {}", p.accepted, p.current)];
        // Keep the file's byte-order mark and line endings: only the version changes.
        let mut new = edit::render(&doc, Some(text));
        if bom {
            new.insert(0, '\u{feff}');
        }
        plan.add_file(&path, new, FileChange::Updated, what);
    }
    conclude(ui, &lock, &plan, args.write.dry_run, json)
}

/// State files of actions the accepted template versions no longer list.
fn orphaned_states(ws: &Workspace, templates: &[&Pending]) -> Vec<String> {
    let mut out = Vec::new();
    for p in templates {
        let (Some(entry), Some(current)) =
            (ws.assessments.get(&p.assessment), ws.templates.get(p.id.as_str()))
        else {
            continue;
        };
        for action in entry.states.keys() {
            if !current.lists_action(action.as_str()) {
                out.push(crate::repo::layout::state_path(p.assessment.as_str(), action.as_str()));
            }
        }
    }
    out
}

/// The pending updates the arguments name. Without `--assessment`, every
/// assessment where they are pending; with it, the scope of each update from
/// the assessments named (`updates::accept_scope`: a technical action
/// everywhere, anything else in the named assessment's group).
/// Also says, for each named action with nothing to accept, why (and where it is pending).
fn choose(ws: &Workspace, report: &crate::diag::Report, args: &Args) -> Result<(Vec<Pending>, Vec<Nothing>)> {
    let mut nothing = Vec::new();
    let all = pending(ws);
    let asked: BTreeSet<AssessmentId> =
        args.assessments.iter().map(|a| AssessmentId::new(a.clone())).collect();
    let in_scope = |p: &Pending| {
        asked.is_empty()
            || asked.iter().any(|from| accept_scope(ws, &all, p.kind, &p.id, from).0.contains(&p.assessment))
    };
    let mut out: Vec<Pending> = Vec::new();
    if args.all || args.template {
        use crate::updates::PendingKind;
        let kinds: &[PendingKind] =
            if args.all { &[PendingKind::Action, PendingKind::Template] } else { &[PendingKind::Template] };
        out.extend(all.iter().filter(|p| kinds.contains(&p.kind) && in_scope(p)).cloned());
    }
    for id in &args.actions {
        let action = edit::action(ws, report, id)?;
        require_listed(ws, action, &args.assessments)?;
        let matching: Vec<&Pending> = all
            .iter()
            .filter(|p| p.kind == crate::updates::PendingKind::Action && &p.id == id && in_scope(p))
            .collect();
        if matching.is_empty() {
            nothing.push(nothing_for(&all, id, &args.assessments));
        }
        out.extend(matching.into_iter().cloned());
    }
    out.sort();
    out.dedup();
    Ok((out, nothing))
}

/// A named action with no pending update where it was asked for: what to say, and where
/// it is pending instead.
struct Nothing {
    what: String,
    elsewhere: Option<String>,
}

fn nothing_for(all: &[Pending], id: &str, assessments: &[String]) -> Nothing {
    let elsewhere: Vec<&str> = all
        .iter()
        .filter(|p| p.kind == crate::updates::PendingKind::Action && p.id == id)
        .map(|p| p.assessment.as_str())
        .collect();
    Nothing {
        what: format!("to accept: `{id}` has no pending update{}", where_(assessments)),
        elsewhere: (!elsewhere.is_empty()).then(|| {
            format!(
                "`{id}` has a pending update in `{}`: name one of those with `--assessment` (`evident updates` lists them)",
                elsewhere.join("`, `")
            )
        }),
    }
}

/// Refuses an assessment named with `--assessment` that does not list the action (in the
/// template version it accepted, or the current one): there is no update of it to accept there.
fn require_listed(ws: &Workspace, action: &crate::model::Action, assessments: &[String]) -> Result<()> {
    let lists = |a: &String| {
        ws.assessments.get(a.as_str()).is_some_and(|e| {
            let current = ws.templates.get(&e.assessment.template);
            [ws.template_of(&e.assessment), current]
                .into_iter()
                .flatten()
                .any(|t| t.lists_action(action.id.as_str()))
        })
    };
    let Some(missing) = assessments.iter().find(|a| !lists(a)) else {
        return Ok(());
    };
    let listing: Vec<&str> = ws
        .assessments
        .iter()
        .filter(|(_, e)| ws.template_of(&e.assessment).is_some_and(|t| t.lists_action(action.id.as_str())))
        .map(|(id, _)| id.as_str())
        .collect();
    let hint = match listing.as_slice() {
        [] => "no assessment lists it".to_owned(),
        some => format!("it is in `{}`", some.join("`, `")),
    };
    Err(Error::new(format!(
        "`{missing}` does not list action `{}`: there is no update of it to accept there",
        action.id
    ))
    .hint(hint))
}

fn where_(assessments: &[String]) -> String {
    if assessments.is_empty() { String::new() } else { format!(" in `{}`", assessments.join("`, `")) }
}
