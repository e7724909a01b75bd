//! Bad input: every case gets a clear diagnostic and the documented exit code
//! (1 for problems in the repository's files, 2 when evident cannot run).

use crate::support::{Run, TestRepo, minimal, settings_for};

/// Runs `validate` twice (human and JSON) and returns both.
fn validate(repo: &TestRepo) -> (Run, serde_json::Value) {
    let human = repo.run(&["validate"]);
    let json = repo.run(&["validate", "--format", "json"]);
    assert_eq!(human.code, json.code, "both formats agree on the exit code");
    let value = json.json();
    crate::output_schemas::assert_conforms("check", &value);
    (human, value)
}

fn codes(json: &serde_json::Value) -> Vec<String> {
    json["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_owned()).collect()
}

fn first(json: &serde_json::Value) -> &serde_json::Value {
    &json["diagnostics"][0]
}

/// Snapshot of the human output with the temp path filtered.
macro_rules! snapshot {
    ($repo:expr, $run:expr) => {
        settings_for(&$repo).bind(|| insta::assert_snapshot!($run.all()))
    };
}

#[test]
fn broken_toml() {
    let repo = minimal();
    repo.write("actions/mfa.toml", "id = \"mfa\"\ntitle = \"Require MFA\nversion = 1\n[[broken\n");
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 1);
    assert!(codes(&json).iter().all(|c| c == "E0104"), "{json}");
    assert_eq!((first(&json)["line"].as_u64(), first(&json)["column"].as_u64()), (Some(2), Some(21)));
    snapshot!(repo, run);
}

#[test]
fn syntax_errors_after_an_unclosed_table_header() {
    // The toml parser skips the keys under a header it cannot read; they are read on their own.
    let repo = minimal();
    repo.write(
        "actions/mfa.toml",
        "id = \"mfa\"\ntitle = \"MFA\n\n[automation\nrun = [\"x\"]\ntimeout = never\n",
    );
    let (_, json) = validate(&repo);
    let lines: Vec<u64> =
        json["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["line"].as_u64()).collect();
    assert_eq!(codes(&json), ["E0104", "E0104", "E0104"], "{json}");
    assert_eq!(lines, [2, 4, 6], "{json}");
}

#[test]
fn wrong_types() {
    let repo = minimal();
    repo.write(
        "actions/mfa.toml",
        "id = \"mfa\"\ntitle = 7\nversion = \"1\"\ncategory = \"control-access\"\naction_type = \"technical\"\ncontrol_type = \"preventative\"\nmandatory = \"yes\"\ntesting = \"manual\"\n",
    );
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(codes(&json), ["E0201", "E0201", "E0201"]);
    snapshot!(repo, run);
}

#[test]
fn unknown_keys_suggest_the_right_one() {
    let repo = minimal();
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        "ownr = \"ana@example.com\"\n\n[implementation]\nstatsu = \"implemented\"\nstatus = \"implemented\"\ndate = 2026-02-01\n",
    );
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(codes(&json), ["E0202", "E0202"]);
    assert_eq!(first(&json)["hint"], "did you mean `owner`?");
    assert_eq!(json["diagnostics"][1]["hint"], "did you mean `status`?");
    assert_eq!(json["diagnostics"][1]["line"], 4);
    snapshot!(repo, run);
}

#[test]
fn invalid_enum_value() {
    let repo = minimal();
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        "[implementation]\nstatus = \"implmented\"\n\n[test]\nstatus = \"pased\"\n",
    );
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(codes(&json), ["E0204", "E0204"]);
    assert_eq!(first(&json)["hint"], "did you mean `implemented`?");
    assert_eq!(json["diagnostics"][1]["hint"], "did you mean `passed`?");
    snapshot!(repo, run);
}

#[test]
fn quoted_date_and_date_time() {
    let repo = minimal();
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        "[implementation]\nstatus = \"implemented\"\ndate = \"2026-02-01\"\n",
    );
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(codes(&json), ["E0206"]);
    assert_eq!((first(&json)["line"].as_u64(), first(&json)["column"].as_u64()), (Some(3), Some(8)));
    snapshot!(repo, run);

    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        "[implementation]\nstatus = \"implemented\"\ndate = 2026-02-01T10:00:00Z\n",
    );
    let (_, json) = validate(&repo);
    assert_eq!(codes(&json), ["E0206"]);
}

#[test]
fn unknown_ids_with_suggestions() {
    let repo = minimal();
    repo.write(
        "templates/gdpr.toml",
        crate::support::template_toml("gdpr", &[("art-32", &["mfa", "mfaa", "backups"])]),
    );
    repo.write(
        "assessments/ccpa-2026/assessment.toml",
        crate::support::assessment_toml("ccpa-2026", "gdrp", None),
    );
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(codes(&json), ["E0304", "E0303", "E0303"]);
    assert_eq!(first(&json)["hint"], "did you mean `gdpr`?");
    assert_eq!(json["diagnostics"][1]["hint"], "did you mean `mfa`?");
    assert!(json["diagnostics"][2]["hint"].as_str().unwrap().contains("evident new action backups"));
    snapshot!(repo, run);
}

#[test]
fn state_for_an_action_the_template_does_not_list() {
    let repo = minimal();
    repo.write("assessments/gdpr-2026/mfaa.toml", "[implementation]\nstatus = \"planned\"\n");
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(codes(&json), ["E0307"]);
    assert_eq!(first(&json)["hint"], "did you mean `mfa`? (rename the file)");
}

#[test]
fn duplicate_ids() {
    let repo = minimal();
    repo.write(
        "templates/gdpr.toml",
        "id = \"gdpr\"\nname = \"G\"\nregulation = \"GDPR\"\nversion = 1\n\n[[controls]]\nid = \"art-32\"\ntitle = \"a\"\nactions = [\"mfa\", \"mfa\"]\n\n[[controls]]\nid = \"art-32\"\ntitle = \"b\"\nactions = []\n",
    );
    // An id that does not match the file name is the other way to duplicate one.
    repo.write(
        "actions/mfa2.toml",
        crate::support::action_toml("mfa", "control-access", "preventative", true),
    );
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(codes(&json), ["E0301", "E0311", "E0302", "E0302"]);
    snapshot!(repo, run);
}

#[test]
fn files_in_the_wrong_place() {
    let repo = minimal();
    repo.write("templates/old/gdpr.toml", "x = 1\n");
    repo.write("actions/Backups.toml", "x = 1\n");
    repo.write("actions/backups.yaml", "x: 1\n");
    repo.write("assessments/gdpr-2026.toml", "x = 1\n");
    repo.write("assessments/hipaa/notes/a.toml", "x = 1\n");
    // Notes and placeholders are fine.
    repo.write("templates/README.md", "# Templates\n");
    repo.write("actions/.gitkeep", "");
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 1);
    let c = codes(&json);
    assert_eq!(c.iter().filter(|c| *c == "E0105").count(), 5, "{json}");
    assert!(c.contains(&"E0106".to_owned()), "assessments/hipaa has no assessment.toml: {json}");
    snapshot!(repo, run);
}

#[test]
fn evidence_outside_the_repository() {
    let repo = minimal();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "x").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), repo.path().join("evidence-link.txt"))
        .unwrap();
    let abs = outside.path().join("secret.txt").display().to_string();
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        format!(
            "[implementation]\nstatus = \"implemented\"\ndate = 2026-02-01\n\n[test]\nstatus = \"none\"\n\n\
             [[evidence]]\nname = \"parent\"\npath = \"../secret.txt\"\nsha256 = \"{z}\"\n\n\
             [[evidence]]\nname = \"absolute\"\npath = \"{abs}\"\nsha256 = \"{z}\"\n\n\
             [[evidence]]\nname = \"link\"\npath = \"evidence-link.txt\"\nsha256 = \"{z}\"\n",
            z = "0".repeat(64)
        ),
    );
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 1);
    let expected = if cfg!(unix) { vec!["E0401"; 3] } else { vec!["E0401"; 2] };
    assert_eq!(codes(&json), expected, "{json}");
    settings_for(&repo).bind(|| {
        let mut settings = insta::Settings::clone_current();
        let outside_path = outside.path().display().to_string();
        settings.add_filter(&outside_path.replace('.', "\\."), "[OUTSIDE]");
        if let Ok(real) = std::fs::canonicalize(outside.path()) {
            settings.add_filter(&real.display().to_string().replace('.', "\\."), "[OUTSIDE]");
        }
        settings.bind(|| insta::assert_snapshot!(run.all()));
    });
}

#[test]
fn evidence_missing_changed_or_unhashed() {
    let repo = minimal();
    repo.write("evidence/policy.txt", "policy v2\n");
    repo.write("evidence/log.csv", "a,b\n");
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        format!(
            "[implementation]\nstatus = \"implemented\"\ndate = 2026-02-01\n\n[test]\nstatus = \"none\"\n\n\
             [[evidence]]\nname = \"missing\"\npath = \"evidence/polcy.txt\"\nsha256 = \"{z}\"\n\n\
             [[evidence]]\nname = \"changed\"\npath = \"evidence/policy.txt\"\nsha256 = \"{z}\"\n\n\
             [[evidence]]\nname = \"unhashed\"\npath = \"evidence/log.csv\"\n\n\
             [[evidence]]\nname = \"directory\"\npath = \"evidence\"\nsha256 = \"{z}\"\n\n\
             [[evidence]]\nname = \"both\"\npath = \"evidence/log.csv\"\nurl = \"https://example.com\"\n",
            z = "0".repeat(64)
        ),
    );
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(codes(&json), ["E0402", "E0403", "E0404", "E0406", "E0405"], "{json}");
    assert_eq!(first(&json)["hint"], "did you mean `evidence/policy.txt`?");
    // sha256 of "a,b\n"
    assert!(json["diagnostics"][2]["hint"].as_str().unwrap().contains("sha256 = \""), "{json}");
    snapshot!(repo, run);
}

#[test]
fn missing_referenced_files() {
    let repo = minimal();
    repo.remove("actions/mfa.toml");
    repo.remove("templates/gdpr.toml");
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(codes(&json), ["E0304"]);
    std::fs::create_dir_all(repo.path().join("assessments/empty-dir")).unwrap();
    let (_, json) = validate(&repo);
    assert_eq!(codes(&json), ["E0106", "E0304"]);
}

#[test]
fn empty_repository_is_valid_with_a_warning() {
    let repo = TestRepo::new();
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 0);
    assert_eq!(codes(&json), ["E0108"]);
    snapshot!(repo, run);
}

#[test]
fn directory_without_evident_toml() {
    let repo = TestRepo::bare();
    let run = repo.run(&["validate"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no `evident.toml` in"), "{}", run.stderr);
    assert!(run.stderr.contains("evident init"), "{}", run.stderr);
    let run = repo.run_in(&["score"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("or any parent directory"), "{}", run.stderr);
    let run = crate::support::run({
        let mut c = crate::support::evident();
        c.args(["--repo", "/definitely/not/here", "validate"]);
        c
    });
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is not a directory"), "{}", run.stderr);
}

#[test]
fn found_from_a_subdirectory() {
    let repo = minimal();
    std::fs::create_dir_all(repo.path().join("assessments/gdpr-2026")).unwrap();
    let mut cmd = crate::support::evident();
    cmd.current_dir(repo.path().join("assessments/gdpr-2026")).arg("validate");
    let run = crate::support::run(cmd);
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn invalid_utf8() {
    let repo = minimal();
    repo.write("actions/mfa.toml", b"id = \"mfa\"\ntitle = \"caf\xe9\"\n".as_slice());
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(codes(&json), ["E0102"]);
    assert_eq!((first(&json)["line"].as_u64(), first(&json)["column"].as_u64()), (Some(2), Some(13)));
    snapshot!(repo, run);
}

#[test]
fn byte_order_mark_is_a_warning_and_positions_stay_right() {
    let repo = minimal();
    let text = repo.read("actions/mfa.toml");
    repo.write("actions/mfa.toml", format!("\u{feff}{text}"));
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(codes(&json), ["E0103"]);
    // With a real error after the BOM, line and column match what an editor shows.
    repo.write("actions/mfa.toml", format!("\u{feff}{}", text.replace("mandatory = true", "mandatory = 1")));
    let (_, json) = validate(&repo);
    let d = json["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "E0201").unwrap();
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(7), Some(13)));
    // The BOM can be silenced in [rules].
    repo.write("evident.toml", "[rules]\nbyte-order-mark = \"off\"\n");
    repo.write("actions/mfa.toml", format!("\u{feff}{text}"));
    let (_, json) = validate(&repo);
    assert_eq!(codes(&json), Vec::<String>::new());
}

#[test]
fn crlf_line_ends() {
    let repo = minimal();
    let crlf = |s: String| s.replace('\n', "\r\n");
    for file in [
        "actions/mfa.toml",
        "templates/gdpr.toml",
        "assessments/gdpr-2026/mfa.toml",
        "assessments/gdpr-2026/assessment.toml",
    ] {
        let text = repo.read(file);
        repo.write(file, crlf(text));
    }
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 0, "CRLF files are valid TOML: {}", run.all());
    assert_eq!(codes(&json), Vec::<String>::new());
    assert_eq!(repo.run(&["score", "--format", "json"]).json()["overall"]["max"], 27);
    // Positions in CRLF files are counted like in LF files.
    let text = repo.read("actions/mfa.toml").replace("testing = \"manual\"", "testing = \"manul\"");
    repo.write("actions/mfa.toml", text);
    let (_, json) = validate(&repo);
    assert_eq!((first(&json)["line"].as_u64(), first(&json)["column"].as_u64()), (Some(8), Some(11)));
}

#[test]
fn symlinked_data_file() {
    #[cfg(unix)]
    {
        let repo = minimal();
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("x.toml");
        std::fs::write(&target, crate::support::action_toml("x", "control-access", "detective", false))
            .unwrap();
        std::os::unix::fs::symlink(&target, repo.path().join("actions/x.toml")).unwrap();
        let (run, json) = validate(&repo);
        assert_eq!(run.code, 1);
        assert_eq!(codes(&json), ["E0107"]);
    }
}

#[test]
fn people_and_rules_in_config() {
    let repo = minimal();
    repo.write(
        "evident.toml",
        "[people]\n\"ana@example.org\" = \"Ana\"\n\n[roles]\nassessors = [\"cy@example.com\"]\n\n[rules]\nunused-actoin = \"off\"\nE0311 = \"off\"\ntoml-syntax = \"off\"\n",
    );
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 1);
    // Sorted by file: the state file comes before evident.toml.
    assert_eq!(codes(&json), ["E0308", "E0308", "E0310", "E0310", "E0310"], "{json}");
    assert_eq!(json["diagnostics"][0]["hint"], "did you mean `ana@example.org`?");
    assert_eq!(json["diagnostics"][2]["hint"], "did you mean `unused-action`?");
    assert_eq!(json["diagnostics"][3]["hint"], "write `unused-action = …`");
    snapshot!(repo, run);
}

#[test]
fn an_unknown_rule_is_reported_next_to_a_wrong_level() {
    // The wrong level keeps the configuration from loading; the names are still checked.
    let repo = minimal();
    repo.write("evident.toml", "[rules]\nunused-actoin = \"off\"\npassed-needs-evidence = \"of\"\n");
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(codes(&json), ["E0310", "E0204"], "{json}");
    assert_eq!(json["diagnostics"][0]["hint"], "did you mean `unused-action`?");
}

#[test]
fn rules_can_lower_and_raise_levels() {
    let repo = minimal();
    repo.write(
        "actions/unused.toml",
        crate::support::action_toml("unused", "control-access", "detective", false),
    );
    assert_eq!(repo.run(&["validate"]).code, 0, "unused-action is a warning by default");
    repo.write("evident.toml", "[rules]\nunused-action = \"error\"\n");
    assert_eq!(repo.run(&["validate"]).code, 1);
    repo.write("evident.toml", "[rules]\nunused-action = \"off\"\n");
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 0);
    assert_eq!(codes(&json), Vec::<String>::new());
}

#[test]
fn template_and_action_versions() {
    let repo = minimal();
    let text = repo
        .read("assessments/gdpr-2026/assessment.toml")
        .replace("template_version = 1", "template_version = 3");
    repo.write("assessments/gdpr-2026/assessment.toml", text);
    repo.write("assessments/gdpr-2026/mfa.toml", "accepted_version = 2\n");
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(codes(&json), ["E0305", "E0309"]);
}

#[test]
fn nothing_is_written_by_validate() {
    let repo = minimal();
    repo.write("actions/mfa.toml", "broken = [\n");
    let before = repo.snapshot_files();
    repo.run(&["validate"]);
    repo.run(&["score"]);
    assert_eq!(before, repo.snapshot_files());
}

#[test]
fn evidence_inside_git_or_on_data_files() {
    let repo = minimal();
    repo.write(".git/config", "[core]\n");
    let sha = |text: &str| {
        use sha2::Digest;
        sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    repo.write("evidence/export.xml", "<x/>");
    let mfa_text = repo.read("actions/mfa.toml");
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        format!(
            "[implementation]\nstatus = \"implemented\"\ndate = 2026-02-01\n\n[test]\nstatus = \"none\"\n\n\
             [[evidence]]\nname = \"git\"\npath = \".git/config\"\nsha256 = \"{}\"\n\n\
             [[evidence]]\nname = \"data\"\npath = \"actions/mfa.toml\"\nsha256 = \"{}\"\n\n\
             [[evidence]]\nname = \"xml\"\npath = \"evidence/export.xml\"\nsha256 = \"{}\"\n",
            sha("[core]\n"),
            sha(&mfa_text),
            sha("<x/>")
        ),
    );
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 1);
    assert_eq!(codes(&json), ["E0409", "E0407", "E0408"], "{json}");
}

#[test]
fn a_symlinked_config() {
    #[cfg(unix)]
    {
        let repo = minimal();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("evident.toml"), "").unwrap();
        repo.remove("evident.toml");
        std::os::unix::fs::symlink(outside.path().join("evident.toml"), repo.path().join("evident.toml"))
            .unwrap();
        let (run, json) = validate(&repo);
        assert_eq!(run.code, 1);
        assert_eq!(codes(&json), ["E0107"]);
    }
}

#[test]
fn messages_for_numbers_out_of_range() {
    let repo = minimal();
    repo.write("evident.toml", "[check]\nmax-score-drop = nan\n");
    repo.write(
        "actions/mfa.toml",
        repo.read("actions/mfa.toml").replace("version = 1", "version = 99999999999"),
    );
    let (_, json) = validate(&repo);
    let messages: Vec<&str> =
        json["diagnostics"].as_array().unwrap().iter().map(|d| d["message"].as_str().unwrap()).collect();
    assert!(messages.contains(&"`version` must be at most 4294967295, found `99999999999`"), "{messages:?}");
    assert!(
        messages.contains(&"`check.max-score-drop` must be a finite number, found `nan`"),
        "{messages:?}"
    );
}

#[test]
fn a_template_that_lists_no_actions() {
    let repo = minimal();
    repo.write("templates/empty.toml", crate::support::template_toml("empty", &[("c1", &[])]));
    let (run, json) = validate(&repo);
    assert_eq!(run.code, 0, "a warning: {}", run.all());
    assert_eq!(codes(&json), ["E0313"]);
}
