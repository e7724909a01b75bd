//! How OSCAL controls become scored improvement actions: built-in defaults
//! (by SP 800-53 family), overridden by an optional mapping file (`--mapping`,
//! schema `schemas/oscal-mapping.schema.json`).
//!
//! Precedence, lowest first: built-in defaults, built-in family table, the
//! file's `[defaults]`, `[families.<id>]`, `[controls.<id>]`. `mandatory`
//! defaults to "in the profile": true when a profile (or a resolved profile
//! catalog, i.e. a baseline) is imported, false for a whole catalog.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Action, ActionId, ActionType, Category, ControlType, Link, Testing};

/// Mapping of an OSCAL import (`evident import oscal --mapping FILE`): the
/// scoring attributes of the actions it creates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "evident OSCAL import mapping")]
pub(crate) struct Mapping {
    /// Prefix of the action ids: action `<prefix><control-id>`. Default: the template id and `-`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_prefix: Option<String>,
    /// The template's display name. Default: the title of the profile or catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The template's regulation. Default: the title of the catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regulation: Option<String>,
    /// Where the regulation is published (URL), for the template's `source`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Attributes of every action (over the built-in defaults).
    #[serde(default)]
    pub defaults: Attributes,
    /// Attributes by OSCAL group id (the family, e.g. `ac`), over `[defaults]`.
    #[serde(default)]
    pub families: BTreeMap<String, Attributes>,
    /// Attributes by OSCAL control id (e.g. `ac-2.1`), over everything else.
    #[serde(default)]
    pub controls: BTreeMap<String, Attributes>,
}

/// Scoring attributes of an action; each one is optional and overrides the level below.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Attributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_type: Option<ActionType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_type: Option<ControlType>,
    /// Mandatory actions are worth more. Default: true when importing a profile (baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mandatory: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub testing: Option<Testing>,
    /// Where the action is carried out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solution: Option<String>,
    /// The service the action assesses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

impl Attributes {
    fn over(&mut self, top: &Attributes) {
        macro_rules! take {
            ($($f:ident),*) => { $( if top.$f.is_some() { self.$f = top.$f.clone(); } )* };
        }
        take!(category, action_type, control_type, mandatory, testing, solution, service);
    }
}

/// The attributes an action gets, all decided.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Resolved {
    pub category: Category,
    pub action_type: ActionType,
    pub control_type: ControlType,
    pub mandatory: bool,
    pub testing: Testing,
    pub solution: Option<String>,
    pub service: Option<String>,
}

impl Resolved {
    /// A first version of an imported action with these attributes.
    pub(crate) fn action(
        self,
        id: ActionId,
        title: String,
        guidance: Option<String>,
        links: Vec<Link>,
    ) -> Action {
        Action {
            id,
            title,
            version: 1,
            category: self.category,
            action_type: self.action_type,
            control_type: self.control_type,
            mandatory: self.mandatory,
            testing: self.testing,
            managed_by: Default::default(),
            solution: self.solution,
            service: self.service,
            guidance,
            links,
            automation: None,
        }
    }
}

/// The built-in attributes of an SP 800-53 family (by group id): what the
/// family is about (category), how its controls are mostly met (action type)
/// and what they do to risk (control type). Other catalogs' groups get the
/// generic defaults: manage-compliance, operational, preventative.
pub(crate) fn family_defaults(family: &str) -> (Category, ActionType, ControlType) {
    use ActionType::*;
    use Category::*;
    use ControlType::*;
    match family {
        "ac" => (ControlAccess, Technical, Preventative), // access control
        "ia" => (ControlAccess, Technical, Preventative), // identification and authentication
        "at" => (ManageInternalRisks, Operational, Preventative), // awareness and training
        "ps" => (ManageInternalRisks, Operational, Preventative), // personnel security
        "au" => (DiscoverAndRespond, Technical, Detective), // audit and accountability
        "ir" => (DiscoverAndRespond, Operational, Corrective), // incident response
        "si" => (ProtectAgainstThreats, Technical, Detective), // system and information integrity
        "ca" => (ManageCompliance, Operational, Detective), // assessment, authorization, monitoring
        "ra" => (ManageCompliance, Operational, Detective), // risk assessment
        "pl" => (ManageCompliance, Documentation, Preventative), // planning
        "pm" => (ManageCompliance, Documentation, Preventative), // program management
        "sa" => (ManageCompliance, Operational, Preventative), // system and services acquisition
        "sr" => (ManageCompliance, Operational, Preventative), // supply chain risk management
        "cm" => (ManageDevices, Technical, Preventative), // configuration management
        "ma" => (ManageDevices, Operational, Preventative), // maintenance
        "mp" => (ProtectInformation, Operational, Preventative), // media protection
        "sc" => (ProtectInformation, Technical, Preventative), // system and communications protection
        "pe" => (InfrastructureCloud, Operational, Preventative), // physical and environmental
        "cp" => (InfrastructureCloud, Operational, Corrective), // contingency planning
        "pt" => (PrivacyManagement, Documentation, Preventative), // PII processing and transparency
        _ => (ManageCompliance, Operational, Preventative),
    }
}

impl Mapping {
    /// The attributes of one control.
    ///
    /// `family` is the OSCAL group id; `in_baseline` says whether a profile
    /// selected the control (the default of `mandatory`).
    pub(crate) fn resolve(&self, control_id: &str, family: Option<&str>, in_baseline: bool) -> Resolved {
        let (category, mut action_type, control_type) = family_defaults(family.unwrap_or(""));
        // The first control of an 800-53 family ("ac-1 Policy and Procedures") is a document.
        if family.is_some_and(|f| control_id == format!("{f}-1")) {
            action_type = ActionType::Documentation;
        }
        self.resolve_over((category, action_type, control_type), control_id, family, in_baseline)
    }

    /// [`Mapping::resolve`] over other built-in attributes than the SP 800-53 family table.
    pub(crate) fn resolve_over(
        &self,
        (category, action_type, control_type): (Category, ActionType, ControlType),
        control_id: &str,
        family: Option<&str>,
        in_baseline: bool,
    ) -> Resolved {
        let mut a = Attributes {
            category: Some(category),
            action_type: Some(action_type),
            control_type: Some(control_type),
            mandatory: Some(in_baseline),
            testing: Some(Testing::Manual),
            solution: None,
            service: None,
        };
        a.over(&self.defaults);
        if let Some(f) = family.and_then(|f| self.families.get(f)) {
            a.over(f);
        }
        if let Some(c) = self.controls.get(control_id) {
            a.over(c);
        }
        Resolved {
            category: a.category.unwrap_or(category),
            action_type: a.action_type.unwrap_or(action_type),
            control_type: a.control_type.unwrap_or(control_type),
            mandatory: a.mandatory.unwrap_or(in_baseline),
            testing: a.testing.unwrap_or(Testing::Manual),
            solution: a.solution,
            service: a.service,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence() {
        let m: Mapping = toml::from_str(
            "[defaults]\ntesting = \"automatic\"\n[families.ac]\ncontrol_type = \"detective\"\n[controls.\"ac-2.1\"]\nmandatory = false\ncategory = \"manage-devices\"\n",
        )
        .unwrap();
        let r = m.resolve("ac-2.1", Some("ac"), true);
        assert_eq!(
            (r.category, r.action_type, r.control_type, r.mandatory, r.testing),
            (
                Category::ManageDevices,
                ActionType::Technical,
                ControlType::Detective,
                false,
                Testing::Automatic
            )
        );
        let r = m.resolve("ac-1", Some("ac"), true);
        assert_eq!((r.action_type, r.mandatory), (ActionType::Documentation, true));
        let r = Mapping::default().resolve("x-9", None, false);
        assert_eq!((r.category, r.mandatory), (Category::ManageCompliance, false));
    }
}
