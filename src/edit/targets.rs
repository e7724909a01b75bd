//! Where an edit goes: the action, the assessments (widened to their group), the person.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{Code, Diagnostic, Report, did_you_mean, suggest};
use crate::error::{Error, Result};
use crate::model::{Action, ActionId, AssessmentId, Workspace};
use crate::repo::layout::{self, Entry};

/// Errors that stop every edit: a file that decides where an edit goes (the
/// configuration, a template, an assessment) did not load, so group
/// membership, people or rule levels would be guessed. Returns them with their
/// sources, ready to print, or `None` when there are none.
pub(crate) fn unusable_inputs(report: &Report) -> Option<Report> {
    loading_errors(report, |entry| matches!(entry, Entry::Config | Entry::Template(_) | Entry::Assessment(_)))
}

/// The loading errors of the state files `wanted` picks (by assessment and
/// action): a state file that does not load is missing from the workspace, so
/// its evidence is unknown. `None` when there are none.
pub(crate) fn unloaded_states(
    report: &Report,
    wanted: impl Fn(&AssessmentId, &ActionId) -> bool,
) -> Option<Report> {
    loading_errors(report, |entry| matches!(entry, Entry::State(a, action) if wanted(a, action)))
}

/// The loading errors of the files `keep` picks, with their sources.
fn loading_errors(report: &Report, keep: impl Fn(&Entry) -> bool) -> Option<Report> {
    let blocking: Vec<Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && is_loading_error(d.code))
        .filter(|d| d.file().is_some_and(|f| keep(&layout::classify(f))))
        .cloned()
        .collect();
    (!blocking.is_empty()).then(|| Report {
        diagnostics: blocking,
        sources: report.sources.clone(),
        ..Report::default()
    })
}

/// Codes of the reading steps (E01xx: the file, E02xx: its schema): a file
/// with one of them is missing from the workspace.
fn is_loading_error(code: Code) -> bool {
    let c = code.code();
    c.starts_with("E01") || c.starts_with("E02")
}

/// The action an edit is about, with a suggestion when it does not exist.
pub(crate) fn action<'w>(ws: &'w Workspace, report: &Report, id: &str) -> Result<&'w Action> {
    if let Some(action) = ws.actions.get(id) {
        return Ok(action);
    }
    let mut err = Error::new(format!("no action `{id}`"));
    let file = layout::action_path(id);
    if let Some(hint) = did_you_mean(id, ws.actions.keys().map(ActionId::as_str)) {
        err = err.hint(hint);
    } else if report.sources.get(&file).is_some() {
        err = err.hint(format!("`{file}` has errors; `evident validate` shows them"));
    } else {
        err = err.hint("`evident list actions` lists the actions");
    }
    Err(err)
}

/// An assessment named on the command line, with a suggestion when it does not exist.
pub(crate) fn known_assessment(ws: &Workspace, id: &str) -> Result<AssessmentId> {
    if ws.assessments.contains_key(id) {
        return Ok(AssessmentId::new(id));
    }
    let mut e = Error::new(format!("no assessment `{id}`"));
    if let Some(h) = did_you_mean(id, ws.assessments.keys().map(AssessmentId::as_str)) {
        e = e.hint(h);
    }
    Err(e)
}

/// The assessments an edit of `action` goes to.
///
/// With `asked` assessments: those, each of which must list the action.
/// Without: every assessment that lists the action, provided there is only one
/// or they are all in one group (otherwise the choice is the user's). Either
/// way the other members of each chosen assessment's group that list the
/// action are added, because a group keeps the state of a shared action
/// identical. Sorted by id.
pub(crate) fn targets(ws: &Workspace, action: &ActionId, asked: &[String]) -> Result<Vec<AssessmentId>> {
    targets_with(ws, action, asked, false)
}

/// Like [`targets`], but without `asked` every assessment listing the action
/// is meant (an owner is the owner of the action, wherever it appears).
pub(crate) fn targets_everywhere(
    ws: &Workspace,
    action: &ActionId,
    asked: &[String],
) -> Result<Vec<AssessmentId>> {
    targets_with(ws, action, asked, true)
}

fn targets_with(
    ws: &Workspace,
    action: &ActionId,
    asked: &[String],
    everywhere: bool,
) -> Result<Vec<AssessmentId>> {
    let listing = listing(ws, action);
    if listing.is_empty() {
        return Err(Error::new(format!("no assessment lists `{action}`"))
            .hint("add the action to a control of a template, or create an assessment with `evident new assessment`"));
    }
    let chosen: Vec<&AssessmentId> = if asked.is_empty() && everywhere {
        listing.clone()
    } else if asked.is_empty() {
        unambiguous(ws, action, &listing)?
    } else {
        asked.iter().map(|a| asked_assessment(ws, action, &listing, a)).collect::<Result<_>>()?
    };
    let mut out = BTreeSet::new();
    for id in chosen {
        out.insert(id.clone());
        out.extend(group_members(ws, action, id));
    }
    Ok(out.into_iter().collect())
}

/// All the assessments listing the action, when that is what the user must mean.
fn unambiguous<'w>(
    ws: &Workspace,
    action: &ActionId,
    listing: &[&'w AssessmentId],
) -> Result<Vec<&'w AssessmentId>> {
    if !must_choose(ws, listing) {
        return Ok(listing.to_vec());
    }
    let names: Vec<String> = listing.iter().map(|id| format!("`{id}`")).collect();
    Err(Error::new(format!(
        "`{action}` is in {} assessments that are not in one group: {}",
        listing.len(),
        names.join(", ")
    ))
    .hint("choose with `--assessment <id>` (repeat it for several)"))
}

/// Whether a command about an action listed by these assessments must say
/// which one it means: more than one, and not all in one group.
fn must_choose(ws: &Workspace, listing: &[&AssessmentId]) -> bool {
    let groups: BTreeSet<Option<&str>> = listing.iter().map(|id| group_of(ws, id)).collect();
    let one_group = groups.len() == 1 && groups.iter().all(Option::is_some);
    listing.len() > 1 && !one_group
}

/// The ` -a <assessment>` a command about `action` in `assessment` needs to
/// work as shown in a hint: empty when the action alone says where it goes.
pub(crate) fn assessment_flag(ws: &Workspace, action: &ActionId, assessment: &AssessmentId) -> String {
    if must_choose(ws, &listing(ws, action)) { format!(" -a {assessment}") } else { String::new() }
}

/// Like [`assessment_flag`], for a hint that offers a command only when it
/// works: `None` when the action does not exist or `assessment` does not list it.
pub(crate) fn command_flag(ws: &Workspace, action: &ActionId, assessment: &AssessmentId) -> Option<String> {
    let listing = listing(ws, action);
    (ws.actions.contains_key(action.as_str()) && listing.contains(&assessment))
        .then(|| assessment_flag(ws, action, assessment))
}

/// An assessment named on the command line: it must exist and list the action.
fn asked_assessment<'w>(
    ws: &'w Workspace,
    action: &ActionId,
    listing: &[&'w AssessmentId],
    asked: &str,
) -> Result<&'w AssessmentId> {
    let Some((id, entry)) = ws.assessments.get_key_value(asked) else {
        let err = Error::new(format!("no assessment `{asked}`"));
        return Err(match did_you_mean(asked, ws.assessments.keys().map(AssessmentId::as_str)) {
            Some(hint) => err.hint(hint),
            None => err.hint(format!("`{action}` is in: {}", list(listing))),
        });
    };
    if !listing.contains(&id) {
        return Err(Error::new(format!(
            "assessment `{asked}` (template `{}`) does not list `{action}`",
            entry.assessment.template
        ))
        .hint(format!("`{action}` is in: {}", list(listing))));
    }
    Ok(id)
}

fn list(ids: &[&AssessmentId]) -> String {
    ids.iter().map(|id| id.as_str()).collect::<Vec<_>>().join(", ")
}

pub(super) fn group_of<'w>(ws: &'w Workspace, id: &AssessmentId) -> Option<&'w str> {
    ws.assessments.get(id).and_then(|e| e.assessment.group.as_ref()).map(|g| g.as_str())
}

/// The assessments whose template lists the action, by directory id (the
/// id their state files live under).
fn listing<'w>(ws: &'w Workspace, action: &ActionId) -> Vec<&'w AssessmentId> {
    ws.assessments
        .iter()
        .filter(|(_, e)| ws.template_of(&e.assessment).is_some_and(|t| t.lists_action(action.as_str())))
        .map(|(id, _)| id)
        .collect()
}

/// The other members of `id`'s group that list the action.
fn group_members(ws: &Workspace, action: &ActionId, id: &AssessmentId) -> Vec<AssessmentId> {
    let Some(group) = group_of(ws, id) else {
        return Vec::new();
    };
    listing(ws, action).into_iter().filter(|m| group_of(ws, m) == Some(group)).cloned().collect()
}

/// Checks an owner: an e-mail address, listed in `[people]` when that table exists.
/// The word that stands for "no owner": `set --owner none` and `assign --to none` remove the
/// owner, as `list actions --owner none` lists the actions without one.
pub(crate) const NO_OWNER: &str = "none";

/// The owner an edit gives: `Some(email)` to set (checked like [`check_person`]), `None` to
/// remove it (`none`, any case).
pub(crate) fn owner_change<'a>(ws: &Workspace, text: &'a str) -> Result<Option<&'a str>> {
    if text.eq_ignore_ascii_case(NO_OWNER) {
        return Ok(None);
    }
    if text.trim().is_empty() {
        return Err(Error::new("the owner is empty").hint(format!("to remove the owner, give `{NO_OWNER}`")));
    }
    // Beside a "did you mean" the way to remove the owner is noise.
    check_person(ws, text).map_err(|e| {
        match text.contains('@') || e.hints.iter().any(|h| h.contains("did you mean")) {
            true => e,
            false => e.hint(format!("to remove the owner, give `{NO_OWNER}`")),
        }
    })?;
    Ok(Some(text))
}

pub(crate) fn check_person(ws: &Workspace, email: &str) -> Result<()> {
    let shaped = email.split_once('@').is_some_and(|(user, host)| {
        !user.is_empty() && !host.is_empty() && !host.contains('@') && !email.contains(char::is_whitespace)
    });
    let people = ws.config.people.as_ref();
    if shaped && people.is_none_or(|p| p.contains_key(email)) {
        return Ok(());
    }
    let err = if shaped {
        Error::new(format!("`{email}` is not listed in `[people]` of `{}`", layout::CONFIG_FILE))
    } else {
        Error::new(format!("`{email}` is not an e-mail address"))
    };
    let hint = people.and_then(|p| similar_person(p, email)).unwrap_or_else(|| {
        if shaped {
            format!("add `\"{email}\" = \"Name\"` to `[people]`")
        } else {
            "owners are e-mail addresses, e.g. `ana@example.com`".to_owned()
        }
    });
    Err(err.hint(hint))
}

/// "did you mean" over the addresses and, since people are often typed by
/// name, over the names of `[people]`.
fn similar_person(people: &BTreeMap<String, String>, typed: &str) -> Option<String> {
    if let Some(hint) = did_you_mean(typed, people.keys().map(String::as_str)) {
        return Some(hint);
    }
    let name = suggest(typed, people.values().map(String::as_str))?;
    let (address, name) = people.iter().find(|(_, n)| n.as_str() == name)?;
    Some(format!("did you mean `{address}` ({name})?"))
}
