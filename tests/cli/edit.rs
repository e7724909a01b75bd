//! The editing commands: `set`, `assign`, `evidence add|remove`. Every edit
//! keeps the file's comments and layout, is checked before it is written,
//! writes all its files or none, keeps groups in sync, and leaves a
//! repository that still validates.

use crate::support::{Run, TestRepo, settings_for, state_toml};

/// The state of `mfa` in the two `privacy` assessments: comments, odd spacing.
const MFA_STATE: &str = "# Admin MFA: reviewed every quarter.
owner   =   \"ana@example.com\"   # primary owner
accepted_version = 1

[implementation]
status = \"implemented\"    # conditional access policy CA-01
date = 2026-02-01
notes = \"Enforced for every admin role.\"

[test]
status = \"none\"
";

/// A small program: `gdpr-2026` and `ccpa-2026` in group `privacy` (sharing
/// `mfa` and `enc`), `hipaa-2026` alone (with `mfa` and `dpo`), two people.
/// `enc` and `dpo` have no state files yet.
pub(crate) fn program() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "evident.toml",
        "[people]\n\"ana@example.com\" = \"Ana Lima\"\n\"bo@example.com\" = \"Bo Chen\"\n",
    );
    repo.add_action("mfa", "control-access", "preventative", true);
    repo.add_action("enc", "protect-information", "preventative", true);
    repo.add_action("dpo", "privacy-management", "corrective", false);
    repo.add_template("gdpr", &[("art-32", &["mfa", "enc"])]);
    repo.add_template("ccpa", &[("1798.150", &["mfa", "enc"])]);
    repo.add_template("hipaa", &[("164.312", &["mfa", "dpo"])]);
    repo.add_privacy_pair();
    repo.add_assessment("hipaa-2026", "hipaa", None);
    repo.write("assessments/gdpr-2026/mfa.toml", MFA_STATE);
    repo.write("assessments/ccpa-2026/mfa.toml", MFA_STATE);
    repo.write("assessments/hipaa-2026/mfa.toml", state_toml(Some("bo@example.com"), "planned", "none", &[]));
    assert_checks_clean(&repo);
    repo
}

pub(crate) const GDPR_MFA: &str = "assessments/gdpr-2026/mfa.toml";
pub(crate) const CCPA_MFA: &str = "assessments/ccpa-2026/mfa.toml";
pub(crate) const HIPAA_MFA: &str = "assessments/hipaa-2026/mfa.toml";

/// Runs a command that must succeed.
fn ok(repo: &TestRepo, args: &[&str]) -> Run {
    let run = repo.run(args);
    assert_eq!(run.code, 0, "{args:?}\n{}", run.all());
    run
}

/// Runs a command that must exit with `code` and write nothing.
fn writes_nothing(repo: &TestRepo, args: &[&str], code: i32) -> Run {
    let before = repo.snapshot_files();
    let run = repo.run(args);
    assert_eq!(run.code, code, "{args:?}\n{}", run.all());
    assert!(before == repo.snapshot_files(), "{args:?} wrote files:\n{}", run.all());
    run
}

/// `validate` and `check` (status rules, group sync) find nothing.
fn assert_checks_clean(repo: &TestRepo) {
    for command in ["validate", "check"] {
        let run = repo.run(&[command]);
        assert_eq!(run.code, 0, "{command}:\n{}", run.all());
        assert!(run.stderr.contains("no problems"), "{command}:\n{}", run.all());
    }
}

// --- set -------------------------------------------------------------------

#[test]
fn set_keeps_comments_and_layout() {
    let repo = program();
    let run = ok(
        &repo,
        &["set", "mfa", "-a", "gdpr-2026", "--test", "in-progress", "--notes", "Sampling sign-ins."],
    );
    insta::assert_snapshot!("set_output", run.all());
    let text = repo.read(GDPR_MFA);
    // Everything that was there is still there, byte for byte.
    let kept = MFA_STATE.strip_suffix("status = \"none\"\n").expect("prefix");
    assert!(text.starts_with(kept), "{text}");
    insta::assert_snapshot!("set_edited_file", text);
    assert_checks_clean(&repo);
    // Empty notes remove them.
    let run = ok(&repo, &["set", "mfa", "-a", "gdpr-2026", "--test-notes", ""]);
    assert!(
        run.stderr.ends_with("Updated assessments/gdpr-2026/mfa.toml: test notes removed\n"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.read(GDPR_MFA), text.replace("notes = \"Sampling sign-ins.\"\n", ""));
}

#[test]
fn set_twice_changes_nothing_the_second_time() {
    let repo = program();
    let args = ["set", "mfa", "-a", "gdpr-2026", "--test", "in-progress", "--date", "2026-11-20"];
    ok(&repo, &args);
    let after_first = repo.snapshot_files();
    let run = ok(&repo, &args);
    assert!(after_first == repo.snapshot_files());
    assert_eq!(
        run.stderr,
        "   Unchanged assessments/ccpa-2026/mfa.toml (nothing to change)\n   Unchanged assessments/gdpr-2026/mfa.toml (nothing to change)\n"
    );
}

#[test]
fn set_in_a_group_changes_every_member_identically() {
    let repo = program();
    ok(
        &repo,
        &["set", "mfa", "-a", "gdpr-2026", "--implementation", "alternative", "--notes", "Hardware keys."],
    );
    let gdpr = repo.read(GDPR_MFA);
    assert_eq!(gdpr, repo.read(CCPA_MFA), "both members of `privacy` changed the same way");
    assert!(
        gdpr.contains("status = \"alternative\"    # conditional access policy CA-01\ndate = 2026-11-23\n")
    );
    assert!(gdpr.contains("notes = \"Hardware keys.\""), "{gdpr}");
    // `hipaa-2026` is not in the group.
    assert_eq!(repo.read(HIPAA_MFA), state_toml(Some("bo@example.com"), "planned", "none", &[]));
    assert_checks_clean(&repo);
}

#[test]
fn set_without_assessment_needs_one_group() {
    let repo = program();
    // `mfa` is in the `privacy` group and in `hipaa-2026`, which is not.
    let run = writes_nothing(&repo, &["set", "mfa", "--test", "in-progress"], 2);
    insta::assert_snapshot!("ambiguous_assessment", run.stderr);
    // `enc` is only in the group: both members are meant, and both files are created.
    // A plan's date is its target date: without `--date` it has none (not today).
    let run = ok(&repo, &["set", "enc", "--implementation", "planned"]);
    assert_eq!(
        run.stderr,
        "     Created assessments/ccpa-2026/enc.toml: implementation not-implemented → planned\n     Created assessments/gdpr-2026/enc.toml: implementation not-implemented → planned\n"
    );
    // `dpo` is in one assessment.
    ok(&repo, &["set", "dpo", "--owner", "bo@example.com"]);
    insta::assert_snapshot!("created_state_file", repo.read("assessments/hipaa-2026/dpo.toml"));
    assert_checks_clean(&repo);
}

#[test]
fn set_refuses_a_result_that_breaks_a_status_rule() {
    let repo = program();
    let run = writes_nothing(&repo, &["set", "mfa", "-a", "hipaa-2026", "--test", "passed"], 1);
    settings_for(&repo).bind(|| insta::assert_snapshot!("passed_refused", run.all()));
    // (args, the rule it breaks)
    let cases: &[(&[&str], &str)] = &[
        (&["set", "mfa", "-a", "hipaa-2026", "--test", "passed"], "E0502"),
        (&["set", "mfa", "-a", "hipaa-2026", "--implementation", "out-of-scope"], "E0503"),
        (&["set", "mfa", "-a", "hipaa-2026", "--implementation", "alternative"], "E0503"),
        (&["set", "mfa", "-a", "hipaa-2026", "--test", "out-of-scope"], "E0503"),
        (
            &["set", "mfa", "-a", "hipaa-2026", "--implementation", "implemented", "--date", "2026-12-01"],
            "E0506",
        ),
        (&["set", "mfa", "-a", "gdpr-2026", "--test", "failed-low", "--date", "2026-01-15"], "E0505"),
        (&["set", "mfa", "-a", "hipaa-2026", "--test", "to-be-detected"], "E0507"),
    ];
    for (args, code) in cases {
        let run = writes_nothing(&repo, args, 1);
        assert!(run.stderr.contains(&format!("error[{code}]")), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("nothing was written"), "{args:?}: {}", run.stderr);
    }
    // A passed test needs an implementation, even with evidence.
    repo.write(HIPAA_MFA, state_toml(Some("bo@example.com"), "planned", "none", &["runbook"]));
    let run = writes_nothing(&repo, &["set", "mfa", "-a", "hipaa-2026", "--test", "passed"], 1);
    assert!(run.stderr.contains("error[E0501]"), "{}", run.stderr);
    // With the implementation in the same command, it passes.
    ok(&repo, &["set", "mfa", "-a", "hipaa-2026", "--implementation", "implemented", "--test", "passed"]);
    assert_checks_clean(&repo);
}

#[test]
fn set_usage_errors() {
    let repo = program();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "set",
                "mfa",
                "-a",
                "gdpr-2026",
                "--implementation",
                "implemented",
                "--test",
                "passed",
                "--notes",
                "x",
            ],
            "use `--implementation-notes` and `--test-notes`",
        ),
        (
            &["set", "mfa", "-a", "gdpr-2026", "--notes", "x"],
            "`--notes` is ambiguous: no status is being set",
        ),
        (
            &["set", "mfa", "-a", "gdpr-2026", "--date", "2026-01-01"],
            "`--date` is the date of the status being set",
        ),
        (&["set", "mfa", "-a", "gdpr-2026"], "nothing to set"),
        (&["set", "mfa", "--test", "passed", "--date", "01/02/2026"], "expected YYYY-MM-DD"),
        (&["set", "mfa", "--test", "pased"], "invalid value 'pased'"),
        (&["set", "mfa", "--date", "2026-01-01", "--test-date", "2026-01-01"], "cannot be used with"),
    ];
    for (args, message) in cases {
        let run = writes_nothing(&repo, args, 2);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn unknown_names_are_refused_with_suggestions() {
    let repo = program();
    let cases: &[(&[&str], &str)] = &[
        (&["set", "mfaa", "--test", "in-progress"], "error: no action `mfaa`\n  help: did you mean `mfa`?\n"),
        (
            &["set", "mfa", "-a", "gdpr-2025", "--test", "in-progress"],
            "error: no assessment `gdpr-2025`\n  help: did you mean `gdpr-2026`?\n",
        ),
        (
            &["set", "dpo", "-a", "gdpr-2026", "--test", "in-progress"],
            "error: assessment `gdpr-2026` (template `gdpr`) does not list `dpo`\n  help: `dpo` is in: hipaa-2026\n",
        ),
        (
            &["assign", "mfa", "-a", "gdpr-2026", "--to", "anna@example.com"],
            "error: `anna@example.com` is not listed in `[people]` of `evident.toml`\n  help: did you mean `ana@example.com`?\n",
        ),
        (
            &["assign", "mfa", "-a", "gdpr-2026", "--to", "Bo Chen"],
            "error: `Bo Chen` is not an e-mail address\n  help: did you mean `bo@example.com` (Bo Chen)?\n",
        ),
        (
            &["set", "mfa", "-a", "gdpr-2026", "--owner", "zoe.quinn@corp.test"],
            "error: `zoe.quinn@corp.test` is not listed in `[people]` of `evident.toml`\n  help: add `\"zoe.quinn@corp.test\" = \"Name\"` to `[people]`\n",
        ),
        (
            &["evidence", "remove", "mfa", "-a", "hipaa-2026", "Runbok"],
            "error: `assessments/hipaa-2026/mfa.toml` has no evidence named `Runbok`\n  help: it has no evidence at all\n",
        ),
    ];
    for (args, message) in cases {
        let run = writes_nothing(&repo, args, 2);
        assert_eq!(run.stderr, *message, "{args:?}");
    }
}

#[test]
fn a_state_file_with_errors_is_not_rewritten() {
    let repo = program();
    repo.write(CCPA_MFA, "owner = \"ana@example.com\"\n[implementation\nstatus = \"implemented\"\n");
    // Editing the other member of the group would sync into the broken file: refused too.
    for args in [
        &["set", "mfa", "-a", "ccpa-2026", "--test", "in-progress"][..],
        &["set", "mfa", "-a", "gdpr-2026", "--test", "in-progress"][..],
        &["assign", "mfa", "-a", "gdpr-2026", "--to", "bo@example.com"][..],
    ] {
        let run = writes_nothing(&repo, args, 1);
        assert!(run.stderr.contains("error[E0104]: invalid TOML"), "{}", run.stderr);
        assert!(
            run.stderr.ends_with("error: fix `assessments/ccpa-2026/mfa.toml` first; nothing was written\n"),
            "{}",
            run.stderr
        );
    }
    // A broken assessment makes group membership unknown: no edit at all.
    repo.write("assessments/hipaa-2026/assessment.toml", "id = \"hipaa-2026\"\ntemplate = 7\n");
    let run = writes_nothing(&repo, &["set", "enc", "--implementation", "planned"], 1);
    assert!(run.stderr.contains("cannot tell which files to change"), "{}", run.stderr);
}

#[test]
fn dry_run_writes_nothing() {
    let repo = program();
    let run =
        writes_nothing(&repo, &["set", "mfa", "-a", "gdpr-2026", "--test", "in-progress", "--dry-run"], 0);
    assert_eq!(
        run.stderr,
        "Would update assessments/ccpa-2026/mfa.toml: test none → in-progress, test date 2026-11-23\nWould update assessments/gdpr-2026/mfa.toml: test none → in-progress, test date 2026-11-23\n"
    );
}

#[test]
fn problems_the_file_already_had_do_not_block_an_edit() {
    let repo = program();
    // Passed without evidence: `check` flags it, but assigning an owner did not cause it.
    repo.write(HIPAA_MFA, state_toml(None, "implemented", "passed", &[]));
    let run = ok(&repo, &["assign", "mfa", "-a", "hipaa-2026", "--to", "ana@example.com"]);
    assert!(run.stderr.contains("warning[E0502]: the test passed without evidence"), "{}", run.stderr);
    assert!(run.stderr.contains("the file already had this problem before the edit"), "{}", run.stderr);
    assert!(run.stderr.ends_with("Updated assessments/hipaa-2026/mfa.toml: owner ana@example.com\n"));
}

#[test]
fn rule_levels_apply_to_edits() {
    let repo = program();
    repo.write(
        "evident.toml",
        "[people]\n\"ana@example.com\" = \"Ana Lima\"\n\"bo@example.com\" = \"Bo Chen\"\n\n[rules]\npassed-needs-evidence = \"warning\"\n",
    );
    let run = ok(&repo, &["set", "mfa", "-a", "gdpr-2026", "--test", "passed"]);
    assert!(run.stderr.contains("warning[E0502]"), "{}", run.stderr);
}

// --- assign ----------------------------------------------------------------

#[test]
fn assign_several_actions_at_once() {
    let repo = program();
    let run = ok(&repo, &["assign", "enc", "mfa", "-a", "gdpr-2026", "--to", "bo@example.com"]);
    // `-a gdpr-2026` brings in its group: `ccpa-2026` gets the same owners.
    insta::assert_snapshot!("assign_output", run.stderr);
    assert_eq!(repo.read(GDPR_MFA), repo.read(CCPA_MFA));
    assert!(repo.read(GDPR_MFA).contains("owner   =   \"bo@example.com\"   # primary owner\n"));
    assert_checks_clean(&repo);

    let before = repo.snapshot_files();
    let run = ok(&repo, &["assign", "enc", "mfa", "enc", "-a", "gdpr-2026", "--to", "bo@example.com"]);
    assert!(before == repo.snapshot_files());
    assert_eq!(run.stderr.matches("(nothing to change)").count(), 4, "{}", run.stderr);
}

#[test]
fn assign_is_all_or_nothing() {
    let repo = program();
    // `nope` does not exist: `enc` is not assigned either.
    let run = writes_nothing(&repo, &["assign", "enc", "nope", "--to", "bo@example.com"], 2);
    assert!(run.stderr.starts_with("error: no action `nope`"), "{}", run.stderr);
}

#[test]
fn assign_sets_the_owner_wherever_the_action_appears() {
    let repo = program();
    // `mfa` is in the group (gdpr-2026, ccpa-2026) and in hipaa-2026: an owner is
    // the action's owner everywhere, unlike a status, which `set` asks to place.
    ok(&repo, &["assign", "enc", "mfa", "--to", "bo@example.com"]);
    for a in ["gdpr-2026", "ccpa-2026", "hipaa-2026"] {
        let state: toml::Table = repo.read(&format!("assessments/{a}/mfa.toml")).parse().unwrap();
        assert_eq!(state["owner"].as_str(), Some("bo@example.com"), "{a}");
    }
    let run = writes_nothing(&repo, &["set", "mfa", "--implementation", "planned"], 2);
    assert!(run.stderr.contains("`mfa` is in 3 assessments"), "{}", run.stderr);
}

#[test]
fn without_people_any_address_may_own() {
    let repo = program();
    repo.write("evident.toml", "");
    ok(&repo, &["assign", "dpo", "--to", "cy@example.com"]);
    assert!(repo.read("assessments/hipaa-2026/dpo.toml").starts_with("owner = \"cy@example.com\"\n"));
    writes_nothing(&repo, &["assign", "dpo", "--to", "cy"], 2);
}

// --- evidence --------------------------------------------------------------

#[test]
fn evidence_add_copies_the_file_and_records_its_hash() {
    let repo = program();
    let outside = TestRepo::bare();
    outside.write("exports/CA policy.pdf", "%PDF-1.7 conditional access policy");
    let file = outside.path().join("exports/CA policy.pdf");
    let file = file.to_str().expect("utf-8 path");
    let run = ok(&repo, &["evidence", "add", "mfa", "-a", "ccpa-2026", file, "--name", "CA policy export"]);
    insta::assert_snapshot!("evidence_add_output", run.stderr);
    assert_eq!(repo.read("evidence/mfa/CA policy.pdf"), "%PDF-1.7 conditional access policy");
    let gdpr = repo.read(GDPR_MFA);
    assert_eq!(gdpr, repo.read(CCPA_MFA), "the group got the same item");
    insta::assert_snapshot!("evidence_added_file", gdpr);
    // `validate` hashes the copy and compares it with the recorded `sha256`.
    assert_checks_clean(&repo);

    // Again: nothing changes, nothing is copied.
    let before = repo.snapshot_files();
    let run = ok(&repo, &["evidence", "add", "mfa", "-a", "ccpa-2026", file, "--name", "CA policy export"]);
    assert!(before == repo.snapshot_files());
    assert!(!run.stderr.contains("Copied"), "{}", run.stderr);

    // The same file under another name is a slip.
    let run = writes_nothing(
        &repo,
        &["evidence", "add", "mfa", "-a", "gdpr-2026", file, "--name", "Same export"],
        2,
    );
    assert!(
        run.stderr.contains("already records `evidence/mfa/CA policy.pdf` as evidence `CA policy export`"),
        "{}",
        run.stderr
    );
    // Another assessment reuses the copy already there.
    let run = ok(&repo, &["evidence", "add", "mfa", "-a", "hipaa-2026", file]);
    assert_eq!(
        run.stderr,
        "     Updated assessments/hipaa-2026/mfa.toml: evidence `CA policy.pdf` added (evidence/mfa/CA policy.pdf)\n"
    );

    // Different content with the same file name gets its own name.
    outside.write("exports/CA policy.pdf", "%PDF-1.7 the next version");
    let run = ok(&repo, &["evidence", "add", "mfa", "-a", "gdpr-2026", file, "--name", "CA policy v2"]);
    assert!(run.stderr.contains("Copied evidence/mfa/CA policy-2.pdf"), "{}", run.stderr);
    assert_eq!(repo.read("evidence/mfa/CA policy.pdf"), "%PDF-1.7 conditional access policy");
    assert_checks_clean(&repo);

    // An existing name with different evidence is refused.
    let run = writes_nothing(
        &repo,
        &["evidence", "add", "mfa", "-a", "gdpr-2026", file, "--name", "CA policy export"],
        2,
    );
    assert!(run.stderr.contains("already has evidence named `CA policy export`"), "{}", run.stderr);
}

#[test]
fn evidence_add_links_and_files_already_in_the_repository() {
    let repo = program();
    repo.write("evidence/policies/mfa.md", "# MFA policy\n");
    // Relative to the current directory; already under `evidence/`: referred to in place.
    let run = repo.run_in(&["evidence", "add", "dpo", "evidence/policies/mfa.md", "--name", "Policy"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(!run.stderr.contains("Copied"), "{}", run.stderr);
    let dpo = repo.read("assessments/hipaa-2026/dpo.toml");
    assert!(dpo.contains("path = \"evidence/policies/mfa.md\""), "{dpo}");

    ok(&repo, &["evidence", "add", "dpo", "--url", "https://wiki.example.com/dpo", "--name", "Runbook"]);
    let dpo = repo.read("assessments/hipaa-2026/dpo.toml");
    assert!(
        dpo.ends_with("[[evidence]]\nname = \"Runbook\"\nurl = \"https://wiki.example.com/dpo\"\n"),
        "{dpo}"
    );
    assert_checks_clean(&repo);

    let run = writes_nothing(&repo, &["evidence", "add", "dpo", "--url", "https://wiki.example.com/x"], 2);
    assert!(run.stderr.contains("--name <NAME>"), "{}", run.stderr);
    let run = writes_nothing(
        &repo,
        &["evidence", "add", "dpo", "--url", "ftp://x.example.com/a", "--name", "x"],
        2,
    );
    assert!(run.stderr.contains("is not an http or https link"), "{}", run.stderr);
    let run = writes_nothing(&repo, &["evidence", "add", "dpo"], 2);
    assert!(run.stderr.contains("<FILE>"), "{}", run.stderr);
}

#[test]
fn evidence_add_refuses_bad_files() {
    let repo = program();
    let outside = TestRepo::bare();
    outside.write("setup.exe", "MZ");
    outside.write("README", "no extension");
    outside.write("dir/x.pdf", "pdf");
    let path = |rel: &str| outside.path().join(rel).to_string_lossy().into_owned();
    let cases = [
        (path("setup.exe"), "error: `.exe` files are not accepted as evidence\n  help: accepted types: .doc .docx .xls .xlsx .ppt .pptx .txt .md .csv .json .pdf .jpg .jpeg .png .mkv .zip .rar\n".to_owned()),
        (path("README"), "error: `README` has no file type (extension)\n".to_owned()),
        (path("missing.pdf"), format!("error: no file `{}`\n", path("missing.pdf"))),
        (path("dir"), format!("error: `{}` is a directory\n", path("dir"))),
    ];
    for (file, message) in &cases {
        let run = writes_nothing(&repo, &["evidence", "add", "dpo", file], 2);
        assert!(run.stderr.starts_with(message.as_str()), "{file}: {}", run.stderr);
    }
    #[cfg(unix)]
    {
        // A link inside the repository to a file outside it would smuggle that file in.
        std::fs::create_dir_all(repo.path().join("evidence")).expect("mkdir");
        std::os::unix::fs::symlink(outside.path().join("dir/x.pdf"), repo.path().join("evidence/x.pdf"))
            .expect("symlink");
        let link = repo.path().join("evidence/x.pdf").to_string_lossy().into_owned();
        let run = writes_nothing(&repo, &["evidence", "add", "dpo", &link], 2);
        assert!(run.stderr.contains("outside the repository"), "{}", run.stderr);
    }
}

#[test]
fn evidence_remove_until_a_verdict() {
    let repo = program();
    let outside = TestRepo::bare();
    outside.write("log.csv", "date,user\n");
    let file = outside.path().join("log.csv").to_string_lossy().into_owned();
    ok(&repo, &["evidence", "add", "mfa", "-a", "gdpr-2026", &file, "--name", "Sign-in log"]);
    ok(
        &repo,
        &[
            "evidence",
            "add",
            "mfa",
            "-a",
            "gdpr-2026",
            "--url",
            "https://wiki.example.com/mfa",
            "--name",
            "Runbook",
        ],
    );

    // Not yet tested: evidence can go; the file stays.
    let run = ok(&repo, &["evidence", "remove", "mfa", "-a", "gdpr-2026", "Sign-in log"]);
    insta::assert_snapshot!("evidence_remove_output", run.stderr);
    assert!(repo.path().join("evidence/mfa/log.csv").exists());
    assert_eq!(repo.read(GDPR_MFA), repo.read(CCPA_MFA));
    assert!(!repo.read(GDPR_MFA).contains("Sign-in log"));
    assert_checks_clean(&repo);

    // Removing it again: there is nothing by that name any more.
    let run = writes_nothing(&repo, &["evidence", "remove", "mfa", "-a", "gdpr-2026", "Sign-in log"], 2);
    assert!(
        run.stderr.contains("has no evidence named `Sign-in log`\n  help: its evidence: Runbook"),
        "{}",
        run.stderr
    );
    let run = writes_nothing(&repo, &["evidence", "remove", "mfa", "-a", "gdpr-2026", "Runbok"], 2);
    assert!(run.stderr.contains("did you mean `Runbook`?"), "{}", run.stderr);

    // After a verdict, evidence stays.
    for (test, extra) in [("passed", None), ("failed-low", None), ("out-of-scope", Some("Not applicable."))] {
        let mut args = vec!["set", "mfa", "-a", "gdpr-2026", "--test", test];
        if let Some(notes) = extra {
            args.extend(["--notes", notes]);
        }
        ok(&repo, &args);
        let run = writes_nothing(&repo, &["evidence", "remove", "mfa", "-a", "gdpr-2026", "Runbook"], 1);
        assert!(
            run.stderr.contains(&format!(
                "error[E0701]: cannot remove evidence `Runbook`: the test status is `{test}`"
            )),
            "{}",
            run.stderr
        );
    }
    let run = writes_nothing(&repo, &["evidence", "remove", "mfa", "-a", "gdpr-2026", "Runbook"], 1);
    settings_for(&repo).bind(|| insta::assert_snapshot!("evidence_remove_refused", run.all()));
    assert_checks_clean(&repo);
}

#[test]
fn evidence_stays_until_the_withdrawn_verdict_is_committed() {
    let repo = program();
    repo.git_init();
    ok(
        &repo,
        &[
            "evidence",
            "add",
            "mfa",
            "--url",
            "https://wiki.example.com/mfa",
            "--name",
            "Runbook",
            "--assessment",
            "hipaa-2026",
        ],
    );
    ok(
        &repo,
        &["set", "mfa", "--assessment", "hipaa-2026", "--implementation", "implemented", "--test", "passed"],
    );
    repo.commit("cy@example.com", "Pass MFA");
    ok(&repo, &["set", "mfa", "--assessment", "hipaa-2026", "--test", "in-progress"]);
    // `check --base` compares commit with parent: removing the evidence in the
    // same commit as the withdrawal breaks the rule, so the editor refuses.
    let run =
        writes_nothing(&repo, &["evidence", "remove", "mfa", "Runbook", "--assessment", "hipaa-2026"], 1);
    assert!(run.stderr.contains("the test status committed in HEAD is `passed`"), "{}", run.stderr);
    repo.commit("cy@example.com", "Retest MFA");
    ok(&repo, &["evidence", "remove", "mfa", "Runbook", "--assessment", "hipaa-2026"]);
}

/// The editing examples of README.md, on the bundled example repository.
#[test]
fn readme_editing_examples() {
    let repo = TestRepo::example();
    repo.write("exports/ca-policy.json", "{\"policy\": \"CA-01\"}\n");
    repo.write("exports/opt-out-sample.csv", "request,answered\nR-1,2026-11-02\n");
    let runs: &[(&[&str], i32)] = &[
        (&["set", "dpia-process", "--implementation", "implemented", "--notes", "DPIA template adopted"], 0),
        (&["set", "privacy-by-design-review", "--implementation", "implemented"], 0),
        (
            &[
                "set",
                "non-discrimination",
                "--test",
                "in-progress",
                "--test-notes",
                "Sampling opt-out requests",
            ],
            0,
        ),
        (&["assign", "dlp-policies", "sensitivity-labels", "--to", "jonas.berg@example.com"], 0),
        (
            &[
                "evidence",
                "add",
                "mfa-admins",
                "exports/ca-policy.json",
                "--assessment",
                "hipaa-2026",
                "--name",
                "CA policy export",
            ],
            0,
        ),
        (
            &[
                "evidence",
                "add",
                "dpia-process",
                "--url",
                "https://wiki.example.com/dpia",
                "--name",
                "DPIA procedure",
            ],
            0,
        ),
        (
            &[
                "evidence",
                "remove",
                "mfa-admins",
                "Conditional Access policy export (March 2026)",
                "--assessment",
                "hipaa-2026",
            ],
            1,
        ),
        (
            &[
                "evidence",
                "add",
                "non-discrimination",
                "exports/opt-out-sample.csv",
                "--name",
                "Opt-out sample",
            ],
            0,
        ),
        // The copy is corrected in between (below).
        (&["evidence", "rehash", "non-discrimination", "Opt-out sample"], 0),
        (&["evidence", "rehash", "--all", "--dry-run"], 0),
        (&["evidence", "rehash", "--all", "-a", "hipaa-2026", "--dry-run"], 0),
    ];
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for (args, code) in runs {
        if args[..2] == ["evidence", "rehash"] && args.len() == 4 {
            let copy = "evidence/non-discrimination/opt-out-sample.csv";
            repo.write(copy, repo.read(copy).replace("R-1", "R-0001"));
        }
        // Run from the repository, as the README does (the evidence file path is relative).
        let run = repo.run_in(args);
        assert_eq!(run.code, *code, "{args:?}: {}", run.all());
        let shown = args.iter().take(2).copied().collect::<Vec<_>>().join(" ");
        assert!(readme.contains(&format!("evident {shown}")), "README shows `evident {shown}`");
    }
    assert_eq!(repo.run(&["check"]).code, 0, "{}", repo.run(&["check"]).all());
}
