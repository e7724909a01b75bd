//! Writes are all or nothing, across processes and crashes: writers take the
//! repository's write lock, replace their files through a journal that any
//! later command undoes after a crash, and a failed write to stdout is an
//! error. Fault injection: `EVIDENT_TEST_FAIL_AFTER_REPLACES` and
//! `EVIDENT_TEST_CRASH_AFTER_REPLACES` (test hooks in `repo::write`).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Run, TestRepo, assessment_toml, evident, run};

const GDPR_MFA: &str = "assessments/gdpr-2026/mfa.toml";
const CCPA_MFA: &str = "assessments/ccpa-2026/mfa.toml";

/// `gdpr-2026` and `ccpa-2026` in group `privacy`, both listing `mfa`;
/// ten people who may own it. Committed to git.
fn group_repo() -> TestRepo {
    let repo = TestRepo::new();
    let people: String = (0..10).map(|i| format!("\"p{i}@example.com\" = \"Person {i}\"\n")).collect();
    repo.write("evident.toml", format!("[people]\n{people}"));
    repo.add_action("mfa", "control-access", "preventative", true);
    repo.add_template("gdpr", &[("art-32", &["mfa"])]);
    repo.add_template("ccpa", &[("1798.150", &["mfa"])]);
    for (id, template) in [("gdpr-2026", "gdpr"), ("ccpa-2026", "ccpa")] {
        repo.write(
            &format!("assessments/{id}/assessment.toml"),
            assessment_toml(id, template, Some("privacy")),
        );
        repo.write(
            &format!("assessments/{id}/mfa.toml"),
            "owner = \"p0@example.com\"\n\n[implementation]\nstatus = \"planned\"\n\n[test]\nstatus = \"none\"\n",
        );
    }
    repo.git_init();
    repo.commit("p0@example.com", "start");
    repo
}

fn command(repo: &TestRepo, args: &[&str]) -> Command {
    let mut cmd = evident();
    cmd.arg("--repo").arg(repo.path()).args(args);
    cmd
}

/// The repository's files outside `.git`, for before/after comparisons.
fn work_tree(repo: &TestRepo) -> Vec<(String, Vec<u8>)> {
    repo.snapshot_files().into_iter().filter(|(p, _)| !p.starts_with(".git/")).collect()
}

fn assert_valid_and_in_sync(repo: &TestRepo) {
    for command in ["validate", "check"] {
        let run = repo.run(&[command]);
        assert_eq!(run.code, 0, "{command}:\n{}", run.all());
        assert!(run.stderr.contains("no problems"), "{command}:\n{}", run.all());
    }
    assert_eq!(repo.read(GDPR_MFA), repo.read(CCPA_MFA), "the group is in sync");
}

fn state_dir(repo: &TestRepo) -> std::path::PathBuf {
    repo.path().join(".git/evident")
}

fn spawn_all(repo: &TestRepo, runs: Vec<Vec<String>>) -> Vec<Run> {
    let children: Vec<_> = runs
        .iter()
        .map(|args| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            command(repo, &args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn")
        })
        .collect();
    children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().expect("wait");
            Run {
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
                code: out.status.code().unwrap_or(-1),
            }
        })
        .collect()
}

#[test]
fn twenty_parallel_evidence_adds_all_land() {
    let repo = group_repo();
    let runs = (0..20)
        .map(|i| {
            ["evidence", "add", "mfa", "-a", "gdpr-2026", "--name"]
                .iter()
                .map(|s| s.to_string())
                .chain([format!("Item {i}"), "--url".into(), format!("https://evidence.example.com/{i}")])
                .collect()
        })
        .collect();
    for run in spawn_all(&repo, runs) {
        assert_eq!(run.code, 0, "{}", run.all());
    }
    let text = repo.read(GDPR_MFA);
    for i in 0..20 {
        assert!(
            text.contains(&format!("url = \"https://evidence.example.com/{i}\"")),
            "item {i} lost:\n{text}"
        );
    }
    assert_eq!(text.matches("[[evidence]]").count(), 20, "{text}");
    assert_valid_and_in_sync(&repo);
}

#[test]
fn parallel_owner_changes_leave_the_group_identical() {
    let repo = group_repo();
    let runs = (0..10)
        .map(|i| {
            ["set", "mfa", "-a", "gdpr-2026", "--owner"]
                .iter()
                .map(|s| s.to_string())
                .chain([format!("p{i}@example.com")])
                .collect()
        })
        .collect();
    for run in spawn_all(&repo, runs) {
        assert_eq!(run.code, 0, "{}", run.all());
    }
    assert_valid_and_in_sync(&repo);
}

#[test]
fn a_writer_waits_for_the_lock_and_goes_on_when_it_is_released() {
    let repo = group_repo();
    let lock = evident::repo::journal::WriteLock::acquire(repo.path()).expect("lock");
    let mut child = command(&repo, &["set", "mfa", "-a", "gdpr-2026", "--owner", "p1@example.com"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(500));
    assert!(child.try_wait().expect("try_wait").is_none(), "the writer did not wait for the lock");
    assert!(repo.read(GDPR_MFA).contains("p0@example.com"), "written while the lock was held");
    let released = Instant::now();
    drop(lock);
    let status = child.wait().expect("wait");
    assert!(status.success());
    // Going on takes milliseconds (a debug build loads and writes in that time too).
    assert!(released.elapsed() < Duration::from_secs(5), "{:?}", released.elapsed());
    assert!(repo.read(GDPR_MFA).contains("p1@example.com"));
    assert_valid_and_in_sync(&repo);
}

#[test]
fn a_writer_gives_up_after_the_timeout_and_says_who_holds_the_lock() {
    let repo = group_repo();
    let _lock = evident::repo::journal::WriteLock::acquire(repo.path()).expect("lock");
    let before = work_tree(&repo);
    let mut cmd = command(&repo, &["set", "mfa", "-a", "gdpr-2026", "--owner", "p1@example.com"]);
    cmd.env("EVIDENT_LOCK_TIMEOUT", "0.3");
    let started = Instant::now();
    let run = run(cmd);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(started.elapsed() >= Duration::from_millis(300));
    let lock_path = state_dir(&repo).join("lock");
    assert!(
        run.stderr.contains(&format!(
            "error: another evident process holds the write lock `{}`; gave up after 0.3 seconds",
            lock_path.display()
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("EVIDENT_LOCK_TIMEOUT"), "{}", run.stderr);
    assert!(before == work_tree(&repo));
    // Readers take no lock.
    assert_eq!(repo.run(&["validate"]).code, 0);
}

#[test]
fn a_failed_replace_restores_the_files_already_replaced() {
    let repo = group_repo();
    let before = work_tree(&repo);
    let mut cmd = command(&repo, &["set", "mfa", "-a", "gdpr-2026", "--owner", "p2@example.com"]);
    cmd.env("EVIDENT_TEST_FAIL_AFTER_REPLACES", "1");
    let run = run(cmd);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("could not replace `"), "{}", run.stderr);
    assert!(run.stderr.contains("injected failure"), "{}", run.stderr);
    assert!(
        run.stderr.contains("nothing was changed: the file already replaced was restored"),
        "{}",
        run.stderr
    );
    assert!(before == work_tree(&repo), "the first file stayed replaced");
    assert!(!state_dir(&repo).join("journal").exists());
    assert_eq!(std::fs::read_dir(state_dir(&repo).join("tmp")).expect("tmp").count(), 0);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

/// Runs `set` that aborts after replacing the first of the group's two files.
fn crash_mid_write(repo: &TestRepo) {
    let mut cmd = command(repo, &["set", "mfa", "-a", "gdpr-2026", "--owner", "p3@example.com"]);
    cmd.env("EVIDENT_TEST_CRASH_AFTER_REPLACES", "1");
    let run = run(cmd);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(state_dir(repo).join("journal").exists(), "the journal stays after a crash");
    assert_ne!(repo.read(GDPR_MFA), repo.read(CCPA_MFA), "the crash left the group half written");
}

#[test]
fn a_crash_mid_write_is_undone_by_the_next_command_even_a_reader() {
    let repo = group_repo();
    let before = work_tree(&repo);
    crash_mid_write(&repo);
    // A stray temporary file of an older killed run, too.
    std::fs::write(state_dir(&repo).join("tmp/.evident-stray.tmp"), "x").expect("stray");
    let run = repo.run(&["validate"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(before == work_tree(&repo), "the interrupted write was not rolled back");
    assert!(!state_dir(&repo).join("journal").exists());
    assert_eq!(std::fs::read_dir(state_dir(&repo).join("tmp")).expect("tmp").count(), 0);
    assert_eq!(repo.git(&["status", "--porcelain", "--untracked-files=all"]), "");
    assert_valid_and_in_sync(&repo);
    // The write can simply be run again.
    assert_eq!(repo.run(&["set", "mfa", "-a", "gdpr-2026", "--owner", "p3@example.com"]).code, 0);
    assert!(repo.read(CCPA_MFA).contains("p3@example.com"));
    assert_valid_and_in_sync(&repo);
}

#[test]
fn a_reader_that_cannot_undo_a_crash_says_so_and_stops() {
    let repo = group_repo();
    crash_mid_write(&repo);
    // The lock cannot be taken: another process holds it (tests run as
    // root, so permissions would not stop it).
    let lock = state_dir(&repo).join("lock");
    let mut holder = Command::new("flock").arg(&lock).arg("sleep").arg("30").spawn().expect("flock");
    while Command::new("flock").arg("-n").arg(&lock).arg("true").status().expect("flock").success() {
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut cmd = command(&repo, &["score"]);
    cmd.env("EVIDENT_LOCK_TIMEOUT", "0.3");
    let run = run(cmd);
    holder.kill().expect("kill");
    holder.wait().expect("wait");
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stdout.is_empty(), "{}", run.all());
    assert!(
        run.stderr.contains("an interrupted evident write must be undone before the repository is read"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.run(&["validate"]).code, 0);
    assert_valid_and_in_sync(&repo);
}

#[test]
fn a_crash_in_a_new_file_write_removes_the_new_files() {
    let repo = group_repo();
    repo.add_action("enc", "protect-information", "preventative", true);
    repo.add_template("gdpr", &[("art-32", &["mfa", "enc"])]);
    repo.add_template("ccpa", &[("1798.150", &["mfa", "enc"])]);
    repo.commit("p0@example.com", "enc");
    let before = work_tree(&repo);
    let mut cmd = command(&repo, &["set", "enc", "-a", "gdpr-2026", "--owner", "p4@example.com"]);
    cmd.env("EVIDENT_TEST_CRASH_AFTER_REPLACES", "1");
    assert_ne!(run(cmd).code, 0);
    assert!(state_dir(&repo).join("journal").exists());
    assert_eq!(repo.run(&["validate"]).code, 0);
    assert!(before == work_tree(&repo), "a file created by the interrupted write is still there");
}

#[test]
fn outside_git_the_state_folder_is_never_committed() {
    let repo = TestRepo::new();
    repo.add_action("mfa", "control-access", "preventative", true);
    repo.add_template("gdpr", &[("art-32", &["mfa"])]);
    repo.add_assessment("gdpr-2026", "gdpr", None);
    if evident::repo::journal::git_dir(repo.path()).is_some() {
        return; // the temporary folder is inside a git work tree
    }
    let run = repo.run(&["set", "mfa", "-a", "gdpr-2026", "--implementation", "planned"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(repo.path().join(".evident/local/lock").exists());
    repo.git_init();
    let status = repo.git(&["status", "--porcelain", "--untracked-files=all"]);
    assert!(!status.contains(".evident/local"), "{status}");
}

#[test]
fn init_ignores_the_local_state_folder() {
    let repo = TestRepo::bare();
    let run = repo.run_in(&["init", "--no-git", "-q"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(repo.read(".gitignore"), "/.evident/local/\n");
    // An existing .gitignore keeps its lines.
    let other = TestRepo::bare();
    other.write(".gitignore", "target");
    assert_eq!(other.run_in(&["init", "--no-git", "-q"]).code, 0);
    assert_eq!(other.read(".gitignore"), "target\n/.evident/local/\n");
}

pub(crate) fn to_dev_full(mut cmd: Command) -> Run {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    cmd.stdout(full);
    run(cmd)
}

/// The run ended as output to a full disk must: exit 2, and why.
pub(crate) fn assert_disk_full(run: &Run, args: &[&str]) {
    assert_eq!(run.code, 2, "{args:?}: {}", run.all());
    assert!(
        run.stderr.contains("error: could not write the output: No space left on device"),
        "{args:?}: {}",
        run.stderr
    );
}

#[test]
fn output_to_a_full_disk_is_an_error() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    let repo = group_repo();
    for args in [
        &["score"][..],
        &["list", "actions"],
        &["validate", "--format", "json"],
        &["export", "actions", "--format", "csv"],
    ] {
        assert_disk_full(&to_dev_full(command(&repo, args)), args);
    }
    // `--out` a device: written to, and its error reported.
    let run = repo.run(&["export", "actions", "--format", "csv", "--out", "/dev/full"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("could not write `/dev/full`"), "{}", run.stderr);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let repo = group_repo();
    let mut child = command(&repo, &["list", "actions"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Like `| head -0`: the reader is gone before the first line.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn a_report_removes_the_temporary_files_a_killed_report_left() {
    let repo = group_repo();
    let out = repo.path().join("site");
    let out = out.to_str().expect("utf-8");
    assert_eq!(repo.run(&["report", "--out", out]).code, 0);
    repo.write("site/.evident-killed.tmp", "half a page");
    let run = repo.run(&["report", "--out", out]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(!repo.path().join("site/.evident-killed.tmp").exists());
}

// --- Attacks on the journal and the state folder -------------------------
// A repository can arrive as an archive or a pull request holding anything,
// `.git/evident/` or a force-added `.evident/local/` included.

/// A file outside the repository that no evident command may touch.
struct Victim {
    dir: tempfile::TempDir,
}

impl Victim {
    fn new() -> Victim {
        let victim = Victim { dir: tempfile::tempdir().expect("temp dir") };
        std::fs::write(victim.file(), "precious\n").expect("write");
        std::fs::write(victim.dir.path().join("planted"), "evil\n").expect("write");
        victim
    }

    fn file(&self) -> std::path::PathBuf {
        self.dir.path().join("victim")
    }

    fn assert_untouched(&self, context: &str) {
        let text =
            std::fs::read_to_string(self.file()).unwrap_or_else(|e| panic!("{context}: victim gone: {e}"));
        assert_eq!(text, "precious\n", "{context}");
        assert!(self.dir.path().join("planted").exists(), "{context}: planted file removed");
    }
}

#[test]
fn a_planted_journal_cannot_touch_anything_outside_the_repository() {
    let victim = Victim::new();
    let outside = victim.dir.path().display().to_string();
    let file = victim.file().display().to_string();
    let journals = [
        // The format with absolute paths, once written by evident itself.
        format!(
            r#"{{"entries":[{{"target":"{file}","temp":"{outside}/none","backup":"{outside}/planted"}}],"created_dirs":[]}}"#
        ),
        format!(r#"{{"version":1,"entries":[{{"target":"{file}","temp":".evident-a.tmp","backup":null}}],"created_dirs":[]}}"#),
        r#"{"version":1,"entries":[{"target":"../victim","temp":".evident-a.tmp","backup":null}],"created_dirs":[]}"#.into(),
        r#"{"version":1,"entries":[{"target":"link/victim","temp":".evident-a.tmp","backup":null}],"created_dirs":[]}"#.into(),
        format!(
            r#"{{"version":1,"entries":[{{"target":"actions/mfa.toml","temp":".evident-a.tmp","backup":"../../../../{outside}/planted"}}],"created_dirs":[]}}"#
        ),
        format!(r#"{{"version":1,"entries":[{{"target":"actions/mfa.toml","temp":"{file}","backup":null}}],"created_dirs":[]}}"#),
        r#"{"version":1,"entries":[{"target":".git/hooks/pre-commit","temp":".evident-a.tmp","backup":".evident-b.tmp"}],"created_dirs":[]}"#.into(),
        r#"{"version":1,"entries":[],"created_dirs":["link"]}"#.into(),
        r#"{"version":2,"entries":[],"created_dirs":[]}"#.into(),
    ];
    for journal in journals {
        let repo = group_repo();
        std::os::unix::fs::symlink(victim.dir.path(), repo.path().join("link")).expect("symlink");
        let state = state_dir(&repo);
        std::fs::create_dir_all(state.join("tmp")).expect("mkdir");
        std::fs::write(state.join("tmp/.evident-b.tmp"), "#!/bin/sh\necho owned\n").expect("write");
        std::fs::write(state.join("journal"), &journal).expect("write");
        let before = work_tree(&repo);
        let run = repo.run(&["validate"]);
        assert_eq!(run.code, 2, "{journal}\n{}", run.all());
        assert!(run.stderr.contains("is not one evident could have written"), "{journal}\n{}", run.stderr);
        assert!(run.stderr.contains("nothing was touched"), "{}", run.stderr);
        victim.assert_untouched(&journal);
        assert!(before == work_tree(&repo), "{journal}: the work tree changed");
        assert!(!repo.path().join(".git/hooks/pre-commit").exists(), "{journal}");
        assert!(state.join("journal").exists(), "the journal is kept for a person to look at");
        // A writer refuses too, before it writes.
        let run = repo.run(&["set", "mfa", "-a", "gdpr-2026", "--owner", "p1@example.com"]);
        assert_eq!(run.code, 2, "{}", run.all());
        assert!(before == work_tree(&repo), "{journal}: a writer changed the work tree");
    }
}

#[test]
fn a_force_added_local_journal_outside_git_is_refused() {
    let victim = Victim::new();
    let repo = TestRepo::new();
    repo.add_action("mfa", "control-access", "preventative", true);
    if evident::repo::journal::git_dir(repo.path()).is_some() {
        return; // the temporary folder is inside a git work tree
    }
    repo.write(
        ".evident/local/journal",
        format!(
            r#"{{"version":1,"entries":[{{"target":"{}","temp":".evident-a.tmp","backup":null}}],"created_dirs":[]}}"#,
            victim.file().display()
        ),
    );
    let run = repo.run(&["validate"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("is not one evident could have written"), "{}", run.stderr);
    victim.assert_untouched("outside git");
}

#[test]
fn a_state_folder_that_is_a_link_is_refused() {
    // Each case: the path to plant as a link (relative to the repository)
    // and whether the repository is in git.
    for (link, git) in [
        (".git/evident/tmp", true),
        (".git/evident", true),
        (".evident/local", false),
        (".evident/local/tmp", false),
        (".evident", false),
    ] {
        let victim = Victim::new();
        let repo = if git { group_repo() } else { TestRepo::new() };
        if !git && evident::repo::journal::git_dir(repo.path()).is_some() {
            continue; // the temporary folder is inside a git work tree
        }
        // What the link points at looks like a state folder with strays.
        std::fs::create_dir_all(victim.dir.path().join("tmp")).expect("mkdir");
        std::fs::write(victim.dir.path().join("tmp/stray"), "precious\n").expect("write");
        let path = repo.path().join(link);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::os::unix::fs::symlink(victim.dir.path(), &path).expect("symlink");
        for args in [&["validate"][..], &["set", "mfa", "-a", "gdpr-2026", "--owner", "p1@example.com"]] {
            let run = repo.run(args);
            assert_eq!(run.code, 2, "{link} {args:?}\n{}", run.all());
            assert!(run.stderr.contains("is a symbolic link; refusing to use it"), "{link}\n{}", run.stderr);
        }
        victim.assert_untouched(link);
        assert!(victim.dir.path().join("tmp/stray").exists(), "{link}: files behind the link removed");
        let entries = std::fs::read_dir(victim.dir.path()).expect("read").count();
        assert_eq!(entries, 3, "{link}: evident wrote behind the link");
    }
}

#[test]
fn a_state_file_that_is_a_link_is_never_written_through() {
    let repo = TestRepo::new();
    repo.add_action("mfa", "control-access", "preventative", true);
    repo.add_template("gdpr", &[("art-32", &["mfa"])]);
    repo.add_assessment("gdpr-2026", "gdpr", None);
    if evident::repo::journal::git_dir(repo.path()).is_some() {
        return;
    }
    let victim = Victim::new();
    let created = victim.dir.path().join("created-by-evident");
    std::fs::create_dir_all(repo.path().join(".evident/local")).expect("mkdir");
    std::os::unix::fs::symlink(&created, repo.path().join(".evident/local/.gitignore")).expect("symlink");
    std::os::unix::fs::symlink(victim.file(), repo.path().join(".evident/local/lock")).expect("symlink");
    let run = repo.run(&["set", "mfa", "-a", "gdpr-2026", "--implementation", "planned"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(!created.exists(), "evident wrote through a link in its state folder");
    victim.assert_untouched("state file links");
}

#[test]
fn a_crashed_write_is_undone_after_the_repository_moved() {
    // The journal names files relative to the repository, so recovery
    // works on a moved (or unpacked) copy, and never on the old place.
    let repo = group_repo();
    let before = work_tree(&repo);
    crash_mid_write(&repo);
    let moved = tempfile::tempdir().expect("temp dir");
    let copy = moved.path().join("copy");
    let status = Command::new("cp").arg("-a").arg(repo.path()).arg(&copy).status().expect("cp");
    assert!(status.success());
    let original = work_tree(&repo);
    let mut cmd = evident();
    cmd.arg("--repo").arg(&copy).arg("validate");
    let run = run(cmd);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(original == work_tree(&repo), "recovery of the copy touched the original");
    assert_eq!(
        std::fs::read(copy.join(GDPR_MFA)).expect("read"),
        before.iter().find(|(p, _)| p == GDPR_MFA).expect("mfa").1
    );
    assert!(!copy.join(".git/evident/journal").exists());
}

#[test]
fn a_lock_timeout_that_is_not_a_number_is_an_error() {
    let repo = group_repo();
    for bad in ["abc", "-1", "NaN", "1s", "-inf"] {
        let mut cmd = command(&repo, &["set", "mfa", "-a", "gdpr-2026", "--owner", "p1@example.com"]);
        cmd.env("EVIDENT_LOCK_TIMEOUT", bad);
        let run = run(cmd);
        assert_eq!(run.code, 2, "{bad}: {}", run.all());
        assert!(run.stderr.contains("is not a number of seconds"), "{bad}: {}", run.stderr);
    }
    // Huge values wait without limit rather than overflow; empty is the default.
    for fine in ["1e300", "inf", "", " 5 ", "0"] {
        let mut cmd = command(&repo, &["set", "mfa", "-a", "gdpr-2026", "--owner", "p2@example.com"]);
        cmd.env("EVIDENT_LOCK_TIMEOUT", fine);
        let run = run(cmd);
        assert_eq!(run.code, 0, "{fine:?}: {}", run.all());
    }
}

#[test]
fn help_and_version_to_a_full_disk_are_an_error() {
    for args in [&["--help"][..], &["--version"], &["help", "list"], &["list", "--help"]] {
        let mut cmd = evident();
        cmd.args(args);
        let run = to_dev_full(cmd);
        assert_eq!(run.code, 2, "{args:?}: {}", run.all());
        assert!(run.stderr.contains("could not write the output"), "{args:?}: {}", run.stderr);
    }
    // A closed pipe stays quiet, and a normal run still prints help.
    let mut cmd = evident();
    cmd.arg("--help");
    let run = run(cmd);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("Usage:"), "{}", run.all());
}

#[test]
fn a_reader_overtaken_by_a_write_reads_again() {
    // The reader reads the old files, then (paused by the test hook) a
    // writer replaces the group's files: the reader notices and reads the
    // whole new state rather than answer from a read a write overtook.
    let repo = group_repo();
    let mut reader = command(&repo, &["list", "actions"]);
    reader.env("EVIDENT_TEST_PAUSE_AFTER_READ_MS", "1500");
    let reader = reader.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    std::thread::sleep(Duration::from_millis(500));
    let run_set = repo.run(&["set", "mfa", "-a", "gdpr-2026", "--owner", "p7@example.com"]);
    assert_eq!(run_set.code, 0, "{}", run_set.all());
    let out = reader.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("p7@example.com"), "the reader answered from an overtaken read:\n{stdout}");
    assert_valid_and_in_sync(&repo);
}

#[test]
fn a_fifo_where_a_file_goes_is_an_error_not_a_hang_and_nothing_is_written() {
    // Reading a FIFO blocks until a writer comes: `init` and `trust add` waited forever.
    let mkfifo =
        |path: &std::path::Path| Command::new("mkfifo").arg(path).status().is_ok_and(|s| s.success());
    let dir = tempfile::tempdir().unwrap();
    if !mkfifo(&dir.path().join(".taplo.toml")) {
        eprintln!("mkfifo is not available: skipped");
        return;
    }
    let mut cmd = evident();
    cmd.arg("init").arg(dir.path()).arg("--no-git");
    let run = crate::support::run_within(cmd, 30);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains(".taplo.toml`: not a regular file"), "{}", run.all());
    // Checked before any folder was made.
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, [".taplo.toml"]);

    let repo = TestRepo::example();
    let signers = repo.path().join(".evident/allowed_signers");
    std::fs::create_dir_all(signers.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(&signers);
    assert!(mkfifo(&signers));
    let key = repo.path().join("cy.pub");
    std::fs::write(
        &key,
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM7WjvugWRJSFNJ48RE9vKatCMHijikpSYcc/b9/vuEZ cy\n",
    )
    .unwrap();
    let mut cmd = evident();
    cmd.arg("--repo").arg(repo.path()).args(["trust", "add", "cy@example.com"]).arg(&key);
    let run = crate::support::run_within(cmd, 30);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("allowed_signers`: not a regular file"), "{}", run.all());
}
