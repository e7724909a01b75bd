//! `evident check` judges the uncommitted changes by the history rules, as a
//! commit on top of HEAD by `git config user.email`, so that a change that
//! would break them is caught before it becomes a commit no later commit can
//! undo. And the hints for a committed one say to rewrite it.
//!
//! People: ana (owner), bob (not an assessor), cy (assessor).

use std::io::Read as _;

use sha2::Digest as _;

use crate::check::{ANA, BOB, CY, grouped};
use crate::support::{Run, TestRepo, state_toml};

fn check(repo: &TestRepo, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let run = repo.run(&args);
    crate::output_schemas::assert_conforms("check", &run.json());
    run
}

fn diagnostics(run: &Run) -> Vec<serde_json::Value> {
    run.json()["diagnostics"].as_array().unwrap_or_else(|| panic!("{}", run.all())).clone()
}

fn codes(run: &Run) -> Vec<String> {
    diagnostics(run).iter().map(|d| d["code"].as_str().unwrap().to_owned()).collect()
}

fn first(run: &Run, code: &str) -> serde_json::Value {
    diagnostics(run)
        .into_iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code}: {}", run.all()))
}

/// `logs` (passed in gdpr-2026) with its evidence swapped for another item.
fn swap_evidence(repo: &TestRepo) {
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        state_toml(Some(ANA), "implemented", "passed", &["siem-export-2"]),
    );
}

#[test]
fn evidence_swapped_under_a_verdict_is_caught_before_the_commit() {
    let (repo, base) = grouped();
    repo.git(&["config", "user.email", CY]);
    swap_evidence(&repo);
    let run = check(&repo, &[]);
    assert_eq!(codes(&run), ["E0701"], "{}", run.all());
    assert_eq!(run.code, 1);
    let d = first(&run, "E0701");
    assert!(d["message"].as_str().unwrap().contains("was removed in the uncommitted changes"), "{d:#}");
    assert!(d["hint"].as_str().unwrap().contains("before committing"), "{d:#}");
    // No commit made it: nothing names one.
    assert!(d.get("made_in").is_none_or(|m| m.is_null()), "{d:#}");
    // `--base` judges them too, as the commit after HEAD, instead of warning that it does not.
    let run = check(&repo, &["--base", &base]);
    assert_eq!(codes(&run), ["E0701"], "{}", run.all());
    // Nothing was written to the repository's object database, and nothing moved.
    let count = || repo.git(&["count-objects"]);
    let before = count();
    check(&repo, &[]);
    assert_eq!(count(), before);
    assert_eq!(repo.git(&["status", "--porcelain"]), "M assessments/gdpr-2026/logs.toml");
}

#[test]
fn a_verdict_is_judged_by_the_configured_git_email() {
    let (repo, _) = grouped();
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    // Not set: said so, not guessed.
    let run = check(&repo, &[]);
    assert_eq!(codes(&run), ["E0702", "E0702"], "{}", run.all());
    let d = first(&run, "E0702");
    assert!(d["message"].as_str().unwrap().contains("`git config user.email` is not set"), "{d:#}");
    assert!(d["hint"].as_str().unwrap().contains("git config user.email"), "{d:#}");
    // Bob is not an assessor.
    repo.git(&["config", "user.email", BOB]);
    let run = check(&repo, &[]);
    assert_eq!(codes(&run), ["E0702", "E0702"], "{}", run.all());
    let d = first(&run, "E0702");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("in the uncommitted changes by bob@example.com, who is not an assessor"),
        "{d:#}"
    );
    // Cy is.
    repo.git(&["config", "user.email", CY]);
    let run = check(&repo, &[]);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.all());
    assert_eq!(run.code, 0);
}

#[test]
fn an_untracked_state_file_counts() {
    let (repo, _) = grouped();
    repo.remove("assessments/ccpa-2026/backup.toml");
    repo.commit(ANA, "Backup is not tracked yet");
    repo.git(&["config", "user.email", BOB]);
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(Some(ANA), "implemented", "passed", &["b"]));
    let run = check(&repo, &[]);
    assert_eq!(codes(&run), ["E0702"], "{}", run.all());
}

#[test]
fn a_working_tree_config_cannot_relax_the_rules_it_is_judged_by() {
    let (repo, _) = grouped();
    repo.git(&["config", "user.email", BOB]);
    repo.write("evident.toml", repo.read("evident.toml") + "\n[rules]\nassessor-required = \"off\"\n");
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    let run = check(&repo, &[]);
    assert_eq!(codes(&run), ["E0702", "E0702"], "{}", run.all());
}

#[test]
fn a_definition_change_without_a_version_bump() {
    let (repo, _) = grouped();
    repo.git(&["config", "user.email", ANA]);
    let text = repo.read("actions/backup.toml").replace("mandatory = true", "mandatory = false");
    repo.write("actions/backup.toml", text);
    let run = check(&repo, &[]);
    assert_eq!(codes(&run), ["E0706"], "{}", run.all());
    assert!(first(&run, "E0706")["hint"].as_str().unwrap().contains("bump `version` before committing"));
}

/// `evident check` as the repository's pre-commit hook.
fn install_hook(repo: &TestRepo) {
    let hook = repo.path().join(".git/hooks/pre-commit");
    let bin = assert_cmd::cargo::cargo_bin("evident");
    std::fs::write(&hook, format!("#!/bin/sh\nexec '{}' check\n", bin.display())).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// `git commit` with `args` in `repo`, with what it printed on stderr.
fn commit(repo: &TestRepo, args: &[&str]) -> (bool, String) {
    let out = crate::support::git().arg("commit").args(args).current_dir(repo.path()).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn the_hook_judges_the_author_git_commit_records() {
    // `--author` (and `GIT_AUTHOR_EMAIL`) decide the commit's author, not `user.email`: git
    // passes it to the hook, and the hook judges by it, as CI will.
    let (repo, _) = grouped();
    install_hook(&repo);
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    repo.git(&["add", "-A"]);
    repo.git(&["config", "user.email", CY]);
    let (ok, stderr) = commit(&repo, &["-q", "-m", "Verdict", &format!("--author=Bob <{BOB}>")]);
    assert!(!ok, "the hook let bob's verdict through");
    assert!(stderr.contains("E0702") && stderr.contains(BOB), "{stderr}");
    repo.git(&["config", "user.email", BOB]);
    let (ok, stderr) = commit(&repo, &["-q", "-m", "Verdict", &format!("--author=Cy <{CY}>")]);
    assert!(ok, "the hook refused cy's verdict: {stderr}");
    assert_eq!(repo.git(&["log", "-1", "--format=%ae"]), CY);
}

#[test]
fn the_hook_judges_an_author_with_no_email_as_git_records_it() {
    // `--author 'Bob <>'`: git exports an empty `GIT_AUTHOR_EMAIL` to the hook and records
    // no e-mail, which CI refuses (E0702); the hook must not fall back to `user.email`.
    let (repo, _) = grouped();
    install_hook(&repo);
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]));
    repo.git(&["add", "-A"]);
    repo.git(&["config", "user.email", CY]);
    let (ok, stderr) = commit(&repo, &["-q", "-m", "Verdict", "--author=Bob <>"]);
    assert!(!ok, "the hook let a verdict with no author e-mail through");
    assert!(stderr.contains("E0702") && stderr.contains("an author with no e-mail"), "{stderr}");
    // The cause named is the empty address, not an unset `user.email` (it is set).
    assert!(
        stderr.contains("(`GIT_AUTHOR_EMAIL` is empty, as `git commit --author 'Name <>'` sets it)"),
        "{stderr}"
    );
    assert!(stderr.contains("give your e-mail in `git commit --author 'Name <e-mail>'`"), "{stderr}");
    assert!(!stderr.contains("is not set"), "{stderr}");
}

#[test]
fn the_pre_commit_hook_refuses_the_commit() {
    let (repo, _) = grouped();
    repo.git(&["config", "user.email", BOB]);
    install_hook(&repo);
    let head = repo.git(&["rev-parse", "HEAD"]);
    swap_evidence(&repo);
    repo.git(&["add", "-A"]);
    let out = crate::support::git()
        .args(["commit", "-q", "-m", "Swap evidence"])
        .current_dir(repo.path())
        .output()
        .unwrap();
    assert!(!out.status.success(), "the hook let it through");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("E0701"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
    // `git commit -a` (the hook then sees a temporary index): the same.
    repo.git(&["reset", "-q"]);
    let out = crate::support::git()
        .args(["commit", "-q", "-a", "-m", "Swap evidence"])
        .current_dir(repo.path())
        .output()
        .unwrap();
    assert!(!out.status.success(), "the hook let it through");
}

#[test]
fn outside_git_or_before_the_first_commit_nothing_is_judged() {
    let repo = crate::support::minimal();
    assert_eq!(repo.run(&["check"]).code, 0);
    repo.git_init();
    assert_eq!(repo.run(&["check"]).code, 0);
}

#[test]
fn a_committed_break_is_to_be_rewritten_not_fixed_on_top() {
    let (repo, base) = grouped();
    swap_evidence(&repo);
    let swapped = repo.commit(BOB, "Swap evidence");
    let run = check(&repo, &["--base", &base]);
    let hint = first(&run, "E0701")["hint"].as_str().unwrap().to_owned();
    assert!(hint.contains(&format!("a later commit cannot undo {}", &swapped[..7])), "{hint}");
    assert!(hint.contains("git rebase -i") && hint.contains("git reset HEAD~1"), "{hint}");
    // Restoring on top does not help: two errors now.
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        state_toml(Some(ANA), "implemented", "passed", &["siem-export"]),
    );
    repo.commit(BOB, "Restore");
    assert_eq!(codes(&check(&repo, &["--base", &base])), ["E0701", "E0701"]);

    let explain = repo.run(&["explain", "E0701"]);
    assert!(explain.stdout.contains("git rebase -i"), "{}", explain.all());
    for code in ["E0702", "E0706"] {
        let explain = repo.run(&["explain", code]);
        assert!(explain.stdout.contains("rewrite"), "{code}: {}", explain.all());
    }
}

#[test]
fn a_first_commit_with_verdicts_by_a_non_assessor_says_how_to_start() {
    let (repo, _) = grouped();
    // The same program imported in one commit by Bob.
    let fresh = TestRepo::new();
    fresh.git_init();
    for (path, bytes) in repo.snapshot_files() {
        if !path.starts_with(".git/") {
            fresh.write(&path, bytes);
        }
    }
    fresh.commit(BOB, "Import");
    let run = fresh.run(&["audit", "--format", "json"]);
    let hint = first(&run, "E0702")["hint"].as_str().unwrap().to_owned();
    assert!(hint.contains("make the first commit as one of the assessors"), "{hint}");
    assert!(hint.contains("Starting from an existing program"), "{hint}");
    assert!(hint.contains("git rebase -i --root"), "{hint}");
    // Committed as an assessor, the import is clean.
    let fresh = TestRepo::new();
    fresh.git_init();
    for (path, bytes) in repo.snapshot_files() {
        if !path.starts_with(".git/") {
            fresh.write(&path, bytes);
        }
    }
    fresh.commit(CY, "Import");
    let run = fresh.run(&["audit", "--format", "json"]);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.all());
}

/// `set`, `import actions`: a verdict about to be written by someone whose git e-mail is not
/// an assessor's gets a warning, and is written.
#[test]
fn writing_a_verdict_as_a_non_assessor_warns_first() {
    let (repo, _) = grouped();
    let set = |repo: &TestRepo| repo.run(&["set", "logs", "-a", "gdpr-2026", "--test", "failed-low"]);
    // No e-mail configured: said so.
    let run = set(&repo);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("warning[E0702]: `git config user.email` is not set"), "{}", run.stderr);
    repo.git(&["checkout", "-q", "--", "."]);
    repo.git(&["config", "user.email", BOB]);
    let run = set(&repo);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stderr.contains("warning[E0702]: bob@example.com (`git config user.email`) is not an assessor")
            && run.stderr.contains("(assessors: cy@example.com)"),
        "{}",
        run.stderr
    );
    assert!(repo.read("assessments/gdpr-2026/logs.toml").contains("failed-low"), "written anyway");
    // Not a verdict: no warning.
    repo.git(&["checkout", "-q", "--", "."]);
    let run = repo.run(&["set", "mfa", "--implementation", "implemented"]);
    assert!(!run.stderr.contains("E0702"), "{}", run.stderr);
    // An assessor: no warning.
    repo.git(&["checkout", "-q", "--", "."]);
    repo.git(&["config", "user.email", CY]);
    let run = set(&repo);
    assert!(!run.stderr.contains("E0702"), "{}", run.stderr);

    // `import actions` too.
    repo.git(&["checkout", "-q", "--", "."]);
    repo.git(&["config", "user.email", BOB]);
    let export = repo.run(&["export", "actions", "--format", "csv"]);
    let mut rows = crate::import::parse_csv(&export.stdout);
    let column = rows[0].iter().position(|h| h == "Test status").unwrap();
    let row = rows.iter().position(|r| r[0] == "gdpr-2026" && r[4] == "logs").unwrap();
    rows[row][column] = "failed-low".to_owned();
    let file = repo.path().join("actions.csv");
    std::fs::write(&file, crate::import::to_csv(&rows)).unwrap();
    let run = repo.run(&["import", "actions", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("warning[E0702]: bob@example.com"), "{}", run.stderr);
}

/// A verdict staged and then undone in the working tree is what a plain `git commit` records:
/// the index is judged too (the hook let it through when only the working tree was judged).
#[test]
fn a_staged_verdict_the_working_tree_hides_is_caught() {
    let (repo, _) = grouped();
    repo.git(&["config", "user.email", BOB]);
    let head = repo.read("assessments/ccpa-2026/backup.toml");
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(Some(ANA), "implemented", "passed", &["b"]));
    repo.git(&["add", "-A"]);
    repo.write("assessments/ccpa-2026/backup.toml", &head);
    let run = check(&repo, &[]);
    assert_eq!(codes(&run), ["E0702"], "{}", run.all());
    let message = first(&run, "E0702")["message"].as_str().unwrap().to_owned();
    assert!(message.contains("in the staged changes by bob@example.com"), "{message}");
    // Staged and in the working tree alike: told once.
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(Some(ANA), "implemented", "passed", &["c"]));
    let run = check(&repo, &[]);
    assert_eq!(codes(&run), ["E0702"], "{}", run.all());
    // A state file taken out of the index (`git rm --cached`) but left in the working tree.
    repo.git(&["reset", "-q", "--hard"]);
    repo.git(&["rm", "-q", "--cached", "assessments/gdpr-2026/logs.toml"]);
    let run = check(&repo, &["--base", "HEAD"]);
    assert_eq!(codes(&run), ["E0701"], "{}", run.all());
    assert!(
        first(&run, "E0701")["message"].as_str().unwrap().contains("in the staged changes"),
        "{}",
        run.all()
    );
}

/// Resolving a merge: the verdicts the merged branch brings were judged on that branch; only
/// what the merge changes itself is the merger's.
#[test]
fn a_merge_in_progress_answers_only_for_its_own_changes() {
    let (repo, _) = grouped();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("notes.txt", "feature\n");
    repo.commit(BOB, "Notes");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(Some(ANA), "implemented", "passed", &["b"]));
    repo.write("notes.txt", "main\n");
    repo.commit(CY, "Test backup");
    repo.git(&["checkout", "-q", "feature"]);
    repo.git(&["config", "user.email", BOB]);
    let merge = crate::support::git().args(["merge", "main"]).current_dir(repo.path()).output().unwrap();
    assert!(!merge.status.success(), "notes.txt conflicts");
    repo.write("notes.txt", "both\n");
    repo.git(&["add", "notes.txt"]);
    let run = check(&repo, &[]);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.all());
    // A verdict of Bob's own in the merge is still his.
    repo.write("assessments/gdpr-2026/logs.toml", state_toml(Some(ANA), "implemented", "failed-low", &["x"]));
    let run = check(&repo, &[]);
    assert!(codes(&run).contains(&"E0702".to_owned()), "{}", run.all());
}

/// A compliance folder whose name reads as a pattern (`comp[1]`) is still the folder judged.
#[test]
fn a_folder_name_with_pattern_characters_is_judged() {
    let (inner, _) = grouped();
    let outer = TestRepo::bare();
    outer.git_init();
    for (path, bytes) in inner.snapshot_files() {
        if !path.starts_with(".git/") {
            outer.write(&format!("comp[1]/{path}"), bytes);
        }
    }
    outer.commit(ANA, "Start");
    outer.git(&["config", "user.email", BOB]);
    outer.write(
        "comp[1]/assessments/ccpa-2026/backup.toml",
        state_toml(Some(ANA), "implemented", "passed", &["b"]),
    );
    let run = crate::support::evident()
        .args(["--repo"])
        .arg(outer.path().join("comp[1]"))
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let codes: Vec<&str> =
        json["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(codes, ["E0702"], "{json:#}");
}

/// `check` leaves `.git/objects` as it found it: writing an object git already has (a staged
/// file) refreshed its file's time.
#[test]
fn check_does_not_touch_objects_git_has() {
    let (repo, _) = grouped();
    repo.git(&["config", "user.email", CY]);
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(Some(ANA), "implemented", "passed", &["b"]));
    repo.git(&["add", "-A"]);
    let id = repo.git(&["rev-parse", ":assessments/ccpa-2026/backup.toml"]);
    let object = repo.path().join(".git/objects").join(&id[..2]).join(&id[2..]);
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    std::fs::File::options().write(true).open(&object).unwrap().set_modified(old).unwrap();
    assert_eq!(check(&repo, &[]).code, 0);
    assert_eq!(std::fs::metadata(&object).unwrap().modified().unwrap(), old);
}

/// `[rules] assessor-required = "off"`: no warning before writing a verdict.
#[test]
fn no_verdict_warning_when_the_rule_is_off() {
    let (repo, _) = grouped();
    repo.git(&["config", "user.email", BOB]);
    repo.write("evident.toml", repo.read("evident.toml") + "\n[rules]\nassessor-required = \"off\"\n");
    let run = repo.run(&["set", "logs", "-a", "gdpr-2026", "--test", "failed-low"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(!run.stderr.contains("E0702"), "{}", run.stderr);
    repo.write("evident.toml", repo.read("evident.toml").replace("\"off\"", "\"warning\""));
    let run = repo.run(&["set", "logs", "-a", "gdpr-2026", "--test", "failed-high"]);
    assert!(run.stderr.contains("will be reported by `evident check`"), "{}", run.stderr);
}

/// A state file for `logs`-like actions resting on one evidence file.
fn resting_on(test: &str, path: &str, sha256: &str) -> String {
    state_toml(Some(ANA), "implemented", test, &[])
        + &format!("\n[[evidence]]\nname = \"export\"\npath = \"{path}\"\nsha256 = \"{sha256}\"\n")
}

/// A 64 MiB file of zeros that takes no disk space; its sha256.
fn large_file(repo: &TestRepo, rel: &str) -> String {
    const SIZE: u64 = 64 << 20;
    let file = std::fs::File::create(repo.path().join(rel)).unwrap();
    file.set_len(SIZE).unwrap();
    let mut hash = sha2::Sha256::new();
    std::io::copy(&mut std::io::repeat(0).take(SIZE), &mut hash).unwrap();
    format!("{:x}", hash.finalize())
}

/// Evidence files are hashed in chunks for the uncommitted commit, not held in memory: the
/// rules that judge them by path still hold for a large one.
#[test]
fn large_evidence_files_are_judged_as_any_other() {
    let (repo, _) = grouped();
    repo.git(&["config", "user.email", CY]);
    repo.write("evidence/siem.pdf", "export");
    let small = format!("{:x}", sha2::Sha256::digest(b"export"));
    repo.write("assessments/gdpr-2026/logs.toml", resting_on("passed", "evidence/siem.pdf", &small));
    repo.commit(CY, "Logs passed on the SIEM export");
    // Swapped for a large one under the verdict.
    large_file(&repo, "evidence/siem.pdf");
    let run = check(&repo, &[]);
    assert!(codes(&run).contains(&"E0701".to_owned()), "{}", run.all());
    let message = first(&run, "E0701")["message"].as_str().unwrap().to_owned();
    assert!(message.contains("`evidence/siem.pdf` was changed in the uncommitted changes"), "{message}");
    // Put back; a new large item, untracked, for a test still in progress: fine.
    repo.git(&["checkout", "--", "evidence/siem.pdf"]);
    let sha256 = large_file(&repo, "evidence/backup.mp4");
    repo.write(
        "assessments/ccpa-2026/backup.toml",
        resting_on("in-progress", "evidence/backup.mp4", &sha256),
    );
    let run = check(&repo, &[]);
    // Zeros are no PDF nor video (E0408, a warning): no history rule objects.
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(codes(&run).iter().all(|c| c == "E0408"), "{}", run.all());
}
