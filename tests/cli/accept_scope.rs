//! How far `evident accept ACTION --assessment A` reaches: a technical
//! action's update is accepted in every assessment that lists it; a
//! documentation or operational action's update in A's group only (or A
//! alone outside a group). `evident updates` says which assessments an
//! accept touches.
//!
//! Three assessments list both actions: gdpr-2026 and ccpa-2026 (group
//! `privacy`) and hipaa-2026 (no group). `mfa` is technical, `dpia`
//! operational; both move from version 1 to 2.

use serde_json::Value;

use crate::support::{TestRepo, action_toml, people_toml, state_toml};

const ANA: &str = "ana@example.com";
const ALL: [&str; 3] = ["ccpa-2026", "gdpr-2026", "hipaa-2026"];

fn repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.git_init();
    repo.write("evident.toml", people_toml(&[(ANA, "Ana")], &[]));
    repo.add_action("mfa", "control-access", "preventative", true);
    repo.write(
        "actions/dpia.toml",
        action_toml("dpia", "privacy-management", "preventative", false)
            .replace("action_type = \"technical\"", "action_type = \"operational\""),
    );
    for t in ["gdpr", "ccpa", "hipaa"] {
        repo.add_template(t, &[("c1", &["mfa", "dpia"])]);
    }
    repo.add_privacy_pair();
    repo.add_assessment("hipaa-2026", "hipaa", None);
    for a in ALL {
        for action in ["mfa", "dpia"] {
            let state = format!("accepted_version = 1\n{}", state_toml(Some(ANA), "planned", "none", &[]));
            repo.write(&format!("assessments/{a}/{action}.toml"), state);
        }
    }
    repo.commit(ANA, "Start");
    for action in ["mfa", "dpia"] {
        let path = format!("actions/{action}.toml");
        repo.write(
            &path,
            repo.read(&path).replace("version = 1", "version = 2").replace("Action", "Revised"),
        );
    }
    repo.commit(ANA, "Revise mfa and dpia");
    repo
}

/// The accepted version of `action` in each assessment, in `ALL` order.
fn versions(repo: &TestRepo, action: &str) -> Vec<u32> {
    ALL.iter()
        .map(|a| {
            let text = repo.read(&format!("assessments/{a}/{action}.toml"));
            let value: toml::Value = toml::from_str(&text).unwrap();
            value["accepted_version"].as_integer().unwrap() as u32
        })
        .collect()
}

fn accept(repo: &TestRepo, args: &[&str]) {
    let mut all = vec!["accept"];
    all.extend_from_slice(args);
    let run = repo.run(&all);
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn a_technical_update_is_accepted_in_every_assessment_that_lists_it() {
    // Accepted in the group: reaches hipaa-2026 outside it too.
    let repo = repo();
    accept(&repo, &["mfa", "-a", "gdpr-2026"]);
    assert_eq!(versions(&repo, "mfa"), [2, 2, 2]);
    assert_eq!(versions(&repo, "dpia"), [1, 1, 1], "only the named action");

    // Accepted outside any group: reaches the group as well.
    let repo = self::repo();
    accept(&repo, &["mfa", "-a", "hipaa-2026"]);
    assert_eq!(versions(&repo, "mfa"), [2, 2, 2]);
}

#[test]
fn an_operational_update_is_accepted_in_the_group_only() {
    let repo = repo();
    accept(&repo, &["dpia", "-a", "gdpr-2026"]);
    // gdpr-2026 and its group member ccpa-2026; hipaa-2026 is untouched.
    assert_eq!(versions(&repo, "dpia"), [2, 2, 1]);
    assert_eq!(versions(&repo, "mfa"), [1, 1, 1]);

    // Outside a group: that assessment alone.
    let repo = self::repo();
    accept(&repo, &["dpia", "-a", "hipaa-2026"]);
    assert_eq!(versions(&repo, "dpia"), [1, 1, 2]);

    // Without --assessment: everywhere it is pending, as before.
    let repo = self::repo();
    accept(&repo, &["dpia"]);
    assert_eq!(versions(&repo, "dpia"), [2, 2, 2]);
}

#[test]
fn updates_says_which_assessments_an_accept_touches() {
    let repo = repo();
    let run = repo.run(&["updates", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    crate::output_schemas::assert_conforms("updates", &run.json());
    let json = run.json();
    let find = |assessment: &str, id: &str| -> Value {
        json["updates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["assessment"] == assessment && u["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no update of {id} in {assessment}"))
    };
    let mfa = find("hipaa-2026", "mfa");
    assert_eq!(mfa["accepted_with"], serde_json::json!(ALL));
    assert_eq!(mfa["scope"], "everywhere");
    let dpia = find("gdpr-2026", "dpia");
    assert_eq!(dpia["accepted_with"], serde_json::json!(["ccpa-2026", "gdpr-2026"]));
    assert_eq!(dpia["scope"], "group");
    let dpia = find("hipaa-2026", "dpia");
    assert_eq!(dpia["accepted_with"], serde_json::json!(["hipaa-2026"]));
    assert_eq!(dpia["scope"], "assessment");

    let text = repo.run(&["updates"]).stdout;
    assert!(
        text.contains("accepting it here also accepts it in ccpa-2026, gdpr-2026 (a technical action: every assessment that lists it)"),
        "{text}"
    );
    assert!(text.contains("accepting it here also accepts it in ccpa-2026 (same group)"), "{text}");
}

/// Naming an assessment where the update is not pending accepts nothing from
/// there: a technical update is not accepted everywhere, nor an operational
/// one in the rest of the group, because that assessment was named.
#[test]
fn an_assessment_where_the_update_is_not_pending_accepts_nothing() {
    let repo = repo();
    for (a, action) in [("hipaa-2026", "mfa"), ("gdpr-2026", "dpia")] {
        let path = format!("assessments/{a}/{action}.toml");
        repo.write(&path, repo.read(&path).replace("accepted_version = 1", "accepted_version = 2"));
    }
    repo.commit(ANA, "Accepted by hand in hipaa-2026 (mfa) and gdpr-2026 (dpia)");

    // Nothing to accept there, like `accept --all -a A`: exit 0, saying where it is pending.
    for (action, a, elsewhere) in [
        ("mfa", "hipaa-2026", "`ccpa-2026`, `gdpr-2026`"),
        ("dpia", "gdpr-2026", "`ccpa-2026`, `hipaa-2026`"),
    ] {
        let run = repo.run(&["accept", action, "-a", a]);
        assert_eq!(run.code, 0, "{}", run.all());
        assert!(
            run.stderr.contains(&format!("Nothing to accept: `{action}` has no pending update in `{a}`")),
            "{}",
            run.all()
        );
        assert!(
            run.stderr.contains(&format!("note: `{action}` has a pending update in {elsewhere}")),
            "{}",
            run.all()
        );
    }
    assert_eq!(versions(&repo, "mfa"), [1, 1, 2]);
    assert_eq!(versions(&repo, "dpia"), [1, 2, 1]);

    // --all from hipaa-2026: its own dpia update only, mfa nowhere.
    accept(&repo, &["--all", "-a", "hipaa-2026"]);
    assert_eq!(versions(&repo, "mfa"), [1, 1, 2]);
    assert_eq!(versions(&repo, "dpia"), [1, 2, 2]);
}

/// An assessment that does not list the action is named as such, not as "no pending update".
#[test]
fn an_assessment_that_does_not_list_the_action_is_an_error_that_says_so() {
    let repo = repo();
    repo.add_action("dlp", "protect-information", "preventative", false);
    repo.add_template("hipaa", &[("c1", &["mfa", "dpia", "dlp"])]);
    let run = repo.run(&["accept", "dlp", "-a", "gdpr-2026"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("`gdpr-2026` does not list action `dlp`"), "{}", run.all());
    assert!(run.stderr.contains("it is in `hipaa-2026`"), "{}", run.all());
    assert_eq!(versions(&repo, "mfa"), [1, 1, 1], "nothing written");
}

/// When the update itself changes the action's type, the new type (that of
/// the definition being accepted) decides the scope.
#[test]
fn the_type_of_the_new_version_decides_the_scope() {
    let repo = repo();
    let path = "actions/mfa.toml";
    repo.write(
        path,
        repo.read(path)
            .replace("version = 2", "version = 3")
            .replace("action_type = \"technical\"", "action_type = \"operational\""),
    );
    repo.commit(ANA, "mfa becomes an operational action");
    let json = repo.run(&["updates", "--format", "json"]).json();
    let mfa = json["updates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["assessment"] == "gdpr-2026" && u["id"] == "mfa")
        .cloned()
        .unwrap();
    assert_eq!(mfa["scope"], "group");
    accept(&repo, &["mfa", "-a", "gdpr-2026"]);
    assert_eq!(versions(&repo, "mfa"), [3, 3, 1]);
}

#[test]
fn accept_lists_what_it_wrote_as_json() {
    let repo = repo();
    let run = repo.run(&["accept", "dpia", "-a", "hipaa-2026", "--dry-run", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let json = run.json();
    crate::output_schemas::assert_conforms("changes", &json);
    assert_eq!((json["written"].as_bool(), json["dry_run"].as_bool()), (Some(false), Some(true)));
    assert_eq!(json["files"][0]["path"], "assessments/hipaa-2026/dpia.toml");
    assert_eq!(versions(&repo, "dpia"), [1, 1, 1], "a dry run writes nothing");
    let run = repo.run(&["accept", "dpia", "-a", "hipaa-2026", "--format", "json"]);
    assert_eq!(run.json()["written"], true, "{}", run.all());
    assert_eq!(versions(&repo, "dpia"), [1, 1, 2]);
    // Nothing left to accept there: still one JSON object, with no files.
    let run = repo.run(&["accept", "dpia", "-a", "hipaa-2026", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let json = run.json();
    crate::output_schemas::assert_conforms("changes", &json);
    assert_eq!(json["files"], serde_json::json!([]), "{}", run.all());
}
