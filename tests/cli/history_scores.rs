//! `evident history --scores` against `evident score` at every commit, and
//! every command within a capped address space. The repository builders are
//! the ones of [`super::history`].

use super::history::{ANA, BOB, CY, definitions, history, pair, program, series_of};
use crate::support::{TestRepo, state_toml};

/// `evident score --format json` of the working tree: overall, per
/// assessment and per category (earned, max), or `None` when it refuses.
fn score_now(repo: &TestRepo) -> Option<Vec<(String, (u64, u64))>> {
    let run = repo.run(&["score", "--format", "json"]);
    if run.code != 0 {
        assert_eq!(run.code, 1, "{}", run.all());
        return None;
    }
    let v = run.json();
    let mut out = vec![("overall".to_owned(), pair(&v["overall"]))];
    for a in v["assessments"].as_array().unwrap() {
        out.push((a["id"].as_str().unwrap().to_owned(), pair(a)));
    }
    for c in v["categories"].as_array().unwrap() {
        out.push((format!("category:{}", c["id"].as_str().unwrap()), pair(c)));
    }
    Some(out)
}

/// Fifteen commits that exercise every scoring rule; after each one, the
/// history's point equals what `evident score` says of that commit.
#[test]
fn history_scores_equal_evident_score_at_every_commit() {
    let repo = TestRepo::new();
    repo.git_init();
    definitions(&repo);
    let mut ids = Vec::new();
    let mut commit = |repo: &TestRepo, what: &str| {
        let date = format!("2026-06-{:02}T09:00:00+00:00", ids.len() + 1);
        ids.push(repo.commit_at([ANA, BOB, CY][ids.len() % 3], what, &date));
    };
    commit(&repo, "0 definitions only");
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["r"]));
    commit(&repo, "1 shared mfa passes in both");
    repo.write("assessments/ccpa-2026/mfa.toml", state_toml(Some(ANA), "out-of-scope", "none", &[]));
    commit(&repo, "2 mfa out of scope (implementation) in ccpa");
    repo.write(
        "assessments/ccpa-2026/mfa.toml",
        state_toml(Some(ANA), "implemented", "out-of-scope", &["r"]),
    );
    commit(&repo, "3 mfa out of scope (test) in ccpa");
    repo.write("assessments/ccpa-2026/mfa.toml", state_toml(Some(ANA), "implemented", "failed-low", &["r"]));
    commit(&repo, "4 mfa back in scope and failing in ccpa");
    repo.write("assessments/gdpr-2026/enc.toml", state_toml(Some(BOB), "alternative", "passed", &["e"]));
    commit(&repo, "5 enc alternative");
    repo.write("assessments/gdpr-2026/logs.toml", state_toml(Some(BOB), "planned", "passed", &["s"]));
    commit(&repo, "6 logs passed without implementation (invalid)");
    repo.write("assessments/gdpr-2026/logs.toml", state_toml(Some(BOB), "implemented", "passed", &["s"]));
    commit(&repo, "7 logs implemented");
    repo.add_action("backup", "infrastructure-cloud", "preventative", true);
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(None, "implemented", "passed", &["b"]));
    commit(&repo, "8 backup becomes preventative (27) and passes");
    repo.write("evident.toml", "[scoring]\nmandatory = { preventative = 30 }\n");
    commit(&repo, "9 the points table changes");
    repo.add_template("ccpa", &[("1798.150", &["mfa", "backup", "enc"]), ("1798.100", &["enc"])]);
    commit(&repo, "10 ccpa lists enc too, in two controls (no state there)");
    repo.write("assessments/ccpa-2026/enc.toml", state_toml(Some(BOB), "out-of-scope", "none", &[]));
    commit(&repo, "11 enc out of scope in ccpa");
    repo.write("assessments/ccpa-2026/mfa.toml", state_toml(Some(ANA), "implemented", "passed", &["r"]));
    commit(&repo, "12 mfa passes in ccpa again");
    repo.remove("assessments/gdpr-2026/logs.toml");
    commit(&repo, "13 logs state file removed");
    repo.write(
        "assessments/gdpr-2026/enc.toml",
        state_toml(Some(BOB), "alternative", "failed-medium", &["e"]),
    );
    commit(&repo, "14 enc fails in gdpr");
    assert_eq!(ids.len(), 15);

    let history = history(&repo, &["--scores", "--format", "json"]);
    let series = series_of(&history, &ids);
    // Overall after each commit, by hand. Points: mfa 27, logs 1, enc 9,
    // backup 3 (27 from commit 8); from commit 9 mandatory preventative is
    // worth 30 (mfa and backup).
    let expected = [
        (0, 40),  // 0: nothing earns; max mfa 27 + logs 1 + enc 9 + backup 3 = 40
        (27, 40), // 1: mfa earns in both
        (27, 40), // 2: out of scope in ccpa: mfa earns where it is in scope (gdpr)
        (27, 40), // 3: the same, out of scope by its test
        (0, 40),  // 4: in scope and failing in ccpa: mfa earns nothing overall
        (9, 40),  // 5: enc alternative + passed: 9
        (9, 40),  // 6: logs passed without implementation earns nothing
        (10, 40), // 7: logs implemented: 9 + 1
        (37, 64), // 8: backup 27 earned: 1 + 9 + 27 = 37; max 27 + 1 + 9 + 27 = 64
        (40, 70), // 9: mfa 0/30, logs 1, enc 9, backup 30: 40; max 30 + 1 + 9 + 30 = 70
        (31, 70), // 10: enc in ccpa without a state does not earn there: 40 - 9
        (40, 70), // 11: enc out of scope in ccpa: earns again (gdpr only)
        (70, 70), // 12: mfa passes in ccpa: 40 + 30
        (69, 70), // 13: logs back to the defaults: 70 - 1
        (60, 70), // 14: enc fails in gdpr: 69 - 9
    ];
    let overall: Vec<(u64, u64)> = series.iter().map(|r| r[0].1).collect();
    assert_eq!(overall, expected);
    // Per assessment, at some commits:
    // 2: ccpa = backup 0/3 (mfa out of scope); gdpr = mfa 27/27 + logs 0/1 + enc 0/9.
    // 8: ccpa = mfa 0/27 + backup 27/27 = 27/54; gdpr = 27 + 1 + 9 = 37/37.
    // 10: ccpa = mfa 0/30 + backup 30/30 + enc 0/9 (once, though two controls list it) = 30/69; gdpr 40/40.
    // 14: ccpa = 30 + 30 (enc out of scope) = 60/60; gdpr = mfa 30 + logs 0/1 + enc 0/9 = 30/40.
    let assessments = |i: usize| -> Vec<(u64, u64)> { series[i][1..3].iter().map(|(_, s)| *s).collect() };
    assert_eq!(assessments(2), [(0, 3), (27, 37)]);
    assert_eq!(assessments(8), [(27, 54), (37, 37)]);
    assert_eq!(assessments(10), [(30, 69), (40, 40)]);
    assert_eq!(assessments(14), [(60, 60), (30, 40)]);
    // Every commit: the history's point is `evident score` at that commit
    // (which refuses the invalid commit 6).
    let mut refused = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        repo.git(&["checkout", "-q", "--detach", id]);
        match score_now(&repo) {
            Some(now) => assert_eq!(series[i], now, "commit {i}"),
            None => refused.push(i),
        }
    }
    repo.git(&["checkout", "-q", "main"]);
    // `evident score` scores commit 6 like history does (logs earns nothing);
    // the status rule is `evident check`'s to enforce.
    assert_eq!(refused, Vec::<usize>::new());
    repo.git(&["checkout", "-q", "--detach", &ids[6]]);
    let check = repo.run(&["check"]);
    assert_eq!(check.code, 1, "{}", check.all());
    assert!(check.stdout.contains("E0501") || check.stderr.contains("E0501"), "{}", check.all());
    repo.git(&["checkout", "-q", "main"]);
}

/// Every command runs within a 4 GB address space (`ulimit -v`), as on build
/// servers that cap it: the allocator must not reserve large ranges up front.
#[cfg(target_os = "linux")]
#[test]
fn commands_run_within_a_4_gb_address_space() {
    let (repo, _) = program();
    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("site");
    let site = site.to_str().expect("utf-8 path");
    let evident = crate::support::evident();
    for args in [
        &["history"][..],
        &["history"],
        &["history", "--scores"],
        &["audit"],
        &["validate"],
        &["score"],
        &["report", "--format", "html", "--out", site],
    ] {
        let mut cmd = std::process::Command::new("sh");
        cmd.arg("-c").arg("ulimit -v 4000000 && exec \"$@\"").arg("sh").arg(evident.get_program());
        cmd.arg("--repo").arg(repo.path()).args(args);
        for (key, value) in evident.get_envs() {
            match value {
                Some(value) => cmd.env(key, value),
                None => cmd.env_remove(key),
            };
        }
        let run = crate::support::run(cmd);
        assert!(run.code == 0 || run.code == 1, "evident {args:?} under ulimit -v: {}", run.all());
    }
}
