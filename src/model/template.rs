//! Assessment templates: one regulation or standard, its controls, and the
//! improvement actions each control calls for.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ActionId, ControlId, TemplateId};

/// An assessment template (`templates/<id>.toml`): one regulation or standard, versioned.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "evident template")]
pub struct Template {
    /// The template's id; must equal the file name without `.toml`.
    pub id: TemplateId,
    /// Display name, e.g. "GDPR (EU 2016/679)".
    pub name: String,
    /// The regulation or standard this template implements; used to filter and group scores.
    pub regulation: String,
    /// Version of this template. Bump it on every change so assessments can accept the update.
    #[schemars(range(min = 1))]
    pub version: u32,
    /// What the template covers (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the regulation text is published (URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The framework's urn when the template was imported from a CISO Assistant library; requirement
    /// mapping sets name frameworks by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urn: Option<String>,
    /// The controls of the regulation, in the order the regulation lists them.
    #[serde(default)]
    pub controls: Vec<Control>,
}

/// One control (article, section, requirement) of a template.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// The control's id as the regulation numbers it, e.g. `art-32`; unique within the template.
    pub id: ControlId,
    /// A short title of the control.
    pub title: String,
    /// The family or chapter the control belongs to, e.g. "Security of processing".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// What the control requires (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Ids of the improvement actions (`actions/<id>.toml`) that satisfy this control.
    #[serde(default)]
    pub actions: Vec<ActionId>,
    /// The requirement's urn when imported from a CISO Assistant library (mappings name requirements by it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urn: Option<String>,
    /// Implementation groups the control belongs to (e.g. CIS `IG1`), to filter by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Controls of other templates this one is mapped to (`evident import mapping`). An entry with
    /// `actions` shares them: they are listed in `actions` too and count here. The others are
    /// shown, never scored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
}

/// A control of another template mapped to this one.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Related {
    /// The other template.
    pub template: TemplateId,
    /// The control of the other template.
    pub control: ControlId,
    /// How the two relate, read from the other control: `equal`, `superset` (it covers this one),
    /// `subset`, `intersect` or `not_related`.
    pub relationship: String,
    /// The other control's own actions this control lists because of the mapping (empty: shown only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionId>,
}

impl Control {
    /// The actions the control lists because of mappings from other templates.
    pub(crate) fn mapped_actions(&self) -> impl Iterator<Item = &ActionId> {
        self.related.iter().flat_map(|r| &r.actions)
    }

    /// The control's own actions: those not received from a mapping.
    pub(crate) fn own_actions(&self) -> Vec<&ActionId> {
        let mapped: std::collections::HashSet<&str> = self.mapped_actions().map(ActionId::as_str).collect();
        self.actions.iter().filter(|a| !mapped.contains(a.as_str())).collect()
    }
}

impl Template {
    /// The template's actions, each once, in first-listed order.
    pub fn action_ids(&self) -> Vec<&ActionId> {
        let mut seen = std::collections::HashSet::new();
        self.controls.iter().flat_map(|c| &c.actions).filter(|a| seen.insert(a.as_str())).collect()
    }

    pub(crate) fn lists_action(&self, id: &str) -> bool {
        self.controls.iter().any(|c| c.actions.iter().any(|a| a.as_str() == id))
    }
}
