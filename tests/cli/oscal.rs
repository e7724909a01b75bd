//! `evident import oscal` and `evident export oscal` on NIST's real SP 800-53
//! rev5 catalog and baselines (vendored in tests/data/oscal, public domain).

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{TestRepo, action_toml, minimal};

fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/oscal")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

const CATALOG: &str = "NIST_SP-800-53_rev5_catalog_v5.0.1.json";
const LOW: &str = "NIST_SP-800-53_rev5_LOW-baseline_profile.json";
const MODERATE: &str = "NIST_SP-800-53_rev5_MODERATE-baseline_profile.json";
const LOW_RESOLVED: &str = "NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json";

/// `evident import oscal --format json` with the given extra arguments.
fn import(repo: &TestRepo, catalog: &str, extra: &[&str]) -> Value {
    let mut args = vec!["import", "oscal", "--catalog", catalog, "--format", "json"];
    args.extend_from_slice(extra);
    let run = repo.run(&args);
    assert_eq!(run.code, 0, "{}", run.all());
    let json = run.json();
    crate::output_schemas::assert_conforms("import-oscal", &json);
    json
}

fn template(repo: &TestRepo, id: &str) -> toml::Table {
    toml::from_str(&repo.read(&format!("templates/{id}.toml"))).expect("template parses")
}

fn action(repo: &TestRepo, id: &str) -> toml::Table {
    toml::from_str(&repo.read(&format!("actions/{id}.toml"))).expect("action parses")
}

fn assert_validates(repo: &TestRepo) {
    let run = repo.run(&["validate"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("no problems"), "{}", run.all());
}

#[test]
fn full_catalog_imports_every_active_control() {
    let repo = TestRepo::new();
    let out = import(&repo, &data(CATALOG), &["--template", "nist"]);
    // 322 base controls - 24 withdrawn = 298; 867 enhancements - 158 withdrawn = 709.
    assert_eq!(out["stats"]["controls"], 298);
    assert_eq!(out["stats"]["enhancements"], 709);
    assert_eq!(out["stats"]["families"], 20);
    assert_eq!(out["stats"]["withdrawn_skipped"], 24 + 158);
    assert_eq!(out["change"], "created");
    assert_eq!(out["version"], 1);
    let t = template(&repo, "nist");
    let controls = t["controls"].as_array().unwrap();
    assert_eq!(controls.len(), 1007);
    let actions = std::fs::read_dir(repo.path().join("actions")).unwrap().count();
    assert_eq!(actions, 1007);
    // Withdrawn: AC-13 (base) and AC-2(10) (enhancement) are not imported.
    let ids: Vec<&str> = controls.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(!ids.contains(&"ac-13") && !ids.contains(&"ac-2.10"));
    assert_eq!(&ids[..4], ["ac-1", "ac-2", "ac-2.1", "ac-2.2"]);
    // Families are the OSCAL groups; enhancements carry their base control's title.
    let ac21 = &controls[2];
    assert_eq!(ac21["family"].as_str(), Some("Access Control"));
    assert_eq!(ac21["title"].as_str(), Some("Account Management | Automated System Account Management"));
    assert_eq!(
        ac21["description"].as_str(),
        Some(
            "Support the management of system accounts using [Assignment: organization-defined automated mechanisms]."
        )
    );
    assert_eq!(ac21["actions"].as_array().unwrap()[0].as_str(), Some("nist-ac-2.1"));
    // A whole catalog is a menu: nothing is mandatory. Defaults follow the family.
    let a = action(&repo, "nist-ac-2.1");
    assert_eq!(a["mandatory"].as_bool(), Some(false));
    assert_eq!(a["category"].as_str(), Some("control-access"));
    assert_eq!(a["action_type"].as_str(), Some("technical"));
    assert!(a["guidance"].as_str().unwrap().starts_with("Automated system account management includes"));
    let au6 = action(&repo, "nist-au-6");
    assert_eq!(
        (au6["category"].as_str(), au6["control_type"].as_str()),
        (Some("discover-and-respond"), Some("detective"))
    );
    assert_eq!(action(&repo, "nist-ir-1")["action_type"].as_str(), Some("documentation"));
    // References with a web address become links.
    let links = action(&repo, "nist-ac-2")["links"].as_array().unwrap().clone();
    assert!(links.iter().any(|l| l["url"].as_str() == Some("https://doi.org/10.6028/NIST.SP.800-162")));
    assert_validates(&repo);
}

#[test]
fn baselines_narrow_the_catalog_to_their_exact_counts() {
    for (profile, base, enhancements) in [(LOW, 131, 18), (MODERATE, 177, 110)] {
        let repo = TestRepo::new();
        let out = import(&repo, &data(CATALOG), &["--profile", &data(profile), "--template", "baseline"]);
        assert_eq!(
            (out["stats"]["controls"].as_u64(), out["stats"]["enhancements"].as_u64()),
            (Some(base), Some(enhancements))
        );
        // PM and PT have no controls in the LOW or MODERATE baseline.
        assert_eq!(out["stats"]["families"], 18);
        assert_eq!(out["stats"]["withdrawn_skipped"], 0);
        let t = template(&repo, "baseline");
        assert_eq!(t["controls"].as_array().unwrap().len() as u64, base + enhancements);
        // In a baseline every control is mandatory.
        assert_eq!(action(&repo, "baseline-ac-2")["mandatory"].as_bool(), Some(true));
        assert_validates(&repo);
    }
}

#[test]
fn a_resolved_profile_imports_as_a_catalog() {
    let repo = TestRepo::new();
    let out = import(&repo, &data(LOW_RESOLVED), &["--template", "low"]);
    assert_eq!(out["stats"]["controls"], 131);
    assert_eq!(out["stats"]["enhancements"], 18);
    assert_eq!(out["profile"], Value::Null);
    // The resolved catalog says it is a baseline, so its actions are mandatory.
    assert_eq!(action(&repo, "low-ac-1")["mandatory"].as_bool(), Some(true));
    assert_eq!(
        template(&repo, "low")["name"].as_str(),
        Some("NIST Special Publication 800-53 Revision 5.1.1 LOW IMPACT BASELINE")
    );
    assert_validates(&repo);
}

#[test]
fn identical_reimport_writes_nothing() {
    let repo = TestRepo::new();
    import(&repo, &data(CATALOG), &["--profile", &data(LOW), "--template", "low"]);
    let before = repo.snapshot_files();
    let out = import(&repo, &data(CATALOG), &["--profile", &data(LOW), "--template", "low"]);
    assert_eq!(out["change"], "none");
    assert_eq!(out["version"], 1);
    assert_eq!(out["files"], serde_json::json!([]));
    assert_eq!(repo.snapshot_files(), before);
    let run = repo.run(&[
        "import",
        "oscal",
        "--catalog",
        &data(CATALOG),
        "--profile",
        &data(LOW),
        "--template",
        "low",
    ]);
    assert!(run.stdout.contains("template `low` version 1: no change"), "{}", run.all());
}

#[test]
fn reimporting_a_changed_catalog_makes_a_new_version() {
    let repo = TestRepo::new();
    import(&repo, &data(CATALOG), &["--profile", &data(LOW), "--template", "low"]);
    let untouched = repo.read("actions/low-ac-3.toml");
    let run = repo.run(&["new", "assessment", "low-2026", "--template", "low"]);
    assert_eq!(run.code, 0, "{}", run.all());
    // A newer catalog: AC-2 gets a new title, AC-1's guidance changes, AC-7 is withdrawn.
    let mut cat: Value = serde_json::from_str(&std::fs::read_to_string(data(CATALOG)).unwrap()).unwrap();
    let ac = &mut cat["catalog"]["groups"][0]["controls"];
    for c in ac.as_array_mut().unwrap() {
        match c["id"].as_str().unwrap() {
            "ac-1" => c["parts"][1]["prose"] = "New guidance.".into(),
            "ac-2" => c["title"] = "Account Lifecycle Management".into(),
            "ac-7" => c["props"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({"name": "status", "value": "withdrawn"})),
            _ => {}
        }
    }
    let newer = repo.path().join("newer.json");
    std::fs::write(&newer, serde_json::to_string(&cat).unwrap()).unwrap();
    let run = repo.run(&[
        "import",
        "oscal",
        "--catalog",
        newer.to_str().unwrap(),
        "--profile",
        &data(LOW),
        "--template",
        "low",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stderr.contains("warning[E0307]: assessment `low-2026` has 1 state files for actions no longer in the template; remove them (`git rm`) when it accepts the new version (`evident accept --template -a low-2026`): assessments/low-2026/low-ac-7.toml"),
        "{}",
        run.all()
    );
    let out = run.json();
    assert_eq!(out["change"], "updated");
    assert_eq!((out["version"].as_u64(), out["previous_version"].as_u64()), (Some(2), Some(1)));
    assert_eq!(out["controls"]["changed"], serde_json::json!(["ac-2"]));
    assert_eq!(out["controls"]["removed"], serde_json::json!(["ac-7"]));
    assert_eq!(out["controls"]["added"], serde_json::json!([]));
    assert_eq!(out["actions"]["changed"], serde_json::json!(["low-ac-1", "low-ac-2"]));
    assert_eq!(out["actions"]["removed"], serde_json::json!(["low-ac-7"]));
    assert_eq!(out["kept_action_files"], serde_json::json!(["actions/low-ac-7.toml"]));
    assert_eq!(out["stats"]["withdrawn_skipped"], 1);
    assert_eq!(template(&repo, "low")["version"].as_integer(), Some(2));
    assert_eq!(action(&repo, "low-ac-1")["version"].as_integer(), Some(2));
    assert_eq!(action(&repo, "low-ac-1")["guidance"].as_str(), Some("New guidance."));
    assert_eq!(action(&repo, "low-ac-2")["version"].as_integer(), Some(2));
    assert_eq!(repo.read("actions/low-ac-3.toml"), untouched, "unchanged actions are not rewritten");
    assert!(repo.path().join("actions/low-ac-7.toml").exists(), "removed actions keep their file");
    // Until the assessment accepts version 2, the state file belongs to the version it accepted.
    let run = repo.run(&["validate"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("E0306"), "{}", run.all());
    // Accepting it asks for the state file of the removed action to go first.
    let run = repo.run(&["accept", "--all", "--assessment", "low-2026"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("assessments/low-2026/low-ac-7.toml"), "{}", run.all());
    repo.remove("assessments/low-2026/low-ac-7.toml");
    let run = repo.run(&["accept", "--all", "--assessment", "low-2026"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let run = repo.run(&["validate"]);
    assert_eq!(run.code, 0, "{}", run.all());

    // Widening LOW to MODERATE adds the controls MODERATE has on top: 287 - 149 (one of them AC-7).
    let out =
        import(&repo, &data(CATALOG), &["--profile", &data(MODERATE), "--template", "low", "--dry-run"]);
    assert_eq!(out["version"], 3);
    assert_eq!(out["controls"]["added"].as_array().unwrap().len(), 287 - 149 + 1);
    assert_eq!(out["dry_run"], true);
    assert_eq!(template(&repo, "low")["version"].as_integer(), Some(2), "a dry run writes nothing");
}

#[test]
fn mapping_overrides_defaults_by_family_and_control() {
    let repo = TestRepo::new();
    repo.write(
        "mapping.toml",
        "action_prefix = \"sp-\"\nname = \"NIST LOW\"\n[defaults]\ntesting = \"automatic\"\n[families.ac]\ncategory = \"infrastructure-cloud\"\n[controls.\"ac-2\"]\nmandatory = false\ncontrol_type = \"corrective\"\nsolution = \"Entra ID\"\n[controls.\"zz-9\"]\nmandatory = true\n",
    );
    let mapping = repo.path().join("mapping.toml");
    let run = repo.run(&[
        "import",
        "oscal",
        "--catalog",
        &data(CATALOG),
        "--profile",
        &data(LOW),
        "--template",
        "low",
        "--mapping",
        mapping.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stderr
            .contains("warning[E0836]: the mapping names control `zz-9`, which the catalog does not have"),
        "{}",
        run.all()
    );
    assert_eq!(template(&repo, "low")["name"].as_str(), Some("NIST LOW"));
    let a = action(&repo, "sp-ac-2");
    assert_eq!(a["testing"].as_str(), Some("automatic"));
    assert_eq!(a["category"].as_str(), Some("infrastructure-cloud"));
    assert_eq!(a["mandatory"].as_bool(), Some(false));
    assert_eq!(a["control_type"].as_str(), Some("corrective"));
    assert_eq!(a["solution"].as_str(), Some("Entra ID"));
    let b = action(&repo, "sp-au-2");
    assert_eq!(
        (b["category"].as_str(), b["mandatory"].as_bool()),
        (Some("discover-and-respond"), Some(true))
    );
    assert_validates(&repo);
}

#[test]
fn bad_mapping_is_reported_with_its_line() {
    let repo = TestRepo::new();
    repo.write("mapping.toml", "[families.ac]\ncategory = \"access\"\n");
    let mapping = repo.path().join("mapping.toml");
    let before = repo.snapshot_files();
    let run = repo.run(&[
        "import",
        "oscal",
        "--catalog",
        &data(LOW_RESOLVED),
        "--template",
        "low",
        "--mapping",
        mapping.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("mapping.toml:2:12"), "{}", run.all());
    assert!(run.stderr.contains("nothing was written"), "{}", run.all());
    assert_eq!(repo.snapshot_files(), before);
}

/// Runs an import that must fail on its input, writing nothing; returns stderr.
fn refused(repo: &TestRepo, args: &[&str]) -> String {
    let before = repo.snapshot_files();
    let mut all = vec!["import", "oscal"];
    all.extend_from_slice(args);
    let run = repo.run(&all);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("nothing was written"), "{}", run.all());
    assert_eq!(repo.snapshot_files(), before, "nothing is written");
    run.stderr
}

#[test]
fn json_that_is_not_oscal() {
    let repo = TestRepo::new();
    repo.write("in/other.json", "{\n  \"name\": \"x\",\n  \"controls\": []\n}\n");
    let file = repo.path().join("in/other.json");
    let err = refused(&repo, &["--catalog", file.to_str().unwrap(), "--template", "x"]);
    assert!(err.contains("error[E0831]"), "{err}");
    assert!(err.contains("other.json` is JSON but not an OSCAL document"), "{err}");
    assert!(err.contains("the top-level keys are `name`, `controls`"), "{err}");
    // A profile given as the catalog names the model it is.
    let err = refused(&repo, &["--catalog", &data(LOW), "--template", "x"]);
    assert!(err.contains("is an OSCAL profile, not a catalog"), "{err}");
    assert!(err.contains("_profile.json:2:3"), "{err}");
}

#[test]
fn other_oscal_major_versions() {
    let repo = TestRepo::new();
    let text = std::fs::read_to_string(data(LOW)).unwrap();
    for (version, hint) in [("0.9.8", "pre-1.0 OSCAL"), ("2.0.0", "newer than evident understands")] {
        let changed =
            text.replace("\"oscal-version\": \"1.1.2\"", &format!("\"oscal-version\": \"{version}\""));
        assert_ne!(changed, text);
        repo.write("in/profile.json", &changed);
        let file = repo.path().join("in/profile.json");
        let err = refused(
            &repo,
            &["--catalog", &data(CATALOG), "--profile", file.to_str().unwrap(), "--template", "x"],
        );
        assert!(
            err.contains(&format!(
                "error[E0832]: `{}` is OSCAL {version}; evident reads OSCAL 1.x",
                file.display()
            )),
            "{err}"
        );
        assert!(err.contains("profile.json:8:24"), "{err}");
        assert!(err.contains(hint), "{err}");
    }
}

#[test]
fn xml_is_refused_with_a_hint_to_convert() {
    let repo = TestRepo::new();
    repo.write("in/catalog.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<catalog xmlns=\"http://csrc.nist.gov/ns/oscal/1.0\"/>\n");
    let file = repo.path().join("in/catalog.xml");
    let err = refused(&repo, &["--catalog", file.to_str().unwrap(), "--template", "x"]);
    assert!(err.contains("error[E0830]"), "{err}");
    assert!(err.contains("catalog.xml` is XML; evident reads OSCAL JSON"), "{err}");
    assert!(err.contains("oscal-cli catalog convert --to json"), "{err}");
}

#[test]
fn broken_json_and_wrong_shapes_name_the_place() {
    let repo = TestRepo::new();
    repo.write("in/cut.json", "{\n  \"catalog\": {\n    \"uuid\": \"x\",\n");
    let file = repo.path().join("in/cut.json");
    let err = refused(&repo, &["--catalog", file.to_str().unwrap(), "--template", "x"]);
    assert!(err.contains("error[E0830]") && err.contains("is not valid JSON: EOF while parsing"), "{err}");
    assert!(err.contains("cut.json:4:1"), "{err}");
    // A control without a title: the JSON path and line are shown.
    repo.write(
        "in/shape.json",
        "{\"catalog\": {\"uuid\": \"u\", \"metadata\": {\"title\": \"T\", \"version\": \"1\", \"oscal-version\": \"1.1.2\"},\n  \"groups\": [{\"title\": \"G\", \"controls\": [\n    {\"id\": \"c-1\"}\n  ]}]}}\n",
    );
    let file = repo.path().join("in/shape.json");
    let err = refused(&repo, &["--catalog", file.to_str().unwrap(), "--template", "x"]);
    assert!(err.contains("error[E0833]") && err.contains("missing field `title`"), "{err}");
    assert!(err.contains("at `catalog.groups[0].controls[0]`"), "{err}");
    assert!(err.contains("shape.json:3:17"), "{err}");
}

#[test]
fn profile_selecting_controls_the_catalog_lacks() {
    let repo = TestRepo::new();
    let text = std::fs::read_to_string(data(LOW)).unwrap();
    let changed =
        text.replacen("\"ac-2\",", "\"ac-2\", \"ac-99\",", 1).replacen("\"sr-12\"", "\"sr-12\", \"xx-1\"", 1);
    assert_ne!(changed, text);
    repo.write("in/profile.json", &changed);
    let file = repo.path().join("in/profile.json");
    let err = refused(
        &repo,
        &["--catalog", &data(CATALOG), "--profile", file.to_str().unwrap(), "--template", "x"],
    );
    assert!(err.contains("error[E0834]: the profile selects `ac-99`, which the catalog"), "{err}");
    assert!(err.contains("error[E0834]: the profile selects `xx-1`"), "{err}");
    assert!(err.contains("did you mean `ac-9`?"), "{err}");
    assert!(err.contains("profile.json:"), "{err}");
}

#[test]
fn files_owned_by_something_else_are_not_overwritten() {
    // The template id is taken by a hand-written template.
    let repo = minimal();
    let err = refused(&repo, &["--catalog", &data(LOW_RESOLVED), "--template", "gdpr"]);
    assert!(
        err.contains(
            "error[E0835]: the import would overwrite template `templates/gdpr.toml`, which it does not own"
        ),
        "{err}"
    );
    assert!(err.contains("choose another `--template` id"), "{err}");
    // An action id is taken by a hand-written action.
    repo.write("actions/low-ac-2.toml", action_toml("low-ac-2", "control-access", "preventative", true));
    let err = refused(&repo, &["--catalog", &data(LOW_RESOLVED), "--template", "low"]);
    assert!(err.contains("action `actions/low-ac-2.toml`"), "{err}");
    assert!(err.contains("action_prefix"), "{err}");
    // An action written by another template's import is not taken over either.
    repo.remove("actions/low-ac-2.toml");
    import(
        &repo,
        &data(LOW_RESOLVED),
        &["--template", "a", "--mapping", &{
            repo.write("m.toml", "action_prefix = \"shared-\"\n");
            repo.path().join("m.toml").to_string_lossy().into_owned()
        }],
    );
    let err = refused(
        &repo,
        &[
            "--catalog",
            &data(LOW_RESOLVED),
            "--template",
            "b",
            "--mapping",
            repo.path().join("m.toml").to_str().unwrap(),
        ],
    );
    assert!(err.contains("it was written by the import of template `a`"), "{err}");
}

/// The vendored OSCAL 1.1.2 assessment-results schema (draft-07), compiled
/// with format checks on. Its `\p{L}`/`\p{N}` patterns need a regex engine
/// with Unicode classes: jsonschema's default (fancy-regex) has them.
fn assessment_results_validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(data("oscal_assessment-results_schema.json")).unwrap())
            .unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the OSCAL schema compiles")
}

fn assert_valid_oscal(doc: &Value) {
    let validator = assessment_results_validator();
    let errors: Vec<String> =
        validator.iter_errors(doc).take(10).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "not valid OSCAL assessment results:\n{}", errors.join("\n"));
}

#[test]
fn the_schema_check_catches_invalid_documents() {
    // Guards the test above: a broken document must fail the same validator.
    let validator = assessment_results_validator();
    let bad = serde_json::json!({"assessment-results": {"uuid": "not-a-uuid", "metadata": {}, "import-ap": {"href": "x"}, "results": []}});
    assert!(!validator.is_valid(&bad));
    let token = serde_json::json!("1abc");
    let schema = serde_json::json!({"pattern": "^(\\p{L}|_)(\\p{L}|\\p{N}|[.\\-_])*$"});
    assert!(!jsonschema::is_valid(&schema, &token));
    assert!(jsonschema::is_valid(&schema, &serde_json::json!("é1")));
}

/// A repository with one assessment whose history has three authors.
///
/// Template `t`: control `c-1` (a1, a2), `164.308(a)(1)` (a3), `c-3` (a4).
/// a1 passed (set by cy, with a file and a link as evidence), a2 failed
/// (set first by cy, last by dee), a3 planned and untested, a4 out of scope.
fn assessed_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.git_init();
    for a in ["a1", "a2", "a3", "a4"] {
        repo.write(&format!("actions/{a}.toml"), action_toml(a, "control-access", "preventative", true));
    }
    repo.add_template("t", &[("c-1", &["a1", "a2"]), ("164.308(a)(1)", &["a3"]), ("c-3", &["a4"])]);
    repo.add_assessment("x", "t", None);
    repo.write("evidence/ca policy.txt", "conditional access policy\n");
    repo.commit("ana@example.com", "Start the assessment"); // 2026-01-01T00:00
    let state =
        |imp: &str, test: &str, extra: &str| format!("[implementation]\n{imp}\n\n[test]\n{test}\n{extra}");
    repo.write(
        "assessments/x/a1.toml",
        state("status = \"implemented\"\ndate = 2026-01-02", "status = \"none\"", ""),
    );
    repo.write(
        "assessments/x/a2.toml",
        state("status = \"implemented\"\ndate = 2026-01-02", "status = \"none\"", ""),
    );
    repo.write("assessments/x/a3.toml", state("status = \"planned\"", "status = \"none\"", ""));
    repo.write(
        "assessments/x/a4.toml",
        state(
            "status = \"out-of-scope\"\ndate = 2026-01-02\nnotes = \"No such systems\"",
            "status = \"none\"",
            "",
        ),
    );
    repo.commit("ana@example.com", "Implement"); // 2026-01-01T01:00
    let file = repo.path().join("evidence/ca policy.txt");
    let run = repo.run(&["evidence", "add", "a1", file.to_str().unwrap(), "--name", "CA policy"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let run =
        repo.run(&["evidence", "add", "a1", "--url", "https://wiki.example.com/mfa", "--name", "Runbook"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let run = repo.run(&[
        "set",
        "a1",
        "--test",
        "passed",
        "--test-date",
        "2026-01-05",
        "--test-notes",
        "Sampled 20 sign-ins.",
    ]);
    assert_eq!(run.code, 0, "{}", run.all());
    let run = repo.run(&["set", "a2", "--test", "failed-low", "--test-date", "2026-01-05"]);
    assert_eq!(run.code, 0, "{}", run.all());
    repo.commit("cy@example.com", "Test a1 and a2"); // 2026-01-01T02:00
    let run = repo.run(&[
        "set",
        "a2",
        "--test",
        "failed-medium",
        "--test-date",
        "2026-01-06",
        "--test-notes",
        "Two admins without MFA.",
    ]);
    assert_eq!(run.code, 0, "{}", run.all());
    repo.commit("dee@example.com", "Retest a2"); // 2026-01-01T03:00
    repo.commit("ana@example.com", "Unrelated"); // 2026-01-01T04:00 (HEAD)
    repo
}

fn export(repo: &TestRepo, args: &[&str]) -> Value {
    let mut all = vec!["export", "oscal"];
    all.extend_from_slice(args);
    let run = repo.run(&all);
    assert_eq!(run.code, 0, "{}", run.all());
    run.json()
}

#[test]
fn export_reports_statuses_evidence_and_assessors_from_history() {
    let repo = assessed_repo();
    let doc = export(&repo, &["--assessment", "x"]);
    assert_valid_oscal(&doc);
    let ar = &doc["assessment-results"];
    let meta = &ar["metadata"];
    assert_eq!(meta["oscal-version"], "1.1.2");
    assert_eq!(meta["last-modified"], "2026-01-01T04:00:00Z", "the HEAD commit's date, not the clock");
    assert_eq!(meta["version"].as_str(), Some(repo.git(&["rev-parse", "HEAD"]).as_str()));
    // The people who last set a test status: cy (a1) and dee (a2).
    let mut names: Vec<&str> =
        meta["parties"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["cy", "dee"]);
    let results = ar["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    let r = &results[0];
    assert_eq!(r["title"], "Assessment x");
    // First and last change of the assessment's states: commits 1 and 3.
    assert_eq!(
        (r["start"].as_str(), r["end"].as_str()),
        (Some("2026-01-01T01:00:00Z"), Some("2026-01-01T03:00:00Z"))
    );
    let sel = &r["reviewed-controls"]["control-selections"][0];
    assert_eq!(
        sel["include-controls"],
        serde_json::json!([{"control-id": "c-1"}, {"control-id": "_164.308_a__1_"}])
    );
    assert_eq!(sel["exclude-controls"], serde_json::json!([{"control-id": "c-3"}]));

    let obs = r["observations"].as_array().unwrap();
    assert_eq!(obs.len(), 4);
    let a1 = &obs[0];
    assert_eq!(a1["title"], "Action a1");
    assert_eq!(
        a1["props"],
        serde_json::json!([
            {"name": "action-id", "ns": "urn:evident:oscal", "value": "a1"},
            {"name": "implementation-status", "ns": "urn:evident:oscal", "value": "implemented"},
            {"name": "test-status", "ns": "urn:evident:oscal", "value": "passed"},
        ])
    );
    assert_eq!(a1["collected"], "2026-01-01T02:00:00Z");
    assert!(
        a1["description"]
            .as_str()
            .unwrap()
            .starts_with("Implementation: implemented (2026-01-02). Test: passed (2026-01-05).")
    );
    assert!(a1["description"].as_str().unwrap().contains("Test notes: Sampled 20 sign-ins."));
    let evidence = a1["relevant-evidence"].as_array().unwrap();
    let hrefs: Vec<&str> = evidence.iter().map(|e| e["href"].as_str().unwrap()).collect();
    assert_eq!(hrefs, ["evidence/ca%20policy.txt", "https://wiki.example.com/mfa"]);
    assert_eq!(evidence[0]["description"], "CA policy");
    let cy = meta["parties"].as_array().unwrap().iter().find(|p| p["name"] == "cy").unwrap();
    assert_eq!(a1["origins"][0]["actors"][0]["actor-uuid"], cy["uuid"]);
    assert_eq!(cy["email-addresses"], serde_json::json!(["cy@example.com"]));
    let a2 = &obs[1];
    assert_eq!(a2["collected"], "2026-01-01T03:00:00Z", "dee set a2's test status last");
    assert_eq!(a2["types"], serde_json::json!(["finding"]));
    assert!(a2["remarks"].as_str().unwrap().contains("by dee <dee@example.com>: Retest a2"));
    // a3 was never tested: no assessor, collected at HEAD.
    assert_eq!(obs[2]["collected"], "2026-01-01T04:00:00Z");
    assert!(obs[2].get("origins").is_none());

    let findings = r["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "c-3 is out of scope: no finding");
    assert_eq!(findings[0]["target"]["target-id"], "c-1");
    assert_eq!(
        findings[0]["target"]["status"],
        serde_json::json!({"state": "not-satisfied", "reason": "fail"})
    );
    assert_eq!(findings[0]["related-observations"].as_array().unwrap().len(), 2);
    assert_eq!(findings[0]["related-observations"][0]["observation-uuid"], a1["uuid"]);
    assert_eq!(findings[1]["title"], "164.308(a)(1) Control 164.308(a)(1)");
    assert_eq!(
        findings[1]["target"]["status"],
        serde_json::json!({"state": "not-satisfied", "reason": "other"})
    );

    // Every `uuid` is a version 5 UUID defined once; every reference points to one of them.
    let (mut defined, mut referenced) = (Vec::new(), Vec::new());
    walk_uuids(&doc, &mut defined, &mut referenced);
    assert_eq!(defined.len(), 1 + 2 + 1 + 4 + 2, "document, 2 parties, result, 4 observations, 2 findings");
    assert!(defined.iter().all(|u| u.as_bytes()[14] == b'5'), "{defined:?}");
    let unique: std::collections::BTreeSet<&String> = defined.iter().collect();
    assert_eq!(unique.len(), defined.len());
    assert!(referenced.iter().all(|r| unique.contains(r)), "{referenced:?}");
}

#[test]
fn export_is_reproducible_and_writes_atomically() {
    let repo = assessed_repo();
    let first = repo.run(&["export", "oscal"]);
    assert_eq!(first.code, 0, "{}", first.all());
    // A clone elsewhere, exported later, gives the same bytes.
    let clone = TestRepo::bare();
    let status = crate::support::git()
        .args(["clone", "-q", repo.path().to_str().unwrap(), clone.path().join("c").to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let run = crate::support::run({
        let mut cmd = crate::support::evident();
        cmd.arg("--repo").arg(clone.path().join("c")).args(["export", "oscal"]);
        cmd
    });
    assert_eq!(run.stdout, first.stdout);
    // --out writes the same document to a file, leaving no temporary file behind.
    let out = repo.path().join("out/ar.json");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let run = repo.run(&["export", "oscal", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), first.stdout);
    assert_eq!(std::fs::read_dir(out.parent().unwrap()).unwrap().count(), 1);
}

#[test]
fn export_of_an_imported_baseline_validates() {
    let repo = TestRepo::new();
    repo.git_init();
    import(&repo, &data(LOW_RESOLVED), &["--template", "low"]);
    let run = repo.run(&["new", "assessment", "low-2026", "--template", "low"]);
    assert_eq!(run.code, 0, "{}", run.all());
    repo.commit("ana@example.com", "LOW baseline");
    let doc = export(&repo, &[]);
    assert_valid_oscal(&doc);
    let r = &doc["assessment-results"]["results"][0];
    assert_eq!(r["observations"].as_array().unwrap().len(), 149);
    assert_eq!(r["findings"].as_array().unwrap().len(), 149);
    assert_eq!(r["findings"][1]["target"]["target-id"], "ac-2");
}

#[test]
fn export_errors() {
    let repo = assessed_repo();
    let run = repo.run(&["export", "oscal", "--assessment", "y"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("no assessment `y`"), "{}", run.all());
    let plain = minimal();
    let run = plain.run(&["export", "oscal"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("not in a git repository"), "{}", run.all());
}

/// Values of `uuid` keys, and of `…-uuid` keys (references).
fn walk_uuids(v: &Value, defined: &mut Vec<String>, referenced: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v.as_str()) {
                    ("uuid", Some(s)) => defined.push(s.to_owned()),
                    (k, Some(s)) if k.ends_with("-uuid") => referenced.push(s.to_owned()),
                    _ => walk_uuids(v, defined, referenced),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| walk_uuids(i, defined, referenced)),
        _ => {}
    }
}
