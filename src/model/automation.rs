//! Automatic testing and freshness: what `evident test` runs for an action,
//! the repository's switches for it, and how long a test result stays current.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use super::{Date, TestStatus};

/// How an automatic action is tested (`[automation]` of `actions/<id>.toml`): a program to
/// run, or a result file that an earlier CI step wrote. Give one of `run`, `junit` or `sarif`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ActionAutomation {
    /// The program and its arguments, e.g. `["python3", "checks/tls.py", "--min", "1.2"]`. Run
    /// without a shell, from the repository root, with a cleared environment. Exit 0 means
    /// passed, exit 1 means `on-fail`; anything else means could-not-be-detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub run: Option<Vec<String>>,
    /// How long the program may run before its whole process group is killed (default "60s").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    /// How long a test result stays current, counted from its test date (default: evident.toml
    /// `[freshness] automatic`, or `manual` for an action tested by people).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_for: Option<Duration>,
    /// The test status recorded when the program exits 1 or a result fails (default "failed-medium").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_fail: Option<OnFail>,
    /// A JUnit XML report to read instead of running a program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub junit: Option<JunitSource>,
    /// A SARIF 2.1 log to read instead of running a program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sarif: Option<SarifSource>,
}

impl ActionAutomation {
    /// Whether the table names something to run or read.
    pub(crate) fn has_source(&self) -> bool {
        self.run.is_some() || self.junit.is_some() || self.sarif.is_some()
    }

    /// The timeout, default 60 seconds.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout.unwrap_or(Duration(60))
    }

    /// The test status of a failure.
    pub(crate) fn on_fail(&self) -> TestStatus {
        self.on_fail.unwrap_or_default().status()
    }
}

/// The test status of a failed automatic test.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(clippy::enum_variant_names)] // the variants are the test statuses of the same names
pub enum OnFail {
    /// A low-risk failure.
    FailedLow,
    /// A medium-risk failure (the default).
    #[default]
    FailedMedium,
    /// A high-risk failure.
    FailedHigh,
}

impl OnFail {
    pub(crate) fn status(self) -> TestStatus {
        match self {
            OnFail::FailedLow => TestStatus::FailedLow,
            OnFail::FailedMedium => TestStatus::FailedMedium,
            OnFail::FailedHigh => TestStatus::FailedHigh,
        }
    }
}

/// A JUnit XML report (InSpec, Checkov, pytest and most test runners write one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct JunitSource {
    /// The report, relative to the repository root.
    pub file: String,
    /// The test cases that decide the result, by name (`*` and `?` are wildcards; a case matches
    /// by its name or by `classname.name`). Every matched case passing means passed; none
    /// matched means could-not-be-detected. Default: every case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<String>,
}

/// A SARIF 2.1 log (Checkov, Trivy, Semgrep, CodeQL).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SarifSource {
    /// The log, relative to the repository root.
    pub file: String,
    /// The rules that decide the result, by id (`*` and `?` are wildcards). No result for these
    /// rules (other than level "none" or "note") means passed. Default: every rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
}

/// Automatic testing in the whole repository (`[automation]` of evident.toml).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AutomationSettings {
    /// `false` turns automatic testing off: `evident test` runs nothing and people record
    /// every test result.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Only these actions (ids) are tested automatically (default: every automatic action).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only: Vec<String>,
    /// These actions (ids) are not tested automatically.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<String>,
    /// Environment variables passed on to the programs `evident test` runs (their environment is
    /// otherwise cleared but for `PATH`, `HOME` and the `EVIDENT_*` variables).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pass_env: Vec<String>,
}

fn yes() -> bool {
    true
}

impl Default for AutomationSettings {
    fn default() -> Self {
        AutomationSettings { enabled: true, only: Vec::new(), except: Vec::new(), pass_env: Vec::new() }
    }
}

impl AutomationSettings {
    /// Whether the settings let `action` be tested automatically.
    pub(crate) fn covers(&self, action: &str) -> bool {
        self.enabled
            && (self.only.is_empty() || self.only.iter().any(|a| a == action))
            && !self.except.iter().any(|a| a == action)
    }
}

/// How long test results stay current (`[freshness]` of evident.toml).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Freshness {
    /// How long a result recorded by people stays current (default "365d").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual: Option<Duration>,
    /// How long an automatic result stays current (default "1d").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic: Option<Duration>,
    /// What a stale result does to the score: "warn" keeps its points and marks it (the
    /// default), "no-points" scores it as not tested.
    #[serde(default)]
    pub stale: StaleMode,
}

impl Freshness {
    pub(crate) fn manual(&self) -> Duration {
        self.manual.unwrap_or(Duration(365 * 86_400))
    }

    pub(crate) fn automatic(&self) -> Duration {
        self.automatic.unwrap_or(Duration(86_400))
    }
}

/// What a stale test result does to the score.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StaleMode {
    /// Marked stale; keeps its points.
    #[default]
    Warn,
    /// Marked stale and scored as not tested.
    NoPoints,
}

/// Automatic testing in one assessment (`[automation]` of assessment.toml).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AssessmentAutomation {
    /// Environment variables set for the programs `evident test` runs for this assessment,
    /// e.g. the account or tenant they look at. Not for secrets: this file is in git (pass
    /// secrets with evident.toml `[automation] pass-env`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
}

/// A length of time: a whole number followed by `s`, `m`, `h` or `d` ("90s", "60m", "24h", "365d").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(pub u64);

impl Duration {
    pub(crate) fn as_std(self) -> std::time::Duration {
        std::time::Duration::from_secs(self.0)
    }

    /// Whether a result dated `date` is older than this on `today` (dates are whole days: a
    /// result dated yesterday is one day old).
    pub(crate) fn expired(self, date: Date, today: Date) -> bool {
        let days = (today.0 - date.0).get_days().max(0) as u64;
        days.saturating_mul(86_400) > self.0
    }
}

impl FromStr for Duration {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unit = match s.chars().last() {
            Some('s') => 1,
            Some('m') => 60,
            Some('h') => 3_600,
            Some('d') => 86_400,
            _ => {
                return Err(format!(
                    "`{s}` is not a duration: expected a number and s, m, h or d (\"60s\", \"1d\")"
                ));
            }
        };
        let digits = &s[..s.len() - 1];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "`{s}` is not a duration: expected a number and s, m, h or d (\"60s\", \"1d\")"
            ));
        }
        digits
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(unit))
            .map(Duration)
            .ok_or_else(|| format!("`{s}` is too long a duration"))
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        match s {
            0 => f.write_str("0s"),
            _ if s % 86_400 == 0 => write!(f, "{}d", s / 86_400),
            _ if s % 3_600 == 0 => write!(f, "{}h", s / 3_600),
            _ if s % 60 == 0 => write!(f, "{}m", s / 60),
            _ => write!(f, "{s}s"),
        }
    }
}

impl Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Duration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[0-9]{1,12}[smhd]$",
            "description": "A length of time: a whole number and s, m, h or d, e.g. \"60s\", \"24h\", \"365d\".",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!("60s".parse::<Duration>(), Ok(Duration(60)));
        assert_eq!("2m".parse::<Duration>(), Ok(Duration(120)));
        assert_eq!("1d".parse::<Duration>(), Ok(Duration(86_400)));
        assert!("1".parse::<Duration>().is_err());
        assert!("d".parse::<Duration>().is_err());
        assert!("-1d".parse::<Duration>().is_err());
        assert!("1.5h".parse::<Duration>().is_err());
        assert!("99999999999999999999d".parse::<Duration>().is_err());
        assert_eq!(Duration(86_400 * 365).to_string(), "365d");
        assert_eq!(Duration(90).to_string(), "90s");
    }

    #[test]
    fn expiry_counts_whole_days() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let day = Duration(86_400);
        assert!(!day.expired(d("2026-03-01"), d("2026-03-02")));
        assert!(day.expired(d("2026-02-28"), d("2026-03-02")));
        assert!(Duration(3_600).expired(d("2026-03-01"), d("2026-03-02")));
        assert!(!Duration(3_600).expired(d("2026-03-02"), d("2026-03-02")));
    }
}
