//! `evident history`'s cache under `.git/evident/`: reused and extended,
//! ignored with a warning when damaged, recomputed when history is rewritten,
//! never shared between `--all-parents` and first-parent runs. The program is
//! the one of [`super::history`].

use serde_json::Value;

use super::history::{ANA, BOB, CY, MFA_FAILED_NOTE, definitions, history, merged, pair, program, row};
use crate::support::{TestRepo, state_toml};

fn cache_file(repo: &TestRepo) -> std::path::PathBuf {
    repo.path().join(".git/evident/timeline.bin")
}

/// The outputs that depend on the cache: events and scores.
fn outputs(repo: &TestRepo) -> (String, String, String) {
    let events = history(repo, &["--format", "json"]);
    let scores = history(repo, &["--scores", "--format", "json"]);
    let human = history(repo, &[]);
    for r in [&events, &scores, &human] {
        assert_eq!(r.code, 0, "{}", r.all());
    }
    (events.stdout, scores.stdout, human.stdout + &human.stderr)
}

/// What a run without any cache prints (the cache it writes is removed after).
fn fresh(repo: &TestRepo) -> (String, String, String) {
    let _ = std::fs::remove_dir_all(repo.path().join(".git/evident"));
    let out = outputs(repo);
    let _ = std::fs::remove_dir_all(repo.path().join(".git/evident"));
    out
}

#[test]
fn cache_is_reused_and_extended() {
    let (repo, _) = program();
    let first = outputs(&repo);
    let cached = std::fs::read(cache_file(&repo)).expect("the cache is written");
    let modified = std::fs::metadata(cache_file(&repo)).unwrap().modified().unwrap();
    // Nothing new: the same output, and the cache is not rewritten.
    assert_eq!(outputs(&repo), first);
    assert_eq!(std::fs::read(cache_file(&repo)).unwrap(), cached);
    assert_eq!(std::fs::metadata(cache_file(&repo)).unwrap().modified().unwrap(), modified);
    // A new commit: the cache grows by it and the output is a fresh run's.
    repo.write(
        "assessments/ccpa-2026/mfa.toml",
        state_toml(Some(ANA), "implemented", "passed", &["mfa-report"]),
    );
    repo.commit_at(CY, "Retest MFA", "2026-03-25T09:00:00+00:00");
    let extended = outputs(&repo);
    assert_ne!(extended, first);
    let grown = std::fs::read(cache_file(&repo)).unwrap();
    assert!(grown.len() > cached.len());
    assert_eq!(extended, fresh(&repo));
}

#[test]
fn damaged_cache_is_ignored_with_a_warning_and_rewritten() {
    let (repo, _) = program();
    let expected = fresh(&repo);
    outputs(&repo);
    let good = std::fs::read(cache_file(&repo)).unwrap();
    let magic = b"evident timeline cache";
    let at = good.windows(magic.len()).position(|w| w == magic).expect("the magic string");
    let mut other_format = good.clone();
    // The format number follows the magic string (a one-byte varint); one this
    // version does not know (an older one is rebuilt quietly, see the unit tests).
    assert_eq!(other_format[at + magic.len()], 2);
    other_format[at + magic.len()] = 99;
    let damaged: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", b"\xff\xfe garbage \x00\x01 not a cache".to_vec()),
        ("empty", Vec::new()),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("one byte short", good[..good.len() - 1].to_vec()),
        ("another format", other_format),
    ];
    for (what, bytes) in damaged {
        std::fs::write(cache_file(&repo), &bytes).unwrap();
        let run = history(&repo, &["--format", "json"]);
        assert_eq!(run.code, 0, "{what}: {}", run.all());
        assert!(run.stderr.contains("warning[E0851]: ignoring the history cache"), "{what}: {}", run.stderr);
        assert!(run.stderr.contains("reading the whole history"), "{what}: {}", run.stderr);
        assert_eq!(run.stdout, expected.0, "{what}");
        assert_eq!(std::fs::read(cache_file(&repo)).unwrap(), good, "{what}: the cache is rewritten");
        let again = history(&repo, &["--format", "json"]);
        assert_eq!((again.stderr.as_str(), again.stdout.as_str()), ("", expected.0.as_str()), "{what}");
    }
    // A cache of another evident version is not damage: rebuilt quietly.
    let version = env!("CARGO_PKG_VERSION").as_bytes();
    let at = good.windows(version.len()).position(|w| w == version).expect("the version");
    let mut older = good.clone();
    older[at + version.len() - 1] = if older[at + version.len() - 1] == b'9' { b'8' } else { b'9' };
    std::fs::write(cache_file(&repo), &older).unwrap();
    let run = history(&repo, &["--format", "json"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(run.stdout, expected.0);
    assert_eq!(std::fs::read(cache_file(&repo)).unwrap(), good);
    // A cache that cannot be written: a warning, and the right output.
    std::fs::remove_file(cache_file(&repo)).unwrap();
    std::fs::create_dir(cache_file(&repo)).unwrap();
    let run = history(&repo, &["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.stdout, expected.0);
    assert!(run.stderr.contains("warning[E0851]: could not cache the history"), "{}", run.stderr);
}

#[test]
fn rewritten_history_is_recomputed() {
    let (repo, _) = program();
    outputs(&repo);
    // Amend the last commit with another change.
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        state_toml(Some(ANA), "implemented", "failed-low", &["siem"]),
    );
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--amend", "--no-edit"]);
    let amended = outputs(&repo);
    assert!(amended.0.contains("failed-low"));
    assert_eq!(amended, fresh(&repo));
    // Back two commits, then two new ones: the cache's tail is stale.
    outputs(&repo);
    repo.git(&["reset", "-q", "--hard", "HEAD~2"]);
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(Some(BOB), "implemented", "passed", &["b"]));
    repo.commit_at(BOB, "Back up after all", "2026-03-17T08:00:00+00:00");
    repo.write("assessments/gdpr-2026/enc.toml", state_toml(Some(BOB), "planned", "none", &[]));
    repo.commit_at(BOB, "Drop the alternative", "2026-03-18T08:00:00+00:00");
    let rewritten = outputs(&repo);
    assert!(!rewritten.0.contains(MFA_FAILED_NOTE), "the dropped commits are gone");
    assert_eq!(rewritten, fresh(&repo));
    // Score at the end: gdpr mfa 27 + logs 1 + enc 0/9 = 28/37; ccpa mfa 27
    // + backup 3 = 30/30; overall mfa 27 + logs 1 + backup 3 = 31/40.
    let scores: Value = serde_json::from_str(&rewritten.1).unwrap();
    let last = scores.as_array().unwrap().last().unwrap().clone();
    assert_eq!(pair(&last["overall"]), (31, 40));
}

#[test]
fn all_parents_and_first_parent_do_not_share_a_wrong_cache() {
    let (repo, _, _) = merged();
    let first = outputs(&repo);
    let every = history(&repo, &["--all-parents", "--format", "json"]);
    assert_eq!(every.code, 0);
    assert_eq!(outputs(&repo), first);
    assert_eq!(history(&repo, &["--all-parents", "--format", "json"]).stdout, every.stdout);
    let _ = std::fs::remove_dir_all(repo.path().join(".git/evident"));
    assert_eq!(history(&repo, &["--all-parents", "--format", "json"]).stdout, every.stdout);
    assert_eq!(outputs(&repo), first);
    assert_ne!(first.0, every.stdout);
}

#[test]
fn cache_resumes_over_a_broken_file_and_a_missing_assessment() {
    // 0: definitions and logs passed; 1: logs.toml broken; a state of an
    // assessment whose assessment.toml comes later. The cache then ends on a
    // commit whose workspace holds a last good version and an orphan state.
    let repo = TestRepo::new();
    repo.git_init();
    definitions(&repo);
    repo.write("assessments/gdpr-2026/logs.toml", state_toml(Some(BOB), "implemented", "passed", &["siem"]));
    repo.commit_at(ANA, "Start", "2026-05-01T09:00:00+00:00");
    repo.write("assessments/gdpr-2026/logs.toml", "[implementation\nstatus = \"implemented\"\n");
    repo.write("assessments/soc2-2026/mfa.toml", state_toml(Some(ANA), "implemented", "passed", &["r"]));
    repo.commit_at(BOB, "Break logs", "2026-05-02T09:00:00+00:00");
    let before = outputs(&repo);
    assert!(cache_file(&repo).exists());
    // Now the assessment.toml arrives, and something unrelated changes.
    repo.add_assessment("soc2-2026", "ccpa", None);
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(None, "planned", "none", &[]));
    repo.commit_at(ANA, "Add SOC 2", "2026-05-03T09:00:00+00:00");
    let resumed = outputs(&repo);
    assert_ne!(resumed, before);
    assert_eq!(resumed, fresh(&repo));
    // The last point, by hand: logs keeps its last good version (passed, 1/1);
    // soc2 adopts the mfa state (27/27 of its 30: backup 0/3); gdpr mfa 0/27,
    // enc 0/9 → gdpr 1/37; ccpa 0/30; overall: mfa not earning in gdpr and
    // ccpa → 0 + logs 1 + enc 0 + backup 0 = 1/40.
    let scores: Value = serde_json::from_str(&resumed.1).unwrap();
    let last = &scores.as_array().unwrap()[2];
    assert_eq!(pair(&last["overall"]), (1, 40));
    let by_id: Vec<(String, (u64, u64))> = last["assessments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_str().unwrap().to_owned(), pair(a)))
        .collect();
    assert_eq!(by_id, row(&[("ccpa-2026", (0, 30)), ("gdpr-2026", (1, 37)), ("soc2-2026", (27, 30))]));
}
