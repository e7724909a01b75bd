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
