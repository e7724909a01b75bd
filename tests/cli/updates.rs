//! Pending updates on a real git history: a deferred update is scored on the
//! accepted definition (read from history), `evident updates` shows the
//! change and its score effect, and `evident accept` accepts group-wide.
//!
//! The repository is `check::grouped()` (group privacy): gdpr-2026 lists mfa
//! and logs, ccpa-2026 lists mfa and backup. mfa is mandatory preventative
//! (27 points) at version 1; version 2 makes it discretionary (9 points).

use serde_json::Value;

use crate::check::{ANA, CY, grouped};
use crate::support::{TestRepo, action_toml, state_toml, template_toml};

fn accepted(version: u32, text: &str) -> String {
    format!("accepted_version = {version}\n{text}")
}

/// mfa passed in both assessments at version 1, then version 2 is committed.
fn deferred() -> TestRepo {
    let (repo, _) = grouped();
    repo.set_both("mfa", &accepted(1, &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"])));
    repo.commit(CY, "Test MFA");
    let v2 =
        action_toml("mfa", "control-access", "preventative", false).replace("version = 1", "version = 2");
    repo.write("actions/mfa.toml", v2);
    repo.commit(ANA, "MFA becomes discretionary");
    repo
}

fn scores(repo: &TestRepo) -> (Value, Vec<(String, u64, u64)>) {
    let run = repo.run(&["score", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let json = run.json();
    let rows = json["assessments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (a["id"].as_str().unwrap().to_owned(), a["earned"].as_u64().unwrap(), a["max"].as_u64().unwrap())
        })
        .collect();
    (json["overall"].clone(), rows)
}

fn pair(v: &Value) -> (u64, u64) {
    (v["earned"].as_u64().unwrap(), v["max"].as_u64().unwrap())
}

#[test]
fn a_deferred_update_is_scored_on_the_accepted_definition() {
    let repo = deferred();
    // Still version 1: gdpr-2026 mfa 27 + logs 1 = 28/28; ccpa-2026 mfa 27 of 27 + backup 3 = 27/30;
    // overall mfa 27 + logs 1 + backup 3 = 28/31.
    let (overall, rows) = scores(&repo);
    assert_eq!(pair(&overall), (28, 31));
    assert_eq!(rows, [("ccpa-2026".into(), 27, 30), ("gdpr-2026".into(), 28, 28)]);

    // The unaccepted bump costs no score, so a change gate does not fail on it.
    let gate = repo.run(&["check", "--base", "HEAD~1", "--format", "json"]);
    assert_eq!(gate.code, 0, "{}", gate.all());

    // `check` warns (E0312) but passes.
    let check = repo.run(&["check", "--format", "json"]);
    assert_eq!(check.code, 0, "{}", check.all());
    let json = check.json();
    let codes: Vec<&str> =
        json["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["E0312", "E0312"]);

    // What accepting would do: mfa is worth 9. gdpr-2026 9 + 1 = 10/10; ccpa-2026 9/12;
    // overall (accepted in both, as a group) 9 + 1 + 3 = 10/13.
    let run = repo.run(&["updates", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    crate::output_schemas::assert_conforms("updates", &run.json());
    let updates = run.json()["updates"].as_array().unwrap().clone();
    assert_eq!(updates.len(), 2);
    let ccpa = &updates[0];
    assert_eq!(ccpa["assessment"], "ccpa-2026");
    assert_eq!((ccpa["kind"].as_str().unwrap(), ccpa["id"].as_str().unwrap()), ("action", "mfa"));
    assert_eq!((ccpa["accepted"].as_u64(), ccpa["current"].as_u64()), (Some(1), Some(2)));
    assert_eq!(ccpa["accepted_with"], serde_json::json!(["ccpa-2026", "gdpr-2026"]));
    assert_eq!(pair(&ccpa["score_now"]), (27, 30));
    assert_eq!(pair(&ccpa["score_accepted"]), (9, 12));
    assert_eq!(pair(&ccpa["overall_accepted"]), (10, 13));
    let changes = &ccpa["action_changes"]["changes"];
    assert_eq!(changes["mandatory"], serde_json::json!({"before": true, "after": false}));
    assert_eq!(changes["points"], serde_json::json!({"before": 27, "after": 9}));
    assert_eq!(pair(&updates[1]["score_accepted"]), (10, 10));

    // `list` and `score` say so.
    let list = repo.run(&["list", "actions"]);
    assert!(list.stdout.contains("Action mfa [update pending]"), "{}", list.all());
    let list = repo.run(&["list", "actions", "--format", "json"]).json();
    let mfa = list.as_array().unwrap().iter().find(|a| a["id"] == "mfa").unwrap().clone();
    assert_eq!(mfa["points"], 27, "scored on version 1");
    assert!(mfa["assessments"].as_array().unwrap().iter().all(|a| a["pending_update"] == true));
    let score = repo.run(&["score"]);
    assert!(score.stderr.contains("2 updates pending"), "{}", score.all());
    let out = repo.path().join("_md");
    let run = repo.run(&["report", "--format", "md", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("| Assessment gdpr-2026 (update pending) |"), "{md}");

    let text = repo.run(&["updates"]);
    crate::support::settings_for(&repo).bind(|| insta::assert_snapshot!("updates_text", text.all()));
}

#[test]
fn accept_is_group_wide_and_keeps_the_files_as_written() {
    let repo = deferred();
    let before = repo.read("assessments/ccpa-2026/mfa.toml");
    let dry = repo.run(&["accept", "mfa", "--assessment", "gdpr-2026", "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.all());
    assert_eq!(repo.read("assessments/ccpa-2026/mfa.toml"), before, "a dry run writes nothing");
    let run = repo.run(&["accept", "mfa", "--assessment", "gdpr-2026"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("ccpa-2026/mfa.toml: accepted version 1 → 2"), "{}", run.all());
    // Only the version line changed.
    assert_eq!(
        repo.read("assessments/ccpa-2026/mfa.toml"),
        before.replace("accepted_version = 1", "accepted_version = 2")
    );
    let (overall, rows) = scores(&repo);
    assert_eq!(pair(&overall), (10, 13));
    assert_eq!(rows, [("ccpa-2026".into(), 9, 12), ("gdpr-2026".into(), 10, 10)]);
    let updates = repo.run(&["updates", "--format", "json"]).json();
    assert_eq!(updates["updates"], serde_json::json!([]));
    // A state file that does not load could hide a pending update: refused, nothing written.
    let broken = repo.read("assessments/gdpr-2026/logs.toml");
    repo.write("assessments/gdpr-2026/logs.toml", format!("{broken}x = [\n"));
    let run = repo.run(&["accept", "--all"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("assessments/gdpr-2026/logs.toml:"), "{}", run.all());
    repo.write("assessments/gdpr-2026/logs.toml", &broken);
    // Accepting again has nothing to accept, as `accept --all` says.
    let again = repo.run(&["accept", "mfa"]);
    assert_eq!(again.code, 0, "{}", again.all());
    assert!(again.stderr.contains("Nothing to accept: `mfa` has no pending update\n"), "{}", again.all());
    let all = repo.run(&["accept", "--all"]);
    assert_eq!(all.code, 0, "{}", all.all());
    assert!(all.stderr.contains("Nothing to accept"), "{}", all.all());
}

#[test]
fn a_template_update_is_deferred_until_accepted() {
    let (repo, _) = grouped();
    // ccpa version 2 drops backup from its control: until accepted, ccpa-2026 still counts it.
    let v2 = template_toml("ccpa", &[("1798.150", &["mfa"])]).replace("version = 1", "version = 2");
    repo.write("templates/ccpa.toml", v2);
    repo.commit(ANA, "CCPA template v2");
    let (_, rows) = scores(&repo);
    assert_eq!(rows[0], ("ccpa-2026".into(), 0, 30), "mfa 27 + backup 3, as in version 1");
    let updates = repo.run(&["updates", "--format", "json"]).json();
    let t = &updates["updates"][0];
    assert_eq!((t["kind"].as_str(), t["id"].as_str()), (Some("template"), Some("ccpa")));
    assert_eq!(t["template_changes"]["controls"][0]["actions_removed"], serde_json::json!(["backup"]));
    // backup's state file would belong to no listed action: accept refuses and says what to do.
    let run = repo.run(&["accept", "--template", "--assessment", "ccpa-2026"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("git rm assessments/ccpa-2026/backup.toml"), "{}", run.all());
    assert!(repo.read("assessments/ccpa-2026/assessment.toml").contains("template_version = 1\n"));
    repo.remove("assessments/ccpa-2026/backup.toml");
    // CRLF and a byte-order mark survive; only the version line changes.
    let path = "assessments/ccpa-2026/assessment.toml";
    let crlf = format!("\u{feff}{}", repo.read(path).replace('\n', "\r\n"));
    repo.write(path, &crlf);
    let run = repo.run(&["accept", "--template", "--assessment", "ccpa-2026"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(repo.read(path), crlf.replace("template_version = 1", "template_version = 2"));
    let (_, rows) = scores(&repo);
    assert_eq!(rows[0], ("ccpa-2026".into(), 0, 27));
}

#[test]
fn an_accepted_version_missing_from_history_is_scored_on_the_current_one() {
    let repo = deferred();
    // Rewrite history so that version 1 of mfa was never committed.
    repo.git(&["checkout", "-q", "--orphan", "fresh"]);
    repo.commit(ANA, "Squashed");
    let run = repo.run(&["score", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stderr.contains("version 1 (accepted by `ccpa-2026`) is not in the git history"),
        "{}",
        run.all()
    );
    assert_eq!(pair(&run.json()["overall"]), (10, 13));
}

#[test]
fn overall_scores_do_not_depend_on_which_assessment_accepted_first() {
    // mfa counts once overall, with the highest points among the versions in force (27 while
    // either assessment is on version 1): 27 + logs 1 + backup 3 = 28/31 either way.
    let mut overall = Vec::new();
    for first in ["gdpr-2026", "ccpa-2026"] {
        let repo = deferred();
        let run = repo.run(&["accept", "mfa", "--assessment", first]);
        assert_eq!(run.code, 0, "{}", run.all());
        // Groups accept together; undo the other half to get assessments on different versions.
        let other = if first == "gdpr-2026" { "ccpa-2026" } else { "gdpr-2026" };
        repo.git(&["checkout", "-q", "--", &format!("assessments/{other}/mfa.toml")]);
        let (o, _) = scores(&repo);
        overall.push(pair(&o));
    }
    assert_eq!(overall, [(28, 31), (28, 31)]);
}

#[test]
fn an_accepted_version_on_a_merged_branch_is_found() {
    let (repo, _) = grouped();
    repo.set_both("mfa", &accepted(1, &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"])));
    repo.commit(CY, "Test MFA");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let v2 =
        action_toml("mfa", "control-access", "preventative", false).replace("version = 1", "version = 2");
    repo.write("actions/mfa.toml", v2);
    repo.commit(ANA, "MFA v2");
    repo.set_both("mfa", &accepted(2, &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"])));
    repo.commit(ANA, "Accept MFA v2");
    let v3 = action_toml("mfa", "control-access", "detective", true).replace("version = 1", "version = 3");
    repo.write("actions/mfa.toml", v3);
    repo.commit(ANA, "MFA v3");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&[
        "-c",
        "user.name=Ana",
        "-c",
        "user.email=ana@example.com",
        "merge",
        "-q",
        "--no-ff",
        "feature",
        "-m",
        "Merge feature",
    ]);
    // Both assessments accepted v2 (9 points) on the branch; v3 (3 points) is pending.
    let run = repo.run(&["score", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(!run.stderr.contains("not in the git history"), "{}", run.all());
    assert_eq!(pair(&run.json()["overall"]), (10, 13));
}
