//! `evident sync` on real git repositories: the most recent change wins,
//! conflicts are refused, uncommitted edits count, runs are idempotent.

use crate::check::{ANA, BOB, CY, grouped};
use crate::support::state_toml;

const GDPR_MFA: &str = "assessments/gdpr-2026/mfa.toml";
const CCPA_MFA: &str = "assessments/ccpa-2026/mfa.toml";

#[test]
fn copies_the_most_recent_change_to_the_group() {
    let (repo, _) = grouped();
    // A comment and layout of the winner's file travel with it.
    let edited = format!("# enforced by CA-01\n{}", state_toml(Some(ANA), "implemented", "none", &[]));
    repo.write(GDPR_MFA, &edited);
    repo.commit(BOB, "Enforce MFA for gdpr");
    assert_eq!(repo.run(&["check"]).code, 1, "out of sync before");

    let dry = repo.run(&["sync", "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.all());
    assert!(
        dry.stderr.contains("Would copy `mfa` in group `privacy` from gdpr-2026 to ccpa-2026"),
        "{}",
        dry.stderr
    );
    assert_ne!(repo.read(CCPA_MFA), edited, "dry run writes nothing");

    let run = repo.run(&["sync"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(repo.read(CCPA_MFA), edited);
    assert_eq!(repo.run(&["check"]).code, 0, "{}", repo.run(&["check"]).all());

    // Idempotent.
    let before = repo.snapshot_files();
    let again = repo.run(&["sync"]);
    assert_eq!(again.code, 0);
    assert_eq!(again.stderr, "every group is in sync\n");
    assert_eq!(before, repo.snapshot_files());
}

#[test]
fn the_later_side_wins_whichever_assessment_it_is() {
    let (repo, _) = grouped();
    repo.write(CCPA_MFA, state_toml(Some(CY), "planned", "none", &[]));
    repo.commit(BOB, "Hand MFA to Cy in ccpa");
    let run = repo.run(&["sync"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(repo.read(GDPR_MFA), repo.read(CCPA_MFA));
    assert!(repo.read(GDPR_MFA).contains("cy@example.com"));
}

#[test]
fn uncommitted_edits_are_the_newest_change() {
    let (repo, _) = grouped();
    repo.write(GDPR_MFA, state_toml(Some(ANA), "implemented", "none", &[]));
    let run = repo.run(&["sync"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("uncommitted changes"), "{}", run.stderr);
    assert_eq!(repo.read(GDPR_MFA), repo.read(CCPA_MFA));
}

#[test]
fn a_conflict_names_both_sides_and_writes_nothing() {
    let (repo, _) = grouped();
    repo.write(GDPR_MFA, state_toml(Some(ANA), "implemented", "none", &[]));
    repo.commit(ANA, "Implemented in gdpr");
    repo.write(CCPA_MFA, state_toml(Some(BOB), "planned", "none", &[]));
    repo.commit(BOB, "Bob takes ccpa");
    let before = repo.snapshot_files();
    let run = repo.run(&["sync"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("group `privacy` disagrees on `mfa`"), "{}", run.stderr);
    assert!(run.stderr.contains("`ccpa-2026` (changed in "), "{}", run.stderr);
    assert!(run.stderr.contains("`gdpr-2026` (changed in "), "{}", run.stderr);
    assert!(run.stderr.contains("both changed since they last agreed"), "{}", run.stderr);
    assert!(run.stderr.contains("evident sync --prefer ccpa-2026"), "{}", run.stderr);
    assert_eq!(before, repo.snapshot_files(), "nothing was written");

    let run = repo.run(&["sync", "--prefer", "gdpr-2026"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(repo.read(GDPR_MFA), repo.read(CCPA_MFA));
    assert!(repo.read(CCPA_MFA).contains("ana@example.com"));
}

#[test]
fn prefer_must_name_an_assessment() {
    let (repo, _) = grouped();
    let run = repo.run(&["sync", "--prefer", "gdpr-2062"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("did you mean `gdpr-2026`?"), "{}", run.stderr);
}

#[test]
fn each_assessment_keeps_its_accepted_version() {
    let (repo, _) = grouped();
    let action = repo.read("actions/mfa.toml").replace("version = 1", "version = 2");
    repo.write("actions/mfa.toml", action);
    repo.write(CCPA_MFA, format!("accepted_version = 1\n{}", state_toml(Some(ANA), "planned", "none", &[])));
    repo.write(GDPR_MFA, format!("accepted_version = 2\n{}", state_toml(Some(ANA), "planned", "none", &[])));
    repo.commit(ANA, "Accept the mfa update in gdpr only");
    repo.write(
        GDPR_MFA,
        format!("accepted_version = 2\n{}", state_toml(Some(ANA), "implemented", "none", &[])),
    );
    let run = repo.run(&["sync"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(repo.read(CCPA_MFA).starts_with("accepted_version = 1\n"), "{}", repo.read(CCPA_MFA));
    assert!(repo.read(CCPA_MFA).contains("status = \"implemented\""));
}

#[test]
fn refuses_a_repository_with_errors() {
    let (repo, _) = grouped();
    repo.write(GDPR_MFA, "[implementation\n");
    let run = repo.run(&["sync"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("fix them first"), "{}", run.stderr);
}

#[test]
fn outside_git_sides_are_unknown() {
    let (repo, _) = grouped();
    std::fs::remove_dir_all(repo.path().join(".git")).unwrap();
    repo.set_both("mfa", &state_toml(Some(ANA), "planned", "none", &[]));
    repo.write(GDPR_MFA, state_toml(Some(ANA), "implemented", "none", &[]));
    let run = repo.run(&["sync"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not in git"), "{}", run.stderr);
    assert_eq!(repo.run(&["sync", "--prefer", "gdpr-2026"]).code, 0);
}

/// An assessment only in the working tree was described by the first commit of the history.
#[test]
fn a_side_never_committed_is_named_uncommitted() {
    let (repo, _) = grouped();
    repo.add_assessment("gdpr-2027", "gdpr", Some("privacy"));
    repo.write("assessments/gdpr-2027/mfa.toml", state_toml(Some(BOB), "planned", "none", &[]));
    let run = repo.run(&["sync", "--dry-run"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("`gdpr-2027` (uncommitted)"), "{}", run.stderr);
    assert!(run.stderr.contains("`gdpr-2026` (changed in "), "{}", run.stderr);
}
