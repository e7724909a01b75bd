//! `evident sync` on real git repositories: the most recent change wins,
//! conflicts are refused, uncommitted edits count, runs are idempotent.

use crate::check::{ANA, BOB, CY, grouped};
use crate::output_schemas::assert_conforms;
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

/// `grouped()` where both sides of `mfa` changed since they last agreed.
fn conflicting() -> crate::support::TestRepo {
    let (repo, _) = grouped();
    repo.write(GDPR_MFA, state_toml(Some(ANA), "implemented", "none", &[]));
    repo.commit(ANA, "Implemented in gdpr");
    repo.write(CCPA_MFA, state_toml(Some(BOB), "planned", "none", &[]));
    repo.commit(BOB, "Bob takes ccpa");
    repo
}

#[test]
fn a_conflict_names_both_sides_and_writes_nothing() {
    let repo = conflicting();
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

/// `sync --format json`: the state files it copies, as the edits print them; stdout is the
/// JSON alone, and a dry run writes nothing.
#[test]
fn prints_its_copies_as_json() {
    let (repo, _) = grouped();
    let edited = state_toml(Some(ANA), "implemented", "none", &[]);
    repo.write(GDPR_MFA, &edited);
    repo.commit(BOB, "Enforce MFA for gdpr");
    let before = repo.snapshot_files();

    let dry = repo.run(&["sync", "--dry-run", "--format", "json"]);
    assert_eq!(dry.code, 0, "{}", dry.all());
    let json = dry.json();
    assert_conforms("changes", &json);
    assert_eq!(json["dry_run"], true);
    assert_eq!(json["written"], false);
    let files = json["files"].as_array().expect("files");
    assert_eq!(files.len(), 1, "{json}");
    assert_eq!(files[0]["path"], CCPA_MFA);
    assert_eq!(files[0]["change"], "updated");
    let what = files[0]["what"][0].as_str().expect("what");
    assert!(what.starts_with("copied from `gdpr-2026` ("), "{what}");
    assert!(!dry.stderr.contains("Would copy"), "people's lines stay out of JSON runs: {}", dry.all());
    assert_eq!(before, repo.snapshot_files(), "a dry run writes nothing");

    let run = repo.run(&["sync", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.json()["written"], true);
    assert_eq!(run.json()["files"][0]["path"], CCPA_MFA);
    assert_eq!(repo.read(CCPA_MFA), edited);

    let again = repo.run(&["sync", "--format", "json"]);
    assert_eq!(again.code, 0, "{}", again.all());
    assert_eq!(again.json()["files"], serde_json::json!([]));
}

/// A conflict is an error diagnostic in the JSON (exit 1), with the `--prefer` that settles it.
#[test]
fn a_conflict_is_a_diagnostic_in_json() {
    let repo = conflicting();
    let before = repo.snapshot_files();
    let run = repo.run(&["sync", "--format", "json", "--prefer", "gdpr-2026", "--dry-run"]);
    assert_eq!(run.code, 0, "--prefer settles it: {}", run.all());
    assert_eq!(run.json()["files"][0]["path"], CCPA_MFA);
    let run = repo.run(&["sync", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let json = run.json();
    assert_conforms("changes", &json);
    assert_eq!(json["written"], false);
    assert_eq!(json["files"], serde_json::json!([]));
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "E0601");
    assert_eq!(d["severity"], "error");
    assert!(d["message"].as_str().unwrap().contains("group `privacy` disagrees on `mfa`"), "{d}");
    assert!(d["hint"].as_str().unwrap().contains("evident sync --prefer ccpa-2026"), "{d}");
    assert!(run.stderr.contains("nothing was written; 1 conflict to resolve"), "{}", run.stderr);
    assert_eq!(before, repo.snapshot_files());
}
