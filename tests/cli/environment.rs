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
