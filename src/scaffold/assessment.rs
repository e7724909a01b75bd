//! A new assessment: its file, and a state file for every action of its
//! template, copied from the group when the assessment joins one.

use std::collections::BTreeMap;

use crate::diag::{Code, Diagnostic, Report, did_you_mean};
use crate::error::{Error, Result};
use crate::model::{
    ActionId, ActionState, Assessment, AssessmentId, GroupId, Implementation, Test, Workspace,
};
use crate::repo::layout;
use crate::repo::write::Changeset;

/// What `evident new assessment` was asked for.
pub(crate) struct NewAssessment {
    pub id: String,
    pub template: String,
    pub group: Option<String>,
    /// Display name (default: the template's name).
    pub name: Option<String>,
    pub service: Option<String>,
}

/// Puts the new assessment's files into `set` and returns the warnings to
/// show (a group id that looks like a typo, a group that disagrees, actions
/// the template lists that do not exist). `report` holds the loaded files'
/// texts: a group member's state file is copied as it is.
pub(crate) fn new_assessment(
    ws: &Workspace,
    report: &Report,
    a: NewAssessment,
    set: &mut Changeset,
) -> Result<Vec<Diagnostic>> {
    let mut warnings = Vec::new();
    let Some(template) = ws.templates.get(a.template.as_str()) else {
        let mut e = Error::new(format!("no template `{}`", a.template));
        if let Some(h) = did_you_mean(&a.template, ws.templates.keys().map(|k| k.as_str())) {
            e = e.hint(h);
        } else if report.sources.get(&layout::template_path(&a.template)).is_some() {
            e = e.hint(format!(
                "`{}` has errors; `evident validate` shows them",
                layout::template_path(&a.template)
            ));
        } else {
            e = e.hint(format!(
                "create it with `evident new template {} --name … --regulation …`",
                a.template
            ));
        }
        return Err(e);
    };
    let group_members: Vec<&AssessmentId> = match &a.group {
        Some(g) => ws
            .assessments
            .iter()
            .filter(|(_, e)| e.assessment.group.as_ref().is_some_and(|x| x.as_str() == g))
            .map(|(id, _)| id)
            .collect(),
        None => Vec::new(),
    };
    if let Some(g) = &a.group
        && group_members.is_empty()
    {
        let groups: Vec<&str> =
            ws.assessments.values().filter_map(|e| e.assessment.group.as_ref().map(|g| g.as_str())).collect();
        if let Some(h) = did_you_mean(g, groups.iter().copied()) {
            warnings.push(Diagnostic::new(Code::NewGroup, format!("`{g}` is a new group; {h}")));
        }
    }
    let assessment = Assessment {
        id: AssessmentId::new(a.id.clone()),
        name: a.name.unwrap_or_else(|| template.name.clone()),
        template: template.id.clone(),
        template_version: template.version,
        group: a.group.clone().map(GroupId::new),
        service: a.service,
        description: None,
        automation: None,
    };
    set.put(layout::assessment_path(&a.id), super::assessment_text(&assessment));

    let mut missing = Vec::new();
    for action_id in template.action_ids() {
        let Some(action) = ws.actions.get(action_id) else {
            missing.push(action_id.to_string());
            continue;
        };
        let path = layout::state_path(&a.id, action_id.as_str());
        match group_state(ws, report, &group_members, action_id) {
            GroupState::Copy { text, from, disagrees } => {
                if !disagrees.is_empty() {
                    warnings.push(Diagnostic::new(
                        Code::GroupOutOfSync,
                        format!(
                            "the group disagrees on `{action_id}` ({}); copied the state of `{from}` (run `evident sync`)",
                            disagrees.join(", ")
                        ),
                    ).into_warning());
                }
                set.put(path, text);
            }
            GroupState::None => {
                let state = ActionState {
                    accepted_version: Some(action.version),
                    implementation: Implementation::default(),
                    test: Test::default(),
                    ..ActionState::default()
                };
                set.put(path, super::state_text(&state));
            }
        }
    }
    if !missing.is_empty() {
        warnings.push(
            Diagnostic::new(
                Code::UnknownAction,
                format!(
                    "template `{}` lists actions that do not exist, so they have no state file: {}",
                    template.id,
                    missing.join(", ")
                ),
            )
            .into_warning(),
        );
    }
    Ok(warnings)
}

enum GroupState {
    None,
    Copy { text: String, from: String, disagrees: Vec<String> },
}

/// The group's state for an action: the file of the first member (by id)
/// that has one, noting members whose state differs.
fn group_state(ws: &Workspace, report: &Report, members: &[&AssessmentId], action: &ActionId) -> GroupState {
    let with_state: BTreeMap<&AssessmentId, &ActionState> = members
        .iter()
        .filter_map(|m| ws.assessments.get(*m).and_then(|e| e.states.get(action)).map(|s| (*m, s)))
        .collect();
    let Some((first, first_state)) = with_state.iter().next() else {
        return GroupState::None;
    };
    let path = layout::state_path(first.as_str(), action.as_str());
    let Some(text) = report.sources.get(&path) else {
        return GroupState::None;
    };
    let disagrees = with_state
        .iter()
        .filter(|(_, s)| s.synced_part() != first_state.synced_part())
        .map(|(id, _)| id.to_string())
        .collect();
    GroupState::Copy { text: text.to_owned(), from: first.to_string(), disagrees }
}
