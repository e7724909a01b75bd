//! `evident test` with real child processes, and the rules of automatic testing in `set`,
//! `check --base` and scoring.

use crate::check_processes::test_within;
use crate::support::*;

/// An automatic action whose `[automation]` table is `automation` (TOML lines).
pub(crate) fn auto_action(id: &str, automation: &str) -> String {
    format!(
        "id = \"{id}\"\ntitle = \"Action {id}\"\nversion = 1\ncategory = \"control-access\"\naction_type = \"technical\"\ncontrol_type = \"preventative\"\nmandatory = true\ntesting = \"automatic\"\n\n[automation]\n{automation}\n"
    )
}

/// One template `t` listing `actions`, one assessment `a1`.
pub(crate) fn repo_with(actions: &[(&str, &str)]) -> TestRepo {
    let repo = TestRepo::new();
    for (id, automation) in actions {
        repo.write(&format!("actions/{id}.toml"), auto_action(id, automation));
    }
    let ids: Vec<&str> = actions.iter().map(|(id, _)| *id).collect();
    repo.add_template("t", &[("c1", &ids)]);
    repo.add_assessment("a1", "t", None);
    repo
}

pub(crate) fn state(repo: &TestRepo, assessment: &str, action: &str) -> toml::Table {
    toml::from_str(&repo.read(&format!("assessments/{assessment}/{action}.toml"))).unwrap()
}

pub(crate) fn test_status(repo: &TestRepo, assessment: &str, action: &str) -> String {
    state(repo, assessment, action)["test"]["status"].as_str().unwrap().to_owned()
}

#[test]
fn a_passing_check_records_passed_implemented_and_its_output() {
    let repo = repo_with(&[("tls", "run = [\"sh\", \"-c\", \"echo tls ok; echo warn >&2\"]")]);
    let run = repo.run(&["test"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let s = state(&repo, "a1", "tls");
    assert_eq!(s["test"]["status"].as_str(), Some("passed"));
    assert_eq!(s["test"]["date"].to_string(), "2026-11-23");
    // A passing signal shows the action is implemented.
    assert_eq!(s["implementation"]["status"].as_str(), Some("implemented"));
    let evidence = &s["evidence"].as_array().unwrap()[0];
    assert_eq!(evidence["name"].as_str(), Some("Automatic test output"));
    let output = repo.read(evidence["path"].as_str().unwrap());
    assert!(output.contains("tls ok\nwarn\n"), "{output}");
    // The recorded state is valid: the hash matches, the rules hold.
    let check = repo.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.all());
    assert!(
        run.stdout.contains("1 test: 1 passed, 0 failed, 0 could not be detected, 0 skipped"),
        "{}",
        run.stdout
    );
}

#[test]
fn exit_1_records_on_fail_and_other_exits_could_not_be_detected() {
    let repo = repo_with(&[
        ("low", "run = [\"sh\", \"-c\", \"exit 1\"]\non-fail = \"failed-low\""),
        ("medium", "run = [\"sh\", \"-c\", \"exit 1\"]"),
        ("high", "run = [\"sh\", \"-c\", \"exit 1\"]\non-fail = \"failed-high\""),
    ]);
    let run = repo.run(&["test"]);
    assert_eq!(run.code, 0, "failures are results: {}", run.all());
    assert_eq!(test_status(&repo, "a1", "low"), "failed-low");
    assert_eq!(test_status(&repo, "a1", "medium"), "failed-medium");
    assert_eq!(test_status(&repo, "a1", "high"), "failed-high");
    // Not implemented stays not implemented on a failure.
    assert_eq!(state(&repo, "a1", "high")["implementation"]["status"].as_str(), Some("not-implemented"));

    let repo = repo_with(&[
        ("two", "run = [\"sh\", \"-c\", \"exit 2\"]"),
        ("gone", "run = [\"no-such-program-here\"]"),
    ]);
    let run = repo.run(&["test", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert_eq!(test_status(&repo, "a1", "two"), "could-not-be-detected");
    assert_eq!(test_status(&repo, "a1", "gone"), "could-not-be-detected");
    let notes = state(&repo, "a1", "gone")["test"]["notes"].as_str().unwrap().to_owned();
    assert!(notes.contains("could not start") && notes.contains("not found"), "{notes}");
    assert_eq!(run.json()["could_not_be_detected"], 2);
    assert!(run.stderr.contains("E0911"), "{}", run.stderr);
}

#[test]
fn junit_and_sarif_result_files() {
    let junit = |cases: &str| {
        format!(
            "<?xml version=\"1.0\"?>\n<testsuites>\n<testsuite name=\"s\">\n{cases}\n</testsuite>\n</testsuites>\n"
        )
    };
    let repo = repo_with(&[
        ("j-pass", "junit = { file = \"reports/pass.xml\", cases = [\"sshd-*\"] }"),
        ("j-fail", "junit = { file = \"reports/fail.xml\" }\non-fail = \"failed-high\""),
        ("j-missing", "junit = { file = \"reports/none.xml\" }"),
        ("j-broken", "junit = { file = \"reports/broken.xml\" }"),
        ("s-pass", "sarif = { file = \"reports/scan.sarif\", rules = [\"CKV_AWS_20\"] }"),
        ("s-fail", "sarif = { file = \"reports/scan.sarif\", rules = [\"CKV_AWS_2?\"] }"),
        ("s-missing", "sarif = { file = \"reports/none.sarif\" }"),
        ("s-broken", "sarif = { file = \"reports/broken.sarif\" }"),
    ]);
    repo.write("reports/pass.xml", junit("<testcase classname=\"ssh\" name=\"sshd-root\"/>\n<testcase name=\"other\"><failure/></testcase>"));
    repo.write(
        "reports/fail.xml",
        junit("<testcase name=\"a\"/>\n<testcase name=\"b\"><failure message=\"no\"/></testcase>"),
    );
    repo.write(
        "reports/broken.xml",
        "<testsuites>\n  <testsuite>\n    <testcase name=\"a\">\n  </testsuite>\n</testsuites>\n",
    );
    repo.write(
        "reports/scan.sarif",
        r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "checkov", "rules": [{"id": "CKV_AWS_20"}, {"id": "CKV_AWS_21"}]}},
            "results": [{"ruleId": "CKV_AWS_21", "level": "error", "message": {"text": "open bucket"}}]}]}"#,
    );
    repo.write("reports/broken.sarif", "{\n  \"version\": \"2.1.0\",\n  \"runs\": [\n");
    let run = repo.run(&["test"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let expect = [
        ("j-pass", "passed"),
        ("j-fail", "failed-high"),
        ("j-missing", "could-not-be-detected"),
        ("j-broken", "could-not-be-detected"),
        ("s-pass", "passed"),
        ("s-fail", "failed-medium"),
        ("s-missing", "could-not-be-detected"),
        ("s-broken", "could-not-be-detected"),
    ];
    for (action, status) in expect {
        assert_eq!(test_status(&repo, "a1", action), status, "{action}");
    }
    // Malformed files are named with the place where reading stopped.
    assert!(run.stderr.contains("E0912"), "{}", run.stderr);
    assert!(run.stderr.contains("reports/broken.xml:4:"), "{}", run.stderr);
    assert!(run.stderr.contains("reports/broken.sarif:"), "{}", run.stderr);
    assert!(state(&repo, "a1", "j-missing")["test"]["notes"].as_str().unwrap().contains("missing"));
}

#[test]
fn group_members_are_written_together() {
    let repo = repo_with(&[("tls", "run = [\"true\"]")]);
    repo.add_assessment("g1", "t", Some("g"));
    repo.add_assessment("g2", "t", Some("g"));
    let run = repo.run(&["test", "-a", "g1"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(repo.read("assessments/g1/tls.toml"), repo.read("assessments/g2/tls.toml"));
    assert_eq!(test_status(&repo, "g2", "tls"), "passed");
    // Only the group was asked for.
    assert!(!repo.path().join("assessments/a1/tls.toml").exists());
    let check = repo.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.all());
}

#[test]
fn dry_run_runs_and_writes_nothing() {
    let repo = repo_with(&[("tls", "run = [\"true\"]")]);
    let before = repo.snapshot_files();
    let run = repo.run(&["test", "--dry-run", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.json()["passed"], 1);
    assert_eq!(run.json()["written"], false);
    assert_eq!(before, repo.snapshot_files());
}

#[test]
fn switched_to_manual_or_turned_off_is_skipped() {
    let repo = repo_with(&[("tls", "run = [\"true\"]"), ("mfa", "run = [\"true\"]")]);
    repo.write(
        "assessments/a1/tls.toml",
        "testing = \"manual\"\n\n[implementation]\nstatus = \"planned\"\n\n[test]\nstatus = \"none\"\n",
    );
    repo.write("evident.toml", "[automation]\nexcept = [\"mfa\"]\n");
    let run = repo.run(&["test", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.json()["skipped"], 2);
    assert_eq!(test_status(&repo, "a1", "tls"), "none");
    // A person may now record the manual test.
    let set = repo.run(&["set", "tls", "--test", "in-progress"]);
    assert_eq!(set.code, 0, "{}", set.all());
}

#[test]
fn a_hand_set_result_of_an_automatic_action_is_refused() {
    let repo = repo_with(&[("tls", "run = [\"true\"]")]);
    assert_eq!(repo.run(&["test"]).code, 0);
    let before = repo.snapshot_files();
    let run = repo.run(&["set", "tls", "--test", "failed-low"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("E0902") && run.stderr.contains("testing = \"manual\""), "{}", run.stderr);
    let run = repo.run(&["set", "tls", "--test-notes", "looked fine to me"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert_eq!(before, repo.snapshot_files());
    // The owner is still a person's to set.
    assert_eq!(repo.run(&["set", "tls", "--owner", "ana@example.com"]).code, 0);
}

/// A repository in git whose automation identity is ci@example.com and admin ana@example.com.
fn automated_git_repo() -> TestRepo {
    let repo = repo_with(&[("tls", "run = [\"sh\", \"checks/tls.sh\"]\nvalid-for = \"1d\"")]);
    repo.write("checks/tls.sh", "echo TLS 1.2 minimum: ok; date +%N\n");
    repo.write(
        "evident.toml",
        "[roles]\nadmins = [\"ana@example.com\"]\nassessors = [\"cy@example.com\"]\nautomation = [\"ci@example.com\"]\n",
    );
    repo.git_init();
    repo.commit("ana@example.com", "set up");
    repo
}

#[test]
fn a_forged_automatic_result_is_caught_by_check_base() {
    let repo = automated_git_repo();
    assert_eq!(repo.run(&["test"]).code, 0);
    let base = repo.commit("ci@example.com", "evident test");
    // The automation identity replaces its own output: not frozen evidence.
    assert_eq!(repo.run(&["test"]).code, 0);
    repo.commit("ci@example.com", "evident test again");
    let run = repo.run(&["check", "--base", &base]);
    assert_eq!(run.code, 0, "{}", run.all());

    // A person edits the result by hand (even an assessor).
    let path = "assessments/a1/tls.toml";
    let text = repo.read(path).replace("status = \"passed\"", "status = \"failed-low\"");
    repo.write(path, text);
    repo.commit("cy@example.com", "hand-edited");
    let run = repo.run(&["check", "--base", &base]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("E0903"), "{}", run.stderr);
    assert!(run.stderr.contains("cy@example.com"), "{}", run.stderr);
}

#[test]
fn only_admins_change_what_automatic_tests_run() {
    let repo = automated_git_repo();
    let base = repo.git(&["rev-parse", "HEAD"]);
    repo.write("checks/tls.sh", "exit 0\n");
    repo.commit("bob@example.com", "make the check always pass");
    let run = repo.run(&["check", "--base", &base]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("E0904") && run.stderr.contains("checks/tls.sh"), "{}", run.stderr);

    let repo = automated_git_repo();
    let base = repo.git(&["rev-parse", "HEAD"]);
    repo.write(
        "actions/tls.toml",
        auto_action("tls", "run = [\"true\"]").replace("version = 1", "version = 2"),
    );
    repo.commit("bob@example.com", "simplify the check");
    let run = repo.run(&["check", "--base", &base]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("E0904") && run.stderr.contains("[automation]"), "{}", run.stderr);

    let repo = automated_git_repo();
    let base = repo.git(&["rev-parse", "HEAD"]);
    repo.write("evident.toml", repo.read("evident.toml") + "\n[automation]\nenabled = false\n");
    repo.commit("bob@example.com", "turn monitoring off");
    let run = repo.run(&["check", "--base", &base]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("E0705") && run.stderr.contains("[automation]"), "{}", run.stderr);

    // The same by an admin passes.
    let repo = automated_git_repo();
    let base = repo.git(&["rev-parse", "HEAD"]);
    repo.write("checks/tls.sh", "echo stricter\n");
    repo.commit("ana@example.com", "stricter check");
    let run = repo.run(&["check", "--base", &base]);
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn automation_tables_are_validated() {
    let repo = repo_with(&[("tls", "run = [\"true\"]\njunit = { file = \"../x.xml\" }\ntimeout = \"soon\"")]);
    let run = repo.run(&["validate"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("E0205") || run.stderr.contains("E0901"), "{}", run.stderr);
    let repo = repo_with(&[("tls", "run = [\"true\"]\njunit = { file = \"../x.xml\" }")]);
    let run = repo.run(&["validate"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("E0901") && run.stderr.contains("outside the repository"), "{}", run.stderr);
}

/// A manual action passed on 2026-01-02, and `[freshness]` lines in evident.toml.
pub(crate) fn aging_repo(freshness: &str) -> TestRepo {
    let repo = minimal();
    repo.write("evidence/sample.txt", "sampled\n");
    // sha256 of "sampled\n"
    let sha = "87f53ccf797a4a9d5bcc00ae8e9dedec26585fb6cbe40f69fcab85a181326241";
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        format!(
            "owner = \"ana@example.com\"\n\n[implementation]\nstatus = \"implemented\"\ndate = 2026-01-01\n\n[test]\nstatus = \"passed\"\ndate = 2026-01-02\n\n[[evidence]]\nname = \"Sample\"\npath = \"evidence/sample.txt\"\nsha256 = \"{sha}\"\n"
        ),
    );
    repo.write(
        "evident.toml",
        format!("[freshness]\n{freshness}\n\n[[alerts]]\nid = \"retest\"\non = \"stale\"\n"),
    );
    repo
}

#[test]
fn a_stale_result_loses_its_points_under_no_points() {
    // Tested 2026-01-02, valid for 30 days; today is 2026-11-23: stale.
    let repo = aging_repo("manual = \"30d\"\nstale = \"no-points\"");
    let run = repo.run(&["score", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let json = run.json();
    // 27 points (mandatory preventative) not earned: 0 / 27.
    assert_eq!(json["overall"]["earned"], 0, "{json}");
    assert_eq!(json["assessments"][0]["stale"], 1);

    // The default keeps the points and marks the result.
    let repo = aging_repo("manual = \"30d\"");
    let json = repo.run(&["score", "--format", "json"]).json();
    assert_eq!(json["overall"]["earned"], 27, "{json}");
    assert_eq!(json["assessments"][0]["stale"], 1);
    let list = repo.run(&["list", "actions", "--stale"]);
    assert!(list.stdout.contains("mfa") && list.stdout.contains("passed (stale)"), "{}", list.all());

    // Within a year (the default for manual results) it is current.
    let repo = aging_repo("stale = \"no-points\"");
    let json = repo.run(&["score", "--format", "json"]).json();
    assert_eq!(json["overall"]["earned"], 27, "{json}");
    assert_eq!(json["assessments"][0]["stale"], 0);
    assert!(repo.run(&["list", "actions", "--stale"]).stdout.contains("no actions match"));
}

#[test]
fn stale_alerts() {
    let repo = aging_repo("manual = \"30d\"");
    repo.git_init();
    let base = repo.commit("ana@example.com", "start");
    let run = repo.run(&["alerts", "--base", &base, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let text = run.stdout;
    assert!(text.contains("\"kind\": \"stale\"") && text.contains("\"valid_for\": \"30d\""), "{text}");
}

#[test]
fn the_example_repository_runs_its_checks_offline() {
    if std::process::Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 is not installed: skipped");
        return;
    }
    let repo = TestRepo::example();
    let run = repo.run(&["test", "tls-in-transit", "backup-daily", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    // The TLS inventory it keeps still has the legacy storage account on TLS 1.0.
    assert_eq!(test_status(&repo, "gdpr-2026", "tls-in-transit"), "failed-low");
    assert_eq!(test_status(&repo, "hipaa-2026", "backup-daily"), "passed");
    let path = state(&repo, "gdpr-2026", "tls-in-transit")["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"].as_str() == Some("Automatic test output"))
        .unwrap()["path"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(repo.read(&path).contains("WEAK storage/nwlegacyexports"), "{}", repo.read(&path));
    // Earlier evidence stays.
    assert!(state(&repo, "gdpr-2026", "tls-in-transit")["evidence"].as_array().unwrap().len() >= 2);
    let check = repo.run(&["validate"]);
    assert_eq!(check.code, 0, "{}", check.all());
}

#[test]
fn a_bulk_update_cannot_set_an_automatic_result_either() {
    let repo = repo_with(&[("tls", "run = [\"true\"]")]);
    assert_eq!(repo.run(&["test"]).code, 0);
    let csv = repo.run(&["export", "actions", "--format", "csv"]);
    assert_eq!(csv.code, 0, "{}", csv.all());
    assert!(csv.stdout.contains(",passed,"), "{}", csv.stdout);
    repo.write("update.csv", csv.stdout.replacen(",passed,", ",failed-low,", 1));
    let before = repo.snapshot_files();
    let path = repo.path().join("update.csv");
    let run = repo.run(&["import", "actions", path.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("E0902"), "{}", run.stderr);
    assert_eq!(before, repo.snapshot_files());
}

#[test]
fn the_report_lists_re_tests_due() {
    let repo = aging_repo("manual = \"30d\"");
    let out = repo.path().join("_md");
    let run = repo.run(&["report", "--format", "md", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let due = md.split("### Re-tests due").nth(1).unwrap_or_else(|| panic!("no re-tests section:\n{md}"));
    assert!(due.contains("(`mfa`) | gdpr-2026 | Passed **stale** | 2026-01-02"), "{due}");
    // Current results are not listed.
    let repo = aging_repo("");
    let out = repo.path().join("_md");
    assert_eq!(repo.run(&["report", "--format", "md", "--out", out.to_str().unwrap()]).code, 0);
    assert!(!std::fs::read_to_string(out.join("report.md")).unwrap().contains("Re-tests due"));
}

#[test]
fn result_files_that_are_fifos_links_out_or_huge_are_not_read() {
    let repo = repo_with(&[
        ("fifo", "junit = { file = \"reports/fifo.xml\" }"),
        ("link", "junit = { file = \"reports/link.xml\" }"),
        ("huge", "sarif = { file = \"reports/huge.sarif\" }"),
    ]);
    std::fs::create_dir_all(repo.path().join("reports")).unwrap();
    // A FIFO with no writer: opening it for reading would wait forever.
    let made = std::process::Command::new("mkfifo").arg(repo.path().join("reports/fifo.xml")).status();
    assert!(made.is_ok_and(|s| s.success()));
    // A passing report outside the repository, reached through a symbolic link.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("pass.xml"), "<testsuite><testcase name=\"a\"/></testsuite>").unwrap();
    std::os::unix::fs::symlink(outside.path().join("pass.xml"), repo.path().join("reports/link.xml"))
        .unwrap();
    // Larger than evident reads (sparse: it takes no disk space).
    let huge = std::fs::File::create(repo.path().join("reports/huge.sarif")).unwrap();
    huge.set_len(65 << 20).unwrap();
    let run = test_within(&repo, 30);
    assert_eq!(run.code, 1, "{}", run.all());
    for (action, why) in
        [("fifo", "not a regular file"), ("link", "leaves the repository"), ("huge", "more than the 64 MiB")]
    {
        assert_eq!(test_status(&repo, "a1", action), "could-not-be-detected", "{action}");
        let notes = state(&repo, "a1", action)["test"]["notes"].as_str().unwrap().to_owned();
        assert!(notes.contains(why), "{action}: {notes}");
    }
}

#[test]
fn an_action_file_that_does_not_parse_is_shown_and_fails_the_run() {
    let repo = repo_with(&[("good", "run = [\"true\"]"), ("broken", "run = [\"true\"]")]);
    repo.write("actions/broken.toml", "id = [\n");
    let run = repo.run(&["test"]);
    // The broken action is never tested: the run says why and fails; the healthy one is recorded.
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("actions/broken.toml"), "{}", run.stderr);
    assert_eq!(test_status(&repo, "a1", "good"), "passed");
}

#[test]
fn the_html_report_shows_how_old_each_result_is() {
    // A manual result of 2026-01-02, valid for 30 days; today is 2026-11-23.
    let repo = aging_repo("manual = \"30d\"");
    let out = repo.path().join("_site");
    let run = repo.run(&["report", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    let page = std::fs::read_to_string(out.join("assessments/gdpr-2026.html")).unwrap();
    assert!(page.contains("<th scope=\"col\">Age</th>"), "{page}");
    let row = page.split("tested 325 days ago").nth(1).unwrap_or_else(|| panic!("no age:\n{page}"));
    assert!(row.starts_with("</span> <span class=\"badge stale\">stale</span>"), "{row}");
    let action = std::fs::read_to_string(out.join("actions/mfa.html")).unwrap();
    assert!(
        action.contains("current for 30d\">tested 325 days ago</span> <span class=\"badge stale\">"),
        "{action}"
    );
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("325 days ago"), "the re-tests due say how old: {index}");

    // An automatic verdict recorded today: checked today, current for a day, not stale.
    let repo = repo_with(&[("tls", "run = [\"true\"]")]);
    assert_eq!(repo.run(&["test"]).code, 0);
    let out = repo.path().join("_site");
    assert_eq!(repo.run(&["report", "--out", out.to_str().unwrap()]).code, 0);
    let page = std::fs::read_to_string(out.join("assessments/a1.html")).unwrap();
    assert!(page.contains("title=\"Automatic result, current for 1d\">checked today</span>"), "{page}");
    assert!(!page.contains("badge stale"), "{page}");
}

#[test]
fn junit_case_names_with_escapes_or_bad_utf8_are_sanitised() {
    let repo = repo_with(&[
        ("esc", "junit = { file = \"reports/esc.xml\" }"),
        ("bytes", "junit = { file = \"reports/bytes.xml\" }"),
    ]);
    // A failing case whose name holds a raw ESC and one written as a character reference; a
    // case name that is not UTF-8.
    repo.write(
        "reports/esc.xml",
        "<testsuite><testcase classname=\"c\x1b]0;pwned\x07\" name=\"\x1b[31mred&#27;[2J\"><failure/></testcase></testsuite>",
    );
    repo.write(
        "reports/bytes.xml",
        b"<testsuite><testcase name=\"bad\xff\xfe\"><failure/></testcase></testsuite>".as_slice(),
    );
    for format in ["human", "json", "markdown"] {
        let run = repo.run(&["test", "--dry-run", "--format", format]);
        assert!(run.code == 0 || run.code == 1, "{}", run.all());
        assert!(!run.stdout.contains('\x1b') && !run.stderr.contains('\x1b'), "{format}: {:?}", run.all());
        assert!(!run.stdout.contains('\u{7}') && !run.stderr.contains('\u{7}'), "{format}: {:?}", run.all());
    }
    let run = repo.run(&["test"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.all());
    for action in ["esc", "bytes"] {
        let text = repo.read(&format!("assessments/a1/{action}.toml"));
        assert!(!text.contains('\x1b') && !text.contains("\\u001b") && !text.contains("\\e"), "{text}");
        let status = test_status(&repo, "a1", action);
        assert_ne!(status, "passed", "{action}");
    }
    // The name is kept, made visible.
    let notes = state(&repo, "a1", "esc")["test"]["notes"].as_str().unwrap().to_owned();
    assert!(notes.contains("red"), "{notes}");
    let out = repo.path().join("_site");
    assert_eq!(repo.run(&["report", "--out", out.to_str().unwrap()]).code, 0);
    for entry in walkdir::WalkDir::new(&out).into_iter().filter_map(Result::ok) {
        if entry.path().extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(entry.path()).unwrap();
            assert!(!html.contains('\x1b'), "{}", entry.path().display());
        }
    }
}

/// A test dated after the report's day (which `validate` lets through) showed as "tested today".
#[test]
fn a_test_dated_in_the_future_is_not_tested_today() {
    let repo = aging_repo("manual = \"30d\"");
    let state = repo.read("assessments/gdpr-2026/mfa.toml").replace("date = 2026-01-02", "date = 2027-03-01");
    repo.write("assessments/gdpr-2026/mfa.toml", state);
    let out = repo.path().join("_site");
    let run = repo.run(&["report", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    let action = std::fs::read_to_string(out.join("actions/mfa.html")).unwrap();
    assert!(action.contains(">tested in the future</span>"), "{action}");
    assert!(!action.contains("tested today"), "{action}");
}
