//! init, new, list, schema, explain, completions and help.

use crate::support::{TestRepo, evident, run};

#[test]
fn init_sets_up_a_valid_repository() {
    let repo = TestRepo::bare();
    let target = repo.path().join("compliance");
    let mut cmd = evident();
    cmd.arg("init").arg(&target);
    let out = run(cmd);
    assert_eq!(out.code, 0, "{}", out.all());
    for file in [
        "evident.toml",
        ".taplo.toml",
        ".evident/schemas/state.schema.json",
        "templates/.gitkeep",
        "actions/.gitkeep",
        "assessments/.gitkeep",
        "evidence/.gitkeep",
    ] {
        assert!(target.join(file).exists(), "{file}");
    }
    assert!(target.join(".git").is_dir(), "a git repository is created");
    let taplo = std::fs::read_to_string(target.join(".taplo.toml")).unwrap();
    assert!(taplo.contains("path = \"./.evident/schemas/template.schema.json\""), "{taplo}");
    // The schemas written are the embedded ones.
    let written = std::fs::read_to_string(target.join(".evident/schemas/state.schema.json")).unwrap();
    let printed = run({
        let mut c = evident();
        c.args(["schema", "state"]);
        c
    });
    assert_eq!(written, printed.stdout);

    let mut cmd = evident();
    cmd.arg("--repo").arg(&target).arg("validate");
    let out = run(cmd);
    assert_eq!(out.code, 0, "{}", out.all());

    // A second init refuses and changes nothing.
    let before = std::fs::read_to_string(target.join("evident.toml")).unwrap();
    let mut cmd = evident();
    cmd.arg("init").arg(&target);
    let out = run(cmd);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("already has an `evident.toml`"), "{}", out.stderr);
    assert_eq!(before, std::fs::read_to_string(target.join("evident.toml")).unwrap());
}

#[test]
fn new_commands_write_files_that_validate() {
    let repo = TestRepo::new();
    let ok = |args: &[&str]| {
        let out = repo.run(args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.all());
        out
    };
    ok(&[
        "new",
        "template",
        "gdpr",
        "--name",
        "GDPR (EU 2016/679)",
        "--regulation",
        "GDPR",
        "--source",
        "https://eur-lex.europa.eu/eli/reg/2016/679/oj",
    ]);
    ok(&[
        "new",
        "action",
        "mfa-admins",
        "--title",
        "Require \"MFA\" for admins",
        "--category",
        "control-access",
        "--action-type",
        "technical",
        "--control-type",
        "preventative",
        "--mandatory",
        "--solution",
        "Entra ID",
        "--guidance",
        "1. Create a policy\n2. Test it",
    ]);
    ok(&[
        "new",
        "action",
        "log-review",
        "--title",
        "Review logs",
        "--category",
        "discover-and-respond",
        "--action-type",
        "operational",
        "--control-type",
        "detective",
        "--testing",
        "automatic",
    ]);
    insta::assert_snapshot!("new_template", repo.read("templates/gdpr.toml"));
    insta::assert_snapshot!("new_action", repo.read("actions/mfa-admins.toml"));
    // List the actions in the template, as a user would.
    let template = repo.read("templates/gdpr.toml")
        + "\n[[controls]]\nid = \"art-32\"\ntitle = \"Security of processing\"\nactions = [\"mfa-admins\", \"log-review\"]\n";
    repo.write("templates/gdpr.toml", template);
    ok(&["new", "assessment", "gdpr-2026", "--template", "gdpr", "--group", "privacy"]);
    insta::assert_snapshot!("new_assessment", repo.read("assessments/gdpr-2026/assessment.toml"));
    insta::assert_snapshot!("new_state", repo.read("assessments/gdpr-2026/mfa-admins.toml"));
    let out = ok(&["validate"]);
    assert_eq!(out.stderr, "checked 7 files: no problems\n");
    let score = repo.run(&["score", "--format", "json"]).json();
    // mfa-admins mandatory preventative 27 + log-review discretionary detective 1
    assert_eq!(score["overall"]["max"], 27 + 1);
}

#[test]
fn new_assessment_in_a_group_copies_the_group_state() {
    let repo = TestRepo::fixture("scoring");
    // t-two lists a-mfa, a-review, a-restore, a-dpo; the group g has state for
    // a-mfa (one-2026 and two-2026 agree), a-review, a-restore (two-2026 only).
    let out = repo.run(&["new", "assessment", "two-b", "--template", "t-two", "--group", "g"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read("assessments/two-b/a-mfa.toml"), repo.read("assessments/one-2026/a-mfa.toml"));
    assert_eq!(
        repo.read("assessments/two-b/a-restore.toml"),
        repo.read("assessments/two-2026/a-restore.toml")
    );
    // a-dpo has no state in the group: a fresh state file.
    assert!(repo.read("assessments/two-b/a-dpo.toml").contains("status = \"not-implemented\""));
    assert_eq!(repo.run(&["validate"]).code, 0);
    // The new assessment scores like its group twin.
    let s = repo.run(&["score", "--format", "json"]).json();
    let find =
        |id: &str| s["assessments"].as_array().unwrap().iter().find(|a| a["id"] == id).unwrap().clone();
    assert_eq!(find("two-b")["percent"], find("two-2026")["percent"]);
}

#[test]
fn new_refuses_bad_input_and_writes_nothing() {
    let repo = TestRepo::fixture("scoring");
    let before = repo.snapshot_files();
    let cases: &[(&[&str], &str)] = &[
        (&["new", "assessment", "x", "--template", "t-onee"], "did you mean `t-one`?"),
        (&["new", "assessment", "one-2026", "--template", "t-one"], "already exists"),
        (&["new", "assessment", "../escape", "--template", "t-one"], "is not a valid id"),
        (&["new", "assessment", "Big Name", "--template", "t-one"], "try `big-name`"),
        (
            &[
                "new",
                "action",
                "a-mfa",
                "--title",
                "x",
                "--category",
                "control-access",
                "--action-type",
                "technical",
                "--control-type",
                "detective",
            ],
            "already exists",
        ),
        (
            &[
                "new",
                "action",
                "z",
                "--title",
                "x",
                "--category",
                "control-acess",
                "--action-type",
                "technical",
                "--control-type",
                "detective",
            ],
            "control-access",
        ),
        (&["new", "template", "t-one", "--name", "x", "--regulation", "y"], "already exists"),
    ];
    for (args, expected) in cases {
        let out = repo.run(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.all());
        assert!(out.stderr.contains(expected), "{args:?}: expected `{expected}` in\n{}", out.stderr);
    }
    assert_eq!(before, repo.snapshot_files(), "nothing was written");
}

#[test]
fn list_actions_with_filters() {
    let repo = TestRepo::fixture("scoring");
    let ids = |args: &[&str]| -> Vec<String> {
        let mut full = vec!["list", "actions", "--format", "json"];
        full.extend_from_slice(args);
        let out = repo.run(&full);
        assert_eq!(out.code, 0, "{args:?}: {}", out.all());
        out.json().as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(ids(&[]).len(), 8);
    assert_eq!(ids(&["--regulation", "Reg Two"]), ["a-dpo", "a-mfa", "a-restore", "a-review"]);
    assert_eq!(ids(&["--regulation", "t-two"]), ids(&["--regulation", "reg two"]));
    assert_eq!(ids(&["--solution", "entra id"]), ["a-mfa"]);
    assert_eq!(ids(&["--group", "g", "--category", "control-access"]), ["a-mfa", "a-review"]);
    assert_eq!(ids(&["--test-status", "passed"]), ["a-enc", "a-log", "a-mfa", "a-train"]);
    assert_eq!(ids(&["--test-status", "passed", "--status", "not-implemented"]), ["a-enc"]);
    assert_eq!(ids(&["--owner", "ana@example.com"]), ["a-mfa"]);
    assert_eq!(ids(&["--owner", "none", "--assessment", "one-b"]), ["a-enc", "a-ir", "a-log", "a-train"]);
    assert_eq!(ids(&["--action-type", "documentation"]), Vec::<String>::new());
    assert_eq!(ids(&["--category", "discover-and-respond,protect-information"]), ["a-enc", "a-ir", "a-log"]);
    // "what to do next": most points still to gain first.
    assert_eq!(ids(&["--sort", "remaining"])[..2], ["a-enc", "a-mfa"]);

    // Points count only the states the filters keep: a-mfa earns in the group
    // (27/27) but fails in one-b, so overall it earns 0/27.
    let out = repo
        .run(&["list", "actions", "--format", "json", "--group", "g", "--owner", "ana@example.com"])
        .json();
    assert_eq!((out[0]["earned"].as_u64(), out[0]["max"].as_u64()), (Some(27), Some(27)));
    let out = repo.run(&["list", "actions", "--format", "json", "--category", "control-access"]).json();
    let mfa = out.as_array().unwrap().iter().find(|a| a["id"] == "a-mfa").unwrap();
    assert_eq!((mfa["earned"].as_u64(), mfa["max"].as_u64()), (Some(0), Some(27)));
    assert_eq!(mfa["assessments"].as_array().unwrap().len(), 3);
    assert_eq!(mfa["regulations"], serde_json::json!(["Reg One", "Reg Two"]));

    let out = repo.run(&["list", "actions"]);
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn list_rejects_unknown_filter_values() {
    let repo = TestRepo::fixture("scoring");
    let out = repo.run(&["list", "actions", "--group", "gg"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no group `gg`"), "{}", out.stderr);
    let out = repo.run(&["list", "actions", "--owner", "ana@example.co"]);
    assert!(out.stderr.contains("did you mean `ana@example.com`?"), "{}", out.stderr);
    let out = repo.run(&["list", "actions", "--test-status", "pass"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("possible values"), "{}", out.stderr);
}

#[test]
fn explain_codes() {
    let out = run({
        let mut c = evident();
        c.args(["explain", "E0303"]);
        c
    });
    assert_eq!(out.code, 0);
    insta::assert_snapshot!(out.stdout);
    let by_name = run({
        let mut c = evident();
        c.args(["explain", "unknown-action"]);
        c
    });
    assert_eq!(by_name.stdout, out.stdout);
    let list = run({
        let mut c = evident();
        c.args(["explain", "--list"]);
        c
    });
    assert!(list.stdout.contains("E0401  evidence-outside-repo"), "{}", list.stdout);
    let bad = run({
        let mut c = evident();
        c.args(["explain", "E9999"]);
        c
    });
    assert_eq!(bad.code, 2);
}

#[test]
fn schema_prints_each_kind() {
    for kind in ["config", "template", "action", "assessment", "state"] {
        let out = run({
            let mut c = evident();
            c.args(["schema", kind]);
            c
        });
        assert_eq!(out.code, 0);
        let schema: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert_eq!(schema["additionalProperties"], false, "{kind} rejects unknown keys");
        assert!(schema["description"].is_string() || schema["title"].is_string());
    }
}

#[test]
fn completions_and_help() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run({
            let mut c = evident();
            c.args(["completions", shell]);
            c
        });
        assert_eq!(out.code, 0, "{shell}");
        assert!(out.stdout.contains("evident"), "{shell}");
    }
    let help = run({
        let mut c = evident();
        c.arg("--help");
        c
    });
    assert_eq!(help.code, 0);
    insta::assert_snapshot!(help.stdout);
    let usage = run({
        let mut c = evident();
        c.arg("frobnicate");
        c
    });
    assert_eq!(usage.code, 2, "usage errors exit 2");
}

#[test]
fn broken_pipe_is_not_an_error() {
    // `evident schema state | head -1`: the reader goes away early.
    let mut child = evident()
        .args(["schema", "state"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

#[test]
fn list_per_assessment_shows_where_mixed_comes_from() {
    let repo = TestRepo::fixture("scoring");
    let out = repo.run(&["list", "actions", "--per-assessment", "--category", "control-access"]);
    assert_eq!(out.code, 0, "{}", out.all());
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn owner_none_in_any_case() {
    let repo = TestRepo::fixture("scoring");
    let ids = |owner: &str| -> usize {
        let out = repo.run(&["list", "actions", "--format", "json", "--owner", owner]);
        assert_eq!(out.code, 0, "{}", out.all());
        out.json().as_array().unwrap().len()
    };
    assert_eq!(ids("none"), ids("NONE"));
    assert!(ids("none") > 0);
}

#[test]
fn the_example_workflow_is_the_documented_one() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_to_string(root.join("docs/github-workflow.yml")).unwrap();
    let example = std::fs::read_to_string(root.join("example-repo/.github/workflows/evident.yml")).unwrap();
    assert_eq!(docs, example);
    // The annotation run must not write the job summary a second time.
    assert!(docs.contains("GITHUB_STEP_SUMMARY: \"\""));
}

#[test]
fn markdown_is_a_table_wherever_it_is_offered() {
    // `--format markdown` was accepted and printed the human output for these.
    let repo = TestRepo::example();
    repo.write(
        ".evident/allowed_signers",
        "cy@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM7WjvugWRJSFNJ48RE9vKatCMHijikpSYcc/b9/vuEZ cy|laptop\n",
    );
    let cases: [(&[&str], &str); 3] = [
        (
            &["list", "controls", "--template", "gdpr"],
            "| Template | Family | Control | Title | Actions | Groups | Related |",
        ),
        (&["library", "list"], "| Id | Name | Version | Source | Licence |"),
        (&["trust", "list"], "| E-mail | Key type | Fingerprint | Comment |"),
    ];
    for (args, header) in cases {
        let run = repo.run(&[args, &["--format", "markdown"]].concat());
        assert_eq!(run.code, 0, "{args:?}: {}", run.all());
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines[0], header, "{args:?}: {}", run.all());
        assert!(lines[1].starts_with("| --- |"), "{args:?}: {}", run.all());
        assert!(
            lines.len() > 2 && lines[2..].iter().all(|l| l.starts_with("| ") && l.ends_with(" |")),
            "{args:?}"
        );
    }
    // A `|` of the user's does not make a column.
    let run = repo.run(&["trust", "list", "--format", "md"]);
    assert!(run.stdout.contains("| cy\\|laptop |"), "{}", run.all());
    let run = repo.run(&["list", "controls", "--template", "gdpr", "--format", "md"]);
    assert!(run.stdout.contains("| gdpr | "), "{}", run.all());
}
