//! The commands that write whole files (`new`, `library add`, `trust add`) print what they
//! wrote as the edits do (`--format json`: the `changes` object on stdout alone), and
//! write nothing with `--dry-run`.

use serde_json::Value;

use crate::output_schemas::assert_conforms;
use crate::support::{Run, TestRepo};

/// A successful JSON run: exit 0, the `changes` object, nothing on stderr.
fn changes(run: &Run) -> Value {
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.is_empty(), "stdout holds the whole answer: {}", run.all());
    let json = run.json();
    assert_conforms("changes", &json);
    json
}

/// Each file's path, change and first line of `what`.
fn files(json: &Value) -> Vec<(String, String, String)> {
    json["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (s(&f["path"]), s(&f["change"]), s(&f["what"][0]))
        })
        .collect()
}

#[test]
fn new_assessment_lists_its_files_in_json_and_a_dry_run_writes_nothing() {
    let repo = TestRepo::fixture("scoring");
    let before = repo.snapshot_files();
    let args = ["new", "assessment", "two-b", "--template", "t-two", "--group", "g", "--format", "json"];
    let json = changes(&repo.run(&[&args[..], &["--dry-run"]].concat()));
    assert_eq!((json["dry_run"].clone(), json["written"].clone()), (Value::Bool(true), Value::Bool(false)));
    // t-two lists a-mfa, a-review, a-restore and a-dpo: one state file each, sorted by path.
    let expected = [
        ("assessments/two-b/a-dpo.toml", "state of action `a-dpo`"),
        ("assessments/two-b/a-mfa.toml", "state of action `a-mfa`"),
        ("assessments/two-b/a-restore.toml", "state of action `a-restore`"),
        ("assessments/two-b/a-review.toml", "state of action `a-review`"),
        ("assessments/two-b/assessment.toml", "assessment `two-b` of template `t-two`"),
    ];
    let expected: Vec<_> =
        expected.iter().map(|(p, w)| (p.to_string(), "created".to_owned(), w.to_string())).collect();
    assert_eq!(files(&json), expected);
    assert_eq!(repo.snapshot_files(), before, "a dry run writes nothing");

    let json = changes(&repo.run(&args));
    assert_eq!(json["written"], true);
    assert_eq!(files(&json), expected);
    assert!(repo.read("assessments/two-b/assessment.toml").contains("template = \"t-two\""));
}

#[test]
fn new_template_and_action_dry_runs_say_what_they_would_create() {
    let repo = TestRepo::new();
    let before = repo.snapshot_files();
    let run = repo.run(&["new", "template", "gdpr", "--name", "GDPR", "--regulation", "GDPR", "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("Would create templates/gdpr.toml"), "{}", run.all());
    let action = [
        "new",
        "action",
        "mfa",
        "--title",
        "MFA",
        "--category",
        "control-access",
        "--action-type",
        "technical",
        "--control-type",
        "preventative",
        "--format",
        "json",
    ];
    let json = changes(&repo.run(&[&action[..], &["--dry-run"]].concat()));
    assert_eq!(
        files(&json),
        [("actions/mfa.toml".to_owned(), "created".to_owned(), "action `mfa` version 1".to_owned())]
    );
    assert_eq!(repo.snapshot_files(), before, "dry runs write nothing");
    let json = changes(&repo.run(&action));
    assert_eq!(json["written"], true);
    assert!(repo.read("actions/mfa.toml").contains("title = \"MFA\""));
}

/// The warnings of `new` are diagnostics of the JSON, not lines on stderr.
#[test]
fn new_assessment_warnings_are_in_the_json() {
    let repo = TestRepo::fixture("scoring");
    let run =
        repo.run(&["new", "assessment", "two-b", "--template", "t-two", "--group", "gg", "--format", "json"]);
    let json = changes(&run);
    let d = &json["diagnostics"][0];
    assert_eq!((d["code"].as_str(), d["severity"].as_str()), (Some("E0602"), Some("warning")), "{json:#}");
    assert!(d["message"].as_str().unwrap().contains("did you mean `g`?"), "{json:#}");
}

#[test]
fn library_add_lists_its_files_in_json_and_a_dry_run_writes_nothing() {
    let repo = TestRepo::new();
    let before = repo.snapshot_files();
    let human = repo.run(&["library", "add", "cisa-cpg-2.0", "--template", "cpg", "--dry-run"]);
    assert_eq!(human.code, 0, "{}", human.all());
    assert!(human.stderr.contains("Would add template `cpg` ("), "{}", human.all());
    let args = ["library", "add", "cisa-cpg-2.0", "--template", "cpg", "--format", "json"];
    let dry = changes(&repo.run(&[&args[..], &["--dry-run"]].concat()));
    assert_eq!(repo.snapshot_files(), before, "dry runs write nothing");
    assert_eq!((dry["dry_run"].as_bool(), dry["written"].as_bool()), (Some(true), Some(false)));
    let listed = files(&dry);
    assert!(
        listed
            .iter()
            .all(|(_, change, what)| change == "created" && what == "from the built-in `cisa-cpg-2.0`")
    );
    assert!(listed.iter().any(|(path, ..)| path == "templates/cpg.toml"), "{listed:?}");
    let actions = listed.iter().filter(|(path, ..)| path.starts_with("actions/")).count();
    assert_eq!(listed.len(), actions + 1, "the template and its actions: {listed:?}");

    let run = changes(&repo.run(&args));
    assert_eq!(run["written"], true);
    assert_eq!(files(&run), listed);
    assert_eq!(std::fs::read_dir(repo.path().join("actions")).unwrap().count(), actions);
    // Again: every file is there already, unchanged.
    let again = changes(&repo.run(&args));
    assert!(
        files(&again).iter().all(|(_, change, what)| change == "unchanged" && what.is_empty()),
        "{again:#}"
    );
    assert_eq!(files(&again).len(), listed.len());
}

/// A refusal is the `changes` object with the reasons as errors (exit 1); the message is on stderr.
#[test]
fn library_add_refusals_are_diagnostics_in_json() {
    let repo = TestRepo::new();
    assert_eq!(repo.run(&["library", "add", "cisa-cpg-2.0"]).code, 0);
    let action = "actions/cisa-cpg-2.0-rc-01.toml";
    repo.write(action, repo.read(action) + "# mine\n");
    let before = repo.snapshot_files();
    let run = repo.run(&["library", "add", "cisa-cpg-2.0", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let json = run.json();
    assert_conforms("changes", &json);
    assert_eq!((json["written"].as_bool(), json["files"].as_array().map(Vec::len)), (Some(false), Some(0)));
    let d = &json["diagnostics"][0];
    assert_eq!(
        (d["code"].as_str(), d["severity"].as_str(), d["file"].as_str()),
        (Some("E0856"), Some("error"), Some(action))
    );
    assert!(run.stderr.contains("nothing was written"), "{}", run.all());
    assert_eq!(repo.snapshot_files(), before);

    // A template file under another name declaring the id: a duplicate id.
    repo.remove(action);
    assert_eq!(repo.run(&["library", "add", "cisa-cpg-2.0", "-q"]).code, 0);
    std::fs::rename(repo.path().join("templates/cisa-cpg-2.0.toml"), repo.path().join("templates/cpg.toml"))
        .unwrap();
    let run = repo.run(&["library", "add", "cisa-cpg-2.0", "--format", "json", "--dry-run"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let json = run.json();
    assert_conforms("changes", &json);
    let d = &json["diagnostics"][0];
    assert_eq!(
        (d["code"].as_str(), d["file"].as_str()),
        (Some("E0302"), Some("templates/cpg.toml")),
        "{json:#}"
    );
}

/// `init` lists its files as the other commands that write whole files do, and a dry run
/// creates nothing: no folder, no git repository.
#[test]
fn init_lists_its_files_in_json_and_a_dry_run_writes_nothing() {
    let repo = TestRepo::bare();
    let human = repo.run_in(&["init", "c", "--dry-run"]);
    assert_eq!(human.code, 0, "{}", human.all());
    assert!(human.stderr.contains("Would create evident.toml"), "{}", human.all());
    assert!(human.stderr.contains("Would initialise git repository"), "{}", human.all());
    let dry = changes(&repo.run_in(&["init", "c", "--dry-run", "--format", "json"]));
    assert!(!repo.path().join("c").exists(), "a dry run creates nothing");
    assert_eq!((dry["dry_run"].as_bool(), dry["written"].as_bool()), (Some(true), Some(false)));
    let listed = files(&dry);
    for expected in [
        ("evident.toml", "configuration"),
        ("templates/.gitkeep", "keeps the empty folder `templates/` in git"),
        (".evident/schemas/state.schema.json", "JSON Schema `state.schema.json` for editors"),
        (".taplo.toml", "editor set-up (Taplo / Even Better TOML)"),
        (".gitignore", "ignores `/.evident/local/`"),
    ] {
        let file = (expected.0.to_owned(), "created".to_owned(), expected.1.to_owned());
        assert!(listed.contains(&file), "{file:?} in {listed:?}");
    }

    let run = changes(&repo.run_in(&["init", "c", "--format", "json"]));
    assert_eq!(run["written"], true);
    assert_eq!(files(&run), listed);
    assert!(repo.path().join("c/.git").is_dir(), "a git repository is created");
    assert!(repo.path().join("c/.evident/schemas/state.schema.json").is_file());
}

/// `init --template` prints one `changes` object, its own files and the template's together;
/// a dry run into an existing folder leaves it as it was.
#[test]
fn init_with_a_template_lists_every_file_in_one_json_object() {
    let repo = TestRepo::bare();
    repo.write(".gitignore", "/target\n");
    let before = repo.snapshot_files();
    let args = ["init", ".", "--no-git", "--template", "cisa-cpg-2.0", "--format", "json"];
    let dry = changes(&repo.run_in(&[&args[..], &["--dry-run"]].concat()));
    assert_eq!(repo.snapshot_files(), before, "a dry run writes nothing");
    let listed = files(&dry);
    let from = |p: &str| listed.iter().find(|(path, ..)| path == p).cloned();
    assert_eq!(from("evident.toml").map(|f| f.2), Some("configuration".to_owned()));
    assert_eq!(
        from(".gitignore"),
        Some((".gitignore".to_owned(), "updated".to_owned(), "ignores `/.evident/local/`".to_owned()))
    );
    let builtin = "from the built-in `cisa-cpg-2.0`".to_owned();
    assert_eq!(
        from("templates/cisa-cpg-2.0.toml"),
        Some(("templates/cisa-cpg-2.0.toml".to_owned(), "created".to_owned(), builtin.clone()))
    );
    let actions: Vec<_> = listed.iter().filter(|(path, ..)| path.starts_with("actions/")).collect();
    assert!(actions.len() > 1, "{listed:?}");
    assert!(
        actions
            .iter()
            .all(|(path, change, what)| change == "created"
                && (*what == builtin || path == "actions/.gitkeep")),
        "{actions:?}"
    );

    let run = changes(&repo.run_in(&args));
    assert_eq!(run["written"], true);
    assert_eq!(files(&run), listed);
    assert!(repo.read(".gitignore").starts_with("/target\n"));
    assert_eq!(repo.run_in(&["validate"]).code, 0);
}
