//! `evident check` and `evident audit` on real git repositories: each history
//! rule fires exactly when it should.
//!
//! People: ana (owner), bob (not an assessor), cy (assessor).

use crate::support::{Run, TestRepo, people_toml, state_toml};

pub const ANA: &str = "ana@example.com";
pub const BOB: &str = "bob@example.com";
pub const CY: &str = "cy@example.com";

/// Two grouped assessments sharing `mfa`; `logs` passed in gdpr-2026.
/// Points: mfa 27 (mandatory preventative), logs 1 (discretionary detective),
/// backup 3 (mandatory corrective).
pub fn grouped() -> (TestRepo, String) {
    let repo = TestRepo::new();
    repo.git_init();
    repo.write("evident.toml", people_toml(&[(ANA, "Ana"), (BOB, "Bob"), (CY, "Cy")], &[CY]));
    repo.add_action("mfa", "control-access", "preventative", true);
    repo.add_action("logs", "discover-and-respond", "detective", false);
    repo.add_action("backup", "infrastructure-cloud", "corrective", true);
    repo.add_template("gdpr", &[("art-32", &["mfa", "logs"])]);
    repo.add_template("ccpa", &[("1798.150", &["mfa", "backup"])]);
    repo.add_privacy_pair();
    repo.set_both("mfa", &state_toml(Some(ANA), "planned", "none", &[]));
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        state_toml(Some(ANA), "implemented", "passed", &["siem-export"]),
    );
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(None, "not-implemented", "none", &[]));
    let base = repo.commit(ANA, "Start the privacy program");
    (repo, base)
}

/// `grouped()` with Ana as the admin; returns the commit that names her.
pub fn administered() -> (TestRepo, String) {
    let (repo, _) = grouped();
    repo.write(
        "evident.toml",
        repo.read("evident.toml").replace("[roles]\n", "[roles]\nadmins = [\"ana@example.com\"]\n"),
    );
    let base = repo.commit(ANA, "Ana administers the program");
    (repo, base)
}

fn check(repo: &TestRepo, base: &str) -> (Run, Vec<String>) {
    let run = repo.run(&["check", "--base", base, "--format", "json"]);
    let codes = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect();
    (run, codes)
}

fn filters(repo: &TestRepo) -> insta::Settings {
    let mut s = crate::support::settings_for(repo);
    s.add_filter(r"\b[0-9a-f]{40}\b", "[COMMIT]");
    s.add_filter(r"\b[0-9a-f]{7}\b", "[SHORT]");
    s
}

#[test]
fn a_clean_change_passes() {
    let (repo, base) = grouped();
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "none", &[]));
    repo.commit(BOB, "Enforce MFA");
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    repo.commit(CY, "Test MFA");
    let (run, codes) = check(&repo, &base);
    assert_eq!(codes, Vec::<String>::new(), "{}", run.all());
    assert_eq!(run.code, 0);

    let summary = repo.path().join("summary.md");
    let run = repo.run(&["check", "--base", &base, "--summary", summary.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    let text = std::fs::read_to_string(&summary).unwrap();
    // gdpr-2026: logs 1/1 -> mfa 27 + logs 1 = 28/28; overall 1/31 -> 28/31.
    assert!(text.contains("| **Overall** | 3.2% (1/31) | 90.3% (28/31) | +87.1 |"), "{text}");
    filters(&repo).bind(|| insta::assert_snapshot!(text));
}

#[test]
fn a_non_assessor_passing_a_test() {
    let (repo, base) = grouped();
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    repo.commit(BOB, "MFA done");
    let (run, codes) = check(&repo, &base);
    assert_eq!(codes, ["E0702", "E0702"], "one per state file: {}", run.all());
    assert_eq!(run.code, 1);
    let message = run.json()["diagnostics"][0]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("by bob@example.com, who is not an assessor"), "{message}");
    // Failing a test is a verdict too; moving to in-progress is not.
    let (repo, base) = grouped();
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        state_toml(Some(ANA), "implemented", "in-progress", &["siem-export"]),
    );
    repo.commit(BOB, "Retest logs");
    // Not a verdict, so anyone may; the score drops though (logs no longer earns).
    assert_eq!(check(&repo, &base).1, ["E0703", "E0703"]);
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        state_toml(Some(ANA), "implemented", "failed-low", &["siem-export"]),
    );
    repo.commit(BOB, "Logs failed");
    assert_eq!(check(&repo, &base).1, ["E0703", "E0702", "E0703"]);
}

#[test]
fn roles_come_from_the_base() {
    let (repo, base) = administered();
    // Bob makes himself an assessor, then passes the test: the change to
    // `[roles]` is reported and not applied to the commit after it.
    let config = repo
        .read("evident.toml")
        .replace("[\"cy@example.com\"]", "[\"cy@example.com\", \"bob@example.com\"]");
    repo.write("evident.toml", config);
    repo.commit(BOB, "Add myself");
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    repo.commit(BOB, "MFA done");
    assert_eq!(check(&repo, &base).1, ["E0702", "E0702", "E0704"]);
    // With no admins named, a change cannot grant itself a role either.
    let (repo, base) = grouped();
    let config = repo
        .read("evident.toml")
        .replace("[\"cy@example.com\"]", "[\"cy@example.com\", \"bob@example.com\"]");
    repo.write("evident.toml", config);
    repo.commit(BOB, "Add myself");
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    repo.commit(BOB, "MFA done");
    assert_eq!(check(&repo, &base).1, ["E0702", "E0702"]);
    // An admin's change to `[roles]` applies from the next commit on.
    let (repo, base) = administered();
    let config = repo
        .read("evident.toml")
        .replace("[\"cy@example.com\"]", "[\"cy@example.com\", \"bob@example.com\"]");
    repo.write("evident.toml", config);
    repo.commit(ANA, "Bob becomes an assessor");
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    repo.commit(BOB, "MFA done");
    assert_eq!(check(&repo, &base).1, Vec::<String>::new());
}

#[test]
fn evidence_deleted_after_a_pass() {
    let (repo, base) = grouped();
    repo.write("assessments/gdpr-2026/logs.toml", state_toml(Some(ANA), "implemented", "passed", &[]));
    repo.commit(BOB, "Tidy evidence");
    let (run, codes) = check(&repo, &base);
    // E0502: the working tree now has a pass without evidence; E0701: the removal itself.
    assert_eq!(codes, ["E0502", "E0701"], "{}", run.all());
    filters(&repo).bind(|| insta::assert_snapshot!(repo.run(&["check", "--base", &base]).stderr));
}

#[test]
fn evidence_can_change_after_the_verdict_is_withdrawn() {
    let (repo, base) = grouped();
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        state_toml(Some(ANA), "implemented", "in-progress", &["siem-export"]),
    );
    repo.commit(CY, "Reopen the logs test");
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        state_toml(Some(ANA), "implemented", "in-progress", &["new-export"]),
    );
    repo.commit(BOB, "Replace the export");
    let (run, codes) = check(&repo, &base);
    assert_eq!(codes, ["E0703", "E0703"], "only the score drop (logs no longer passes): {}", run.all());
}

#[test]
fn evidence_file_changed_after_a_pass() {
    let (repo, _) = grouped();
    repo.write("evidence/export.csv", "a,b\n");
    let sha = sha256(b"a,b\n");
    let with_file = |sha: &str| {
        state_toml(Some(ANA), "implemented", "passed", &[])
            + &format!(
                "\n[[evidence]]\nname = \"export\"\npath = \"evidence/export.csv\"\nsha256 = \"{sha}\"\n"
            )
    };
    repo.write("assessments/gdpr-2026/logs.toml", with_file(&sha));
    let base = repo.commit(CY, "Pass logs on the export");
    // The file changes and its hash is updated: the evidence item is altered.
    repo.write("evidence/export.csv", "a,b,c\n");
    repo.write("assessments/gdpr-2026/logs.toml", with_file(&sha256(b"a,b,c\n")));
    repo.commit(BOB, "Update export");
    assert_eq!(check(&repo, &base).1, ["E0701", "E0701"], "the item and the file");
    // The file changes and the hash is not updated: the file rule and the history rule fire.
    let (repo2, _) = grouped();
    repo2.write("evidence/export.csv", "a,b\n");
    repo2.write("assessments/gdpr-2026/logs.toml", with_file(&sha));
    let base = repo2.commit(CY, "Pass logs on the export");
    repo2.write("evidence/export.csv", "tampered\n");
    repo2.commit(BOB, "Oops");
    // Sorted by position: the test status (E0701) comes before the hash (E0403).
    assert_eq!(check(&repo2, &base).1, ["E0701", "E0403"]);
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_score_drop_of_one_point() {
    let (repo, base) = grouped();
    // logs (1 point) goes from passed back to in progress (not a verdict, so
    // nothing an assessor recorded): gdpr-2026 1/28 -> 0/28, overall 1/31 -> 0/31.
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        state_toml(Some(ANA), "implemented", "in-progress", &["siem-export"]),
    );
    repo.commit(CY, "Retesting logs");
    let (run, codes) = check(&repo, &base);
    assert_eq!(codes, ["E0703", "E0703"], "{}", run.all());
    let messages: Vec<String> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        messages.contains(
            &"the score of `gdpr-2026` dropped 3.6 points, allowed 0: from 3.6% (1/28) to 0.0% (0/28)"
                .to_owned()
        ),
        "{messages:?}"
    );
    assert!(
        messages.contains(
            &"the overall score dropped 3.2 points, allowed 0: from 3.2% (1/31) to 0.0% (0/31)".to_owned()
        ),
        "{messages:?}"
    );

    // A threshold at the base allows it: 1/28 is 3.57 percentage points.
    let withdrawn = |threshold: &str| {
        let (repo, _) = grouped();
        repo.write(
            "evident.toml",
            repo.read("evident.toml") + "\n[check]\nmax-score-drop = " + threshold + "\n",
        );
        let base = repo.commit(ANA, "Allow small drops");
        repo.write(
            "assessments/gdpr-2026/logs.toml",
            state_toml(Some(ANA), "implemented", "in-progress", &["siem-export"]),
        );
        repo.commit(CY, "Retesting logs");
        check(&repo, &base)
    };
    assert_eq!(withdrawn("4.0").1, Vec::<String>::new());
    // Just over it: the message shows the drop with the digits that make it fail.
    let (run, codes) = withdrawn("3.2");
    assert_eq!(codes, ["E0703", "E0703"], "{}", run.all());
    let messages: Vec<String> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap().to_owned())
        .collect();
    // overall 1/31 = 3.2258 points, not 3.2; gdpr-2026 1/28 = 3.57 points.
    assert!(
        messages.iter().any(|m| m.starts_with("the overall score dropped 3.23 points, allowed 3.2:")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.starts_with("the score of `gdpr-2026` dropped 3.6 points, allowed 3.2:")),
        "{messages:?}"
    );
}

#[test]
fn a_group_left_out_of_sync() {
    let (repo, _) = grouped();
    repo.write("assessments/gdpr-2026/mfa.toml", state_toml(Some(ANA), "implemented", "none", &[]));
    let run = repo.run(&["check", "--format", "json"]);
    let d = &run.json()["diagnostics"];
    assert_eq!(d.as_array().unwrap().len(), 1, "{}", run.all());
    assert_eq!(d[0]["code"], "E0601");
    assert!(d[0]["message"].as_str().unwrap().contains("disagree on `mfa` (implementation)"), "{d}");
    // `validate` does not run the status or group rules.
    assert_eq!(repo.run(&["validate"]).code, 0);
}

#[test]
fn status_rules() {
    let (repo, _) = grouped();
    repo.write(
        "assessments/ccpa-2026/backup.toml",
        "[implementation]\nstatus = \"out-of-scope\"\n\n[test]\nstatus = \"to-be-detected\"\ndate = 2027-01-01\n",
    );
    let run = repo.run(&["check", "--format", "json"]);
    let codes: Vec<String> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect();
    // notes missing, date missing, monitoring-only status on a manual action, future date
    assert_eq!(codes, ["E0503", "E0504", "E0507", "E0506"], "{}", run.all());
    filters(&repo).bind(|| insta::assert_snapshot!(repo.run(&["check"]).stderr));
    repo.write(
        "evident.toml",
        repo.read("evident.toml") + "\n[rules]\nfuture-date = \"warning\"\nautomatic-only-status = \"off\"\n",
    );
    let run = repo.run(&["check", "--format", "json"]);
    let json = run.json();
    assert_eq!(json["errors"], 2);
    assert_eq!(json["warnings"], 1);
}

#[test]
fn a_base_that_does_not_exist() {
    let (repo, _) = grouped();
    let run = repo.run(&["check", "--base", "no-such-branch"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown revision `no-such-branch`"), "{}", run.stderr);
}

#[test]
fn a_shallow_clone_without_the_base() {
    let (repo, base) = grouped();
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(None, "planned", "none", &[]));
    repo.commit(ANA, "Plan backups");
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(None, "planned", "in-progress", &[]));
    repo.commit(ANA, "Start testing");
    let clone = TestRepo::bare();
    let url = format!("file://{}", repo.path().display());
    let out = crate::support::git()
        .args(["clone", "-q", "--depth", "1", &url, "."])
        .current_dir(clone.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run = clone.run(&["check", "--base", &base]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("shallow clone"), "{}", run.stderr);
}

#[test]
fn a_detached_head() {
    let (repo, base) = grouped();
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["x"]));
    repo.commit(BOB, "Pass MFA");
    repo.git(&["checkout", "-q", "--detach", "HEAD"]);
    assert_eq!(check(&repo, &base).1, ["E0702", "E0702"]);
}

/// Uncommitted changes are judged as the commit after HEAD (tests/cli/uncommitted.rs), not
/// warned about (E0850 before).
#[test]
fn a_dirty_working_tree() {
    let (repo, base) = grouped();
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(None, "planned", "none", &[]));
    let run = repo.run(&["check", "--base", &base]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("no problems"), "{}", run.stderr);
}

/// Warnings are diagnostics with a code: they reach `--format json`, SARIF
/// and GitHub annotations as errors do, and do not fail the check.
#[test]
fn warnings_reach_json_and_sarif_with_their_code() {
    // A base the branch left behind: E0709.
    let (repo, start) = grouped();
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(None, "planned", "none", &[]));
    let base = repo.commit(ANA, "Plan backups");
    repo.git(&["checkout", "-q", "-b", "side", &start]);
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(None, "planned", "none", &[]));
    repo.commit(ANA, "Plan backups on a branch");
    let run = repo.run(&["check", "--base", &base, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let json = run.json();
    assert_eq!(json["ok"], true);
    // The files of the working tree and the commits of the range were judged.
    assert!(json["files"].as_u64().is_some_and(|n| n > 0), "{}", run.all());
    assert_eq!(json["commits"], 1, "{}", run.all());
    crate::output_schemas::assert_conforms("check", &json);
    let warning = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "E0709")
        .unwrap_or_else(|| panic!("no E0709 in {json:#}"))
        .clone();
    assert_eq!(warning["rule"], "base-not-ancestor");
    assert_eq!(warning["severity"], "warning");
    assert!(warning["message"].as_str().unwrap().contains("is not an ancestor of HEAD"), "{warning:#}");
    assert!(json["warnings"].as_u64().unwrap() >= 1, "{json:#}");

    let sarif = repo.run(&["check", "--base", &base, "--format", "sarif"]).json();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let result = results.iter().find(|r| r["ruleId"] == "E0709").unwrap_or_else(|| panic!("{sarif:#}"));
    assert_eq!(result["level"], "warning");
    let rule = &sarif["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"].as_u64().unwrap() as usize];
    assert_eq!(rule["id"], "E0709");

    let github = repo.run(&["check", "--base", &base, "--format", "github"]);
    assert!(github.stdout.contains("::warning title=E0709 base-not-ancestor::"), "{}", github.stdout);
    // On a terminal, the warning is in the report with its code.
    let human = repo.run(&["check", "--base", &base]);
    assert!(
        human.stderr.contains("warning[E0709]: `") && human.stderr.contains("is not an ancestor of HEAD"),
        "{}",
        human.stderr
    );
}

#[test]
fn merge_commits_blame_the_commit_that_made_the_change() {
    let (repo, base) = grouped();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["x"]));
    repo.commit(BOB, "Pass MFA on a branch");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(None, "planned", "none", &[]));
    repo.commit(ANA, "Plan backups");
    repo.git(&[
        "-c",
        "user.name=cy",
        "-c",
        "user.email=cy@example.com",
        "merge",
        "-q",
        "--no-ff",
        "feature",
        "-m",
        "Merge feature",
    ]);
    let (run, codes) = check(&repo, &base);
    assert_eq!(codes, ["E0702", "E0702"], "{}", run.all());
    let json = run.json();
    assert!(json["diagnostics"][0]["message"].as_str().unwrap().contains("bob"), "{json}");
}

#[test]
fn a_renamed_assessment_is_not_a_removal() {
    let (repo, base) = grouped();
    repo.git(&["mv", "assessments/gdpr-2026", "assessments/gdpr-26"]);
    let text = repo.read("assessments/gdpr-26/assessment.toml").replace("gdpr-2026", "gdpr-26");
    repo.write("assessments/gdpr-26/assessment.toml", text);
    repo.commit(BOB, "Rename the assessment");
    let (run, codes) = check(&repo, &base);
    assert_eq!(codes, Vec::<String>::new(), "{}", run.all());
}

#[test]
fn a_state_file_deleted_in_the_range() {
    let (repo, base) = grouped();
    repo.remove("assessments/gdpr-2026/logs.toml");
    repo.commit(BOB, "Remove logs state");
    let (run, codes) = check(&repo, &base);
    // The passed state with evidence is gone: evidence removed; and the score drops.
    // Sorted by file: assessment.toml (score drop) < logs.toml < evident.toml (overall drop).
    assert_eq!(codes, ["E0703", "E0701", "E0703"], "{}", run.all());
    let json = run.json();
    assert_eq!(json["diagnostics"][1]["file"], "assessments/gdpr-2026/logs.toml");
    // The human output does not fail on a file that no longer exists.
    let run = repo.run(&["check", "--base", &base]);
    assert!(run.stderr.contains("assessments/gdpr-2026/logs.toml"), "{}", run.stderr);
}

#[test]
fn an_unknown_person() {
    let (repo, _) = grouped();
    repo.set_both("mfa", &state_toml(Some("dan@example.com"), "planned", "none", &[]));
    let run = repo.run(&["check", "--format", "json"]);
    let codes: Vec<String> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, ["E0308", "E0308"]);
}

#[test]
fn audit_walks_the_whole_history() {
    let (repo, _) = grouped();
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["x"]));
    repo.commit(BOB, "Pass MFA");
    repo.write("assessments/gdpr-2026/logs.toml", state_toml(Some(ANA), "implemented", "passed", &[]));
    repo.commit(CY, "Drop the export");
    let run = repo.run(&["audit", "--format", "json"]);
    assert_eq!(run.code, 1);
    // It counts commits, and checks no files.
    assert_eq!(run.json()["commits"], 3, "{}", run.all());
    assert!(run.json().get("files").is_none(), "{}", run.all());
    crate::output_schemas::assert_conforms("check", &run.json());
    let codes: Vec<String> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect();
    // The first commit is judged by its own configuration: Ana, not an
    // assessor, recorded `logs` as passed in it.
    assert_eq!(codes, ["E0702", "E0701", "E0702", "E0702"]);
    let human = repo.run(&["audit"]);
    assert!(human.stderr.ends_with("checked 3 commits: 4 errors\n"), "{}", human.stderr);
    // No commits: a clear error.
    let empty = TestRepo::new();
    empty.git_init();
    let run = empty.run(&["audit"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no commits"), "{}", run.stderr);
    // Not a git repository.
    let run = TestRepo::new().run(&["audit"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not in a git repository"), "{}", run.stderr);
}

#[test]
fn github_step_summary_is_appended() {
    let (repo, base) = grouped();
    let path = repo.path().join("step-summary.md");
    std::fs::write(&path, "previous step\n").unwrap();
    let mut cmd = crate::support::evident();
    cmd.arg("--repo")
        .arg(repo.path())
        .args(["check", "--base", &base])
        .env("GITHUB_STEP_SUMMARY", &path)
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "northwind/compliance")
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
    repo.write("assessments/gdpr-2026/mfa.toml", state_toml(Some(ANA), "implemented", "none", &[]));
    let run = crate::support::run(cmd);
    assert_eq!(run.code, 1);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("previous step\n## evident check: ❌ 1 error"), "{text}");
    assert!(
        text.contains("[`assessments/gdpr-2026/mfa.toml:1`](https://github.com/northwind/compliance/blob/0123456789abcdef0123456789abcdef01234567/assessments/gdpr-2026/mfa.toml#L1)"),
        "{text}"
    );
}

#[test]
fn a_folder_never_committed_in_the_git_repository_around_it() {
    let outer = TestRepo::bare();
    outer.git_init();
    outer.write("README.md", "another project\n");
    outer.commit(ANA, "Another project");
    outer.write("compliance/evident.toml", "");
    let mut cmd = crate::support::evident();
    cmd.arg("--repo").arg(outer.path().join("compliance")).args(["score", "--format", "json"]);
    let run = crate::support::run(cmd);
    assert_eq!(run.json()["commit"], serde_json::Value::Null, "not the other project's HEAD");
    for args in [&["audit"][..], &["check", "--base", "HEAD"][..]] {
        let mut cmd = crate::support::evident();
        cmd.arg("--repo").arg(outer.path().join("compliance")).args(args);
        let run = crate::support::run(cmd);
        assert_eq!(run.code, 2, "{args:?}: {}", run.all());
        assert!(run.stderr.contains("the compliance repository is not committed"), "{}", run.stderr);
    }
}

#[test]
fn a_change_cannot_relax_the_rules_it_is_checked_by() {
    let (repo, base) = grouped();
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["x"]));
    repo.write(
        "evident.toml",
        repo.read("evident.toml") + "\n[rules]\nassessor-required = \"off\"\nscore-drop = \"off\"\n",
    );
    repo.commit(BOB, "Pass MFA and switch the rules off");
    let (run, codes) = check(&repo, &base);
    assert_eq!(codes, ["E0702", "E0702"], "the base's [rules] apply to the history rules: {}", run.all());

    // Re-weighting the points table to hide a drop does not work either: the drop
    // is also measured with the base's table. logs (1 point) is withdrawn; the
    // change makes every action worth 0, so its own scores would read 0/0 = 100%.
    let (repo, base) = grouped();
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        state_toml(Some(ANA), "implemented", "in-progress", &["siem-export"]),
    );
    repo.write(
        "evident.toml",
        repo.read("evident.toml")
            + "\n[scoring]\nmandatory = { preventative = 0, detective = 0, corrective = 0 }\ndiscretionary = { preventative = 0, detective = 0, corrective = 0 }\n",
    );
    repo.commit(CY, "Logs failed; nothing is worth anything");
    assert_eq!(check(&repo, &base).1, ["E0703", "E0703"]);
}

#[test]
fn only_admins_change_roles() {
    let (repo, base) = administered();
    repo.write(
        "evident.toml",
        repo.read("evident.toml").replace("assessors = [\"cy@example.com\"]", "assessors = []"),
    );
    repo.commit(BOB, "Nobody is an assessor any more");
    assert_eq!(check(&repo, &base).1, ["E0704"]);
    // An admin may.
    let (repo, base) = administered();
    repo.write(
        "evident.toml",
        repo.read("evident.toml")
            .replace("[\"cy@example.com\"]", "[\"cy@example.com\", \"bob@example.com\"]"),
    );
    repo.commit(ANA, "Bob becomes an assessor");
    assert_eq!(check(&repo, &base).1, Vec::<String>::new());
    // In `audit`, the roles of the time apply; the first commit is judged by
    // its own configuration (Ana, not an assessor, recorded `logs` as passed).
    let run = repo.run(&["audit", "--format", "json"]);
    let json = run.json();
    let codes: Vec<&str> =
        json["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["E0702"], "{}", run.all());
}

#[test]
fn a_group_copy_is_not_a_new_verdict() {
    let (repo, _) = grouped();
    // Cy (assessor) passes mfa in both assessments of the group.
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    let base = repo.commit(CY, "Pass MFA");
    // Bob (not an assessor) starts a third assessment in the group: its state files
    // copy the group's, verdict included.
    repo.add_template("lgpd", &[("art-46", &["mfa"])]);
    let run = repo.run(&["new", "assessment", "lgpd-2026", "--template", "lgpd", "--group", "privacy"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(repo.read("assessments/lgpd-2026/mfa.toml").contains("status = \"passed\""));
    repo.commit(BOB, "Start the LGPD assessment");
    let (run, codes) = check(&repo, &base);
    assert_eq!(codes, Vec::<String>::new(), "{}", run.all());

    // The same verdict in an assessment outside the group is a new verdict.
    repo.add_template("iso", &[("a.5.17", &["mfa"])]);
    repo.add_assessment("iso-2026", "iso", None);
    repo.write(
        "assessments/iso-2026/mfa.toml",
        state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]),
    );
    repo.commit(BOB, "Copy the MFA pass into ISO");
    assert_eq!(check(&repo, &base).1, ["E0702"]);
}

#[test]
fn a_verdict_cannot_be_moved_into_another_assessment() {
    let (repo, _) = grouped();
    repo.add_template("iso", &[("a.8.15", &["logs"])]);
    repo.add_assessment("iso-2026", "iso", None);
    let base = repo.commit(ANA, "An ISO assessment");
    // Bob moves gdpr's passed `logs` state into the existing ISO assessment.
    repo.git(&["mv", "assessments/gdpr-2026/logs.toml", "assessments/iso-2026/logs.toml"]);
    repo.commit(BOB, "Move logs");
    let (run, codes) = check(&repo, &base);
    // The removal from gdpr-2026 (evidence frozen) and a verdict by a non-assessor in iso-2026.
    assert!(codes.contains(&"E0701".to_owned()) && codes.contains(&"E0702".to_owned()), "{}", run.all());
}

#[test]
fn a_shallow_clone_with_a_fetched_base() {
    let (repo, base) = grouped();
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(None, "planned", "none", &[]));
    repo.commit(ANA, "Plan backups");
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(None, "planned", "in-progress", &[]));
    repo.commit(ANA, "Start testing");
    let clone = TestRepo::bare();
    let url = format!("file://{}", repo.path().display());
    for args in [
        vec!["clone", "-q", "--depth", "1", url.as_str(), "."],
        vec!["fetch", "-q", "--depth", "1", "origin", base.as_str()],
    ] {
        let out = crate::support::git().args(&args).current_dir(clone.path()).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    // The base is there, but the commits between it and HEAD are not.
    let run = clone.run(&["check", "--base", &base]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("shallow clone"), "{}", run.stderr);
    let run = clone.run(&["audit"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
}
