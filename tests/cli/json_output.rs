//! `--format json` prints one JSON object on stdout even when the command
//! refuses the repository (exit 1): the diagnostics, as `validate --format
//! json` prints them.

use serde_json::Value;

use crate::output_schemas::assert_conforms;
use crate::support::{Run, TestRepo};

/// The example repository with one state file that is not TOML.
fn broken_state() -> TestRepo {
    let repo = TestRepo::example();
    repo.write("assessments/gdpr-2026/access-reviews.toml", "owner = = \"ana\"\n");
    repo
}

/// The refusal of a command with JSON output: exit 1, the diagnostics on
/// stdout (conforming to the command's schema when it has one) and the
/// reason on stderr.
fn assert_refused_as_json(run: &Run, schema: Option<&str>) -> Value {
    assert_eq!(run.code, 1, "{}", run.all());
    let json = run.json();
    assert_eq!(json["ok"], false, "{}", run.all());
    let diagnostics = json["diagnostics"].as_array().expect("diagnostics");
    assert!(diagnostics.iter().any(|d| d["severity"] == "error"), "{}", run.all());
    assert!(json["errors"].as_u64().is_some_and(|n| n > 0), "{}", run.all());
    if let Some(name) = schema {
        assert_conforms(name, &json);
    }
    assert!(run.stderr.contains("error: "), "{}", run.all());
    json
}

#[test]
fn commands_that_refuse_errors_print_them_as_json() {
    let repo = broken_state();
    let validate = repo.run(&["validate", "--format", "json"]).json();
    for (args, schema) in [
        (&["score", "--format", "json"][..], Some("score")),
        (&["list", "actions", "--format", "json"], Some("list")),
        (&["list", "controls", "--format", "json"], Some("list-controls")),
        (&["alerts", "--base", "HEAD", "--format", "json"], Some("alerts")),
        (&["alerts", "--base", "HEAD", "--send", "--format", "json"], Some("alerts-send")),
        (&["updates", "--format", "json"], Some("updates")),
        (&["export", "oscal"], None),
        (&["import", "template", "gdpr.csv", "--format", "json"], Some("import-template")),
        (
            &["import", "oscal", "--catalog", "catalog.json", "--template", "x", "--format", "json"],
            Some("import-oscal"),
        ),
        (&["import", "ciso-assistant", "lib.yaml", "--format", "json"], Some("import-ciso-assistant")),
        (&["import", "mapping", "lib.yaml", "--format", "json"], Some("import-mapping")),
        (&["sync", "--format", "json"], Some("changes")),
    ] {
        let run = repo.run(args);
        let json = assert_refused_as_json(&run, schema);
        // The same object `validate --format json` prints.
        assert_eq!(json, validate, "{args:?}");
        assert!(run.stderr.contains("fix them first"), "{args:?}: {}", run.all());
        assert!(!run.stderr.contains("owner = = "), "no snippets on stderr: {}", run.all());
    }
}

#[test]
fn human_output_of_a_refusal_is_unchanged() {
    let repo = broken_state();
    let run = repo.run(&["score"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.is_empty(), "{}", run.all());
    assert!(run.stderr.contains("owner = = "), "{}", run.all());
    // An export to a file leaves stdout empty.
    let run = repo.run(&["export", "oscal", "--out", "ar.json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.is_empty(), "{}", run.all());
}

#[test]
fn edits_that_cannot_tell_where_to_write_print_the_problems_as_json() {
    let repo = TestRepo::example();
    repo.write("assessments/gdpr-2026/assessment.toml", "id = = 1\n");
    let run = repo.run(&["import", "actions", "actions.csv", "--format", "json"]);
    assert_refused_as_json(&run, Some("import-actions"));
    assert!(run.stderr.contains("nothing was written"), "{}", run.all());
    let run = repo.run(&["test", "--format", "json"]);
    assert_refused_as_json(&run, None);
}

#[test]
fn an_error_that_stops_a_command_leaves_stdout_empty() {
    let repo = TestRepo::example();
    let run = repo.run(&["updates", "--assessment", "nope", "--format", "json"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stdout.is_empty(), "{}", run.all());
    assert!(run.stderr.contains("nope"), "{}", run.all());
}

#[test]
fn every_format_flag_names_the_terminal_output_human() {
    let repo = TestRepo::example();
    let help = repo.run(&["alerts", "--help"]).stdout;
    assert!(!help.contains("`text` is the terminal listing"), "{help}");
    for import in ["actions", "template"] {
        let help = repo.run(&["import", import, "--help"]).stdout;
        assert!(help.contains("human:") && help.contains("json:"), "{help}");
    }
}

/// `set`, `assign` and `evidence add|remove` print what they change as JSON.
#[test]
fn edits_print_their_changes_as_json() {
    let repo = TestRepo::example();
    let file = "assessments/gdpr-2026/mfa-admins.toml";
    let before = repo.read(file);
    let args =
        ["set", "mfa-admins", "-a", "gdpr-2026", "--owner", "ana.lima@example.com", "--format", "json"];
    let dry = repo.run(&[&args[..], &["--dry-run"]].concat());
    assert_eq!(dry.code, 0, "{}", dry.all());
    assert_conforms("changes", &dry.json());
    assert_eq!(dry.json()["written"], false);
    assert_eq!(dry.json()["dry_run"], true);
    assert_eq!(repo.read(file), before);
    let run = repo.run(&args);
    assert_eq!(run.code, 0, "{}", run.all());
    let json = run.json();
    assert_conforms("changes", &json);
    assert_eq!(json["written"], true);
    let changed =
        json["files"].as_array().unwrap().iter().find(|f| f["path"] == file).expect("the state file");
    assert_eq!(changed["change"], "updated", "{json:#}");
    assert!(changed["what"][0].as_str().unwrap().contains("ana.lima@example.com"), "{json:#}");
    assert!(repo.read(file).contains("ana.lima@example.com"));
    assert!(run.stderr.is_empty(), "the changes are not told twice: {}", run.all());

    let run = repo.run(&["assign", "mfa-admins", "--to", "ben.okafor@example.com", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_conforms("changes", &run.json());
    repo.write("runbook.md", "# MFA runbook\n");
    let runbook = repo.path().join("runbook.md");
    let add =
        ["evidence", "add", "mfa-admins", runbook.to_str().unwrap(), "-a", "gdpr-2026", "--format", "json"];
    let run = repo.run(&add);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_conforms("changes", &run.json());
    assert_eq!(run.json()["copies"].as_array().map(Vec::len), Some(1), "{}", run.all());
    // Evidence a verdict rests on stays: the refusal names the rule.
    let run =
        repo.run(&["evidence", "remove", "mfa-admins", "runbook.md", "-a", "gdpr-2026", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert_conforms("changes", &run.json());
    assert_eq!(run.json()["diagnostics"][0]["code"], "E0701", "{}", run.all());
}

#[test]
fn a_refused_edit_lists_its_problems_in_json() {
    let repo = TestRepo::example();
    let args =
        ["set", "mfa-admins", "-a", "gdpr-2026", "--implementation-date", "2099-01-01", "--format", "json"];
    let before = repo.snapshot_files();
    let run = repo.run(&args);
    assert_eq!(run.code, 1, "{}", run.all());
    let json = run.json();
    assert_conforms("changes", &json);
    assert_eq!(json["written"], false);
    assert!(json["diagnostics"].as_array().unwrap().iter().any(|d| d["severity"] == "error"), "{json:#}");
    assert!(run.stderr.contains("nothing was written"), "{}", run.all());
    assert_eq!(repo.snapshot_files(), before);
    // Inputs that say nothing of where to write: the diagnostics object of a refusal.
    repo.write("assessments/gdpr-2026/assessment.toml", "id = = 1\n");
    let run = repo.run(&args);
    assert_refused_as_json(&run, Some("changes"));
}
