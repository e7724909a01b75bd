//! Hostile environments: the machine, not the repository's files, is odd (another user owns
//! the checkout, a `.git` file points anywhere). evident must say what is wrong, or go on
//! safely, never judge less than it says.

use crate::support::*;

/// Gives every file of `repo` to the user `nobody` (as a CI container's checkout belongs to
/// another user); false where this process may not (not root).
fn give_away(repo: &TestRepo) -> bool {
    std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(repo.path())
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn a_git_repository_owned_by_another_user_is_an_error_not_a_folder_without_git() {
    let repo = minimal();
    repo.git_init();
    repo.commit("ana@example.com", "start");
    if !give_away(&repo) {
        eprintln!("cannot give the repository to another user here (not root): skipped");
        return;
    }
    // git refuses such a repository until it is listed in `safe.directory`. `check` used to take
    // that for "not in git" and pass without judging the uncommitted changes.
    let check = repo.run(&["check"]);
    assert_eq!(check.code, 2, "{}", check.all());
    assert!(check.stdout.is_empty(), "{}", check.all());
    let history = repo.run(&["history"]);
    assert_eq!(history.code, 2, "{}", history.all());
    for run in [&check, &history] {
        assert!(run.stderr.contains("is not owned by current user"), "{}", run.all());
        assert!(run.stderr.contains("git config --global --add safe.directory"), "{}", run.all());
        assert!(!run.stderr.contains("is not in a git repository"), "{}", run.all());
    }
    // Files alone still validate.
    assert_eq!(repo.run(&["validate"]).code, 0);
}

#[test]
fn a_git_file_that_names_no_git_directory_is_not_followed_out_of_the_repository() {
    // A repository unpacked from an archive can hold a `.git` file naming any folder; git
    // itself refuses one that is not a git directory. evident made its state folder there.
    let repo = minimal();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("made/by/evident");
    repo.write(".git", format!("gitdir: {}\n", target.display()));
    let run = repo.run(&[
        "new",
        "action",
        "backup",
        "--title",
        "Back up",
        "--category",
        "control-access",
        "--action-type",
        "technical",
        "--control-type",
        "preventative",
    ]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(!outside.path().join("made").exists(), "evident wrote outside the repository");
    assert!(repo.path().join(".evident/local/lock").is_file());
}

#[test]
fn without_proc_evident_test_warns_that_what_checks_leave_running_cannot_be_stopped() {
    // evident finds the processes a check left behind in /proc; a sandbox can hide it. The run
    // went on as if nothing could be left, and a daemon outlived it without a word.
    let probe = std::process::Command::new("unshare")
        .args(["--mount", "sh", "-c", "mount -t tmpfs none /proc && ! test -e /proc/self"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("cannot hide /proc here (unshare or mount not permitted): skipped");
        return;
    }
    let repo = crate::automation::repo_with(&[(
        "daemon",
        "run = [\"sh\", \"-c\", \"setsid sh -c 'echo $$ > daemon.pid; exec sleep 300' </dev/null >/dev/null 2>&1 & while [ ! -s daemon.pid ]; do sleep 0.05; done\"]",
    )]);
    let evident = evident();
    let mut cmd = std::process::Command::new("unshare");
    cmd.args(["--mount", "sh", "-c", "mount -t tmpfs none /proc && exec \"$0\" \"$@\""]);
    cmd.arg(evident.get_program()).arg("--repo").arg(repo.path()).arg("test");
    cmd.env_clear().envs(evident.get_envs().filter_map(|(k, v)| Some((k, v?))));
    let run = run(cmd);
    let _ = std::process::Command::new("kill").arg(repo.read("daemon.pid").trim()).output();
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stderr
            .contains("warning: processes that checks leave running cannot be stopped: `/proc/self/stat`"),
        "{}",
        run.all()
    );
}
