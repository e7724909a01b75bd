//! `evident test` on the command line: which actions it refuses, why it skips, in what order.

use crate::automation::{auto_action, repo_with};
use crate::output_schemas::assert_conforms;
use crate::support::*;

/// An automatic action with no `[automation]` table.
fn bare_automatic(id: &str) -> String {
    action_toml(id, "control-access", "preventative", true).replace("\"manual\"", "\"automatic\"")
}

#[test]
fn naming_a_manual_action_is_an_error_that_says_why() {
    let repo = repo_with(&[("tls", "run = [\"true\"]")]);
    repo.add_action("reviews", "control-access", "preventative", true);
    repo.add_template("t", &[("c1", &["tls", "reviews"])]);
    let run = repo.run(&["test", "reviews"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("`reviews` is a manual action"), "{}", run.stderr);
    assert!(run.stderr.contains("evident set reviews --test"), "{}", run.stderr);
}

#[test]
fn naming_an_action_with_nothing_to_run_is_an_error_that_says_why() {
    let repo = repo_with(&[("tls", "run = [\"true\"]")]);
    repo.write("actions/scan.toml", bare_automatic("scan"));
    repo.add_template("t", &[("c1", &["tls", "scan"])]);
    let run = repo.run(&["test", "scan"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("has no `[automation]` run, junit or sarif"), "{}", run.stderr);
    assert!(run.stderr.contains("actions/scan.toml"), "{}", run.stderr);
}

#[test]
fn naming_an_action_the_assessment_does_not_list_is_an_error() {
    let repo = repo_with(&[("tls", "run = [\"true\"]")]);
    repo.write("actions/other.toml", auto_action("other", "run = [\"true\"]"));
    repo.add_template("u", &[("c1", &["other"])]);
    repo.add_assessment("a2", "u", None);
    let run = repo.run(&["test", "other", "-a", "a1"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("`other` is not in `a1`"), "{}", run.stderr);
}

#[test]
fn skipped_tests_say_why_in_every_format() {
    let repo = repo_with(&[("tls", "run = [\"true\"]"), ("mfa", "run = [\"true\"]")]);
    repo.write("actions/scan.toml", bare_automatic("scan"));
    repo.add_template("t", &[("c1", &["tls", "mfa", "scan"])]);
    repo.write("evident.toml", "[automation]\nexcept = [\"mfa\"]\n");
    let run = repo.run(&["test", "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains(
            "skipped: 1 test of 1 action with no `[automation]` run, junit or sarif in the action's definition; \
             1 test of 1 action turned off by `[automation]` in evident.toml"
        ),
        "{}",
        run.stdout
    );
    let run = repo.run(&["test", "--dry-run", "--format", "markdown"]);
    assert!(run.stdout.contains("| skipped | `scan` | a1 | | | no"), "{}", run.stdout);
    let run = repo.run(&["test", "--dry-run", "--format", "json"]);
    let json = run.json();
    assert_conforms("test", &json);
    let kinds: Vec<(&str, &str)> = json["skipped_tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["action"].as_str().unwrap(), k["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("mfa", "automation-off"), ("scan", "no-automation")]);
}

#[test]
fn results_are_sorted_by_action_then_assessments() {
    let repo = repo_with(&[("zeta", "run = [\"true\"]"), ("alpha", "run = [\"true\"]")]);
    repo.add_assessment("a0", "t", None);
    let run = repo.run(&["test", "--dry-run", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let rows: Vec<String> = run.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r["action"].as_str().unwrap(), r["assessments"][0].as_str().unwrap()))
        .collect();
    assert_eq!(rows, ["alpha a0", "alpha a1", "zeta a0", "zeta a1"]);
}
