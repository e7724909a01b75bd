//! `evident diff`: real git repositories built commit by commit, compared
//! between commits and against the working tree, in every output format.
//!
//! The program of most tests, points by the default table:
//!   mfa 27 (mandatory preventative, control-access)
//!   log 3 (mandatory detective, discover-and-respond)
//!   train 9 (discretionary preventative, manage-internal-risks)
//! Template gdpr: art-32 [mfa, log], art-39 [train]. Assessment gdpr-2026
//! (group privacy): mfa planned (ana), log implemented + passed (ben), train
//! without a state file. Score: log 3 earned of 27 + 3 + 9 = 39 -> 7.7%.

use serde_json::Value;

use crate::support::{
    Run, TestRepo, action_toml, assessment_toml, minimal, settings_for, state_toml, template_toml,
};

const CONFIG: &str = "[people]\n\"ana@example.com\" = \"Ana\"\n\"ben@example.com\" = \"Ben\"\n\n[roles]\nassessors = [\"cy@example.com\"]\n";

const MFA_PLANNED: &str = r#"owner = "ana@example.com"

[implementation]
status = "planned"
notes = "Roll out FIDO2 keys to the admins."

[test]
status = "none"
"#;

const MFA_DONE: &str = r#"owner = "ben@example.com"

[implementation]
status = "implemented"
date = 2026-03-02
notes = "Rolled out FIDO2 keys to all admins."

[test]
status = "passed"
date = 2026-03-09
notes = "Sampled 20 admin sign-ins."

[[evidence]]
name = "CA policy export"
url = "https://evidence.example.com/ca-policy"
"#;

/// The program described at the top, committed once by ana.
fn program() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("evident.toml", CONFIG);
    repo.add_action("mfa", "control-access", "preventative", true);
    repo.add_action("log", "discover-and-respond", "detective", true);
    repo.add_action("train", "manage-internal-risks", "preventative", false);
    repo.add_template("gdpr", &[("art-32", &["mfa", "log"]), ("art-39", &["train"])]);
    repo.write(
        "assessments/gdpr-2026/assessment.toml",
        assessment_toml("gdpr-2026", "gdpr", Some("privacy")),
    );
    repo.write("assessments/gdpr-2026/mfa.toml", MFA_PLANNED);
    repo.write(
        "assessments/gdpr-2026/log.toml",
        state_toml(Some("ben@example.com"), "implemented", "passed", &["siem-export"]),
    );
    repo.git_init();
    repo.commit("ana@example.com", "Start the GDPR program");
    repo
}

/// mfa done by ben (owner, statuses, dates, notes, evidence); log's evidence replaced.
fn finish_mfa(repo: &TestRepo) {
    repo.write("assessments/gdpr-2026/mfa.toml", MFA_DONE);
    repo.write(
        "assessments/gdpr-2026/log.toml",
        state_toml(Some("ben@example.com"), "implemented", "passed", &["siem-export-v2"]),
    );
}

fn ok(repo: &TestRepo, args: &[&str]) -> Run {
    let run = repo.run(args);
    assert_eq!(run.code, 0, "{args:?}\n{}", run.all());
    run
}

fn json(repo: &TestRepo, args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.extend(["--format", "json"]);
    let value = ok(repo, &args).json();
    crate::output_schemas::assert_conforms("diff", &value);
    value
}

/// Snapshot with the temp path and commit ids filtered (ids are pinned, but
/// depend on every detail of how the test repository is built).
macro_rules! snapshot {
    ($repo:expr, $text:expr) => {{
        let mut settings = settings_for(&$repo);
        settings.add_filter(r"\b[0-9a-f]{40}\b", "[COMMIT]");
        settings.add_filter(r"\b[0-9a-f]{7}\b", "[SHORT]");
        settings.bind(|| insta::assert_snapshot!($text))
    }};
}

fn find<'a>(list: &'a Value, key: &str, id: &str) -> &'a Value {
    list.as_array()
        .and_then(|l| l.iter().find(|x| x[key] == id))
        .unwrap_or_else(|| panic!("no `{id}` in {list}"))
}

/// The actions whose state changed in gdpr-2026, in output order.
fn changed_actions(v: &Value) -> Vec<String> {
    let actions =
        find(&v["assessments"], "id", "gdpr-2026")["actions"].as_array().cloned().unwrap_or_default();
    actions.iter().map(|s| s["action"].as_str().unwrap_or_default().to_owned()).collect()
}

/// (earned, max) before and after, and the delta in percentage points.
fn delta(v: &Value) -> ((u64, u64), (u64, u64), Option<f64>) {
    let pair = |s: &Value| (s["earned"].as_u64().unwrap_or(0), s["max"].as_u64().unwrap_or(0));
    (pair(&v["before"]), pair(&v["after"]), v["delta"].as_f64())
}

#[test]
fn statuses_owner_evidence_and_notes_between_two_commits() {
    let repo = program();
    finish_mfa(&repo);
    repo.commit("cy@example.com", "MFA rolled out and tested");

    let human = ok(&repo, &["diff", "HEAD~1", "HEAD"]);
    snapshot!(repo, human.all());
    let markdown = ok(&repo, &["diff", "HEAD~1", "HEAD", "--format", "md"]);
    snapshot!(repo, markdown.stdout);

    let v = json(&repo, &["diff", "HEAD~1", "HEAD"]);
    let a = find(&v["assessments"], "id", "gdpr-2026");
    assert_eq!(a["status"], "changed");
    let mfa = find(&a["actions"], "action", "mfa");
    assert_eq!(mfa["owner"]["before"], "ana@example.com");
    assert_eq!(mfa["owner"]["after"], "ben@example.com");
    assert_eq!(mfa["implementation"]["status"]["before"], "planned");
    assert_eq!(mfa["implementation"]["status"]["after"], "implemented");
    assert_eq!(mfa["implementation"]["date"]["after"], "2026-03-02");
    assert_eq!(mfa["test"]["status"]["after"], "passed");
    assert_eq!(mfa["evidence"][0]["status"], "added");
    let words: Vec<(String, String)> = mfa["implementation"]["notes"]["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["op"].as_str().unwrap().to_owned(), w["text"].as_str().unwrap().to_owned()))
        .collect();
    let words: Vec<(&str, &str)> = words.iter().map(|(o, t)| (o.as_str(), t.as_str())).collect();
    assert_eq!(
        words,
        [
            ("removed", "Roll"),
            ("added", "Rolled"),
            ("equal", " out FIDO2 keys to "),
            ("removed", "the"),
            ("added", "all"),
            ("equal", " admins."),
        ]
    );
    let log = find(&a["actions"], "action", "log");
    let evidence: Vec<(&str, &str)> = log["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap(), e["status"].as_str().unwrap()))
        .collect();
    assert_eq!(evidence, [("siem-export", "removed"), ("siem-export-v2", "added")]);
    assert!(log["implementation"]["status"].is_null() && log["owner"].is_null());
}

#[test]
fn score_deltas_computed_by_hand() {
    let repo = program();
    finish_mfa(&repo);
    let v = json(&repo, &["diff"]);
    // Before: log 3 of 27 + 3 + 9 = 39 -> 7.69% = 7.7. After: mfa earns too,
    // 27 + 3 = 30 of 39 -> 76.92% = 76.9. Delta 76.9 - 7.7 = +69.2.
    assert_eq!(delta(&v["scores"]["overall"]), ((3, 39), (30, 39), Some(69.2)));
    let a = find(&v["scores"]["assessments"], "id", "gdpr-2026");
    assert_eq!(delta(a), ((3, 39), (30, 39), Some(69.2)));
    // control-access is mfa alone: 0/27 -> 27/27, 0.0 -> 100.0.
    let c = find(&v["scores"]["categories"], "id", "control-access");
    assert_eq!(delta(c), ((0, 27), (27, 27), Some(100.0)));
    assert_eq!(c["label"], "Control Access");
    // discover-and-respond (log 3/3) did not move.
    let c = find(&v["scores"]["categories"], "id", "discover-and-respond");
    assert_eq!(delta(c), ((3, 3), (3, 3), Some(0.0)));

    // Out of scope everywhere leaves nothing to score: 0 / 0 has no meaningful percentage.
    for action in ["mfa", "log", "train"] {
        repo.write(
            &format!("assessments/gdpr-2026/{action}.toml"),
            state_toml(None, "out-of-scope", "none", &[]),
        );
    }
    let v = json(&repo, &["diff"]);
    assert_eq!(delta(&v["scores"]["overall"]), ((3, 39), (0, 0), None));
    let human = ok(&repo, &["diff"]);
    assert!(human.stdout.contains("overall      7.7%    n/a     n/a"), "{}", human.stdout);
}

#[test]
fn head_against_the_working_tree() {
    let repo = program();
    assert_eq!(ok(&repo, &["diff"]).stdout, "no changes\n");

    // An uncommitted edit: mfa's owner only.
    repo.write("assessments/gdpr-2026/mfa.toml", MFA_PLANNED.replace("ana@", "ben@"));
    let run = ok(&repo, &["diff"]);
    snapshot!(repo, run.all());
    assert_eq!(ok(&repo, &["diff", "--format", "md"]).stdout.matches("| `mfa` |").count(), 1);
    let v = json(&repo, &["diff"]);
    assert_eq!(v["base"]["kind"], "commit");
    assert_eq!(v["base"]["rev"], "HEAD");
    assert_eq!(v["head"], serde_json::json!({"kind": "worktree", "rev": null, "commit": null}));

    // Committed, the working tree matches HEAD again.
    repo.commit("ana@example.com", "Ben owns MFA");
    assert_eq!(ok(&repo, &["diff"]).stdout, "no changes\n");
}

#[test]
fn base_only_compares_with_the_working_tree() {
    let repo = program();
    finish_mfa(&repo);
    repo.commit("cy@example.com", "MFA done");
    // Uncommitted on top: train planned.
    repo.write(
        "assessments/gdpr-2026/train.toml",
        state_toml(Some("ana@example.com"), "planned", "none", &[]),
    );

    let v = json(&repo, &["diff", "HEAD~1"]);
    assert_eq!(v["head"]["kind"], "worktree");
    assert_eq!(changed_actions(&v), ["log", "mfa", "train"], "committed and uncommitted changes, by id");
    let a = find(&v["assessments"], "id", "gdpr-2026");
    assert_eq!(find(&a["actions"], "action", "train")["file"], "added");

    // HEAD alone sees only the uncommitted file.
    assert_eq!(changed_actions(&json(&repo, &["diff", "HEAD"])), ["train"]);
}

#[test]
fn template_and_action_definitions() {
    let repo = program();
    // A new control with a new action, a title change, and mfa no longer mandatory.
    repo.add_action("dpo", "privacy-management", "detective", false);
    let template =
        template_toml("gdpr", &[("art-32", &["mfa", "log"]), ("art-39", &["train"]), ("art-37", &["dpo"])])
            .replace("version = 1", "version = 2")
            .replace("title = \"Control art-39\"", "title = \"Tasks of the DPO\"");
    repo.write("templates/gdpr.toml", template);
    let mut mfa =
        action_toml("mfa", "control-access", "preventative", false).replace("version = 1", "version = 2");
    mfa.push_str("guidance = \"Use FIDO2 keys for every admin.\"\n");
    repo.write("actions/mfa.toml", mfa);
    repo.commit("ana@example.com", "GDPR template v2");

    let run = ok(&repo, &["diff", "HEAD~1", "HEAD"]);
    snapshot!(repo, run.stdout);
    snapshot!(repo, ok(&repo, &["diff", "HEAD~1", "HEAD", "--format", "markdown"]).stdout);

    let v = json(&repo, &["diff", "HEAD~1", "HEAD"]);
    let t = find(&v["templates"], "id", "gdpr");
    assert_eq!(t["changes"]["version"], serde_json::json!({"before": 1, "after": 2}));
    let added = find(&t["controls"], "id", "art-37");
    assert_eq!((added["status"].as_str(), added["actions_added"][0].as_str()), (Some("added"), Some("dpo")));
    assert_eq!(find(&t["controls"], "id", "art-39")["changes"]["title"]["after"], "Tasks of the DPO");
    let mfa = find(&v["actions"], "id", "mfa");
    assert_eq!(mfa["changes"]["mandatory"], serde_json::json!({"before": true, "after": false}));
    assert_eq!(mfa["changes"]["points"], serde_json::json!({"before": 27, "after": 9}));
    assert_eq!(find(&v["actions"], "id", "dpo")["status"], "added");
    // mfa 27 -> 9 (its state has no accepted_version: it follows the definition). dpo joins the
    // template, but gdpr-2026 has not accepted template v2, so it is scored on v1's controls
    // until it does: max 39 -> 9 + 3 + 9 = 21; earned stays 3 (log). 3/39 = 7.7% -> 3/21 =
    // 14.3%: +6.6.
    assert_eq!(delta(&v["scores"]["overall"]), ((3, 39), (3, 21), Some(6.6)));
}

#[test]
fn assessments_added_and_removed() {
    let repo = program();
    repo.add_assessment("gdpr-2025", "gdpr", None);
    repo.write("assessments/gdpr-2025/log.toml", state_toml(None, "planned", "none", &[]));
    repo.commit("ana@example.com", "Last year's assessment");
    std::fs::remove_dir_all(repo.path().join("assessments/gdpr-2025")).unwrap();
    repo.write(
        "assessments/gdpr-2027/assessment.toml",
        assessment_toml("gdpr-2027", "gdpr", Some("privacy")),
    );
    repo.write("assessments/gdpr-2027/mfa.toml", state_toml(Some("ana@example.com"), "planned", "none", &[]));
    repo.commit("ana@example.com", "Next year's assessment");

    let run = ok(&repo, &["diff", "HEAD~1", "HEAD"]);
    snapshot!(repo, run.stdout);
    let v = json(&repo, &["diff", "HEAD~1", "HEAD"]);
    let status = |id: &str| find(&v["assessments"], "id", id)["status"].as_str().map(str::to_owned);
    assert_eq!(status("gdpr-2025").as_deref(), Some("removed"));
    assert_eq!(status("gdpr-2027").as_deref(), Some("added"));
    assert_eq!(find(&v["scores"]["assessments"], "id", "gdpr-2027")["delta"], Value::Null);
    // The overall score counts each action once: gdpr-2025's log was planned (in
    // scope, not earning), so before log earned nowhere: 0 of 39. After, gdpr-2027
    // has mfa planned, log and train without state: log earns in gdpr-2026 but not
    // in gdpr-2027, so still 0 of 39.
    assert_eq!(delta(&v["scores"]["overall"]), ((0, 39), (0, 39), Some(0.0)));
}

#[test]
fn renamed_assessment_directory() {
    let repo = program();
    repo.git(&["mv", "assessments/gdpr-2026", "assessments/gdpr-2027"]);
    repo.write(
        "assessments/gdpr-2027/assessment.toml",
        assessment_toml("gdpr-2027", "gdpr", Some("privacy")),
    );
    repo.commit("ana@example.com", "Rename the assessment");

    let run = ok(&repo, &["diff", "HEAD~1", "HEAD"]);
    snapshot!(repo, run.stdout);
    let v = json(&repo, &["diff", "HEAD~1", "HEAD"]);
    let [a] = v["assessments"].as_array().unwrap().as_slice() else { panic!("{v}") };
    assert_eq!((a["id"].as_str(), a["status"].as_str()), (Some("gdpr-2027"), Some("renamed")));
    assert_eq!(a["renamed_from"], "gdpr-2026");
    assert_eq!(a["actions"].as_array().map(Vec::len), Some(0), "the states moved unchanged");
    let row = find(&v["scores"]["assessments"], "id", "gdpr-2027");
    assert_eq!(delta(row), ((3, 39), (3, 39), Some(0.0)));
}

#[test]
fn state_file_deleted_in_the_range() {
    let repo = program();
    repo.remove("assessments/gdpr-2026/log.toml");
    repo.commit("ben@example.com", "Drop the log state");
    repo.write("assessments/gdpr-2026/train.toml", state_toml(None, "planned", "none", &[]));
    repo.commit("ben@example.com", "Plan training");

    let run = ok(&repo, &["diff", "HEAD~2", "HEAD"]);
    snapshot!(repo, run.stdout);
    let v = json(&repo, &["diff", "HEAD~2", "HEAD"]);
    let log = find(&find(&v["assessments"], "id", "gdpr-2026")["actions"], "action", "log");
    assert_eq!(log["file"], "removed");
    // A missing file is the default state: not implemented, no test.
    assert_eq!(log["implementation"]["status"]["after"], "not-implemented");
    assert_eq!(log["test"]["status"]["after"], "none");
    assert_eq!(log["evidence"][0]["status"], "removed");
    // log no longer earns: 3/39 -> 0/39, 7.7% -> 0.0%.
    assert_eq!(delta(&v["scores"]["overall"]), ((3, 39), (0, 39), Some(-7.7)));
}

#[test]
fn merge_commit_in_the_range() {
    let repo = program();
    let base = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["checkout", "-q", "-b", "mfa"]);
    finish_mfa(&repo);
    repo.commit("cy@example.com", "MFA done");
    repo.git(&["checkout", "-q", "main"]);
    repo.write(
        "assessments/gdpr-2026/train.toml",
        state_toml(Some("ana@example.com"), "planned", "none", &[]),
    );
    repo.commit("ana@example.com", "Plan training");
    let who = ["-c", "user.name=ana", "-c", "user.email=ana@example.com"];
    repo.git(&[&who[..], &["merge", "-q", "--no-ff", "mfa", "-m", "Merge mfa"]].concat());

    // A tree comparison: both branches' changes, whatever the shape of the history.
    assert_eq!(changed_actions(&json(&repo, &["diff", &base, "HEAD"])), ["log", "mfa", "train"]);
    // The merge against its first parent is the mfa branch's work alone.
    assert_eq!(changed_actions(&json(&repo, &["diff", "HEAD^1", "HEAD"])), ["log", "mfa"]);
}

#[test]
fn detached_head() {
    let repo = program();
    finish_mfa(&repo);
    repo.commit("cy@example.com", "MFA done");
    repo.git(&["checkout", "-q", "--detach", "HEAD~1"]);

    // HEAD is the detached commit, and the working tree matches it.
    assert_eq!(ok(&repo, &["diff"]).stdout, "no changes\n");
    let v = json(&repo, &["diff", "HEAD", "main"]);
    assert_eq!(v["head"]["rev"], "main");
    assert_eq!(delta(&v["scores"]["overall"]), ((3, 39), (30, 39), Some(69.2)));
}

#[test]
fn dirty_working_tree_plays_no_part_between_two_commits() {
    let repo = program();
    finish_mfa(&repo);
    repo.commit("cy@example.com", "MFA done");
    repo.write("assessments/gdpr-2026/train.toml", state_toml(None, "planned", "none", &[]));
    repo.write("assessments/gdpr-2026/log.toml", "this is not TOML [");

    let run = ok(&repo, &["diff", "HEAD~1", "HEAD"]);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let v = json(&repo, &["diff", "HEAD~1", "HEAD"]);
    assert_eq!(changed_actions(&v), ["log", "mfa"], "not train, which is only in the working tree");
}

#[test]
fn files_with_errors_are_left_out_of_both_sides() {
    let repo = program();
    repo.write("actions/log.toml", "id = \"log\"\ntitle = \n");
    repo.write("assessments/gdpr-2026/mfa.toml", MFA_PLANNED.replace("ana@", "ben@"));

    let run = ok(&repo, &["diff"]);
    snapshot!(repo, run.all());
    let v = json(&repo, &["diff"]);
    // The broken action is neither removed nor scored on either side: mfa 27 +
    // train 9 = 36, nothing earned.
    assert_eq!(v["actions"].as_array().map(Vec::len), Some(0));
    assert_eq!(delta(&v["scores"]["overall"]), ((0, 36), (0, 36), Some(0.0)));
}

#[test]
fn unknown_revision() {
    let repo = program();
    let run = repo.run(&["diff", "nope"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    snapshot!(repo, run.all());
    assert_eq!(repo.run(&["diff", "HEAD", "nope"]).code, 2);
}

#[test]
fn shallow_clone_without_the_base() {
    let origin = program();
    finish_mfa(&origin);
    origin.commit("cy@example.com", "MFA done");
    origin.write("assessments/gdpr-2026/train.toml", state_toml(None, "planned", "none", &[]));
    origin.commit("ana@example.com", "Plan training");
    let clone = TestRepo::bare();
    let url = format!("file://{}", origin.path().display());
    clone.git(&["clone", "-q", "--depth", "1", &url, "."]);

    let run = clone.run(&["diff", "HEAD~2"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("unknown revision `HEAD~2`"), "{}", run.stderr);
    assert!(run.stderr.contains("shallow clone"), "{}", run.stderr);
    assert!(run.stderr.contains("git fetch --unshallow"), "{}", run.stderr);
    // What the clone has still compares.
    assert_eq!(ok(&clone, &["diff"]).stdout, "no changes\n");
}

#[test]
fn not_a_git_repository() {
    let repo = minimal();
    let run = repo.run(&["diff"]);
    assert_eq!(run.code, 2);
    snapshot!(repo, run.all());
}

#[test]
fn before_the_first_commit_everything_is_new() {
    let repo = minimal();
    repo.git_init();
    let run = ok(&repo, &["diff"]);
    snapshot!(repo, run.stdout);
    let v = json(&repo, &["diff"]);
    assert_eq!(v["base"], serde_json::json!({"kind": "empty", "rev": null, "commit": null}));
    assert_eq!(find(&v["assessments"], "id", "gdpr-2026")["status"], "added");
    // Empty before (0/0); after, mfa implemented but not tested: 0/27.
    assert_eq!(delta(&v["scores"]["overall"]), ((0, 0), (0, 27), None));

    let run = repo.run(&["diff", "HEAD"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no commits yet"), "{}", run.stderr);
}

#[test]
fn exit_code_flag() {
    let repo = program();
    assert_eq!(repo.run(&["diff", "--exit-code"]).code, 0);
    repo.write("assessments/gdpr-2026/mfa.toml", MFA_DONE);
    let run = repo.run(&["diff", "--exit-code"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(!run.stdout.is_empty() && run.stderr.is_empty(), "{}", run.all());
    // Without the flag a diff is a success, like `git diff`.
    assert_eq!(repo.run(&["diff"]).code, 0);
    assert_eq!(repo.run(&["diff", "--exit-code", "--format", "json"]).code, 1);
}

#[test]
fn markdown_escapes_user_text() {
    let repo = program();
    let notes = "Rolled out | <script>alert(1)</script>\nsee **docs** & [link](http://x)";
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        MFA_PLANNED.replace("\"Roll out FIDO2 keys to the admins.\"", &format!("{notes:?}")),
    );
    let md = ok(&repo, &["diff", "--format", "markdown"]).stdout;
    assert!(!md.contains("<script>"), "{md}");
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{md}");
    assert!(md.contains("\\| "), "a pipe does not end a cell: {md}");
    assert!(md.contains("\\*\\*docs\\*\\*") && md.contains("\\[link\\]"), "no formatting from notes: {md}");
    assert!(md.contains("&amp;"), "{md}");
    let line = md.lines().find(|l| l.contains("implementation notes")).unwrap_or_default();
    assert!(line.contains("**Rolled**") && line.contains("alert(1)"), "one line, newline folded: {md}");

    // The terminal shows the text as written, with no escape sequences from it.
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        MFA_PLANNED.replace("the admins.", "the admins.\\u001b[31m"),
    );
    let human = ok(&repo, &["diff"]).stdout;
    assert!(!human.contains('\u{1b}'), "{human:?}");
}

#[test]
fn json_output() {
    let repo = program();
    finish_mfa(&repo);
    repo.write(
        "evident.toml",
        CONFIG.replace("\"Ben\"", "\"Ben Okafor\"") + "admins = [\"ana@example.com\"]\n",
    );
    repo.commit("cy@example.com", "MFA done");
    let run = ok(&repo, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    snapshot!(repo, run.stdout);
}

#[test]
fn compliance_repository_in_a_sub_directory() {
    let repo = TestRepo::bare();
    repo.write("README.md", "The company's repository\n");
    repo.write("compliance/evident.toml", "");
    repo.write("compliance/actions/mfa.toml", action_toml("mfa", "control-access", "preventative", true));
    repo.write("compliance/templates/gdpr.toml", template_toml("gdpr", &[("art-32", &["mfa"])]));
    repo.write(
        "compliance/assessments/gdpr-2026/assessment.toml",
        assessment_toml("gdpr-2026", "gdpr", None),
    );
    repo.git_init();
    repo.commit("ana@example.com", "Start");
    repo.write(
        "compliance/assessments/gdpr-2026/mfa.toml",
        state_toml(None, "implemented", "passed", &["x"]),
    );
    repo.commit("ana@example.com", "MFA done");

    let mut cmd = crate::support::evident();
    cmd.arg("--repo")
        .arg(repo.path().join("compliance"))
        .args(["diff", "HEAD~1", "HEAD", "--format", "json"]);
    let run = crate::support::run(cmd);
    assert_eq!(run.code, 0, "{}", run.all());
    // mfa: 0/27 -> 27/27.
    assert_eq!(delta(&run.json()["scores"]["overall"]), ((0, 27), (27, 27), Some(100.0)));
}

#[test]
fn colours_only_when_asked() {
    let repo = program();
    finish_mfa(&repo);
    let plain = ok(&repo, &["diff"]).stdout;
    assert!(!plain.contains('\u{1b}'), "NO_COLOR and a pipe: no colour");
    assert!(plain.contains("[-Roll-]{+Rolled+}"), "{plain}");
    let coloured = ok(&repo, &["diff", "--color", "always"]).stdout;
    // Removed words red and struck through, added words green; no word-diff markers.
    assert!(coloured.contains("\u{1b}[9m\u{1b}[31mRoll\u{1b}[0m\u{1b}[32mRolled\u{1b}[0m"), "{coloured:?}");
    assert!(!coloured.contains("[-Roll-]"), "{coloured:?}");
}
