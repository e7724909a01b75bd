//! Provider-managed actions: the customer / provider split of every score,
//! and provider actions kept out of "what to do next" and group sync.
//!
//! The fixture, points by the default table:
//!   c-mfa 27 (customer, mandatory preventative)
//!   c-log 3 (customer, mandatory detective)
//!   p-dc 27 (provider, mandatory preventative)
//!   p-enc 9 (provider, discretionary preventative)
//!   p-ups 1 (provider, discretionary corrective)
//! Assessment `one` (template t1) lists all five; `two` (template t2) lists c-mfa and p-dc.

use serde_json::Value;

use crate::support::{TestRepo, action_toml, state_toml};

const ANA: &str = "ana@example.com";

fn provider_action(id: &str, control_type: &str, mandatory: bool) -> String {
    format!("{}managed_by = \"provider\"\n", action_toml(id, "infrastructure-cloud", control_type, mandatory))
}

fn fixture() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("evident.toml", "");
    repo.add_action("c-mfa", "control-access", "preventative", true);
    repo.add_action("c-log", "discover-and-respond", "detective", true);
    repo.write("actions/p-dc.toml", provider_action("p-dc", "preventative", true));
    repo.write("actions/p-enc.toml", provider_action("p-enc", "preventative", false));
    repo.write("actions/p-ups.toml", provider_action("p-ups", "corrective", false));
    repo.add_template("t1", &[("c1", &["c-mfa", "p-dc"]), ("c2", &["c-log", "p-enc", "p-ups"])]);
    repo.add_template("t2", &[("k1", &["c-mfa", "p-dc"])]);
    repo.add_assessment("one", "t1", None);
    repo.add_assessment("two", "t2", None);
    let state = |a: &str, action: &str, implementation: &str, test: &str| {
        let evidence: &[&str] = if test == "passed" { &["soc2-report"] } else { &[] };
        repo.write(
            &format!("assessments/{a}/{action}.toml"),
            state_toml(Some(ANA), implementation, test, evidence),
        );
    };
    state("one", "c-mfa", "implemented", "passed");
    state("one", "c-log", "implemented", "none");
    state("one", "p-dc", "implemented", "passed");
    state("one", "p-enc", "implemented", "passed");
    state("one", "p-ups", "out-of-scope", "none");
    state("two", "c-mfa", "implemented", "passed");
    state("two", "p-dc", "implemented", "failed-low");
    repo
}

fn triple(v: &Value) -> (u64, u64, f64) {
    (v["earned"].as_u64().unwrap(), v["max"].as_u64().unwrap(), v["percent"].as_f64().unwrap())
}

#[test]
fn scores_split_by_who_manages_the_action() {
    let repo = fixture();
    let run = repo.run(&["score", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let s = run.json();
    // Each action once across assessments, earned when it earns everywhere it is in scope:
    //   c-mfa 27: passed in one and two                 -> 27/27
    //   c-log 3: implemented, not tested                 -> 0/3
    //   p-dc 27: passed in one, failed-low in two        -> 0/27
    //   p-enc 9: passed in one                           -> 9/9
    //   p-ups 1: out of scope in its only assessment     -> 0/0
    // customer = c-mfa + c-log = 27/30 = 90.0%
    // provider = p-dc + p-enc + p-ups = 9/36 = 25.0%
    // overall = 36/66 = 54.545...% -> 54.5
    assert_eq!(triple(&s["overall"]), (36, 66, 54.5));
    let managed = s["managed"].as_array().unwrap();
    let ids: Vec<&str> = managed.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["customer", "provider"]);
    assert_eq!(triple(&managed[0]), (27, 30, 90.0));
    assert_eq!(triple(&managed[1]), (9, 36, 25.0));
    // The split adds up to the overall score.
    assert_eq!(managed[0]["earned"].as_u64().unwrap() + managed[1]["earned"].as_u64().unwrap(), 36);
    assert_eq!(managed[0]["max"].as_u64().unwrap() + managed[1]["max"].as_u64().unwrap(), 66);
    // Per assessment, nothing changes: one = 27 + 0/3 + 27 + 9 = 63/66; two = 27/54.
    let a = s["assessments"].as_array().unwrap();
    assert_eq!(triple(&a[0]), (63, 66, 95.5));
    assert_eq!(triple(&a[1]), (27, 54, 50.0));

    let run = repo.run(&["score"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("Customer-managed 27 / 30  90.0%"), "{}", run.stdout);
    assert!(run.stdout.contains("Provider-managed 9 / 36  25.0%"), "{}", run.stdout);

    let run = repo.run(&["score", "--by", "managed"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let rows: Vec<&str> = run.stdout.lines().filter(|l| l.contains("-managed ")).collect();
    assert_eq!(rows.len(), 3, "the summary line and two table rows:\n{}", run.stdout);
    assert!(
        rows[1].starts_with("Customer-managed") && rows[1].contains("27 / 30") && rows[1].contains("90.0%")
    );
    assert!(
        rows[2].starts_with("Provider-managed") && rows[2].contains("9 / 36") && rows[2].contains("25.0%")
    );

    let run = repo.run(&["score", "--by", "managed", "--format", "markdown"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("Customer-managed: 90.0% (27 of 30 points)"), "{}", run.stdout);
    assert!(run.stdout.contains("| Provider-managed | 9 / 36 | 25.0% |"), "{}", run.stdout);
}

#[test]
fn list_says_who_manages_each_action() {
    let json = fixture().run(&["list", "actions", "--format", "json"]).json();
    crate::output_schemas::assert_conforms("list", &json);
    let managed: Vec<(&str, &str)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_str().unwrap(), a["managed_by"].as_str().unwrap()))
        .collect();
    assert!(
        managed.contains(&("p-dc", "provider")) && managed.contains(&("c-mfa", "customer")),
        "{managed:?}"
    );
}

#[test]
fn both_ids_are_present_without_provider_actions() {
    let repo = crate::support::minimal();
    let s = repo.run(&["score", "--format", "json"]).json();
    let managed = s["managed"].as_array().unwrap();
    assert_eq!(managed.len(), 2);
    assert_eq!(managed[1]["id"], "provider");
    assert_eq!(triple(&managed[1]), (0, 0, 100.0));
    assert_eq!(triple(&managed[0]), triple(&s["overall"]));
}

#[test]
fn provider_actions_are_not_in_what_to_do_next() {
    let repo = fixture();
    repo.git_init();
    repo.commit(ANA, "start");
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("site");
    let run = repo.run(&["report", "--format", "json", "--out", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    let data: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    // p-dc has 27 points to gain but is the provider's: only c-log is listed.
    let next: Vec<&str> =
        data["next"]["actions"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(next, ["c-log"]);
    let managed: Vec<(&str, u64, u64)> = data["managed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap(),
                m["score"]["earned"].as_u64().unwrap(),
                m["score"]["max"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(managed, [("customer", 27, 30), ("provider", 9, 36)]);

    // The HTML overview shows both side by side, and the trend has the split series.
    let site = out.path().join("html");
    let run = repo.run(&["report", "--out", site.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(index.contains(r#"data-score="managed:customer" data-earned="27" data-max="30""#), "{index}");
    assert!(index.contains(r#"data-score="managed:provider" data-earned="9" data-max="36""#), "{index}");
    let trend = &index[index.find("trend-overall").unwrap()..];
    assert!(trend.contains("Provider-managed from 25.0% to 25.0%"), "{trend}");
}

#[test]
fn provider_actions_are_left_out_of_group_sync() {
    let repo = fixture();
    repo.add_assessment("one", "t1", Some("g"));
    repo.add_assessment("two", "t2", Some("g"));
    // c-mfa agrees in both; p-dc differs (passed / failed-low): no sync prompt.
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(!run.all().contains("p-dc"), "{}", run.all());
    // A customer action that differs is still reported.
    repo.write("assessments/two/c-mfa.toml", state_toml(Some(ANA), "implemented", "none", &[]));
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.all().contains("disagree on `c-mfa`"), "{}", run.all());
    assert!(!run.all().contains("p-dc"), "{}", run.all());
}

#[test]
fn a_bad_managed_by_is_named_with_its_place() {
    let repo = fixture();
    repo.write(
        "actions/p-ups.toml",
        provider_action("p-ups", "corrective", false).replace("provider", "vendor"),
    );
    let run = repo.run(&["validate"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.all().contains("`managed_by` cannot be `vendor`"), "{}", run.all());
    assert!(run.all().contains("actions/p-ups.toml:9:14"), "{}", run.all());
    assert!(run.all().contains("customer, provider"), "{}", run.all());
}

/// Flipping an action to provider-managed takes it out of "what to do next"
/// and group alignment, so a pull request that does it must say so: `diff`
/// (terminal and JSON) and `updates` name the change.
#[test]
fn a_flip_to_provider_managed_shows_in_diff_and_updates() {
    let repo = fixture();
    let state = "assessments/one/c-log.toml";
    repo.write(state, format!("accepted_version = 1\n{}", repo.read(state)));
    repo.git_init();
    repo.commit(ANA, "Start");
    let path = "actions/c-log.toml";
    repo.write(
        path,
        format!("{}managed_by = \"provider\"\n", repo.read(path)).replace("version = 1", "version = 2"),
    );
    repo.commit(ANA, "Hand logging to the provider");

    let run = repo.run(&["diff", "HEAD~1", "HEAD"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("managed by: customer → provider"), "{}", run.all());
    let run = repo.run(&["diff", "HEAD~1", "HEAD", "--format", "json"]);
    let text = run.stdout.clone();
    assert!(text.contains("\"managed_by\""), "{text}");
    let run = repo.run(&["diff", "HEAD~1", "HEAD", "--format", "markdown"]);
    assert!(run.stdout.contains("managed by"), "{}", run.all());

    let run = repo.run(&["updates"]);
    assert!(run.stdout.contains("managed by: customer → provider"), "{}", run.all());
}

/// A pull request that hands a customer action to the provider in a new
/// version does not silence the group's disagreement before the assessments
/// accept that version (they are still scored on the customer-managed one).
#[test]
fn an_unaccepted_flip_to_provider_does_not_silence_group_sync() {
    let repo = fixture();
    repo.add_assessment("one", "t1", Some("g"));
    repo.add_assessment("two", "t2", Some("g"));
    for a in ["one", "two"] {
        let test = if a == "one" { "passed" } else { "none" };
        let evidence: &[&str] = if a == "one" { &["soc2-report"] } else { &[] };
        let state = state_toml(Some(ANA), "implemented", test, evidence);
        repo.write(&format!("assessments/{a}/c-mfa.toml"), format!("accepted_version = 1\n{state}"));
    }
    repo.git_init();
    repo.commit(ANA, "Start");
    let path = "actions/c-mfa.toml";
    repo.write(
        path,
        format!("{}managed_by = \"provider\"\n", repo.read(path)).replace("version = 1", "version = 2"),
    );
    repo.commit(ANA, "Hand MFA to the provider");
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.all().contains("disagree on `c-mfa`"), "{}", run.all());
    // Once both accept the new version, the provider's attestation rules.
    let run = repo.run(&["accept", "c-mfa"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let run = repo.run(&["check"]);
    assert!(!run.all().contains("disagree on `c-mfa`"), "{}", run.all());
}
