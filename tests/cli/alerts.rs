//! `evident alerts` over real git ranges: each policy fires exactly for the
//! changes it watches, score alerts compare the range's ends exactly, and
//! policies that cannot work are refused.
//!
//! The repository is `check::grouped()`: gdpr-2026 lists mfa (27) and logs
//! (1, passed); ccpa-2026 lists mfa and backup (3). At the base: gdpr-2026
//! 1/28, ccpa-2026 0/30, overall 1/31.

use serde_json::Value;

use crate::check::{ANA, BOB, CY, grouped};
use crate::support::{TestRepo, state_toml};

const POLICIES: &str = r##"
[[alerts]]
id = "failed-tests"
on = "test-status"
to = ["failed-low", "failed-medium", "failed-high"]
notify = ["#compliance", "security@example.com"]

[[alerts]]
id = "ccpa-implementation"
on = "implementation-status"
assessments = ["ccpa-2026"]

[[alerts]]
id = "bob-tests"
on = "test-status"
owners = ["bob@example.com"]

[[alerts]]
id = "access-tests"
on = "test-status"
categories = ["control-access"]

[[alerts]]
id = "mfa-passed"
on = "test-status"
actions = ["mfa"]
to = ["passed"]

[[alerts]]
id = "overall-up"
on = "score-increase"

[[alerts]]
id = "gdpr-drop-3.5"
on = "score-decrease"
threshold = 3.5
assessments = ["gdpr-2026"]

[[alerts]]
id = "gdpr-drop-3.6"
on = "score-decrease"
threshold = 3.6
assessments = ["gdpr-2026"]
"##;

/// The story: Bob implements mfa, Cy passes it, Cy fails logs, Ana takes backup.
/// Returns the repository, the first commit and the commit after mfa passed.
fn story() -> (TestRepo, String, String) {
    let (repo, base) = grouped();
    let config = repo.read("evident.toml");
    repo.write("evident.toml", format!("{config}{POLICIES}"));
    repo.commit(ANA, "Alert policies");
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "none", &[]));
    repo.commit(BOB, "Enforce MFA");
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    let passed = repo.commit(CY, "Test MFA");
    repo.write("assessments/gdpr-2026/logs.toml", state_toml(Some(ANA), "implemented", "failed-low", &[]));
    repo.commit(CY, "SIEM export is incomplete");
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(Some(ANA), "not-implemented", "none", &[]));
    repo.commit(ANA, "Take backup");
    (repo, base, passed)
}

fn alerts(repo: &TestRepo, base: &str) -> Value {
    let run = repo.run(&["alerts", "--base", base, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let json = run.json();
    crate::output_schemas::assert_conforms("alerts", &json);
    json
}

/// `id: assessment action before→after by author` for each status event of each fired alert.
fn fired(json: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for alert in json["alerts"].as_array().unwrap() {
        for e in alert["events"].as_array().unwrap() {
            out.push(match e["kind"].as_str().unwrap() {
                "status" => format!(
                    "{}: {} {} {}→{} by {}",
                    alert["id"].as_str().unwrap(),
                    e["assessment"].as_str().unwrap(),
                    e["action"].as_str().unwrap(),
                    e["before"].as_str().unwrap(),
                    e["after"].as_str().unwrap(),
                    e["author_email"].as_str().unwrap()
                ),
                _ => format!(
                    "{}: {} {} {}/{}→{}/{}",
                    alert["id"].as_str().unwrap(),
                    e["scope"].as_str().unwrap(),
                    e["id"].as_str().unwrap_or("-"),
                    e["before"]["earned"],
                    e["before"]["max"],
                    e["after"]["earned"],
                    e["after"]["max"]
                ),
            });
        }
    }
    out
}

#[test]
fn each_policy_fires_for_what_it_watches() {
    let (repo, base, _) = story();
    let json = alerts(&repo, &base);
    assert_eq!(json["commits"], 5);
    assert_eq!(
        fired(&json),
        [
            // Only the failure; the passes are not in `to`.
            "failed-tests: gdpr-2026 logs passed→failed-low by cy@example.com",
            // Only ccpa-2026's half of the group change.
            "ccpa-implementation: ccpa-2026 mfa planned→implemented by bob@example.com",
            // bob-tests: Bob owns nothing, so it does not fire at all.
            // logs is discover-and-respond: only mfa's test changes are control-access.
            "access-tests: ccpa-2026 mfa none→passed by cy@example.com",
            "access-tests: gdpr-2026 mfa none→passed by cy@example.com",
            "mfa-passed: ccpa-2026 mfa none→passed by cy@example.com",
            "mfa-passed: gdpr-2026 mfa none→passed by cy@example.com",
            // Overall 1/31 → 27/31 (mfa earns in both, logs no longer earns).
            "overall-up: overall - 1/31→27/31",
            // gdpr-2026 rose (1/28 → 27/28): the decrease alerts stay quiet.
        ]
    );
    let first = &json["alerts"][0];
    assert_eq!(first["notify"], serde_json::json!(["#compliance", "security@example.com"]));
    assert_eq!(first["on"], "test-status");
    assert_eq!(first["events"][0]["title"], "Action logs");
    assert_eq!(first["events"][0]["owner"], ANA);
}

#[test]
fn score_thresholds_are_exact() {
    let (repo, _, passed) = story();
    // From "mfa passed" (gdpr-2026 28/28) to HEAD (27/28): a drop of 100/28 = 3.571 points.
    let json = alerts(&repo, &passed);
    let events = fired(&json);
    assert!(events.contains(&"gdpr-drop-3.5: assessment gdpr-2026 28/28→27/28".to_owned()), "{events:?}");
    assert!(!events.iter().any(|e| e.starts_with("gdpr-drop-3.6")), "{events:?}");
    assert!(!events.iter().any(|e| e.starts_with("overall-up")), "{events:?}");
}

#[test]
fn text_and_markdown_for_people() {
    let (repo, base, _) = story();
    let settings = {
        let mut s = crate::support::settings_for(&repo);
        s.add_filter(r"\b[0-9a-f]{40}\b", "[COMMIT]");
        s.add_filter(r"\b[0-9a-f]{7}\b", "[SHORT]");
        s
    };
    let text = repo.run(&["alerts", "--base", &base]);
    let md = repo.run(&["alerts", "--base", &base, "--format", "md"]);
    settings.bind(|| {
        insta::assert_snapshot!("alerts_text", text.all());
        insta::assert_snapshot!("alerts_markdown", md.all());
    });
}

#[test]
fn exit_code_says_whether_anything_fired() {
    let (repo, base, _) = story();
    assert_eq!(repo.run(&["alerts", "--base", &base, "--exit-code"]).code, 1);
    let head = repo.git(&["rev-parse", "HEAD"]);
    let quiet = repo.run(&["alerts", "--base", &head, "--exit-code"]);
    assert_eq!(quiet.code, 0, "{}", quiet.all());
    assert!(quiet.stdout.starts_with("no alerts fired in"), "{}", quiet.all());
}

#[test]
fn without_policies_it_says_how_to_write_one() {
    let (repo, base) = grouped();
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "none", &[]));
    repo.commit(BOB, "Enforce MFA");
    let run = repo.run(&["alerts", "--base", &base]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("no `[[alerts]]` policies"), "{}", run.all());
}

#[test]
fn unknown_base_is_a_usage_error() {
    let (repo, _) = grouped();
    let run = repo.run(&["alerts", "--base", "no-such-branch"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("no-such-branch"), "{}", run.all());
}

#[test]
fn policies_that_cannot_work_are_refused() {
    let (repo, base) = grouped();
    let config = repo.read("evident.toml");
    repo.write(
        "evident.toml",
        format!(
            "{config}{}",
            r#"
[[alerts]]
id = "tests"
on = "test-status"
to = ["pased"]
threshold = 2.0

[[alerts]]
id = "tests"
on = "score-decrease"
to = ["passed"]
actions = ["mfa"]
assessments = ["gdpr-2025"]
owners = ["dan@example.com"]
"#
        ),
    );
    let run = repo.run(&["alerts", "--base", &base]);
    assert_eq!(run.code, 1, "{}", run.all());
    let validate = repo.run(&["validate"]);
    crate::support::settings_for(&repo).bind(|| insta::assert_snapshot!("alerts_invalid", validate.all()));
}

#[test]
fn a_file_broken_for_a_while_is_not_a_status_change() {
    let (repo, base, _) = story();
    let path = "assessments/gdpr-2026/logs.toml";
    let good = repo.read(path);
    repo.write(path, good.replace("status = \"failed-low\"", "status = failed-low"));
    repo.commit(ANA, "Oops");
    repo.write(path, &good);
    repo.commit(ANA, "Fix");
    let events = fired(&alerts(&repo, &base));
    let logs: Vec<&String> = events.iter().filter(|e| e.contains(" logs ")).collect();
    assert_eq!(logs, ["failed-tests: gdpr-2026 logs passed→failed-low by cy@example.com"]);
}

#[test]
fn a_base_that_moved_on_is_compared_at_the_merge_base() {
    let (repo, base, _) = story();
    let head = repo.git(&["rev-parse", "HEAD"]);
    // Main moves on after the branch left it: everything passes there.
    repo.git(&["checkout", "-q", "-b", "other", &base]);
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(Some(ANA), "implemented", "none", &[]));
    repo.commit(BOB, "Elsewhere");
    repo.git(&["checkout", "-q", &head]);
    let run = repo.run(&["alerts", "--base", "other", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("not an ancestor of HEAD"), "{}", run.all());
    // The same as against the real base: the branch's own changes.
    assert_eq!(fired(&run.json()), fired(&alerts(&repo, &base)));
}
