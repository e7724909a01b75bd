//! `evident validate` output formats.

use crate::support::{TestRepo, minimal, settings_for};

fn broken() -> TestRepo {
    let repo = minimal();
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        "owner = \"ana@example.com\"\n\n[implementation]\nstatus = \"implmented\"\n",
    );
    repo.write(
        "actions/unused.toml",
        crate::support::action_toml("unused", "control-access", "detective", false),
    );
    repo
}

#[test]
fn clean_repository() {
    let repo = minimal();
    let run = repo.run(&["validate"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.stderr, "checked 5 files: no problems\n");
    let json = repo.run(&["validate", "--format", "json"]).json();
    assert_eq!(
        json,
        serde_json::json!({"ok": true, "files": 5, "errors": 0, "warnings": 0, "diagnostics": []})
    );
}

#[test]
fn json_format() {
    let repo = broken();
    let run = repo.run(&["validate", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.is_empty(), "machine formats keep stderr quiet: {}", run.stderr);
    insta::assert_json_snapshot!(run.json());
}

#[test]
fn github_annotations() {
    let repo = broken();
    let run = repo.run(&["validate", "--format", "github"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn github_annotations_use_paths_from_the_git_root() {
    let outer = TestRepo::bare();
    let status = crate::support::git().args(["init", "-q"]).current_dir(outer.path()).status().unwrap();
    assert!(status.success());
    outer.write("compliance/evident.toml", "");
    outer.write("compliance/actions/x.toml", "id = \n");
    let mut cmd = crate::support::evident();
    cmd.arg("--repo").arg(outer.path().join("compliance")).args(["validate", "--format", "github"]);
    let run = crate::support::run(cmd);
    assert!(run.stdout.starts_with("::error file=compliance/actions/x.toml,line=1,col=6"), "{}", run.stdout);
}

#[test]
fn sarif_format() {
    let repo = broken();
    let run = repo.run(&["validate", "--format", "sarif"]);
    assert_eq!(run.code, 1);
    let sarif = run.json();
    assert_eq!(sarif["version"], "2.1.0");
    let results = &sarif["runs"][0]["results"];
    assert_eq!(results.as_array().unwrap().len(), 2);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results.as_array().unwrap() {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"], "ruleIndex points at the rule");
    }
    settings_for(&repo).bind(|| {
        insta::assert_json_snapshot!(results);
    });
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let repo = broken();
    // Tests pipe stdout, so "auto" means no colour.
    let mut cmd = crate::support::evident();
    cmd.env_remove("NO_COLOR").arg("--repo").arg(repo.path()).arg("validate");
    let run = crate::support::run(cmd);
    assert!(!run.stderr.contains('\u{1b}'), "{}", run.stderr);
    let mut cmd = crate::support::evident();
    cmd.env_remove("NO_COLOR").arg("--repo").arg(repo.path()).args(["--color", "always", "validate"]);
    let run = crate::support::run(cmd);
    assert!(run.stderr.contains('\u{1b}'), "--color always colours: {}", run.stderr);
}

#[test]
fn example_repository_is_clean() {
    let repo = TestRepo::example();
    let run = repo.run(&["validate", "--format", "json"]);
    let json = run.json();
    assert_eq!(json["diagnostics"], serde_json::json!([]), "example-repo has no errors or warnings");
    assert_eq!(run.code, 0);
    let score = repo.run(&["score", "--format", "json"]).json();
    let pct = score["overall"]["percent"].as_f64().unwrap();
    assert!((30.0..80.0).contains(&pct), "a believable score in progress: {pct}");
}
