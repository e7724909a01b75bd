//! Group synchronisation: assessments of one group agree on the state of the
//! actions they share.

use std::collections::BTreeMap;

use crate::diag::{Code, Diagnostic, Report};
use crate::model::{ActionId, ActionState, AssessmentId, GroupId, Workspace};
use crate::repo::layout::state_path;

/// A shared action of a group whose members disagree.
#[derive(Debug, Clone)]
pub(crate) struct Disagreement<'w> {
    pub group: &'w GroupId,
    pub action: &'w ActionId,
    /// Every member that lists the action, with its state.
    pub states: Vec<(&'w AssessmentId, std::borrow::Cow<'w, ActionState>)>,
}

/// Members of each group, by group.
pub(crate) fn groups(ws: &Workspace) -> BTreeMap<&GroupId, Vec<&AssessmentId>> {
    let mut out: BTreeMap<&GroupId, Vec<&AssessmentId>> = BTreeMap::new();
    for (id, entry) in &ws.assessments {
        if let Some(g) = &entry.assessment.group {
            out.entry(g).or_default().push(id);
        }
    }
    out
}

/// The actions shared by at least two members of each group, with their states.
pub(crate) fn shared_actions(ws: &Workspace) -> Vec<Disagreement<'_>> {
    let mut out = Vec::new();
    for (group, members) in groups(ws) {
        let mut by_action: BTreeMap<&ActionId, Vec<&AssessmentId>> = BTreeMap::new();
        for m in &members {
            let Some(entry) = ws.assessments.get(*m) else {
                continue;
            };
            for (action_id, _) in ws.actions_of(&entry.assessment) {
                by_action.entry(action_id).or_default().push(m);
            }
        }
        for (action, holders) in by_action {
            if holders.len() < 2 {
                continue;
            }
            let states = holders.into_iter().map(|m| (m, ws.state(m, action))).collect();
            out.push(Disagreement { group, action, states });
        }
    }
    out
}

/// The shared actions whose members disagree. Provider-managed actions are
/// left out: their state comes from the provider's attestation in each
/// assessment, and neither `check` nor `sync` asks to align it. An action is
/// provider-managed here only when every member's accepted definition says so:
/// a new version that hands it to the provider changes nothing until it is
/// accepted.
pub(crate) fn disagreements(ws: &Workspace) -> Vec<Disagreement<'_>> {
    shared_actions(ws)
        .into_iter()
        .filter(|d| !provider_managed_in_all(ws, d))
        .filter(|d| d.states.windows(2).any(|w| w[0].1.synced_part() != w[1].1.synced_part()))
        .collect()
}

pub(crate) fn check(ws: &Workspace, report: &mut Report) {
    let mut out = Vec::new();
    for d in disagreements(ws) {
        let (first_id, first_state) = &d.states[0];
        for (member, state) in &d.states[1..] {
            if state.synced_part() == first_state.synced_part() {
                continue;
            }
            let file = state_path(member.as_str(), d.action.as_str());
            let other = state_path(first_id.as_str(), d.action.as_str());
            let what = differences(first_state, state).join(", ");
            out.push(
                Diagnostic::new(
                    Code::GroupOutOfSync,
                    format!(
                        "group `{}`: `{member}` and `{first_id}` disagree on `{}` ({what})",
                        d.group, d.action
                    ),
                )
                .at(&file, 0..0)
                .note(format!("compare with `{other}`"))
                .hint("run `evident sync` to copy the most recent change to the whole group"),
            );
        }
    }
    report.diagnostics.extend(out);
}

/// Which synced parts differ, in words.
pub(crate) fn differences(a: &ActionState, b: &ActionState) -> Vec<&'static str> {
    let mut out = Vec::new();
    if a.owner != b.owner {
        out.push("owner");
    }
    if a.implementation != b.implementation {
        out.push("implementation");
    }
    if a.test != b.test {
        out.push("test");
    }
    if a.evidence != b.evidence {
        out.push("evidence");
    }
    out
}

/// Whether every member's accepted definition of the action is provider-managed.
/// A member with a pending update of the action whose accepted definition is not
/// at hand (validation runs before the history is read) counts as customer-managed.
fn provider_managed_in_all(ws: &Workspace, d: &Disagreement<'_>) -> bool {
    let Some(current) = ws.actions.get(d.action) else { return false };
    d.states.iter().all(|(a, state)| {
        let accepted = ws.deferred.get(*a).and_then(|x| x.actions.get(d.action));
        match accepted {
            Some(x) => !x.managed_by.is_customer(),
            None => {
                !current.managed_by.is_customer()
                    && state.accepted_version.is_none_or(|v| v >= current.version)
            }
        }
    })
}
