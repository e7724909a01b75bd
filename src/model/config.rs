//! Repository configuration (`evident.toml`). Every table is optional; an
//! empty file is a valid configuration.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AutomationSettings, ControlType, Freshness};

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
    /// Alert policies: which changes `evident alerts --base REV` reports, and to whom.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<AlertPolicy>,
    /// Notification channels: webhooks and mail servers that `evident alerts --send` delivers
    /// alerts to, when `[[alerts]]` policies name them in `channels`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<super::Channel>,
    /// Automatic testing (`evident test`): on or off, for which actions, and which environment
    /// variables the programs it runs may see. Only admins may change it.
    #[serde(default)]
    pub automation: AutomationSettings,
    /// How long test results stay current, and whether a stale result keeps its points. Only
    /// admins may change it.
    #[serde(default)]
    pub freshness: Freshness,
    /// Signed verdicts: which commits must carry a good signature from a key that the allowed
    /// signers file lists for the commit author. Read from the parent of each commit judged, so
    /// a change cannot trust its own key. Only admins may change it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust: Option<Trust>,
}

/// `[trust]`: commits that must be signed, and the keys that may sign them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Trust {
    /// The allowed signers file, relative to the repository root, in git's SSH format (the file
    /// `gpg.ssh.allowedSignersFile` reads): one `<email> <key type> <base64 key>` per line.
    /// `evident trust add` writes it. Changing it is an admin change.
    #[serde(default = "default_allowed_signers")]
    #[schemars(regex(pattern = r"^[^/\\][^\\]*$"))]
    pub allowed_signers: String,
    /// The commits that need a good signature by their author's key: "verdicts" (a test status
    /// set to, changed from or withdrawn from passed, failed-* or out-of-scope), "automation"
    /// (automatic test results) and "admin" (a change of the settings only admins may change,
    /// or of the allowed signers file). Default: all three.
    #[serde(default = "default_require_signed")]
    pub require_signed: Vec<SignedChange>,
}

/// A kind of commit that `[trust] require-signed` can require to be signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SignedChange {
    /// A commit that records a test verdict (passed, failed-*, out-of-scope) or withdraws one.
    Verdicts,
    /// A commit that records automatic test results.
    Automation,
    /// A commit that changes settings only admins may change, or the allowed signers file.
    Admin,
}

/// Where `evident trust add` keeps the allowed signers file unless `[trust]` says otherwise.
pub const DEFAULT_ALLOWED_SIGNERS: &str = ".evident/allowed_signers";

fn default_allowed_signers() -> String {
    DEFAULT_ALLOWED_SIGNERS.to_owned()
}

fn default_require_signed() -> Vec<SignedChange> {
    vec![SignedChange::Verdicts, SignedChange::Automation, SignedChange::Admin]
}

impl Default for Trust {
    fn default() -> Self {
        Trust { allowed_signers: default_allowed_signers(), require_signed: default_require_signed() }
    }
}

impl Trust {
    /// Whether commits of this kind must be signed.
    pub(crate) fn requires(&self, kind: SignedChange) -> bool {
        self.require_signed.contains(&kind)
    }
}

/// An alert policy (`[[alerts]]`): a kind of change worth telling someone about.
///
/// A status alert fires for every change of an action's implementation or test status in a
/// commit of the range that passes its filters. A score alert compares the range's end points:
/// the overall score, or, when `assessments`, `categories` or `owners` is set, the score of
/// each of those.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AlertPolicy {
    /// A short name for the alert, shown with what fired it.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9._-]*$"))]
    pub id: String,
    /// What fires the alert: a change of "implementation-status" or "test-status", a
    /// "score-increase" or "score-decrease" beyond `threshold`, a test result gone "stale", or an
    /// "owner-change" (sent by mail to the new owner).
    pub on: AlertTrigger,
    /// Status alerts: only changes to one of these statuses (default: any change).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<String>,
    /// Score alerts: the change, in percentage points, that must be exceeded (default 0: any change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0, max = 100.0))]
    pub threshold: Option<f64>,
    /// Only these assessments (ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assessments: Vec<String>,
    /// Only actions of these categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<super::Category>,
    /// Only actions owned by these people (e-mail; the owner before or after the change).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<String>,
    /// Status alerts: only these actions (ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// Who should hear about it (e-mail addresses, chat channels): passed on with the alert so
    /// that CI can route it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notify: Vec<String>,
    /// The `[[channels]]` (ids) that `evident alerts --send` delivers the alert to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
}

/// What fires an alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AlertTrigger {
    /// An action's implementation status changed.
    ImplementationStatus,
    /// An action's test status changed.
    TestStatus,
    /// A score rose by more than the threshold.
    ScoreIncrease,
    /// A score fell by more than the threshold.
    ScoreDecrease,
    /// A test result became stale (older than its `valid-for`) at the end of the range.
    Stale,
    /// An action's owner changed; mail channels send it to the new owner.
    OwnerChange,
}

impl AlertTrigger {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            AlertTrigger::ImplementationStatus => "implementation-status",
            AlertTrigger::TestStatus => "test-status",
            AlertTrigger::ScoreIncrease => "score-increase",
            AlertTrigger::ScoreDecrease => "score-decrease",
            AlertTrigger::Stale => "stale",
            AlertTrigger::OwnerChange => "owner-change",
        }
    }

    pub(crate) fn is_score(self) -> bool {
        matches!(self, AlertTrigger::ScoreIncrease | AlertTrigger::ScoreDecrease)
    }
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
    /// The identity CI commits automatic test results as (`evident test`): the only authors
    /// allowed to change the test status or notes of an automatic action.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub automation: Vec<String>,
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
    /// A score drop that comes entirely from test verdicts that assessors recorded in the change
    /// (a failed re-test) passes and is reported ("allow", the default), or fails like any other
    /// drop ("fail").
    #[serde(default)]
    pub assessor_drops: AssessorDrops,
}

/// What the score gate does with a drop that assessors' verdicts explain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AssessorDrops {
    /// The drop passes and is reported as a recorded finding.
    #[default]
    Allow,
    /// The drop fails like any other.
    Fail,
}

impl AssessorDrops {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            AssessorDrops::Allow => "allow",
            AssessorDrops::Fail => "fail",
        }
    }
}

impl Default for CheckSettings {
    fn default() -> Self {
        CheckSettings { max_score_drop: 0.0, assessor_drops: AssessorDrops::Allow }
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
    pub(crate) fn points(&self, mandatory: bool, control_type: ControlType) -> u64 {
        let row = if mandatory { &self.mandatory } else { &self.discretionary };
        row[control_type as usize]
    }
}

impl Config {
    pub(crate) fn points_table(&self) -> PointsTable {
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
    pub(crate) fn person_name(&self, email: &str) -> Option<&str> {
        self.people.as_ref()?.get(email).map(String::as_str)
    }

    pub(crate) fn is_assessor(&self, email: &str) -> bool {
        self.roles.assessors.iter().any(|a| a.eq_ignore_ascii_case(email))
    }

    /// Whether `email` is the automation identity of `[roles] automation`.
    pub(crate) fn is_automation(&self, email: &str) -> bool {
        self.roles.automation.iter().any(|a| a.eq_ignore_ascii_case(email))
    }
}
