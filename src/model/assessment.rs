//! Assessments: a template applied to the organisation, with the state of
//! each of its actions in files next to `assessment.toml`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AssessmentAutomation, AssessmentId, GroupId, TemplateId};

/// An assessment (`assessments/<id>/assessment.toml`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "evident assessment")]
pub struct Assessment {
    /// The assessment's id; must equal its directory name.
    pub id: AssessmentId,
    /// Display name, e.g. "GDPR 2026".
    pub name: String,
    /// The template (`templates/<id>.toml`) this assessment follows.
    pub template: TemplateId,
    /// The template version this assessment has accepted.
    #[schemars(range(min = 1))]
    pub template_version: u32,
    /// The group this assessment belongs to. Actions shared within a group keep identical state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupId>,
    /// The service in scope, e.g. "Microsoft 365".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Scope and purpose of the assessment (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Automatic testing in this assessment: environment variables for the programs `evident
    /// test` runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automation: Option<AssessmentAutomation>,
}
