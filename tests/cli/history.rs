//! `evident history` on real git repositories: the status timeline and the
//! score series asserted value by value against hand-computed expectations,
//! the filters, merged branches, the cache under `.git/evident/`, and the odd
//! histories (no commits, a shallow clone, a broken file in the past, removed
//! and renamed files, very long and hostile texts).
//!
//! Points (docs/design/scoring.md): mandatory preventative 27, discretionary
//! preventative 9, mandatory corrective 3, discretionary detective 1.
//! - mfa: mandatory preventative, 27, category control-access
//! - enc: discretionary preventative, 9, category protect-information
//! - backup: mandatory corrective, 3, category infrastructure-cloud
//! - logs: discretionary detective, 1, category discover-and-respond
//!
//! gdpr-2026 (template gdpr) lists mfa, logs, enc; ccpa-2026 (template ccpa)
//! lists mfa, backup. No groups: history does not care about sync.

use serde_json::{Value, json};

use crate::support::{Run, TestRepo, state_toml};

pub(crate) const ANA: &str = "ana@example.com";
pub(crate) const BOB: &str = "bob@example.com";
pub(crate) const CY: &str = "cy@example.com";

pub(crate) fn definitions(repo: &TestRepo) {
    repo.add_action("mfa", "control-access", "preventative", true);
    repo.add_action("enc", "protect-information", "preventative", false);
    repo.add_action("backup", "infrastructure-cloud", "corrective", true);
    repo.add_action("logs", "discover-and-respond", "detective", false);
    repo.add_template("gdpr", &[("art-32", &["mfa", "logs"]), ("art-25", &["enc"])]);
    repo.add_template("ccpa", &[("1798.150", &["mfa", "backup"])]);
    repo.add_assessment("gdpr-2026", "gdpr", None);
    repo.add_assessment("ccpa-2026", "ccpa", None);
}

/// `state_toml` with notes on the test.
fn with_test_notes(text: &str, test: &str, notes: &str) -> String {
    let status = format!("status = \"{test}\"\n");
    assert!(text.contains(&status));
    text.replace(&status, &format!("{status}notes = {notes:?}\n"))
}

pub(crate) const MFA_FAILED_NOTE: &str = "Bypass via legacy IMAP.";
const LOGS_NOTE: &str = "Reviewed weekly.";

/// Seven commits by three people (commit index: what changed):
/// 0 ana 2026-03-02: definitions; mfa planned (both), logs passed, backup not-implemented
/// 1 bob 2026-03-05 23:30 -05:00 (2026-03-06 in UTC): mfa implemented (both)
/// 2 cy  2026-03-09: mfa passed with evidence (both)
/// 3 bob 2026-03-12: enc alternative + passed (gdpr; no state file before)
/// 4 ana 2026-03-16: backup out-of-scope, owner ana (ccpa)
/// 5 cy  2026-03-20: mfa failed-high in ccpa only
/// 6 ana 2026-03-23: logs owner bob → ana, test notes
pub(crate) fn program() -> (TestRepo, Vec<String>) {
    let repo = TestRepo::new();
    repo.git_init();
    definitions(&repo);
    repo.set_both("mfa", &state_toml(Some(ANA), "planned", "none", &[]));
    repo.write("assessments/gdpr-2026/logs.toml", state_toml(Some(BOB), "implemented", "passed", &["siem"]));
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(None, "not-implemented", "none", &[]));
    let mut ids = vec![repo.commit_at(ANA, "Start the program", "2026-03-02T10:00:00+01:00")];
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "none", &[]));
    ids.push(repo.commit_at(BOB, "Enforce MFA", "2026-03-05T23:30:00-05:00"));
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["mfa-report"]));
    ids.push(repo.commit_at(CY, "Test MFA", "2026-03-09T09:00:00+00:00"));
    repo.write(
        "assessments/gdpr-2026/enc.toml",
        state_toml(Some(BOB), "alternative", "passed", &["enc-cfg"]),
    );
    ids.push(repo.commit_at(BOB, "Encrypt with the platform's keys", "2026-03-12T14:00:00+00:00"));
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(Some(ANA), "out-of-scope", "none", &[]));
    ids.push(repo.commit_at(ANA, "Backups are the host's job", "2026-03-16T08:00:00+00:00"));
    repo.write(
        "assessments/ccpa-2026/mfa.toml",
        with_test_notes(
            &state_toml(Some(ANA), "implemented", "failed-high", &["mfa-report"]),
            "failed-high",
            MFA_FAILED_NOTE,
        ),
    );
    ids.push(repo.commit_at(CY, "MFA bypass found", "2026-03-20T16:45:00+00:00"));
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        with_test_notes(&state_toml(Some(ANA), "implemented", "passed", &["siem"]), "passed", LOGS_NOTE),
    );
    ids.push(repo.commit_at(ANA, "Take over logs", "2026-03-23T11:00:00+00:00"));
    (repo, ids)
}

/// The JSON snapshot of a state written by `state_toml` (same dates and notes).
fn snap(owner: Option<&str>, implementation: &str, test: &str, evidence: &[&str]) -> Value {
    let dated_impl = matches!(implementation, "implemented" | "alternative" | "out-of-scope");
    let justified_impl = matches!(implementation, "alternative" | "out-of-scope");
    let dated_test = matches!(
        test,
        "passed" | "failed-low" | "failed-medium" | "failed-high" | "out-of-scope" | "partially-tested"
    );
    json!({
        "owner": owner,
        "implementation": implementation,
        "implementation_date": dated_impl.then_some("2026-01-01"),
        "implementation_notes": justified_impl.then_some("justified"),
        "test": test,
        "test_date": dated_test.then_some("2026-01-02"),
        "test_notes": (test == "out-of-scope").then_some("justified"),
        "evidence": evidence,
    })
}

fn with_notes(mut snapshot: Value, notes: &str) -> Value {
    snapshot["test_notes"] = json!(notes);
    snapshot
}

/// (commit index, assessment, action, before, after) of every event.
fn events_of(run: &Run, ids: &[String]) -> Vec<(usize, String, String, Value, Value)> {
    assert_eq!(run.code, 0, "{}", run.all());
    run.json()
        .as_array()
        .expect("an array")
        .iter()
        .map(|e| {
            let id = e["commit"].as_str().expect("commit id");
            let index = ids.iter().position(|c| c == id).unwrap_or_else(|| panic!("unknown commit {id}"));
            (
                index,
                e["assessment"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
                e["before"].clone(),
                e["after"].clone(),
            )
        })
        .collect()
}

fn ev(
    commit: usize,
    assessment: &str,
    action: &str,
    before: Value,
    after: Value,
) -> (usize, String, String, Value, Value) {
    (commit, assessment.to_owned(), action.to_owned(), before, after)
}

/// (earned, max) by name: "overall", assessment ids, and "category:<id>".
type Series = Vec<Vec<(String, (u64, u64))>>;

/// The score series as (name, (earned, max)) rows per commit; checks that
/// every percent is the one-decimal half-up rounding of earned / max.
pub(crate) fn series_of(run: &Run, ids: &[String]) -> Series {
    assert_eq!(run.code, 0, "{}", run.all());
    let points = run.json();
    let points = points.as_array().expect("an array");
    assert_eq!(points.len(), ids.len(), "one point per main-line commit");
    points
        .iter()
        .zip(ids)
        .map(|(p, id)| {
            assert_eq!(p["commit"], json!(id));
            let mut row = vec![("overall".to_owned(), pair(&p["overall"]))];
            for a in p["assessments"].as_array().expect("assessments") {
                row.push((a["id"].as_str().unwrap().to_owned(), pair(a)));
            }
            for c in p["categories"].as_array().expect("categories") {
                row.push((format!("category:{}", c["id"].as_str().unwrap()), pair(c)));
            }
            row
        })
        .collect()
}

pub(crate) fn pair(v: &Value) -> (u64, u64) {
    let (earned, max) = (v["earned"].as_u64().expect("earned"), v["max"].as_u64().expect("max"));
    let expected = if max == 0 { 100.0 } else { ((2000 * earned + max) / (2 * max)) as f64 / 10.0 };
    assert_eq!(v["percent"].as_f64(), Some(expected), "{v}");
    (earned, max)
}

pub(crate) fn row(entries: &[(&str, (u64, u64))]) -> Vec<(String, (u64, u64))> {
    entries.iter().map(|(n, s)| ((*n).to_owned(), *s)).collect()
}

pub(crate) fn history(repo: &TestRepo, args: &[&str]) -> Run {
    let mut all = vec!["history"];
    all.extend_from_slice(args);
    repo.run(&all)
}

#[test]
fn events_before_and_after_value_by_value() {
    let (repo, ids) = program();
    let run = history(&repo, &["--format", "json"]);
    let planned = snap(Some(ANA), "planned", "none", &[]);
    let implemented = snap(Some(ANA), "implemented", "none", &[]);
    let passed = snap(Some(ANA), "implemented", "passed", &["mfa-report"]);
    let failed = with_notes(snap(Some(ANA), "implemented", "failed-high", &["mfa-report"]), MFA_FAILED_NOTE);
    let logs = snap(Some(BOB), "implemented", "passed", &["siem"]);
    let logs_after = with_notes(snap(Some(ANA), "implemented", "passed", &["siem"]), LOGS_NOTE);
    // Within a commit, events come in path order (ccpa before gdpr, then action file names).
    let expected = vec![
        ev(0, "ccpa-2026", "backup", Value::Null, snap(None, "not-implemented", "none", &[])),
        ev(0, "ccpa-2026", "mfa", Value::Null, planned.clone()),
        ev(0, "gdpr-2026", "logs", Value::Null, logs.clone()),
        ev(0, "gdpr-2026", "mfa", Value::Null, planned.clone()),
        ev(1, "ccpa-2026", "mfa", planned.clone(), implemented.clone()),
        ev(1, "gdpr-2026", "mfa", planned, implemented.clone()),
        ev(2, "ccpa-2026", "mfa", implemented.clone(), passed.clone()),
        ev(2, "gdpr-2026", "mfa", implemented, passed.clone()),
        ev(3, "gdpr-2026", "enc", Value::Null, snap(Some(BOB), "alternative", "passed", &["enc-cfg"])),
        ev(
            4,
            "ccpa-2026",
            "backup",
            snap(None, "not-implemented", "none", &[]),
            snap(Some(ANA), "out-of-scope", "none", &[]),
        ),
        ev(5, "ccpa-2026", "mfa", passed, failed),
        ev(6, "gdpr-2026", "logs", logs, logs_after),
    ];
    let got = events_of(&run, &ids);
    assert_eq!(got.len(), expected.len(), "{}", run.stdout);
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g, e);
    }

    // Who and when, for two events: bob's commit is dated 2026-03-05 23:30 at
    // -05:00, that is 2026-03-06 04:30 UTC; the date shown is the author's.
    // 2026-03-06T04:30Z = 20518 days × 86400 + 4.5 h = 1772771400 (20454 days
    // from 1970 to 2026-01-01, + 31 + 28 + 5 to March 6th).
    let events = run.json();
    let bob = &events[4];
    assert_eq!(bob["date"], "2026-03-05");
    assert_eq!(bob["time"], 1_772_771_400);
    assert_eq!(bob["author"], json!({"name": "bob", "email": BOB}));
    assert_eq!(bob["summary"], "Enforce MFA");
    // 2026-03-02T10:00+01:00 = 2026-03-02T09:00Z = 20514 × 86400 + 9 h.
    assert_eq!(events[0]["time"], 20514 * 86400 + 9 * 3600);
    assert_eq!(events[0]["date"], "2026-03-02");
    assert_eq!(events[11]["author"]["name"], "ana");

    let human = history(&repo, &[]);
    assert_eq!(human.code, 0, "{}", human.all());
    assert_eq!(human.stderr, "");
    insta::assert_snapshot!("history_human", human.stdout);
    let markdown = history(&repo, &["--format", "markdown"]);
    insta::assert_snapshot!("history_markdown", markdown.stdout);
}

#[test]
fn score_series_value_by_value() {
    let (repo, ids) = program();
    let series = series_of(&history(&repo, &["--scores", "--format", "json"]), &ids);
    // 0: gdpr = mfa 0/27 + logs 1/1 + enc 0/9 (no state file: not-implemented) = 1/37;
    //    ccpa = mfa 0/27 + backup 0/3 = 0/30; overall, each action once:
    //    mfa 0/27 + logs 1/1 + enc 0/9 + backup 0/3 = 1/40.
    let start = row(&[
        ("overall", (1, 40)),
        ("ccpa-2026", (0, 30)),
        ("gdpr-2026", (1, 37)),
        ("category:control-access", (0, 27)),
        ("category:discover-and-respond", (1, 1)),
        ("category:infrastructure-cloud", (0, 3)),
        ("category:protect-information", (0, 9)),
    ]);
    // 2: mfa passed in both: gdpr 1 + 27 = 28/37, ccpa 27/30, overall 28/40.
    let mfa_passed = row(&[
        ("overall", (28, 40)),
        ("ccpa-2026", (27, 30)),
        ("gdpr-2026", (28, 37)),
        ("category:control-access", (27, 27)),
        ("category:discover-and-respond", (1, 1)),
        ("category:infrastructure-cloud", (0, 3)),
        ("category:protect-information", (0, 9)),
    ]);
    // 3: enc alternative + passed earns 9: gdpr 37/37, overall 37/40.
    let enc = row(&[
        ("overall", (37, 40)),
        ("ccpa-2026", (27, 30)),
        ("gdpr-2026", (37, 37)),
        ("category:control-access", (27, 27)),
        ("category:discover-and-respond", (1, 1)),
        ("category:infrastructure-cloud", (0, 3)),
        ("category:protect-information", (9, 9)),
    ]);
    // 4: backup out of scope in its only assessment leaves every maximum:
    //    ccpa 27/27, overall 37/37, infrastructure-cloud 0/0.
    let backup_out = row(&[
        ("overall", (37, 37)),
        ("ccpa-2026", (27, 27)),
        ("gdpr-2026", (37, 37)),
        ("category:control-access", (27, 27)),
        ("category:discover-and-respond", (1, 1)),
        ("category:infrastructure-cloud", (0, 0)),
        ("category:protect-information", (9, 9)),
    ]);
    // 5: mfa failed in ccpa only: ccpa 0/27; gdpr keeps 37/37; overall, mfa
    //    earns only where it earns everywhere in scope: 37 - 27 = 10/37.
    let mfa_failed = row(&[
        ("overall", (10, 37)),
        ("ccpa-2026", (0, 27)),
        ("gdpr-2026", (37, 37)),
        ("category:control-access", (0, 27)),
        ("category:discover-and-respond", (1, 1)),
        ("category:infrastructure-cloud", (0, 0)),
        ("category:protect-information", (9, 9)),
    ]);
    // 1 (implemented, not tested) and 6 (owner and notes) move nothing.
    let expected = vec![start.clone(), start, mfa_passed, enc, backup_out, mfa_failed.clone(), mfa_failed];
    assert_eq!(series, expected);

    // The human series lists only the commits that moved the overall score:
    // 1/40 2.5%, 28/40 70.0%, 37/40 92.5%, 37/37 100.0%, 10/37 27.0% (27.03).
    let human = history(&repo, &["--scores"]);
    assert_eq!(human.code, 0, "{}", human.all());
    insta::assert_snapshot!("history_scores_human", human.stdout);
}

#[test]
fn filters() {
    let (repo, ids) = program();
    let count = |args: &[&str]| -> Vec<(usize, String, String)> {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        events_of(&history(&repo, &all), &ids).into_iter().map(|(c, a, x, _, _)| (c, a, x)).collect()
    };
    let e = |c: usize, a: &str, x: &str| (c, a.to_owned(), x.to_owned());
    // ACTION: mfa changed in commits 0, 1, 2 (both assessments) and 5 (ccpa).
    assert_eq!(
        count(&["mfa"]),
        [
            e(0, "ccpa-2026", "mfa"),
            e(0, "gdpr-2026", "mfa"),
            e(1, "ccpa-2026", "mfa"),
            e(1, "gdpr-2026", "mfa"),
            e(2, "ccpa-2026", "mfa"),
            e(2, "gdpr-2026", "mfa"),
            e(5, "ccpa-2026", "mfa"),
        ]
    );
    assert_eq!(
        count(&["mfa", "--assessment", "gdpr-2026"]),
        [e(0, "gdpr-2026", "mfa"), e(1, "gdpr-2026", "mfa"), e(2, "gdpr-2026", "mfa")]
    );
    assert_eq!(
        count(&["--assessment", "ccpa-2026"]),
        [
            e(0, "ccpa-2026", "backup"),
            e(0, "ccpa-2026", "mfa"),
            e(1, "ccpa-2026", "mfa"),
            e(2, "ccpa-2026", "mfa"),
            e(4, "ccpa-2026", "backup"),
            e(5, "ccpa-2026", "mfa"),
        ]
    );
    // --since compares the author's local date: bob's commit of 2026-03-05
    // 23:30 -05:00 is kept by --since 2026-03-05, left out by 2026-03-06.
    let since_6 = count(&["--since", "2026-03-06"]);
    assert_eq!(since_6.first(), Some(&e(2, "ccpa-2026", "mfa")));
    assert_eq!(since_6.len(), 2 + 1 + 1 + 1 + 1);
    let since_5 = count(&["--since", "2026-03-05"]);
    assert_eq!(since_5.first(), Some(&e(1, "ccpa-2026", "mfa")));
    assert_eq!(since_5.len(), 8);
    assert_eq!(count(&["--since", "2026-03-24"]), []);
    // --author: the e-mail, in any case.
    let bob = [e(1, "ccpa-2026", "mfa"), e(1, "gdpr-2026", "mfa"), e(3, "gdpr-2026", "enc")];
    assert_eq!(count(&["--author", BOB]), bob);
    assert_eq!(count(&["--author", "Bob@Example.COM"]), bob);
    assert_eq!(count(&["--author", "nobody@example.com"]), []);
    // All together.
    assert_eq!(
        count(&["mfa", "--author", CY, "--assessment", "ccpa-2026", "--since", "2026-03-10"]),
        [e(5, "ccpa-2026", "mfa")]
    );
    // Nothing left: a plain message, not an error.
    let none = history(&repo, &["--author", "nobody@example.com"]);
    assert_eq!((none.code, none.stdout.as_str()), (0, "no status changes\n"));

    // An unknown action: exit 2 with a did-you-mean hint.
    let typo = history(&repo, &["mfs"]);
    assert_eq!(typo.code, 2, "{}", typo.all());
    assert!(typo.stderr.contains("no action `mfs`"), "{}", typo.stderr);
    assert!(typo.stderr.contains("did you mean `mfa`?"), "{}", typo.stderr);
    assert_eq!(typo.stdout, "");
    // An unknown assessment, likewise.
    let typo = history(&repo, &["--assessment", "gdpr-2025"]);
    assert_eq!(typo.code, 2, "{}", typo.all());
    assert!(typo.stderr.contains("`gdpr-2025`"), "{}", typo.stderr);
    assert!(typo.stderr.contains("did you mean `gdpr-2026`?"), "{}", typo.stderr);
    // A malformed action id or date: usage errors.
    assert_eq!(history(&repo, &["Not An Id"]).code, 2);
    let date = history(&repo, &["--since", "2026-13-01"]);
    assert_eq!(date.code, 2, "{}", date.all());
    assert!(date.stderr.contains("--since"), "{}", date.stderr);
}

/// main: start (ana), m1 (ana: backup planned), merge (dan: merges feature);
/// feature, from start: b1 (bob: mfa implemented in gdpr), b2 (cy: mfa passed
/// in gdpr). Returns the main line and every commit in git's topological
/// order (start, m1, b1, b2, merge), which `--all-parents` lists.
pub(crate) fn merged() -> (TestRepo, Vec<String>, Vec<String>) {
    let repo = TestRepo::new();
    repo.git_init();
    definitions(&repo);
    repo.set_both("mfa", &state_toml(Some(ANA), "planned", "none", &[]));
    let start = repo.commit_at(ANA, "Start", "2026-04-01T09:00:00+00:00");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("assessments/gdpr-2026/mfa.toml", state_toml(Some(ANA), "implemented", "none", &[]));
    let b1 = repo.commit_at(BOB, "Enforce MFA", "2026-04-02T09:00:00+00:00");
    repo.write("assessments/gdpr-2026/mfa.toml", state_toml(Some(ANA), "implemented", "passed", &["r"]));
    let b2 = repo.commit_at(CY, "Test MFA", "2026-04-03T09:00:00+00:00");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(None, "planned", "none", &[]));
    let m1 = repo.commit_at(ANA, "Plan backups", "2026-04-04T09:00:00+00:00");
    repo.git_at(
        &[
            "-c",
            "user.name=dan",
            "-c",
            "user.email=dan@example.com",
            "merge",
            "-q",
            "--no-ff",
            "-m",
            "Merge feature",
            "feature",
        ],
        "2026-04-05T09:00:00+00:00",
    );
    let merge = repo.git(&["rev-parse", "HEAD"]);
    (repo, vec![start.clone(), m1.clone(), merge.clone()], vec![start, m1, b1, b2, merge])
}

#[test]
fn all_parents_attributes_branch_commits_to_their_authors() {
    let (repo, mainline, all) = merged();
    let planned = snap(Some(ANA), "planned", "none", &[]);
    let implemented = snap(Some(ANA), "implemented", "none", &[]);
    let passed = snap(Some(ANA), "implemented", "passed", &["r"]);
    let initial = || {
        vec![
            ev(0, "ccpa-2026", "mfa", Value::Null, planned.clone()),
            ev(0, "gdpr-2026", "mfa", Value::Null, planned.clone()),
        ]
    };
    // First parent: the merge commit (dan) carries the branch's net change.
    let mut expected = initial();
    expected.push(ev(1, "ccpa-2026", "backup", Value::Null, snap(None, "planned", "none", &[])));
    expected.push(ev(2, "gdpr-2026", "mfa", planned.clone(), passed.clone()));
    let first = history(&repo, &["--format", "json"]);
    assert_eq!(events_of(&first, &mainline), expected);
    assert_eq!(first.json()[3]["author"]["email"], "dan@example.com");
    // All parents: bob's and cy's own commits, and nothing for the merge,
    // which changed nothing itself.
    let mut expected = initial();
    expected.push(ev(1, "ccpa-2026", "backup", Value::Null, snap(None, "planned", "none", &[])));
    expected.push(ev(2, "gdpr-2026", "mfa", planned, implemented.clone()));
    expected.push(ev(3, "gdpr-2026", "mfa", implemented, passed));
    let every = history(&repo, &["--all-parents", "--format", "json"]);
    assert_eq!(events_of(&every, &all), expected);
    let authors: Vec<String> = every
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["author"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(authors, ["ana", "ana", "ana", "bob", "cy"]);
    // --author finds bob's change only with --all-parents.
    assert_eq!(events_of(&history(&repo, &["--author", BOB, "--format", "json"]), &mainline), []);
    assert_eq!(
        events_of(&history(&repo, &["--author", BOB, "--all-parents", "--format", "json"]), &all).len(),
        1
    );

    // Scores follow the main line either way: 0: gdpr mfa 0/27 + logs 0/1 +
    // enc 0/9 = 0/37, ccpa 0/30, overall 0/40; 1: unchanged (planned);
    // 2 (merge): gdpr mfa passed, ccpa mfa planned: gdpr 27/37, overall 0/40
    // (mfa does not earn in ccpa).
    let scores = history(&repo, &["--scores", "--format", "json"]);
    let series = series_of(&scores, &mainline);
    let overall: Vec<(u64, u64)> = series.iter().map(|r| r[0].1).collect();
    assert_eq!(overall, [(0, 40), (0, 40), (0, 40)]);
    let gdpr: Vec<(u64, u64)> = series.iter().map(|r| r[2].1).collect();
    assert_eq!(gdpr, [(0, 37), (0, 37), (27, 37)]);
    assert_eq!(history(&repo, &["--scores", "--all-parents", "--format", "json"]).stdout, scores.stdout);
}

#[test]
fn no_commits_is_an_empty_history_with_a_note_like_report() {
    let repo = TestRepo::new();
    definitions(&repo);
    repo.git_init();
    let run = history(&repo, &[]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "no status changes\n"), "{}", run.all());
    assert!(run.stderr.contains("note: the compliance repository is not committed yet"), "{}", run.stderr);
    let run = history(&repo, &["--format", "json"]);
    assert_eq!((run.code, run.json()), (0, serde_json::json!([])), "{}", run.all());
    let run = history(&repo, &["--scores", "--format", "json"]);
    assert_eq!((run.code, run.json()), (0, serde_json::json!([])), "{}", run.all());
    // An action that exists has no events yet; one that does not is still a typo.
    let run = history(&repo, &["mfa", "--format", "json"]);
    assert_eq!((run.code, run.json()), (0, serde_json::json!([])), "{}", run.all());
    let run = history(&repo, &["mfs"]);
    assert_eq!(run.code, 2, "{}", run.all());
    let run = repo.run(&["export", "history", "--format", "csv", "-q"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.stdout.lines().count(), 1, "only the header: {}", run.stdout);
    assert_eq!(run.stderr, "", "quiet: no note");
    // Not a git repository at all: evident cannot read a history.
    let plain = TestRepo::new();
    let run = history(&plain, &[]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("not in a git repository"), "{}", run.stderr);
    assert!(!repo.path().join(".git/evident").exists());
}

#[test]
fn a_known_action_without_events_is_an_empty_history_not_an_error() {
    let repo = TestRepo::new();
    definitions(&repo);
    repo.git_init();
    repo.commit("ana@example.com", "Import");
    repo.add_action("quiet", "control-access", "preventative", false);
    let run = history(&repo, &["quiet"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "no status changes\n"), "{}", run.all());
    let run = history(&repo, &["quiet", "--format", "json"]);
    assert_eq!((run.code, run.json()), (0, serde_json::json!([])), "{}", run.all());
    let run = repo.run(&["export", "history", "quiet", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn shallow_clone_starts_at_the_boundary_and_says_so() {
    let (repo, ids) = program();
    let clone = TestRepo::bare();
    let url = format!("file://{}", repo.path().display());
    clone.git(&["clone", "-q", "--depth", "3", &url, "."]);
    // Depth 3: commits 4, 5 and 6; commit 4 is the boundary. Its files were
    // not added by it, so it shows no events; its scores are the state then.
    let run = history(&clone, &["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let boundary = &ids[4][..7];
    assert!(
        run.stderr.contains(&format!("shallow clone: history starts at {boundary} (2026-03-16)")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("git fetch --unshallow"), "{}", run.stderr);
    let got = events_of(&run, &ids);
    let places: Vec<(usize, &str, &str)> =
        got.iter().map(|(c, a, x, _, _)| (*c, a.as_str(), x.as_str())).collect();
    assert_eq!(places, [(5, "ccpa-2026", "mfa"), (6, "gdpr-2026", "logs")]);
    let scores = history(&clone, &["--scores", "--format", "json"]);
    let series = series_of(&scores, &ids[4..]);
    let overall: Vec<(u64, u64)> = series.iter().map(|r| r[0].1).collect();
    // The same as the full history's last three points.
    assert_eq!(overall, [(37, 37), (10, 37), (10, 37)]);
    assert!(scores.stderr.contains("shallow clone"), "{}", scores.stderr);
    // After unshallowing, the whole history, and the cache does not get in the way.
    clone.git(&["fetch", "-q", "--unshallow"]);
    let full = history(&clone, &["--format", "json"]);
    assert_eq!(full.stderr, "");
    assert_eq!(events_of(&full, &ids).len(), 12);
}

#[test]
fn broken_state_file_in_the_past_is_reported_and_skipped() {
    let repo = TestRepo::new();
    repo.git_init();
    definitions(&repo);
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["r"]));
    let c0 = repo.commit_at(ANA, "Start", "2026-05-01T09:00:00+00:00");
    repo.write("assessments/ccpa-2026/mfa.toml", "[implementation\nstatus = \"planned\"\n");
    let c1 = repo.commit_at(BOB, "Oops", "2026-05-02T09:00:00+00:00");
    repo.write("assessments/gdpr-2026/logs.toml", state_toml(Some(BOB), "implemented", "passed", &["s"]));
    let c2 = repo.commit_at(BOB, "Logs pass", "2026-05-03T09:00:00+00:00");
    repo.write("assessments/ccpa-2026/mfa.toml", state_toml(Some(ANA), "implemented", "failed-low", &["r"]));
    let c3 = repo.commit_at(CY, "Fix and retest", "2026-05-04T09:00:00+00:00");
    let ids = vec![c0, c1.clone(), c2, c3];
    let run = history(&repo, &["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    // A warning with its code, at the commit and path of the broken file.
    let warning = format!("warning[E0707]: assessments/ccpa-2026/mfa.toml in {} (2026-05-02): ", &c1[..7]);
    assert!(run.stderr.contains(&warning), "{}", run.stderr);
    assert!(run.stderr.contains("its last good version was kept"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    let passed = snap(Some(ANA), "implemented", "passed", &["r"]);
    // No event for the broken version; the fix compares with the last good one.
    assert_eq!(
        events_of(&run, &ids),
        [
            ev(0, "ccpa-2026", "mfa", Value::Null, passed.clone()),
            ev(0, "gdpr-2026", "mfa", Value::Null, passed.clone()),
            ev(2, "gdpr-2026", "logs", Value::Null, snap(Some(BOB), "implemented", "passed", &["s"])),
            ev(3, "ccpa-2026", "mfa", passed, snap(Some(ANA), "implemented", "failed-low", &["r"])),
        ]
    );
    // Scores: 0: mfa earns in both: overall 27/40, gdpr 27/37, ccpa 27/30.
    // 1: the last good version stays: unchanged. 2: logs +1: 28/40, gdpr 28/37.
    // 3: mfa fails in ccpa: overall 1/40 (logs), ccpa 0/30, gdpr 28/37.
    let series = series_of(&history(&repo, &["--scores", "--format", "json"]), &ids);
    let pick = |name: &str| -> Vec<(u64, u64)> {
        series.iter().map(|r| r.iter().find(|(n, _)| n == name).unwrap().1).collect()
    };
    assert_eq!(pick("overall"), [(27, 40), (27, 40), (28, 40), (1, 40)]);
    assert_eq!(pick("gdpr-2026"), [(27, 37), (27, 37), (28, 37), (28, 37)]);
    assert_eq!(pick("ccpa-2026"), [(27, 30), (27, 30), (27, 30), (0, 30)]);
    // The warning is given again from the cache.
    let again = history(&repo, &[]);
    assert!(again.stderr.contains(&warning), "{}", again.stderr);
}

#[test]
fn removed_assessment_renamed_action_and_deleted_state() {
    let (repo, mut ids) = program();
    // 7: the ccpa assessment is removed (with its states).
    repo.git(&["rm", "-q", "-r", "assessments/ccpa-2026"]);
    ids.push(repo.commit_at(ANA, "Drop CCPA", "2026-04-01T09:00:00+00:00"));
    // 8: logs is renamed to siem (its file, id, template and state file).
    repo.git(&["mv", "actions/logs.toml", "actions/siem.toml"]);
    repo.write("actions/siem.toml", repo.read("actions/siem.toml").replace("\"logs\"", "\"siem\""));
    repo.write("templates/gdpr.toml", repo.read("templates/gdpr.toml").replace("\"logs\"", "\"siem\""));
    repo.git(&["mv", "assessments/gdpr-2026/logs.toml", "assessments/gdpr-2026/siem.toml"]);
    ids.push(repo.commit_at(BOB, "Rename logs to siem", "2026-04-02T09:00:00+00:00"));
    // 9: the enc state file is deleted (back to the defaults).
    repo.remove("assessments/gdpr-2026/enc.toml");
    ids.push(repo.commit_at(BOB, "Forget enc", "2026-04-03T09:00:00+00:00"));

    let run = history(&repo, &["--format", "json"]);
    let got = events_of(&run, &ids);
    assert_eq!(got.len(), 12 + 2 + 2 + 1, "{}", run.stdout);
    let tail: Vec<(usize, &str, &str, bool, bool)> = got[12..]
        .iter()
        .map(|(c, a, x, b, after)| (*c, a.as_str(), x.as_str(), b.is_null(), after.is_null()))
        .collect();
    assert_eq!(
        tail,
        [
            (7, "ccpa-2026", "backup", false, true),
            (7, "ccpa-2026", "mfa", false, true),
            (8, "gdpr-2026", "logs", false, true),
            (8, "gdpr-2026", "siem", true, false),
            (9, "gdpr-2026", "enc", false, true),
        ]
    );
    // The removed assessment's events stay; the old action name keeps its own.
    assert_eq!(
        events_of(&history(&repo, &["--assessment", "ccpa-2026", "--format", "json"]), &ids).len(),
        6 + 2
    );
    assert_eq!(events_of(&history(&repo, &["logs", "--format", "json"]), &ids).len(), 3);
    assert_eq!(events_of(&history(&repo, &["siem", "--format", "json"]), &ids).len(), 1);
    let human = history(&repo, &["--since", "2026-04-01"]);
    insta::assert_snapshot!("history_removed_renamed_deleted", human.stdout);

    // Scores: 6: overall 10/37 (see score_series_value_by_value).
    // 7: ccpa gone: mfa earns in gdpr, its only assessment now: overall
    //    mfa 27 + logs 1 + enc 9 = 37/37; the series lists gdpr only.
    // 8: siem is logs under another name: unchanged.
    // 9: enc back to not-implemented: gdpr 28/37, overall 28/37.
    let series = series_of(&history(&repo, &["--scores", "--format", "json"]), &ids);
    let names: Vec<&str> =
        series[9].iter().map(|(n, _)| n.as_str()).filter(|n| !n.starts_with("category:")).collect();
    assert_eq!(names, ["overall", "gdpr-2026"]);
    let overall: Vec<(u64, u64)> = series[6..].iter().map(|r| r[0].1).collect();
    assert_eq!(overall, [(10, 37), (37, 37), (37, 37), (28, 37)]);
    assert_eq!(series[9][1], ("gdpr-2026".to_owned(), (28, 37)));
}

#[test]
fn long_notes_and_markup_stay_text() {
    let (repo, mut ids) = program();
    let long = format!("{}<script>alert(1)</script> & <b>end</b>", "x".repeat(100 * 1024));
    let title = "<script>alert(2)</script> Logs <b>review</b>";
    repo.write(
        "actions/logs.toml",
        repo.read("actions/logs.toml").replace("title = \"Action logs\"", &format!("title = {title:?}")),
    );
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        with_test_notes(
            &state_toml(
                Some(ANA),
                "implemented",
                "passed",
                &["<img src=x onerror=alert(3)>", &"y".repeat(500)],
            ),
            "passed",
            &long,
        ),
    );
    ids.push(repo.commit_at(ANA, "<script>alert(4)</script> notes", "2026-04-01T09:00:00+00:00"));
    let run = history(&repo, &["logs", "--format", "json"]);
    let events = run.json();
    let last = events.as_array().unwrap().last().unwrap();
    assert_eq!(last["after"]["test_notes"], json!(long));
    assert_eq!(last["before"]["test_notes"], json!(LOGS_NOTE));
    assert_eq!(last["after"]["evidence"], json!(["<img src=x onerror=alert(3)>", "y".repeat(500)]));
    assert_eq!(last["summary"], "<script>alert(4)</script> notes");
    // The terminal table names what changed; it does not print 100 KB.
    let human = history(&repo, &["logs"]);
    assert_eq!(human.code, 0, "{}", human.all());
    let widest = human.stdout.lines().map(|l| l.chars().count()).max().unwrap();
    // Date, commit, author, assessment and action take 50 characters; the
    // Change cell at most 160 (and 40 for "and N more").
    assert!(widest <= 250, "a line of {widest} characters:\n{}", human.stdout);
    assert!(human.stdout.contains("test notes"), "{}", human.stdout);
    assert!(human.stdout.contains("+ evidence <img src=x onerror=alert(3)>"), "{}", human.stdout);
    // The 500-character evidence name does not fit: it is counted, not printed.
    assert!(
        human.stdout.contains(
            "+ evidence <img src=x onerror=alert(3)>, - evidence siem, test notes, and 1 more (see --format json)"
        ),
        "{}",
        human.stdout
    );
    assert!(!human.stdout.contains(&"y".repeat(100)), "{}", human.stdout);
    let markdown = history(&repo, &["logs", "--format", "markdown"]);
    assert!(markdown.stdout.len() < 2000, "{}", markdown.stdout);
}

#[test]
fn scores_before_anything_is_in_scope_show_n_a() {
    let repo = TestRepo::new();
    repo.git_init();
    let c0 = repo.commit_at(ANA, "Empty repository", "2026-02-01T09:00:00+00:00");
    definitions(&repo);
    repo.remove("assessments/ccpa-2026/assessment.toml");
    repo.write("assessments/gdpr-2026/mfa.toml", state_toml(None, "out-of-scope", "none", &[]));
    repo.write("assessments/gdpr-2026/logs.toml", state_toml(None, "not-implemented", "out-of-scope", &[]));
    repo.write("assessments/gdpr-2026/enc.toml", state_toml(None, "out-of-scope", "out-of-scope", &[]));
    let c1 = repo.commit_at(ANA, "All out of scope", "2026-02-02T09:00:00+00:00");
    repo.write("assessments/gdpr-2026/enc.toml", state_toml(None, "implemented", "passed", &["e"]));
    let c2 = repo.commit_at(BOB, "Encrypt", "2026-02-03T09:00:00+00:00");
    let ids = vec![c0, c1, c2];
    // 0: no assessments: 0/0. 1: everything out of scope: 0/0. 2: enc 9/9.
    let series = series_of(&history(&repo, &["--scores", "--format", "json"]), &ids);
    let overall: Vec<(u64, u64)> = series.iter().map(|r| r[0].1).collect();
    assert_eq!(overall, [(0, 0), (0, 0), (9, 9)]);
    assert_eq!(series[0], row(&[("overall", (0, 0))]));
    let human = history(&repo, &["--scores"]);
    assert_eq!(human.code, 0, "{}", human.all());
    insta::assert_snapshot!("history_scores_n_a", human.stdout);
}
