//! The state of one action in one assessment (`assessments/<a>/<action>.toml`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Date, ImplementationStatus, TestStatus, Testing};

/// State of one improvement action in one assessment. A missing file means
/// not implemented and not tested.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "evident action state")]
pub struct ActionState {
    /// Who is responsible for the action (an e-mail address; listed in `[people]` when that table exists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[^@\s]+@[^@\s]+$"))]
    pub owner: Option<String>,
    /// The version of `actions/<action>.toml` this assessment has accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub accepted_version: Option<u32>,
    /// "manual" switches an automatic action to testing by people in this assessment (and
    /// "automatic" back); default: the action's `testing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub testing: Option<Testing>,
    /// Implementation status, date and notes.
    #[serde(default)]
    pub implementation: Implementation,
    /// Test status, date and notes.
    #[serde(default)]
    pub test: Test,
    /// Evidence: files kept in the repository or links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

/// Implementation status of the action.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Implementation {
    /// not-implemented, implemented, alternative, planned or out-of-scope.
    pub status: ImplementationStatus,
    /// When the status was reached (a TOML date, no quotes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// Implementation notes; the justification for `alternative` and `out-of-scope`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// Test status of the action.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Test {
    /// none, not-assessed, passed, failed-low, failed-medium, failed-high, out-of-scope,
    /// to-be-determined, could-not-be-determined, partially-tested, in-progress,
    /// to-be-detected or could-not-be-detected.
    pub status: TestStatus,
    /// When the test was carried out (a TOML date, no quotes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// Test notes: what was sampled and what was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// One piece of evidence: a file in the repository (`path` + `sha256`) or a link (`url`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// What the evidence is.
    pub name: String,
    /// Path of a file in the repository, relative to its root (e.g. `evidence/ca-01.pdf`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// SHA-256 of the file at `path`, in hex; `evident validate` checks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9a-f]{64}$"))]
    pub sha256: Option<String>,
    /// A link to evidence kept elsewhere (http or https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^https?://\S+$"))]
    pub url: Option<String>,
}

impl ActionState {
    /// The part of the state that group synchronisation keeps identical.
    pub(crate) fn synced_part(&self) -> (&Option<String>, &Implementation, &Test, &Vec<Evidence>) {
        (&self.owner, &self.implementation, &self.test, &self.evidence)
    }
}
