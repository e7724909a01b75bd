//! Repository configuration (`evident.toml`). Every table is optional; an
//! empty file is a valid configuration.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ControlType;

/// Repository configuration (`evident.toml`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(title = "evident configuration")]
pub struct Config {
    /// People who may own actions: e-mail address = display name. When this table is present,
    /// every owner must be listed here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<BTreeMap<String, String>>,
    /// Roles, by commit author e-mail address.
    #[serde(default)]
    pub roles: Roles,
    /// Overrides of the points table (mandatory/discretionary x preventative/detective/corrective).
    #[serde(default)]
    pub scoring: Scoring,
    /// The level of each rule by name: "error", "warning" or "off". `evident explain --list` lists the rules.
    #[serde(default)]
    pub rules: BTreeMap<String, Level>,
    /// Settings of `evident check`.
    #[serde(default)]
    pub check: CheckSettings,
}

/// Who may do what, by commit author e-mail address.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Roles {
    /// Commit authors allowed to set a test status of passed or failed-*.
    #[serde(default)]
    pub assessors: Vec<String>,
    /// Administrators of the compliance repository.
    #[serde(default)]
    pub admins: Vec<String>,
}

/// Points per action, overriding the defaults of 27/3/3 (mandatory) and 9/1/1 (discretionary).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Scoring {
    /// Points of mandatory actions by control type (default 27 / 3 / 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mandatory: Option<PointsRow>,
    /// Points of discretionary actions by control type (default 9 / 1 / 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discretionary: Option<PointsRow>,
}

/// Points by control type; a missing entry keeps its default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PointsRow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preventative: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detective: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrective: Option<u32>,
}

/// How a rule's findings are reported: "error" (reported, the command fails), "warning"
/// (reported) or "off" (not checked).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    // Reported, and the command fails (exit 1).
    Error,
    // Reported; the command still succeeds.
    Warning,
    // Not checked.
    Off,
}

/// Settings of `evident check`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CheckSettings {
    /// Largest allowed drop of a score, in percentage points, between the base and the head
    /// of a change. 0 means any drop fails.
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 100.0))]
    pub max_score_drop: f64,
}

impl Default for CheckSettings {
    fn default() -> Self {
        CheckSettings { max_score_drop: 0.0 }
    }
}

/// The points table after applying the overrides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointsTable {
    pub mandatory: [u64; 3],
    pub discretionary: [u64; 3],
}

impl Default for PointsTable {
    fn default() -> Self {
        PointsTable { mandatory: [27, 3, 3], discretionary: [9, 1, 1] }
    }
}

impl PointsTable {
    pub fn points(&self, mandatory: bool, control_type: ControlType) -> u64 {
        let row = if mandatory { &self.mandatory } else { &self.discretionary };
        row[control_type as usize]
    }
}

impl Config {
    pub fn points_table(&self) -> PointsTable {
        let mut table = PointsTable::default();
        let apply = |row: &mut [u64; 3], over: &Option<PointsRow>| {
            if let Some(over) = over {
                for (slot, value) in row.iter_mut().zip([over.preventative, over.detective, over.corrective])
                {
                    if let Some(v) = value {
                        *slot = u64::from(v);
                    }
                }
            }
        };
        apply(&mut table.mandatory, &self.scoring.mandatory);
        apply(&mut table.discretionary, &self.scoring.discretionary);
        table
    }

    /// Display name of a person, if `[people]` lists them.
    pub fn person_name(&self, email: &str) -> Option<&str> {
        self.people.as_ref()?.get(email).map(String::as_str)
    }

    pub fn is_assessor(&self, email: &str) -> bool {
        self.roles.assessors.iter().any(|a| a.eq_ignore_ascii_case(email))
    }
}
