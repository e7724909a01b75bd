//! Improvement action definitions, shared by every template that lists them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ActionAutomation, ActionId, ActionType, Category, ControlType, ManagedBy, Testing};

/// An improvement action (`actions/<id>.toml`): what to do, and what it is worth.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "evident action")]
pub struct Action {
    /// The action's id; must equal the file name without `.toml`.
    pub id: ActionId,
    /// What to do, in a few words: "Require MFA for administrators".
    pub title: String,
    /// Version of this definition. Bump it on every change; assessments accept updates explicitly.
    #[schemars(range(min = 1))]
    pub version: u32,
    /// The functional area of the action.
    pub category: Category,
    /// Technical (configure technology), documentation (write it down) or operational (a process).
    pub action_type: ActionType,
    /// Preventative, detective or corrective; with `mandatory` it decides the points.
    pub control_type: ControlType,
    /// Mandatory actions are worth more than discretionary ones.
    pub mandatory: bool,
    /// Whether test results are recorded by people (`manual`) or by monitoring (`automatic`).
    pub testing: Testing,
    /// Who carries the action out: `customer` (the default) or `provider` (a cloud or service
    /// provider; its state is usually recorded from the provider's attestation). Provider-managed
    /// actions score by the same rules and are left out of "what to do next" and assignment
    /// prompts.
    #[serde(default, skip_serializing_if = "ManagedBy::is_customer")]
    pub managed_by: ManagedBy,
    /// Where the action is carried out, e.g. "Entra ID" or "Data Loss Prevention".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solution: Option<String>,
    /// The service the action assesses, e.g. "Microsoft 365" or "AWS".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// How to implement and test the action (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance: Option<String>,
    /// Further reading.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// How `evident test` tests the action when `testing = "automatic"`: a program to run or a
    /// result file to read, its timeout, and how long a result stays current.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automation: Option<ActionAutomation>,
}

/// A named link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// What the link points to.
    pub name: String,
    /// The address (http or https).
    #[schemars(regex(pattern = r"^https?://\S+$"))]
    pub url: String,
}
