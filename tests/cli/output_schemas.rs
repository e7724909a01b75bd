//! The JSON outputs conform to their checked-in schemas (`schemas/output/`),
//! which a library test keeps equal to the output types.

use serde_json::Value;

use crate::support::TestRepo;

/// Panics with every violation when `json` does not conform to
/// `schemas/output/<name>.schema.json`.
pub fn assert_conforms(name: &str, json: &Value) {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("schemas/output/{name}.schema.json"));
    let text = std::fs::read_to_string(&path).expect("output schema");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .expect("schema compiles");
    let errors: Vec<String> =
        validator.iter_errors(json).map(|e| format!("{}: {e}", e.instance_path())).collect();
    assert!(errors.is_empty(), "`{name}` output does not match its schema:\n{}", errors.join("\n"));
}

#[test]
fn score_and_list_outputs_match_their_schemas() {
    let repo = TestRepo::example();
    let run = repo.run(&["score", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_conforms("score", &run.json());
    let run = repo.run(&["list", "actions", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_conforms("list", &run.json());
}

#[test]
fn history_outputs_match_their_schemas() {
    let repo = TestRepo::example();
    repo.git_init();
    repo.commit("ana@example.com", "Import");
    let run = repo.run(&["list", "actions", "--format", "json"]);
    let json = run.json();
    let action = json[0]["id"].as_str().expect("an action").to_owned();
    let assessment = json[0]["assessments"][0]["id"].as_str().expect("an assessment").to_owned();
    let run = repo.run(&[
        "set",
        &action,
        "-a",
        &assessment,
        "--owner",
        "ana.lima@example.com",
        "--implementation",
        "planned",
        "-q",
    ]);
    assert!(run.code <= 1, "{}", run.all());
    repo.commit("ana@example.com", "Plan");
    let run = repo.run(&["history", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_conforms("history", &run.json());
    let run = repo.run(&["history", "--scores", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_conforms("history-scores", &run.json());
}
