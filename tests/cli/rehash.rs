//! `evident evidence rehash`: the new SHA-256 of evidence files that changed on
//! purpose, recorded in every state file (and group member) that cites them;
//! files that still match, and their state files, are left alone; never under
//! a verdict (E0701); never for a file it cannot hash.

use sha2::Digest;

use crate::support::{Run, TestRepo};

fn sha(bytes: &str) -> String {
    sha2::Sha256::digest(bytes.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

const GDPR_MFA: &str = "assessments/gdpr-2026/mfa.toml";
const CCPA_MFA: &str = "assessments/ccpa-2026/mfa.toml";
const HIPAA_MFA: &str = "assessments/hipaa-2026/mfa.toml";
const GDPR_ENC: &str = "assessments/gdpr-2026/enc.toml";
const CCPA_ENC: &str = "assessments/ccpa-2026/enc.toml";
const POLICY: &str = "evidence/mfa/policy.pdf";
const LOG: &str = "evidence/mfa/log.csv";

/// The state of `mfa` in the two `privacy` assessments, with comments and
/// odd spacing, citing `policy.pdf` and `log.csv` as they were recorded.
fn mfa_state(test: &str) -> String {
    let date = if test == "passed" { "date = 2026-03-01\n" } else { "" };
    format!(
        "# Admin MFA: reviewed every quarter.
[implementation]
status = \"implemented\"    # CA-01
date = 2026-02-01

[test]
status = \"{test}\"
{date}
[[evidence]]
name = \"Policy\"
path = \"{POLICY}\"
sha256   =   \"{}\"   # as exported in March

[[evidence]]
name = \"Log\"
path = \"{LOG}\"
sha256 = \"{}\"

[[evidence]]
name = \"Runbook\"
url = \"https://wiki.example.com/mfa\"
",
        sha("v1"),
        sha("a,b\n")
    )
}

/// `gdpr-2026` and `ccpa-2026` in group `privacy` (sharing `mfa` and `enc`),
/// `hipaa-2026` alone (with `mfa`, citing `policy.pdf` too). Every hash matches.
fn program(test: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.add_action("mfa", "control-access", "preventative", true);
    repo.add_action("enc", "protect-information", "preventative", true);
    repo.add_template("gdpr", &[("art-32", &["mfa", "enc"])]);
    repo.add_template("ccpa", &[("1798.150", &["mfa", "enc"])]);
    repo.add_template("hipaa", &[("164.312", &["mfa"])]);
    repo.add_privacy_pair();
    repo.add_assessment("hipaa-2026", "hipaa", None);
    repo.write(POLICY, "v1");
    repo.write(LOG, "a,b\n");
    repo.write("evidence/enc/keys.md", "# Keys\n");
    repo.set_both("mfa", &mfa_state(test));
    let enc = format!(
        "[[evidence]]\nname = \"Keys\"\npath = \"evidence/enc/keys.md\"\nsha256 = \"{}\"\n",
        sha("# Keys\n")
    );
    repo.set_both("enc", &enc);
    repo.write(
        HIPAA_MFA,
        format!("[[evidence]]\nname = \"Policy\"\npath = \"{POLICY}\"\nsha256 = \"{}\"\n", sha("v1")),
    );
    let check = repo.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.all());
    repo
}

/// Runs a command that must exit with `code`; with `writes: false`, it must leave every file as it was.
fn run(repo: &TestRepo, args: &[&str], code: i32, writes: bool) -> Run {
    let before = repo.snapshot_files();
    let run = repo.run(args);
    assert_eq!(run.code, code, "{args:?}\n{}", run.all());
    if !writes {
        assert!(before == repo.snapshot_files(), "{args:?} wrote files:\n{}", run.all());
    }
    run
}

fn codes(repo: &TestRepo) -> Vec<String> {
    let run = repo.run(&["check", "--format", "json"]);
    let json = run.json();
    let list = json["diagnostics"].as_array().expect("diagnostics");
    list.iter().map(|d| format!("{} {}", d["code"].as_str().unwrap(), d["file"].as_str().unwrap())).collect()
}

#[test]
fn a_changed_file_gets_its_new_hash_in_every_member_of_the_group() {
    let repo = program("in-progress");
    let hipaa = repo.read(HIPAA_MFA);
    repo.write(POLICY, "v2");
    let run = run(&repo, &["evidence", "rehash", "mfa", "-a", "gdpr-2026"], 0, true);
    let what = format!("evidence `Policy` sha256 {} → {}", &sha("v1")[..12], &sha("v2")[..12]);
    assert_eq!(
        run.stderr,
        format!("     Updated {CCPA_MFA}: {what}\n     Updated {GDPR_MFA}: {what}\n"),
        "{}",
        run.all()
    );
    // Only the hash changed: comments, spacing and the other items stay.
    let expected = mfa_state("in-progress").replace(&sha("v1"), &sha("v2"));
    assert_eq!(repo.read(GDPR_MFA), expected);
    assert_eq!(repo.read(CCPA_MFA), expected);
    // `hipaa-2026` is not in the group: left as it was, and still reported.
    assert_eq!(repo.read(HIPAA_MFA), hipaa);
    assert_eq!(codes(&repo), [format!("E0403 {HIPAA_MFA}")]);
    run_ok_then_clean(&repo, &["evidence", "rehash", "mfa", "-a", "hipaa-2026"]);
}

fn run_ok_then_clean(repo: &TestRepo, args: &[&str]) {
    run(repo, args, 0, true);
    assert_eq!(codes(repo), Vec::<String>::new());
}

#[test]
fn with_nothing_changed_nothing_is_written() {
    let repo = program("in-progress");
    let run = run(&repo, &["evidence", "rehash", "mfa", "-a", "gdpr-2026"], 0, false);
    assert_eq!(
        run.stderr,
        "     Nothing to rehash: every evidence file of `mfa` matches its recorded hash\n",
        "{}",
        run.all()
    );
    let run = self::run(&repo, &["evidence", "rehash", "--all"], 0, false);
    assert!(run.stderr.contains("Nothing to rehash"), "{}", run.all());
    let run = self::run(&repo, &["evidence", "rehash", "--all", "--format", "json"], 0, false);
    assert_eq!(run.json()["files"], serde_json::json!([]), "{}", run.all());
}

#[test]
fn files_that_still_match_leave_their_state_files_untouched() {
    let repo = program("in-progress");
    repo.write("evidence/enc/keys.md", "# Keys, rotated\n");
    let mfa: Vec<Vec<u8>> =
        [GDPR_MFA, CCPA_MFA, HIPAA_MFA].iter().map(|f| std::fs::read(repo.path().join(f)).unwrap()).collect();
    let run = run(&repo, &["evidence", "rehash", "--all"], 0, true);
    assert!(run.stderr.contains(&format!("Updated {GDPR_ENC}")), "{}", run.all());
    assert!(!run.stderr.contains("mfa.toml"), "{}", run.all());
    for (file, bytes) in [GDPR_MFA, CCPA_MFA, HIPAA_MFA].iter().zip(mfa) {
        assert_eq!(std::fs::read(repo.path().join(file)).unwrap(), bytes, "{file}");
    }
    assert!(repo.read(GDPR_ENC).contains(&sha("# Keys, rotated\n")));
    assert_eq!(codes(&repo), Vec::<String>::new());
}

#[test]
fn a_named_item_only() {
    let repo = program("in-progress");
    repo.write(POLICY, "v2");
    repo.write(LOG, "a,b\nc,d\n");
    run(&repo, &["evidence", "rehash", "mfa", "Log", "-a", "ccpa-2026"], 0, true);
    let gdpr = repo.read(GDPR_MFA);
    assert!(gdpr.contains(&sha("a,b\nc,d\n")) && gdpr.contains(&sha("v1")), "{gdpr}");
    assert_eq!(gdpr, repo.read(CCPA_MFA));
    // Without a name, every changed file of the action.
    run(&repo, &["evidence", "rehash", "mfa", "-a", "gdpr-2026"], 0, true);
    assert!(repo.read(GDPR_MFA).contains(&sha("v2")), "{}", repo.read(GDPR_MFA));
}

#[test]
fn all_rehashes_every_changed_file_of_the_repository() {
    let repo = program("in-progress");
    repo.write(POLICY, "v2");
    repo.write("evidence/enc/keys.md", "# Keys, rotated\n");
    let run = run(&repo, &["evidence", "rehash", "--all"], 0, true);
    assert_eq!(run.stderr.matches("Updated").count(), 5, "{}", run.all());
    assert_eq!(codes(&repo), Vec::<String>::new());
}

/// `--all -a`: every changed file of the named assessment, its group kept identical, and
/// nothing of the other assessments.
#[test]
fn all_of_one_assessment_rehashes_its_group_and_nothing_else() {
    let repo = program("in-progress");
    let hipaa = repo.read(HIPAA_MFA);
    repo.write(POLICY, "v2");
    repo.write("evidence/enc/keys.md", "# Keys, rotated\n");
    let run = run(&repo, &["evidence", "rehash", "--all", "-a", "gdpr-2026"], 0, true);
    let updated: Vec<&str> = run.stderr.lines().filter_map(|l| l.trim().strip_prefix("Updated ")).collect();
    let paths: Vec<&str> = updated.iter().filter_map(|l| l.split(':').next()).collect();
    assert_eq!(paths, [CCPA_ENC, CCPA_MFA, GDPR_ENC, GDPR_MFA], "{}", run.all());
    assert_eq!(repo.read(HIPAA_MFA), hipaa);
    assert_eq!(codes(&repo), [format!("E0403 {HIPAA_MFA}")]);
    // Nothing changed any more in the group: nothing to write.
    let again = self::run(&repo, &["evidence", "rehash", "--all", "-a", "ccpa-2026"], 0, false);
    assert!(again.stderr.contains("every evidence file of `ccpa-2026` matches"), "{}", again.all());
    run_ok_then_clean(&repo, &["evidence", "rehash", "--all", "-a", "hipaa-2026"]);
}

#[test]
fn a_hash_never_recorded_and_inline_items_are_rehashed_in_place() {
    let repo = program("in-progress");
    repo.write(
        HIPAA_MFA,
        format!("evidence = [ {{ name = \"Policy\", path = \"{POLICY}\" }}, {{ name = \"Log\", path = \"{LOG}\", sha256 = \"{}\" }} ]\n", sha("old")),
    );
    let check = repo.run(&["check"]);
    let hint = format!(
        "record it with `evident evidence rehash mfa -a hipaa-2026 Policy` (`sha256 = \"{}\"`)",
        sha("v1")
    );
    assert!(check.stderr.contains(&hint), "E0404: {}", check.all());
    run(&repo, &["evidence", "rehash", "mfa", "-a", "hipaa-2026"], 0, true);
    assert_eq!(
        repo.read(HIPAA_MFA),
        format!(
            "evidence = [ {{ name = \"Policy\", path = \"{POLICY}\", sha256 = \"{}\" }}, {{ name = \"Log\", path = \"{LOG}\", sha256 = \"{}\" }} ]\n",
            sha("v1"),
            sha("a,b\n")
        )
    );
    assert_eq!(codes(&repo), Vec::<String>::new());
}

#[test]
fn two_items_of_one_name_each_get_their_own_files_hash() {
    // E0302 (a name listed twice) does not stop an edit; the new hash of the
    // second item's file must not land in the first item.
    let repo = program("in-progress");
    let item = |path: &str, hash: &str| {
        format!("[[evidence]]\nname = \"Twin\"\npath = \"{path}\"\nsha256 = \"{hash}\"\n")
    };
    repo.write(HIPAA_MFA, format!("{}\n{}", item(POLICY, &sha("v1")), item(LOG, &sha("a,b\n"))));
    repo.write(LOG, "a,b\nc,d\n");
    run(&repo, &["evidence", "rehash", "mfa", "-a", "hipaa-2026"], 0, true);
    let expected = format!("{}\n{}", item(POLICY, &sha("v1")), item(LOG, &sha("a,b\nc,d\n")));
    assert_eq!(repo.read(HIPAA_MFA), expected);
    run(&repo, &["evidence", "rehash", "mfa", "Twin", "-a", "hipaa-2026"], 0, false);
}

#[test]
fn refused_under_a_verdict() {
    let repo = program("passed");
    repo.write(POLICY, "v2");
    let run = run(&repo, &["evidence", "rehash", "mfa", "-a", "gdpr-2026"], 1, false);
    assert!(
        run.stderr.contains("error[E0701]: cannot rehash evidence `Policy`: the test status is `passed`"),
        "{}",
        run.all()
    );
    assert!(run.stderr.contains(&format!("restore `{POLICY}` as it was recorded")), "{}", run.all());
    assert!(run.stderr.contains("`evident set mfa -a gdpr-2026 --test in-progress`"), "{}", run.all());
    assert!(run.stderr.ends_with("nothing was written\n"), "{}", run.all());
    let run = self::run(&repo, &["evidence", "rehash", "--all", "--format", "json"], 1, false);
    let json = run.json();
    assert_eq!(json["written"], false, "{}", run.all());
    assert_eq!(json["diagnostics"][0]["code"], "E0701", "{}", run.all());
    // The rule's level is the repository's to set (and `[rules]` is for admins, E0704).
    repo.write("evident.toml", "[rules]\nevidence-frozen = \"warning\"\n");
    let run = self::run(&repo, &["evidence", "rehash", "mfa", "-a", "gdpr-2026"], 0, true);
    assert!(run.stderr.contains("warning[E0701]: cannot rehash evidence `Policy`"), "{}", run.all());
    assert!(repo.read(GDPR_MFA).contains(&sha("v2")));
}

#[test]
fn refused_until_the_withdrawn_verdict_is_committed() {
    let repo = program("passed");
    repo.git_init();
    repo.commit("cy@example.com", "Pass MFA");
    run(&repo, &["set", "mfa", "-a", "gdpr-2026", "--test", "in-progress"], 0, true);
    repo.write(POLICY, "v2");
    // Committed with the withdrawal, the new hash would break E0701 all the same.
    let run = run(&repo, &["evidence", "rehash", "mfa", "-a", "gdpr-2026"], 1, false);
    assert!(run.stderr.contains("the test status committed in HEAD is `passed`"), "{}", run.all());
    assert!(run.stderr.contains(&format!("leave `{POLICY}` out of that commit")), "{}", run.all());
    // The withdrawal on its own, without the changed file.
    repo.write(POLICY, "v1");
    repo.commit("cy@example.com", "Retest MFA");
    repo.write(POLICY, "v2");
    self::run(&repo, &["evidence", "rehash", "--all"], 0, true);
    let check = repo.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.all());
}

#[test]
fn what_cannot_be_rehashed_is_an_error_naming_it() {
    let repo = program("in-progress");
    repo.write(POLICY, "v2");
    repo.remove(LOG);
    let run = run(&repo, &["evidence", "rehash", "mfa", "-a", "gdpr-2026"], 2, false);
    assert!(
        run.stderr.starts_with(&format!(
            "error: cannot rehash evidence file `{LOG}` does not exist (cited by `{CCPA_MFA}`, `{GDPR_MFA}`)\n"
        )),
        "{}",
        run.all()
    );
    assert!(run.stderr.contains(&format!("`git log -- {LOG}`")), "{}", run.all());
    // A link has no file to hash.
    let run = self::run(&repo, &["evidence", "rehash", "mfa", "Runbook", "-a", "gdpr-2026"], 2, false);
    assert!(
        run.stderr.contains("evidence `Runbook` of `assessments/ccpa-2026/mfa.toml` is a link"),
        "{}",
        run.all()
    );
    // A name no item has.
    let run = self::run(&repo, &["evidence", "rehash", "mfa", "Polcy", "-a", "hipaa-2026"], 2, false);
    assert!(
        run.stderr.contains(&format!(
            "`{HIPAA_MFA}` has no evidence named `Polcy`\n  help: did you mean `Policy`?"
        )),
        "{}",
        run.all()
    );
    // A path out of the repository, and a missing file, named together.
    let outside = TestRepo::bare();
    outside.write("x.pdf", "x");
    let zeros = "0".repeat(64);
    repo.write(
        HIPAA_MFA,
        format!("[[evidence]]\nname = \"Out\"\npath = \"../x.pdf\"\nsha256 = \"{zeros}\"\n"),
    );
    let run = self::run(&repo, &["evidence", "rehash", "--all"], 2, false);
    assert!(run.stderr.starts_with("error: cannot rehash 2 evidence files:\n"), "{}", run.all());
    assert!(
        run.stderr.contains("`../x.pdf` leaves the repository (the path contains `..`)"),
        "{}",
        run.all()
    );
}

#[test]
fn dry_run_and_json_output() {
    let repo = program("in-progress");
    repo.write(POLICY, "v2");
    let run = run(&repo, &["evidence", "rehash", "mfa", "-a", "gdpr-2026", "--dry-run"], 0, false);
    assert!(
        run.stderr.contains(&format!("Would update {GDPR_MFA}: evidence `Policy` sha256")),
        "{}",
        run.all()
    );
    let run = self::run(&repo, &["evidence", "rehash", "--all", "--dry-run", "--format", "json"], 0, false);
    assert_eq!(run.json()["written"], false);
    let run = self::run(&repo, &["evidence", "rehash", "--all", "--format", "json"], 0, true);
    let json = run.json();
    crate::output_schemas::assert_conforms("changes", &json);
    assert_eq!(json["written"], true);
    let files: Vec<&str> =
        json["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(files, [CCPA_MFA, GDPR_MFA, HIPAA_MFA], "{}", run.all());
    assert_eq!(json["files"][0]["change"], "updated");
    assert_eq!(run.stderr, "", "JSON callers read stdout only");
    // `-q`: nothing on stderr, the files written all the same.
    repo.write(POLICY, "v3");
    let run = self::run(&repo, &["-q", "evidence", "rehash", "--all"], 0, true);
    assert_eq!(run.stderr, "");
    assert!(repo.read(GDPR_MFA).contains(&sha("v3")));
}

#[test]
fn usage_errors() {
    let repo = program("in-progress");
    for args in [
        &["evidence", "rehash"][..],
        &["evidence", "rehash", "--all", "mfa"],
        &["evidence", "rehash", "--all", "-a", "nope"],
        &["evidence", "rehash", "nope"],
        &["evidence", "rehash", "mfa", "-a", "nope"],
    ] {
        run(&repo, args, 2, false);
    }
}
