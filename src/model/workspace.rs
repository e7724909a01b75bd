//! The whole repository as typed values: the model every computation reads.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::{Action, ActionId, ActionState, Assessment, AssessmentId, Config, Template, TemplateId};

/// Everything loaded from one version of a compliance repository. Files with
/// errors are absent; keys are the ids implied by file paths.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    pub config: Config,
    pub templates: BTreeMap<TemplateId, Template>,
    pub actions: BTreeMap<ActionId, Action>,
    pub assessments: BTreeMap<AssessmentId, AssessmentEntry>,
    /// Definitions an assessment is still scored on because it has not
    /// accepted a newer version of them, read from git history
    /// (`crate::updates::apply_deferred`). Empty unless a command fills it.
    pub deferred: BTreeMap<AssessmentId, Deferred>,
    /// The day test results are judged fresh or stale on: today for the working tree; `None`
    /// (nothing is stale) for versions read from git history.
    pub as_of: Option<super::Date>,
}

/// The accepted versions of the definitions with a pending update in one assessment.
#[derive(Clone, Debug, Default)]
pub struct Deferred {
    /// The template as of the assessment's `template_version`.
    pub template: Option<Template>,
    /// Actions as of the `accepted_version` of their state files.
    pub actions: BTreeMap<ActionId, Action>,
}

/// An assessment and the state files found in its directory.
#[derive(Clone, Debug)]
pub struct AssessmentEntry {
    pub assessment: Assessment,
    /// Only the files present; a missing file means the default state.
    pub states: BTreeMap<ActionId, ActionState>,
}

impl Workspace {
    /// The template an assessment is scored on: the version it accepted.
    pub(crate) fn template_of(&self, assessment: &Assessment) -> Option<&Template> {
        self.deferred
            .get(&assessment.id)
            .and_then(|d| d.template.as_ref())
            .or_else(|| self.templates.get(&assessment.template))
    }

    /// The actions of an assessment: its template's actions that exist, each
    /// once (in the versions the assessment accepted), with the id they are known by (their file name, which is what
    /// templates and state files refer to, even if the file's `id` differs).
    pub(crate) fn actions_of<'a>(&'a self, assessment: &Assessment) -> Vec<(&'a ActionId, &'a Action)> {
        let deferred = self.deferred.get(&assessment.id);
        let accepted = |(id, action): (&'a ActionId, &'a Action)| {
            (id, deferred.and_then(|d| d.actions.get(id)).unwrap_or(action))
        };
        self.template_of(assessment)
            .map(|t| {
                t.action_ids()
                    .into_iter()
                    .filter_map(|id| self.actions.get_key_value(id.as_str()))
                    .map(accepted)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The state of an action in an assessment; the default when there is no file.
    pub(crate) fn state<'a>(&'a self, assessment: &AssessmentId, action: &ActionId) -> Cow<'a, ActionState> {
        self.assessments
            .get(assessment)
            .and_then(|e| e.states.get(action))
            .map(Cow::Borrowed)
            .unwrap_or_default()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.templates.is_empty() && self.actions.is_empty() && self.assessments.is_empty()
    }
}
