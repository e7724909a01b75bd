//! The history rules cannot be switched off by the changes they judge: each
//! commit is judged by the configuration in force at its parent, in
//! `check --base` and `audit` alike, merges and root commits included.
//!
//! People: ana (admin), bob (neither assessor nor admin), cy (assessor).

use crate::check::{ANA, BOB, CY, administered, grouped};
use crate::support::{Run, TestRepo, state_toml};

fn codes(run: &Run) -> Vec<String> {
    run.json()["diagnostics"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", run.all()))
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

fn messages(run: &Run) -> Vec<String> {
    run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap().to_owned())
        .collect()
}

fn check(repo: &TestRepo, base: &str) -> Run {
    let run = repo.run(&["check", "--base", base, "--format", "json"]);
    crate::output_schemas::assert_conforms("check", &run.json());
    run
}

fn audit(repo: &TestRepo, extra: &[&str]) -> Run {
    let mut args = vec!["audit", "--format", "json"];
    args.extend_from_slice(extra);
    repo.run(&args)
}

/// `git merge -q ARGS` with Bob as the author of the merge commit.
fn merge_as_bob(repo: &TestRepo, args: &[&str]) {
    let mut all = vec!["-c", "user.name=bob", "-c", "user.email=bob@example.com", "merge", "-q"];
    all.extend_from_slice(args);
    repo.git(&all);
}

fn count(codes: &[String], code: &str) -> usize {
    codes.iter().filter(|c| *c == code).count()
}

#[test]
fn rules_switched_off_by_a_non_admin_do_not_apply_to_the_next_commit() {
    let (repo, base) = administered();
    repo.write("evident.toml", repo.read("evident.toml") + "\n[rules]\nassessor-required = \"off\"\n");
    repo.commit(BOB, "Quieter rules");
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    repo.commit(BOB, "MFA done");
    let run = check(&repo, &base);
    let found = codes(&run);
    assert_eq!(count(&found, "E0705"), 1, "{}", run.all());
    assert_eq!(count(&found, "E0702"), 2, "the forged verdict, in both state files: {}", run.all());
    assert!(messages(&run).iter().any(|m| m.starts_with("`[rules]` changed in")), "{}", run.all());
    assert_eq!(run.code, 1);
    // audit: the same, and the first commit (Ana recorded `logs` as passed) too.
    let run = audit(&repo, &[]);
    let found = codes(&run);
    assert_eq!(count(&found, "E0705"), 1, "{}", run.all());
    assert_eq!(count(&found, "E0702"), 3, "{}", run.all());

    // With no admins named anyone may change the settings, but not for the
    // change under review: `check --base` keeps the base's in force.
    let (repo, base) = grouped();
    repo.write("evident.toml", repo.read("evident.toml") + "\n[rules]\nassessor-required = \"off\"\n");
    repo.commit(BOB, "Quieter rules");
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    repo.commit(BOB, "MFA done");
    let run = check(&repo, &base);
    assert_eq!(codes(&run), ["E0702", "E0702"], "{}", run.all());
    assert_eq!(run.code, 1);

    // Raising the threshold or re-weighting the points is an admin change too.
    for table in ["[check]\nmax-score-drop = 100.0\n", "[scoring]\ndiscretionary = { detective = 9 }\n"] {
        let (repo, base) = administered();
        repo.write("evident.toml", repo.read("evident.toml") + "\n" + table);
        repo.commit(BOB, "Settings");
        assert_eq!(codes(&check(&repo, &base)), ["E0705"], "{table}");
    }
    // An admin may, and the change applies from the next commit on.
    let (repo, base) = administered();
    repo.write("evident.toml", repo.read("evident.toml") + "\n[rules]\nassessor-required = \"warning\"\n");
    repo.commit(ANA, "Verdicts by others are warnings for now");
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    repo.commit(BOB, "MFA done");
    let run = check(&repo, &base);
    assert_eq!(codes(&run), ["E0702", "E0702"], "{}", run.all());
    assert_eq!(run.code, 0, "warnings only: {}", run.all());
}

#[test]
fn audit_takes_rule_levels_from_each_commits_parent() {
    let (repo, _) = administered();
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    repo.commit(BOB, "MFA done");
    // A later admin commit switches the rule off: the earlier forgery stays an error.
    repo.write("evident.toml", repo.read("evident.toml") + "\n[rules]\nassessor-required = \"off\"\n");
    repo.commit(ANA, "No more verdict checks");
    let run = audit(&repo, &[]);
    let bob: Vec<String> = messages(&run).into_iter().filter(|m| m.contains("bob@example.com")).collect();
    assert_eq!(bob.len(), 2, "{}", run.all());
    assert_eq!(run.code, 1);
}

#[test]
fn a_scoring_change_that_drops_the_score_is_caught() {
    // Each side is scored by its own table. Base: logs (1 point, discretionary
    // detective) passed, overall 1/31. The admin makes detective actions worth
    // 0: logs earns 0 of 0, overall 0/30.
    let (repo, base) = administered();
    repo.write(
        "evident.toml",
        repo.read("evident.toml") + "\n[scoring]\ndiscretionary = { detective = 0 }\n",
    );
    repo.commit(ANA, "Detective controls are not worth points");
    // gdpr-2026 goes from 1/28 to 0/27.
    let run = check(&repo, &base);
    assert_eq!(codes(&run), ["E0703", "E0703"], "{}", run.all());
    assert!(
        messages(&run).iter().any(|m| m
            .starts_with("the overall score dropped 3.2 points, allowed 0: from 3.2% (1/31) to 0.0% (0/30)")),
        "{}",
        run.all()
    );
}

/// The logs action's test recorded as `from` by the assessor, then moved to
/// `to` by `by`; the check of the second commit.
fn logs_test_moved(from: &str, to: &str, by: &str) -> Run {
    let (repo, _) = administered();
    let logs = |status| state_toml(Some(ANA), "implemented", status, &["siem-export"]);
    repo.write("assessments/gdpr-2026/logs.toml", logs(from));
    let base = repo.commit(CY, "Logs tested");
    repo.write("assessments/gdpr-2026/logs.toml", logs(to));
    repo.commit(by, "Logs changed");
    check(&repo, &base)
}

#[test]
fn out_of_scope_is_a_verdict() {
    let run = logs_test_moved("failed-high", "out-of-scope", BOB);
    assert_eq!(codes(&run), ["E0702"], "{}", run.all());
    assert!(messages(&run)[0].contains("test status set to `out-of-scope`"), "{}", run.all());
    // By an assessor it is fine.
    let (repo, base) = administered();
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        state_toml(Some(ANA), "implemented", "out-of-scope", &["siem-export"]),
    );
    repo.commit(CY, "Logs do not apply");
    assert_eq!(codes(&check(&repo, &base)), Vec::<String>::new());
}

#[test]
fn withdrawing_a_finding_needs_an_assessor_but_withdrawing_a_pass_does_not() {
    let run = logs_test_moved("failed-high", "in-progress", BOB);
    assert_eq!(codes(&run), ["E0702"], "{}", run.all());
    assert!(messages(&run)[0].contains("`failed-high` withdrawn (set to `in-progress`)"), "{}", run.all());
    assert_eq!(codes(&logs_test_moved("failed-high", "in-progress", CY)), Vec::<String>::new());
    // Moving a pass back (to replace its evidence) is open to anyone.
    let run = logs_test_moved("passed", "in-progress", BOB);
    assert!(!codes(&run).contains(&"E0702".to_owned()), "{}", run.all());
}

#[test]
fn a_definition_change_needs_a_version_bump() {
    let (repo, base) = administered();
    let mfa = repo.read("actions/mfa.toml");
    repo.write("actions/mfa.toml", mfa.replace("mandatory = true", "mandatory = false"));
    repo.commit(BOB, "MFA is optional");
    let run = check(&repo, &base);
    assert!(codes(&run).contains(&"E0706".to_owned()), "{}", run.all());
    assert!(
        messages(&run).iter().any(|m| m.starts_with("`mandatory` of `actions/mfa.toml` changed in")),
        "{}",
        run.all()
    );
    let run = audit(&repo, &[]);
    assert!(codes(&run).contains(&"E0706".to_owned()), "{}", run.all());
    // A title is free to change; a version bump makes any change fine.
    let (repo, base) = administered();
    repo.write("actions/mfa.toml", mfa.replace("title = \"Action mfa\"", "title = \"Require MFA\""));
    repo.commit(BOB, "Clearer title");
    assert!(!codes(&check(&repo, &base)).contains(&"E0706".to_owned()));
    repo.write(
        "actions/mfa.toml",
        repo.read("actions/mfa.toml")
            .replace("mandatory = true", "mandatory = false")
            .replace("version = 1", "version = 2"),
    );
    repo.commit(BOB, "MFA is optional, version 2");
    assert!(!codes(&check(&repo, &base)).contains(&"E0706".to_owned()));
}

#[test]
fn an_orphan_root_merged_in_answers_for_its_states() {
    let (repo, _) = administered();
    repo.remove("assessments/ccpa-2026/backup.toml");
    let base = repo.commit(ANA, "Backups are not started");
    // Bob starts an unrelated history with no evident.toml and a passed state.
    repo.git(&["checkout", "-q", "--orphan", "laundry"]);
    repo.git(&["rm", "-q", "-r", "-f", "."]);
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(None, "implemented", "passed", &["tape"]));
    repo.commit(BOB, "Backups");
    repo.git(&["checkout", "-q", "main"]);
    merge_as_bob(&repo, &["--allow-unrelated-histories", "-m", "Merge", "laundry"]);
    assert!(repo.read("assessments/ccpa-2026/backup.toml").contains("passed"));
    for run in [audit(&repo, &[]), audit(&repo, &["--first-parent"]), check(&repo, &base)] {
        let bob: Vec<String> = messages(&run)
            .into_iter()
            .filter(|m| m.contains("`passed`") && m.contains("by bob@example.com"))
            .collect();
        assert!(!bob.is_empty(), "{}", run.all());
        assert_eq!(run.code, 1);
    }
}

#[test]
fn first_parent_audit_holds_a_merge_to_what_it_brings_in() {
    let (repo, _) = administered();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["x"]));
    repo.commit(CY, "Pass MFA on a branch");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(None, "planned", "none", &[]));
    repo.commit(ANA, "Plan backups");
    merge_as_bob(&repo, &["--no-ff", "-m", "Merge", "feature"]);
    // All parents: Cy's commit set the verdicts; the merge adds nothing.
    let run = audit(&repo, &[]);
    assert!(!messages(&run).iter().any(|m| m.contains("bob@example.com")), "{}", run.all());
    // The main line only: the merge brings the verdicts in and answers for them.
    let run = audit(&repo, &["--first-parent"]);
    let bob: Vec<String> = messages(&run).into_iter().filter(|m| m.contains("by bob@example.com")).collect();
    assert_eq!(bob.len(), 2, "{}", run.all());
}

#[test]
fn a_deleted_or_broken_config_leaves_the_last_one_in_force() {
    for broken in [None, Some("[roles\nassessors = 1\n")] {
        let (repo, _) = administered();
        match broken {
            None => repo.remove("evident.toml"),
            Some(text) => repo.write("evident.toml", text),
        }
        repo.commit(ANA, "Oops");
        repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
        repo.commit(BOB, "MFA done");
        repo.git(&["checkout", "HEAD~2", "--", "evident.toml"]);
        repo.commit(ANA, "Restore the configuration");
        let run = audit(&repo, &[]);
        let bob: Vec<String> =
            messages(&run).into_iter().filter(|m| m.contains("by bob@example.com")).collect();
        assert_eq!(bob.len(), 2, "{broken:?}: {}", run.all());
    }
    // Deleting it is an admin change.
    let (repo, _) = administered();
    repo.remove("evident.toml");
    repo.commit(BOB, "No config");
    repo.git(&["checkout", "HEAD~1", "--", "evident.toml"]);
    repo.commit(ANA, "Restore the configuration");
    assert!(codes(&audit(&repo, &[])).contains(&"E0705".to_owned()));
}

#[test]
fn a_state_file_broken_and_restored_is_not_a_new_verdict() {
    let (repo, _) = administered();
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    let base = repo.commit(CY, "Pass MFA");
    let good = repo.read("assessments/gdpr-2026/mfa.toml");
    repo.write("assessments/gdpr-2026/mfa.toml", "owner = \n");
    repo.commit(ANA, "Broken by a bad merge");
    repo.write("assessments/gdpr-2026/mfa.toml", &good);
    repo.commit(BOB, "Restore the file");
    for run in [check(&repo, &base), audit(&repo, &[])] {
        assert!(!messages(&run).iter().any(|m| m.contains("bob@example.com")), "{}", run.all());
    }
    // Restoring it with another verdict is a new verdict.
    repo.write("assessments/gdpr-2026/mfa.toml", "owner = \n");
    repo.commit(ANA, "Broken again");
    repo.write("assessments/gdpr-2026/mfa.toml", good.replace("passed", "failed-low"));
    repo.commit(BOB, "Restore the file");
    let run = check(&repo, &base);
    assert!(messages(&run).iter().any(|m| m.contains("by bob@example.com")), "{}", run.all());
}

/// The MFA re-test: mfa passed in both assessments at the base (Cy), then Cy
/// re-tests and records `failed-medium`. Points: mfa 27, logs 1, backup 3.
/// Base: gdpr-2026 28/28, ccpa-2026 27/30, overall 28/31. After: gdpr-2026
/// 1/28, ccpa-2026 0/30, overall 1/31.
fn retested(config: &str, by: &str) -> (TestRepo, String) {
    let (repo, _) = administered();
    repo.write("evident.toml", repo.read("evident.toml") + config);
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    let base = repo.commit(CY, "MFA passed");
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "failed-medium", &["ca-policy"]));
    repo.commit(by, "MFA re-test: two admins without FIDO2 keys");
    (repo, base)
}

#[test]
fn an_assessors_failed_retest_passes_with_the_finding_reported() {
    let (repo, base) = retested("", CY);
    let run = check(&repo, &base);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.all());
    assert_eq!(run.code, 0);
    // JSON names each drop and the verdicts that explain it.
    let gate = &run.json()["score_gate"];
    let drops = gate["drops"].as_array().unwrap();
    assert_eq!(drops.len(), 3, "overall and both assessments: {gate}");
    assert!(drops.iter().all(|d| d["passed"] == true), "{gate}");
    let overall = drops.iter().find(|d| d["assessment"].is_null()).unwrap();
    assert_eq!(overall["before"]["earned"], 28);
    assert_eq!(overall["after"]["earned"], 1);
    let verdicts = overall["verdicts"].as_array().unwrap();
    assert_eq!(verdicts.len(), 2, "{gate}");
    let gdpr = verdicts.iter().find(|v| v["assessment"] == "gdpr-2026").unwrap();
    assert_eq!(gdpr["action"], "mfa");
    assert_eq!(gdpr["before"], "passed");
    assert_eq!(gdpr["after"], "failed-medium");
    assert_eq!(gdpr["author"], CY);
    assert_eq!(gdpr["points"], 27);
    // The terminal says so.
    let human = repo.run(&["check", "--base", &base]);
    assert_eq!(human.code, 0, "{}", human.all());
    assert!(
        human.stderr.contains("note: the overall score dropped 87.1 points, allowed 0: from 90.3% (28/31) to 3.2% (1/31) (passed: every point of the drop comes from test verdicts that assessors recorded)"),
        "{}",
        human.stderr
    );
    assert!(
        human.stderr.contains("`mfa` in `gdpr-2026`: passed → failed-medium, by cy@example.com in"),
        "{}",
        human.stderr
    );
    // The Markdown summary.
    let path = repo.path().join("summary.md");
    let run = repo.run(&["check", "--base", &base, "--summary", path.to_str().unwrap()]);
    assert_eq!(run.code, 0);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("### Score drops"), "{text}");
    assert!(
        text.contains("- ✅ passed as a recorded finding: the overall score dropped 87.1 points"),
        "{text}"
    );
    assert!(text.contains("| gdpr-2026 | mfa | passed → **failed-medium** | cy@example.com |"), "{text}");
    // The score-decrease alert still fires.
    repo.write(
        "evident.toml",
        repo.read("evident.toml") + "\n[[alerts]]\nid = \"score-down\"\non = \"score-decrease\"\n",
    );
    let run = repo.run(&["alerts", "--base", &base, "--format", "json"]);
    assert!(run.stdout.contains("score-down"), "{}", run.all());
}

#[test]
fn the_same_retest_by_a_non_assessor_fails() {
    let (repo, base) = retested("", BOB);
    let run = check(&repo, &base);
    let found = codes(&run);
    assert_eq!(count(&found, "E0702"), 2, "{}", run.all());
    assert_eq!(count(&found, "E0703"), 3, "{}", run.all());
    let gate = &run.json()["score_gate"];
    assert!(
        gate["drops"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["passed"] == false && d["verdicts"].as_array().unwrap().is_empty()),
        "{gate}"
    );
    let path = repo.path().join("summary.md");
    let run = repo.run(&["check", "--base", &base, "--summary", path.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("- ❌ failed: the overall score dropped 87.1 points, allowed 0: from 90.3% (28/31) to 3.2% (1/31) — no test verdict recorded by an assessor explains it"),
        "{text}"
    );
}

#[test]
fn an_assessors_verdict_with_an_unrelated_scope_change_fails_and_says_which_is_which() {
    // Besides the re-test, Bob takes backup (3 points, not implemented) out of
    // scope and withdraws logs' result: ccpa-2026 27/30 -> 0/27 is all Cy's,
    // but gdpr-2026 28/28 -> 0/28 is not (logs' point is Bob's).
    let (repo, base) = retested("", CY);
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        state_toml(Some(ANA), "implemented", "in-progress", &["siem-export"]),
    );
    repo.commit(BOB, "Logs: re-testing");
    let run = check(&repo, &base);
    assert_eq!(run.code, 1, "{}", run.all());
    let gate = run.json()["score_gate"].clone();
    let drops = gate["drops"].as_array().unwrap();
    let by = |a: Option<&str>| drops.iter().find(|d| d["assessment"].as_str() == a).unwrap().clone();
    assert_eq!(by(Some("ccpa-2026"))["passed"], true, "{gate}");
    assert_eq!(by(Some("gdpr-2026"))["passed"], false, "{gate}");
    assert_eq!(by(None)["passed"], false, "{gate}");
    let reason = by(Some("gdpr-2026"))["reason"].as_str().unwrap().to_owned();
    assert!(reason.starts_with("test verdicts that assessors recorded explain only part of it: without them the score would still drop to 96.4% (27/28)"), "{reason}");
    assert_eq!(by(Some("gdpr-2026"))["verdicts"][0]["points"], 27);
    assert_eq!(codes(&run), ["E0703", "E0703"], "gdpr-2026 and the overall score: {}", run.all());
}

#[test]
fn assessor_drops_fail_makes_the_assessors_drop_fail() {
    let (repo, base) = retested("\n[check]\nassessor-drops = \"fail\"\n", CY);
    let run = check(&repo, &base);
    assert_eq!(codes(&run), ["E0703", "E0703", "E0703"], "{}", run.all());
    assert!(
        messages(&run).len() == 3 && run.stdout.contains("`[check] assessor-drops` is \\\"fail\\\""),
        "{}",
        run.all()
    );
    // A mistyped value is a schema error.
    let (repo, _) = administered();
    repo.write("evident.toml", repo.read("evident.toml") + "\n[check]\nassessor-drops = \"maybe\"\n");
    let run = repo.run(&["validate"]);
    assert_eq!(run.code, 1, "{}", run.all());
}

#[test]
fn a_drop_within_the_threshold_is_unaffected() {
    // logs (1 point) fails its re-test by Cy: overall 28/31 -> 27/31 is 3.2
    // points; gdpr-2026 28/28 -> 27/28 is 3.6 points; both within 4.
    let (repo, _) = administered();
    repo.write(
        "evident.toml",
        repo.read("evident.toml") + "\n[check]\nmax-score-drop = 4.0\nassessor-drops = \"fail\"\n",
    );
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    let base = repo.commit(CY, "MFA passed");
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        state_toml(Some(ANA), "implemented", "failed-low", &["siem-export"]),
    );
    repo.commit(CY, "Logs failed");
    let run = check(&repo, &base);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.all());
    assert_eq!(run.json()["score_gate"]["drops"], serde_json::json!([]));
}

#[test]
fn an_orphan_roots_configuration_is_not_taken_in_by_the_merge() {
    let (repo, base) = administered();
    // Bob's unrelated history names him assessor and admin; the merge keeps his evident.toml.
    repo.git(&["checkout", "-q", "--orphan", "takeover"]);
    repo.git(&["rm", "-q", "-r", "-f", "."]);
    repo.write(
        "evident.toml",
        "[roles]\nassessors = [\"bob@example.com\"]\nadmins = [\"bob@example.com\"]\n",
    );
    repo.commit(BOB, "My rules");
    repo.git(&["checkout", "-q", "main"]);
    merge_as_bob(&repo, &["--allow-unrelated-histories", "-X", "theirs", "-m", "Merge", "takeover"]);
    assert!(repo.read("evident.toml").contains("admins = [\"bob@example.com\"]"));
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    repo.commit(BOB, "MFA done");
    for run in [audit(&repo, &[]), check(&repo, &base)] {
        let found = codes(&run);
        assert_eq!(count(&found, "E0704"), 1, "{}", run.all());
        let bob: Vec<String> = messages(&run)
            .into_iter()
            .filter(|m| m.contains("`passed`") && m.contains("by bob@example.com"))
            .collect();
        assert_eq!(bob.len(), 2, "{}", run.all());
    }
}

// Attacks (hostile contributor): a setting that was not applied stays not
// applied, whatever later commits do to `evident.toml`.

/// E0702 for verdicts Bob set (the fixtures' root commit has Ana's, which `audit` reports too).
fn bobs_verdicts(run: &Run) -> usize {
    messages(run).iter().filter(|m| m.ends_with("by bob@example.com, who is not an assessor")).count()
}

#[test]
fn a_rejected_rules_change_is_not_adopted_by_a_later_edit_of_the_file() {
    let (repo, base) = administered();
    repo.write("evident.toml", repo.read("evident.toml") + "\n[rules]\nassessor-required = \"off\"\n");
    repo.commit(BOB, "Quieter rules");
    // An unrelated edit of the same file: the rules it carries are still Bob's.
    repo.write("evident.toml", repo.read("evident.toml").replace("\"Bob\"", "\"Bob B.\""));
    repo.commit(BOB, "Bob's full name");
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    repo.commit(BOB, "MFA done");
    for run in [check(&repo, &base), audit(&repo, &[])] {
        let found = codes(&run);
        assert_eq!(bobs_verdicts(&run), 2, "the forged verdict, in both state files: {}", run.all());
        assert!(count(&found, "E0705") >= 1, "{}", run.all());
    }
}

#[test]
fn without_admins_a_range_cannot_switch_a_rule_off_in_two_steps() {
    let (repo, _) = crate::check::grouped();
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    repo.write("evident.toml", repo.read("evident.toml") + "\n[rules]\nassessor-required = \"off\"\n");
    repo.commit(BOB, "Quieter rules");
    repo.write("evident.toml", repo.read("evident.toml").replace("\"Bob\"", "\"Bob B.\""));
    repo.commit(BOB, "Bob's full name");
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    repo.commit(BOB, "MFA done");
    let run = check(&repo, &base);
    assert_eq!(bobs_verdicts(&run), 2, "{}", run.all());
}

/// A third assessment, `soc-2026` (template gdpr, in no group), next to the
/// `privacy` group where `logs` passed in gdpr-2026.
fn outsider() -> (TestRepo, String) {
    let (repo, _) = administered();
    repo.write(
        "assessments/soc-2026/assessment.toml",
        crate::support::assessment_toml("soc-2026", "gdpr", None),
    );
    repo.write("assessments/soc-2026/logs.toml", state_toml(Some(ANA), "implemented", "none", &[]));
    let base = repo.commit(ANA, "SOC assessment");
    (repo, base)
}

#[test]
fn joining_a_group_does_not_make_a_copied_verdict_a_sync() {
    let (repo, base) = outsider();
    let text = repo.read("assessments/soc-2026/assessment.toml");
    repo.write(
        "assessments/soc-2026/assessment.toml",
        text.replace("template = ", "group = \"privacy\"\ntemplate = "),
    );
    repo.write("assessments/soc-2026/logs.toml", repo.read("assessments/gdpr-2026/logs.toml"));
    repo.commit(BOB, "SOC joins privacy, synced");
    for run in [check(&repo, &base), audit(&repo, &[])] {
        assert_eq!(bobs_verdicts(&run), 1, "same commit: {}", run.all());
    }

    let (repo, base) = outsider();
    let text = repo.read("assessments/soc-2026/assessment.toml");
    repo.write(
        "assessments/soc-2026/assessment.toml",
        text.replace("template = ", "group = \"privacy\"\ntemplate = "),
    );
    repo.commit(BOB, "SOC joins privacy");
    repo.write("assessments/soc-2026/logs.toml", repo.read("assessments/gdpr-2026/logs.toml"));
    repo.commit(BOB, "Sync");
    for run in [check(&repo, &base), audit(&repo, &[])] {
        assert_eq!(bobs_verdicts(&run), 1, "a later commit: {}", run.all());
    }

    // A verdict an assessor records after the join is synced like any other.
    let (repo, base) = outsider();
    let text = repo.read("assessments/soc-2026/assessment.toml");
    repo.write(
        "assessments/soc-2026/assessment.toml",
        text.replace("template = ", "group = \"privacy\"\ntemplate = "),
    );
    repo.commit(BOB, "SOC joins privacy");
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        state_toml(Some(ANA), "implemented", "failed-low", &["siem-export"]),
    );
    repo.commit(CY, "Logs re-tested");
    repo.write("assessments/soc-2026/logs.toml", repo.read("assessments/gdpr-2026/logs.toml"));
    repo.commit(BOB, "Sync");
    for run in [check(&repo, &base), audit(&repo, &[])] {
        assert_eq!(bobs_verdicts(&run), 0, "a verdict recorded after the join: {}", run.all());
    }
}

#[test]
fn a_range_cannot_switch_off_a_file_rule_for_its_own_head() {
    // No admins named: anyone may change settings, but not for the change
    // under review, file rules included.
    let (repo, _) = crate::check::grouped();
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    repo.write("evident.toml", repo.read("evident.toml") + "\n[rules]\ngroup-out-of-sync = \"off\"\n");
    repo.write("assessments/gdpr-2026/mfa.toml", state_toml(Some(ANA), "implemented", "none", &[]));
    repo.commit(BOB, "Only GDPR has MFA");
    let run = check(&repo, &base);
    assert_eq!(count(&codes(&run), "E0601"), 1, "{}", run.all());
    assert_eq!(run.code, 1);

    // With admins named the change is reported, and not applied either.
    let (repo, base) = administered();
    repo.write("evident.toml", repo.read("evident.toml") + "\n[rules]\ngroup-out-of-sync = \"off\"\n");
    repo.write("assessments/gdpr-2026/mfa.toml", state_toml(Some(ANA), "implemented", "none", &[]));
    repo.commit(BOB, "Only GDPR has MFA");
    let found = codes(&check(&repo, &base));
    assert_eq!((count(&found, "E0601"), count(&found, "E0705")), (1, 1), "{found:?}");
}

#[test]
fn history_diagnostics_carry_their_commit_as_data() {
    let (repo, base) = administered();
    let mfa = repo.read("actions/mfa.toml");
    repo.write("actions/mfa.toml", mfa.replace("mandatory = true", "mandatory = false"));
    let made = repo.commit(BOB, "MFA is optional");
    let date = repo.git(&["log", "-1", "--format=%ad", "--date=short", &made]);
    for run in [check(&repo, &base), audit(&repo, &[])] {
        let json = run.json();
        let d = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "E0706")
            .unwrap_or_else(|| panic!("{}", run.all()))
            .clone();
        // The place is the file now; the commit that broke the rule is data beside it.
        assert_eq!(d["file"], "actions/mfa.toml");
        // At the key that changed (`mandatory = false`, line 7), not at the top of the file.
        assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(7), Some(13)), "{d}");
        assert_eq!(d["commit"], made.as_str(), "{d}");
        assert_eq!(d["date"], date.trim(), "{d}");
    }
    let sarif = repo.run(&["check", "--base", &base, "--format", "sarif"]).json();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let r = results.iter().find(|r| r["ruleId"] == "E0706").expect("an E0706 result");
    assert_eq!(r["properties"]["commit"], made.as_str());
}
