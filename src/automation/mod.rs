//! Automatic testing (`evident test`) and the freshness of test results.
//!
//! An automatic action names a program to run or a result file to read in its `[automation]`
//! table. [`plan`] decides which (assessment, action) pairs to test: one *unit* per action and
//! group, since the members of a group keep one shared state; [`run_unit`] runs a unit's program
//! ([`process`]) or reads its result file ([`results`]) and maps the outcome to a test status;
//! [`record`] writes it through the edit session, so that every write is checked, atomic and
//! group-synchronised like `evident set`. Nothing here commits.
//!
//! Freshness ([`valid_for`], [`is_stale`]) applies to every test result, manual or automatic.

pub(crate) mod interrupt;
pub(crate) mod orphans;
pub(crate) mod process;
mod record;
pub(crate) mod results;

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration as StdDuration;

use serde::Serialize;

use crate::diag::{Code, Diagnostic};
use crate::model::{
    Action, ActionAutomation, ActionId, ActionState, AssessmentId, Config, Date, Duration, TestStatus,
    Testing, Workspace,
};
use crate::repo::layout::{EVIDENCE_DIR, state_path};

pub(crate) use record::record;

/// Why an automatic action without a `run`, `junit` or `sarif` is skipped.
pub(crate) const NO_SOURCE: &str = "no `[automation]` run, junit or sarif";

/// Why an automatic pair was not tested, as a word scripts can group by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum SkipKind {
    /// The action's `[automation]` table names no `run`, `junit` or `sarif`.
    NoAutomation,
    /// evident.toml's `[automation]` leaves the action out.
    AutomationOff,
    /// A member assessment switched the action to manual testing.
    SwitchedToManual,
    /// `--stale`: the result is still current.
    Current,
}

impl SkipKind {
    /// The reason for `n` skipped tests of `actions` actions, for the summary's count line.
    pub(crate) fn counted(self, n: usize, actions: usize) -> String {
        let of = crate::diag::render::plural(actions, "action");
        // "33 tests of 20 actions …": a test is one action in one assessment or group.
        let n = crate::diag::render::plural(n, "test");
        match self {
            SkipKind::NoAutomation => format!("{n} of {of} with {NO_SOURCE} in the action's definition"),
            SkipKind::AutomationOff => format!("{n} of {of} turned off by `[automation]` in evident.toml"),
            SkipKind::SwitchedToManual => format!("{n} of {of} switched to manual testing in an assessment"),
            SkipKind::Current => format!("{n} of {of} whose result is still current"),
        }
    }
}

/// The name of the evidence item that holds an automatic test's output.
pub(crate) const OUTPUT_NAME: &str = "Automatic test output";

/// Where the output of a unit's test is kept: `evidence/<action>/automatic-<unit>.txt`.
pub(crate) fn output_path(action: &ActionId, unit: &str) -> String {
    format!("{EVIDENCE_DIR}/{action}/automatic-{unit}.txt")
}

/// Whether the test of `action` in an assessment with `state` is recorded by `evident test`
/// (and so by nobody else): the action is `testing = "automatic"` with something to run or
/// read, evident.toml's `[automation]` covers it, and the assessment did not switch it to manual.
pub(crate) fn is_automatic(config: &Config, action: &Action, state: &ActionState) -> bool {
    action.testing == Testing::Automatic
        && action.automation.as_ref().is_some_and(ActionAutomation::has_source)
        && config.automation.covers(action.id.as_str())
        && state.testing != Some(Testing::Manual)
}

/// How long a test result of `action` stays current.
pub(crate) fn valid_for(config: &Config, action: &Action, state: &ActionState) -> Duration {
    if let Some(d) = action.automation.as_ref().and_then(|a| a.valid_for) {
        return d;
    }
    if state.testing.unwrap_or(action.testing) == Testing::Automatic {
        config.freshness.automatic()
    } else {
        config.freshness.manual()
    }
}

/// Test statuses that are results of a test, and so can go stale.
pub(crate) fn has_result(status: TestStatus) -> bool {
    status == TestStatus::Passed || status.is_failed() || status == TestStatus::PartiallyTested
}

/// Whether the test result is older than its `valid-for` on `today`.
pub(crate) fn is_stale(config: &Config, action: &Action, state: &ActionState, today: Date) -> bool {
    has_result(state.test.status)
        && state.test.date.is_some_and(|date| valid_for(config, action, state).expired(date, today))
}

/// The age of a test result in days on `today`.
pub(crate) fn age_days(state: &ActionState, today: Date) -> Option<i64> {
    let date = state.test.date.filter(|_| has_result(state.test.status))?;
    Some(i64::from((today.0 - date.0).get_days()).max(0))
}

/// `*` (any run of characters) and `?` (one character) wildcards.
pub(crate) fn wildcard(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// One test to run: an action in an assessment, with the other members of its group that list
/// the action (they share its state).
#[derive(Clone, Debug)]
pub(crate) struct Unit<'w> {
    pub action: &'w Action,
    pub automation: &'w ActionAutomation,
    /// Sorted; the first one names the unit when it has no group.
    pub assessments: Vec<AssessmentId>,
    /// The group, or the assessment: names the output file.
    pub key: String,
    pub env: Vec<(String, OsString)>,
}

/// An automatic pair that was not tested, and why.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct Skipped {
    pub assessments: Vec<String>,
    pub action: String,
    /// Why, as a word to group by.
    pub kind: SkipKind,
    /// Why, in words.
    pub reason: String,
}

/// What to test: the automatic actions of the assessments (all, or `only_assessments`),
/// restricted to `only_actions` when given; with `stale_only`, those without a current result.
pub(crate) fn plan<'w>(
    ws: &'w Workspace,
    only_actions: &[ActionId],
    only_assessments: &[AssessmentId],
    stale_only: bool,
    today: Date,
    root: &Path,
) -> (Vec<Unit<'w>>, Vec<Skipped>) {
    let mut seen = std::collections::BTreeSet::new();
    let (mut units, mut skipped) = (Vec::new(), Vec::new());
    for (id, entry) in &ws.assessments {
        if !only_assessments.is_empty() && !only_assessments.contains(id) {
            continue;
        }
        for (action_id, action) in ws.actions_of(&entry.assessment) {
            if action.testing != Testing::Automatic
                || (!only_actions.is_empty() && !only_actions.contains(action_id))
            {
                continue;
            }
            let group = entry.assessment.group.as_ref().map(|g| g.as_str());
            let members: Vec<AssessmentId> = match group {
                Some(g) => ws
                    .assessments
                    .iter()
                    .filter(|(_, e)| {
                        e.assessment.group.as_ref().is_some_and(|mg| mg.as_str() == g)
                            && ws
                                .template_of(&e.assessment)
                                .is_some_and(|t| t.lists_action(action_id.as_str()))
                    })
                    .map(|(m, _)| m.clone())
                    .collect(),
                None => vec![id.clone()],
            };
            let key = group.map(|g| format!("group-{g}")).unwrap_or_else(|| id.to_string());
            if !seen.insert((key.clone(), action_id.clone())) {
                continue;
            }
            let skip = |kind: SkipKind, reason: String| Skipped {
                assessments: members.iter().map(ToString::to_string).collect(),
                action: action_id.to_string(),
                kind,
                reason,
            };
            let Some(automation) = action.automation.as_ref().filter(|a| a.has_source()) else {
                skipped.push(skip(SkipKind::NoAutomation, format!("{NO_SOURCE} in its definition")));
                continue;
            };
            if !ws.config.automation.covers(action_id.as_str()) {
                skipped.push(skip(
                    SkipKind::AutomationOff,
                    "automatic testing is off for it (`[automation]` of evident.toml)".to_owned(),
                ));
                continue;
            }
            let states: Vec<_> = members.iter().map(|m| (m, ws.state(m, action_id))).collect();
            if let Some((m, _)) = states.iter().find(|(_, s)| s.testing == Some(Testing::Manual)) {
                skipped
                    .push(skip(SkipKind::SwitchedToManual, format!("switched to manual testing in `{m}`")));
                continue;
            }
            if stale_only
                && states.iter().all(|(_, s)| {
                    has_result(s.test.status)
                        && s.test.date.is_some()
                        && !is_stale(&ws.config, action, s, today)
                })
            {
                skipped.push(skip(SkipKind::Current, "its result is still current".to_owned()));
                continue;
            }
            let env = environment(ws, &members, action_id, root);
            units.push(Unit { action, automation, assessments: members, key, env });
        }
    }
    // By action, then assessments: the order the summary lists them in.
    units.sort_by(|a, b| (&a.action.id, &a.assessments).cmp(&(&b.action.id, &b.assessments)));
    skipped.sort_by(|a, b| (&a.action, &a.assessments).cmp(&(&b.action, &b.assessments)));
    (units, skipped)
}

/// The cleared environment of a check: `PATH`, `HOME`, the `EVIDENT_*` variables, the
/// assessments' `[automation] env` and the variables evident.toml passes on. Values from
/// evident's own environment pass as they are, UTF-8 or not.
fn environment(
    ws: &Workspace,
    members: &[AssessmentId],
    action: &ActionId,
    root: &Path,
) -> Vec<(String, OsString)> {
    let mut env: std::collections::BTreeMap<String, OsString> = std::collections::BTreeMap::new();
    if let Some(v) = std::env::var_os("HOME") {
        env.insert("HOME".to_owned(), v);
    }
    if let Some(path) = std::env::var_os("PATH").and_then(|p| outside_path(&p, root)) {
        env.insert("PATH".to_owned(), path);
    }
    for key in &ws.config.automation.pass_env {
        if let Some(v) = std::env::var_os(key) {
            env.insert(key.clone(), v);
        }
    }
    // The first member's value wins where members disagree.
    for m in members.iter().rev() {
        if let Some(auto) = ws.assessments.get(m).and_then(|e| e.assessment.automation.as_ref()) {
            for (k, v) in &auto.env {
                env.insert(k.clone(), v.into());
            }
        }
    }
    env.insert("EVIDENT_REPO".to_owned(), root.as_os_str().to_owned());
    let ids: Vec<String> = members.iter().map(ToString::to_string).collect();
    env.insert("EVIDENT_ASSESSMENT".to_owned(), ids.first().cloned().unwrap_or_default().into());
    env.insert("EVIDENT_ASSESSMENTS".to_owned(), ids.join(" ").into());
    env.insert("EVIDENT_ACTION".to_owned(), action.to_string().into());
    env.into_iter().collect()
}

/// `PATH` without the entries that are relative (an empty entry or `.` is the working
/// directory, the repository root) or inside the repository: a file the repository adds,
/// such as `python3` at its root, must not be able to take the place of the program `run`
/// names, since only changes to the files `run` names need an admin.
fn outside_path(path: &std::ffi::OsStr, root: &Path) -> Option<OsString> {
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let kept: Vec<std::path::PathBuf> = std::env::split_paths(path)
        .filter(|p| p.is_absolute())
        .filter(|p| {
            let real = p.canonicalize().unwrap_or_else(|_| p.clone());
            !real.starts_with(&real_root) && !p.starts_with(root)
        })
        .collect();
    std::env::join_paths(kept).ok()
}

/// How a test ended, as the summary counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Kind {
    Passed,
    Failed,
    CouldNotBeDetected,
}

/// The result of one unit's test.
#[derive(Clone, Debug)]
pub(crate) struct Outcome {
    pub kind: Kind,
    pub status: TestStatus,
    /// The test notes: what ran and how it ended.
    pub notes: String,
    /// The evidence text: the command, its status and its output.
    pub output: Vec<u8>,
    pub duration: StdDuration,
    /// Why a result file could not be read, with its position.
    pub problem: Option<Diagnostic>,
    /// The result file's text, for the problem's snippet.
    pub source: Option<(String, String)>,
}

/// Runs a unit's program, or reads its result file.
pub(crate) fn run_unit(unit: &Unit<'_>, root: &Path) -> Outcome {
    let auto = unit.automation;
    let on_fail = auto.on_fail();
    if let Some(argv) = &auto.run {
        let ran = process::run(argv, root, &unit.env, auto.timeout().as_std());
        let command = shell_words(argv);
        let secs = format!("{:.1} s", ran.duration.as_secs_f64());
        let (kind, status, how) = match &ran.exit {
            process::Exit::Code(0) => (Kind::Passed, TestStatus::Passed, format!("exited 0 after {secs}")),
            process::Exit::Code(1) => (Kind::Failed, on_fail, format!("exited 1 after {secs}")),
            process::Exit::Code(c) => {
                (Kind::CouldNotBeDetected, TestStatus::CouldNotBeDetected, format!("exited {c} after {secs}"))
            }
            process::Exit::Signal(s) => (
                Kind::CouldNotBeDetected,
                TestStatus::CouldNotBeDetected,
                format!("was ended by signal {s} after {secs}"),
            ),
            process::Exit::TimedOut => (
                Kind::CouldNotBeDetected,
                TestStatus::CouldNotBeDetected,
                format!("was killed at its timeout of {}", auto.timeout()),
            ),
            process::Exit::NotStarted(why) => {
                (Kind::CouldNotBeDetected, TestStatus::CouldNotBeDetected, format!("could not start: {why}"))
            }
        };
        let mut output = format!("$ {command}\n# {how}\n\n").into_bytes();
        output.extend_from_slice(&ran.output);
        if ran.dropped > 0 {
            output.extend_from_slice(
                format!("\n# … {} more bytes of output were not kept\n", ran.dropped).as_bytes(),
            );
        }
        return Outcome {
            kind,
            status,
            notes: format!("evident test: `{command}` {how}."),
            output,
            duration: ran.duration,
            problem: None,
            source: None,
        };
    }
    let start = std::time::Instant::now();
    let (what, file, patterns): (&str, &str, &[String]) = match (&auto.junit, &auto.sarif) {
        (Some(j), _) => ("JUnit report", j.file.as_str(), j.cases.as_slice()),
        (None, Some(s)) => ("SARIF log", s.file.as_str(), s.rules.as_slice()),
        // `plan` only makes units of actions with a source.
        (None, None) => ("result file", "", &[]),
    };
    let undetected = |why: String, problem: Option<Diagnostic>, source: Option<(String, String)>| Outcome {
        kind: Kind::CouldNotBeDetected,
        status: TestStatus::CouldNotBeDetected,
        notes: format!("evident test: {what} `{file}`: {why}."),
        output: format!("# {what} {file}\n# {why}\n").into_bytes(),
        duration: start.elapsed(),
        problem,
        source,
    };
    let bytes = match results::read_file(root, file) {
        Ok(bytes) => bytes,
        Err(why) => return undetected(why, None, None),
    };
    let verdict = if auto.junit.is_some() {
        results::junit(&bytes, patterns)
    } else {
        results::sarif(&bytes, patterns)
    };
    let sha = crate::checks::evidence::sha256_bytes(&bytes);
    match verdict {
        Err(m) => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let mut d = Diagnostic::new(Code::ResultFileMalformed, format!("{what} `{file}`: {}", m.message));
            d = match m.offset {
                Some(o) => d.at(file.to_owned(), o.min(text.len())..o.min(text.len())),
                None => d.in_file(file.to_owned()),
            };
            let d = d.hint(format!(
                "`{}` is recorded as could-not-be-detected until the file reads",
                unit.action.id
            ));
            undetected(m.message.clone(), Some(d), Some((file.to_owned(), text)))
        }
        Ok(results::FileVerdict::NoMatch(why)) => undetected(why, None, None),
        Ok(results::FileVerdict::Passed { matched }) => {
            let how = if auto.junit.is_some() {
                format!("{matched} matching test case(s) passed")
            } else {
                format!("no finding for the {matched} matching rule(s)")
            };
            Outcome {
                kind: Kind::Passed,
                status: TestStatus::Passed,
                notes: format!("evident test: {what} `{file}`: {how}."),
                output: format!("# {what} {file} (sha256 {sha})\n# {how}\n").into_bytes(),
                duration: start.elapsed(),
                problem: None,
                source: None,
            }
        }
        Ok(results::FileVerdict::Failed { failed, matched }) => {
            let how = if auto.junit.is_some() {
                format!("{} of {matched} matching test case(s) failed", failed.len())
            } else {
                format!("{} finding(s)", failed.len())
            };
            let mut output = format!("# {what} {file} (sha256 {sha})\n# {how}\n").into_bytes();
            for f in &failed {
                output.extend_from_slice(format!("{f}\n").as_bytes());
            }
            Outcome {
                kind: Kind::Failed,
                status: on_fail,
                notes: format!("evident test: {what} `{file}`: {how}: {}.", abbreviate(&failed)),
                output,
                duration: start.elapsed(),
                problem: None,
                source: None,
            }
        }
    }
}

/// The first few items, and how many more.
fn abbreviate(items: &[String]) -> String {
    let shown: Vec<&str> = items.iter().take(5).map(String::as_str).collect();
    match items.len() {
        n if n > 5 => format!("{} and {} more", shown.join(", "), n - 5),
        _ => shown.join(", "),
    }
}

/// The argument list as one would type it (quoted where needed), for notes and output.
fn shell_words(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            if !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c)) {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The state file paths of a unit, for messages.
pub(crate) fn unit_files(unit: &Unit<'_>) -> Vec<String> {
    unit.assessments.iter().map(|a| state_path(a.as_str(), unit.action.id.as_str())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("sshd-*", "sshd-root"));
        assert!(wildcard("*", ""));
        assert!(wildcard("CKV_AWS_2?", "CKV_AWS_20"));
        assert!(!wildcard("CKV_AWS_2?", "CKV_AWS_200"));
        assert!(wildcard("a*b*c", "axxbyyc"));
        assert!(!wildcard("a*b", "axxc"));
    }
}

/// Runs every unit, at most `jobs` at a time, calling `tick` as each one ends; the outcomes
/// are in the order of `units`.
pub(crate) fn run_all(
    units: &[Unit<'_>],
    root: &Path,
    jobs: usize,
    tick: &(dyn Fn() + Sync),
) -> Vec<Outcome> {
    use rayon::prelude::*;
    let one = |u: &Unit<'_>| {
        let outcome = run_unit(u, root);
        tick();
        outcome
    };
    match rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build() {
        Ok(pool) => pool.install(|| units.par_iter().map(one).collect()),
        Err(_) => units.iter().map(one).collect(),
    }
}

/// One unit's line of the summary.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct UnitResult {
    pub action: String,
    pub assessments: Vec<String>,
    pub result: Kind,
    /// The test status recorded.
    pub status: TestStatus,
    /// The test status before (of the first assessment).
    pub previous: TestStatus,
    pub notes: String,
    pub duration_ms: u64,
}

/// What `evident test` did.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub could_not_be_detected: usize,
    pub skipped: usize,
    pub duration_ms: u64,
    /// Whether the results were written (not a dry run, not refused).
    pub written: bool,
    pub results: Vec<UnitResult>,
    pub skipped_tests: Vec<Skipped>,
}

impl Summary {
    pub(crate) fn new(
        ws: &Workspace,
        units: &[Unit<'_>],
        outcomes: &[Outcome],
        skipped: Vec<Skipped>,
        duration: StdDuration,
    ) -> Summary {
        let results: Vec<UnitResult> = units
            .iter()
            .zip(outcomes)
            .map(|(u, o)| UnitResult {
                action: u.action.id.to_string(),
                assessments: u.assessments.iter().map(ToString::to_string).collect(),
                result: o.kind,
                status: o.status,
                previous: u
                    .assessments
                    .first()
                    .map(|a| ws.state(a, &u.action.id).test.status)
                    .unwrap_or_default(),
                notes: o.notes.clone(),
                duration_ms: o.duration.as_millis() as u64,
            })
            .collect();
        let count = |k: Kind| results.iter().filter(|r| r.result == k).count();
        Summary {
            passed: count(Kind::Passed),
            failed: count(Kind::Failed),
            could_not_be_detected: count(Kind::CouldNotBeDetected),
            skipped: skipped.len(),
            duration_ms: duration.as_millis() as u64,
            written: false,
            results,
            skipped_tests: skipped,
        }
    }
}
