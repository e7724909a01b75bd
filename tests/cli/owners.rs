//! Owners: removing one with `set --owner none` / `assign --to none`, and what `assign --help`
//! says about where an owner goes.

use crate::edit::{CCPA_MFA, GDPR_MFA, HIPAA_MFA, program};
use crate::support::*;

fn has_owner(repo: &TestRepo, path: &str) -> bool {
    toml::from_str::<toml::Table>(&repo.read(path)).unwrap().contains_key("owner")
}

fn unassigned(repo: &TestRepo) -> Vec<String> {
    let run = repo.run(&["list", "actions", "--owner", "none", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    run.json().as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn set_owner_none_removes_the_owner_in_the_whole_group() {
    let repo = program();
    assert!(!unassigned(&repo).contains(&"mfa".to_owned()));
    let run = repo.run(&["set", "mfa", "-a", "gdpr-2026", "--owner", "none"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("owner removed"), "{}", run.stderr);
    assert!(!has_owner(&repo, GDPR_MFA) && !has_owner(&repo, CCPA_MFA), "group members move together");
    assert!(has_owner(&repo, HIPAA_MFA), "outside the group nothing changes");
    // Comments of the file survive.
    assert!(repo.read(GDPR_MFA).starts_with("# Admin MFA: reviewed every quarter."));
    let check = repo.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.all());
}

#[test]
fn assign_to_none_removes_the_owner_everywhere() {
    let repo = program();
    let run = repo.run(&["assign", "mfa", "--to", "NONE"]);
    assert_eq!(run.code, 0, "{}", run.all());
    for path in [GDPR_MFA, CCPA_MFA, HIPAA_MFA] {
        assert!(!has_owner(&repo, path), "{path}");
    }
    assert!(unassigned(&repo).contains(&"mfa".to_owned()));
}

#[test]
fn an_empty_owner_or_a_name_says_how_to_remove_one() {
    let repo = program();
    for owner in ["", "nobody", "-"] {
        let run = repo.run(&["set", "mfa", "--owner", owner]);
        assert_eq!(run.code, 2, "{}", run.all());
        assert!(run.stderr.contains("to remove the owner, give `none`"), "{}", run.stderr);
    }
}

#[test]
fn assign_help_says_the_owner_goes_to_every_assessment_in_any_group() {
    let run = TestRepo::new().run(&["assign", "--help"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let help = run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(!help.contains("all in one group"), "copied from `set`:\n{}", run.stdout);
    assert!(help.contains("Default: every assessment that lists the action, in any group or none"), "{help}");
    assert!(help.contains("`none` to remove the owner"), "{help}");
}
