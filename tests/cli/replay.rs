//! `examples/replay/`, which README's first command runs: it must write a
//! year of history that ends exactly at `example-repo/`, that evident's own
//! checks accept commit by commit, and whose scores rise with a few dips.
//!
//! `cargo test` builds the examples before the tests run; a run of only this
//! test binary (`cargo test --test cli`) may not have built it, and then the
//! test says so and passes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{TestRepo, evident, run};

/// `target/<profile>/examples/replay`, next to this test binary's `deps/`.
fn replay_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let profile_dir = exe.parent()?.parent()?;
    let path = profile_dir.join("examples").join(format!("replay{}", std::env::consts::EXE_SUFFIX));
    path.is_file().then_some(path)
}

/// Every file below `dir` outside `.git`, with its bytes.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let walk = walkdir::WalkDir::new(dir).sort_by_file_name().into_iter();
    for entry in walk.filter_entry(|e| e.file_name() != ".git") {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).expect("prefix").to_string_lossy().into_owned();
            out.push((rel, std::fs::read(entry.path()).expect("read")));
        }
    }
    out
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = crate::support::git().arg("-C").arg(dir).args(args).output().expect("git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn replay_writes_a_year_that_ends_at_example_repo() {
    let Some(replay) = replay_binary() else {
        eprintln!("skipped: examples/replay is not built (run `cargo test`, which builds the examples)");
        return;
    };
    let out = TestRepo::bare();
    let dir = out.path().join("demo");
    let status = Command::new(&replay).arg("--out").arg(&dir).output().expect("run replay");
    assert!(status.status.success(), "replay failed: {}", String::from_utf8_lossy(&status.stderr));

    // The working tree is the bundled example, byte for byte, and so is HEAD.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo");
    let (want, got) = (tree(&example), tree(&dir));
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&got), names(&want));
    assert!(got == want, "the replayed tree differs from example-repo");
    assert_eq!(git(&dir, &["status", "--porcelain"]), "");

    // A year of work by a team, assessors among them.
    let commits: usize = git(&dir, &["rev-list", "--count", "HEAD"]).trim().parse().expect("count");
    assert!(commits >= 300, "{commits} commits");
    let authors: BTreeSet<String> = git(&dir, &["log", "--format=%ae"]).lines().map(str::to_owned).collect();
    assert!(authors.len() >= 5, "{} authors", authors.len());
    let config = std::fs::read_to_string(dir.join("evident.toml")).expect("config");
    let config: toml::Table = config.parse().expect("config parses");
    let assessors: BTreeSet<String> = config["roles"]["assessors"]
        .as_array()
        .expect("assessors")
        .iter()
        .map(|v| v.as_str().expect("email").to_owned())
        .collect();
    assert!(assessors.iter().any(|a| authors.contains(a)), "no assessor committed");
    let dates = git(&dir, &["log", "--format=%as"]);
    let (last, first) = (dates.lines().next().expect("dates"), dates.lines().last().expect("dates"));
    assert!(first < "2025-12-01" && last > "2026-10-01", "history from {first} to {last}");
    // A season of automatic results: CI's `evident test` commits keep the TLS check's verdict
    // current every week, and catch a regression before the August retest.
    let automatic = git(&dir, &["log", "--format=%as %s", "--author=compliance-bot@example.com"]);
    let automatic: Vec<&str> = automatic.lines().collect();
    assert!(automatic.len() >= 15, "{automatic:?}");
    assert!(automatic.iter().all(|l| l.contains(" evident test: ")), "{automatic:?}");
    assert!(
        automatic.iter().any(|l| l.ends_with("passes")) && automatic.iter().any(|l| l.ends_with("(low)"))
    );
    let fails = git(
        &dir,
        &[
            "log",
            "-p",
            "--format=",
            "--author=compliance-bot",
            "--",
            "assessments/hipaa-2026/tls-in-transit.toml",
        ],
    );
    assert!(fails.contains("+status = \"failed-low\"") && fails.contains("exited 1"), "{fails}");

    // evident accepts every commit, and the score series rises with a few dips.
    let repo = |args: &[&str]| {
        let mut cmd = evident();
        cmd.arg("--repo").arg(&dir).args(args);
        run(cmd)
    };
    let audit = repo(&["audit"]);
    assert_eq!(audit.code, 0, "{}", audit.all());
    let check = repo(&["check"]);
    assert_eq!(check.code, 0, "{}", check.all());
    let series = repo(&["history", "--scores", "--format", "json"]).json();
    let overall: Vec<(u64, u64)> = series
        .as_array()
        .expect("points")
        .iter()
        .map(|p| {
            (p["overall"]["earned"].as_u64().expect("earned"), p["overall"]["max"].as_u64().expect("max"))
        })
        .collect();
    let tenths = |(earned, max): (u64, u64)| (1000 * earned).checked_div(max).unwrap_or(0);
    let percents: Vec<u64> = overall.iter().map(|&p| tenths(p)).collect();
    let dips = percents.windows(2).filter(|w| w[1] < w[0]).count();
    assert!(dips >= 3, "{dips} regressions in the score series");
    let score = repo(&["score", "--format", "json"]).json();
    let end = *overall.last().expect("a point per commit");
    assert_eq!(end.0, score["overall"]["earned"].as_u64().expect("earned"));
    assert_eq!(end.1, score["overall"]["max"].as_u64().expect("max"));
    let midway = percents[percents.len() / 2];
    assert!(
        tenths(end) > midway && midway > percents[percents.len() / 10],
        "scores do not rise: {percents:?}"
    );
}

/// The replay judges each commit with evident's own rules (the library's, not a copy): a
/// source whose story would commit an owner missing from `[people]` stops the replay (exit 1)
/// with evident's own diagnostic, naming the commit.
#[test]
fn replay_judges_commits_with_evidents_own_rules() {
    let Some(replay) = replay_binary() else {
        eprintln!("skipped: examples/replay is not built (run `cargo test`, which builds the examples)");
        return;
    };
    let tmp = TestRepo::bare();
    let source = tmp.path().join("source");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo");
    for (rel, bytes) in tree(&example) {
        let path = source.join(&rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write");
    }
    // hipaa-2026 is in no group, so only this state file changes.
    let state = source.join("assessments/hipaa-2026/access-reviews.toml");
    let text = std::fs::read_to_string(&state).expect("read state");
    let owner = text.lines().find(|l| l.starts_with("owner = ")).expect("an owner");
    std::fs::write(&state, text.replacen(owner, "owner = \"nobody@example.com\"", 1)).expect("write state");

    let out = Command::new(&replay)
        .arg("--from")
        .arg(&source)
        .arg("--out")
        .arg(tmp.path().join("demo"))
        .output()
        .expect("run replay");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the story breaks a rule in the commit of"), "{stderr}");
    assert!(
        stderr.contains("error[E0308]: owner `nobody@example.com` is not listed in `[people]`"),
        "{stderr}"
    );
}
