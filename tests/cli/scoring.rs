//! Scores against hand-computed expectations (docs/design/scoring.md).
//!
//! Fixture `tests/fixtures/scoring`, points by the default table:
//!   a-mfa 27 (mandatory preventative)   a-log 3 (mandatory detective)
//!   a-ir 3 (mandatory corrective)       a-train 9 (discretionary preventative)
//!   a-review 1 (discretionary detective) a-restore 1 (discretionary corrective)
//!   a-enc 27 (mandatory preventative)   a-dpo 9 (discretionary preventative)

use serde_json::{Value, json};

use crate::support::TestRepo;

fn score_json(repo: &TestRepo) -> Value {
    let run = repo.run(&["score", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    run.json()
}

fn find<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .and_then(|l| l.iter().find(|x| x["id"] == id))
        .unwrap_or_else(|| panic!("no `{id}` in {list}"))
}

fn triple(v: &Value) -> (u64, u64, f64) {
    (v["earned"].as_u64().unwrap(), v["max"].as_u64().unwrap(), v["percent"].as_f64().unwrap())
}

#[test]
fn assessments_and_controls() {
    let s = score_json(&TestRepo::fixture("scoring"));
    let a = &s["assessments"];

    // one-2026: a-mfa implemented+passed 27; a-log alternative+passed 3; a-train
    // failed-low 0/9; a-ir out of scope (implementation) -> not in max; a-enc
    // passed without implementation 0/27. a-mfa is listed by c1 and c2 but counts once.
    // earned 27 + 3 = 30; max 27 + 3 + 9 + 27 = 66; 30/66 = 45.45% -> 45.5
    assert_eq!(triple(find(a, "one-2026")), (30, 66, 45.5));
    let c = &find(a, "one-2026")["controls"];
    assert_eq!(triple(find(c, "c1")), (30, 30, 100.0)); // a-mfa 27 + a-log 3
    assert_eq!(triple(find(c, "c2")), (27, 36, 75.0)); // a-mfa 27 of 27 + a-train 0 of 9
    assert_eq!(triple(find(c, "c3")), (0, 27, 0.0)); // a-ir out of scope, a-enc 0 of 27

    // two-2026: a-mfa 27; a-review test out of scope; a-restore planned 0/1; a-dpo has
    // no state file (not implemented) 0/9. 27 / 37 = 72.97% -> 73.0
    assert_eq!(triple(find(a, "two-2026")), (27, 37, 73.0));
    let c = &find(a, "two-2026")["controls"];
    assert_eq!(triple(find(c, "k1")), (27, 27, 100.0));
    assert_eq!(triple(find(c, "k2")), (0, 10, 0.0));

    // one-b: a-mfa failed-high 0/27; a-log test out of scope; a-train passed 9/9;
    // a-ir 0/3; a-enc out of scope. 9 / 39 = 23.08% -> 23.1
    assert_eq!(triple(find(a, "one-b")), (9, 39, 23.1));

    // An assessment with no actions has nothing to lose: 0 / 0 is 100%.
    assert_eq!(triple(find(a, "empty-2026")), (0, 0, 100.0));
    assert_eq!(triple(find(&find(a, "empty-2026")["controls"], "e1")), (0, 0, 100.0));
}

#[test]
fn overall_counts_each_action_once() {
    let s = score_json(&TestRepo::fixture("scoring"));
    // Each action once, in the max when in scope somewhere, earned when it earns
    // everywhere it is in scope:
    //   a-mfa 27: in scope in one-2026, two-2026, one-b; fails in one-b -> 0/27
    //   a-log 3: earns in one-2026, out of scope in one-b        -> 3/3
    //   a-train 9: fails in one-2026, earns in one-b             -> 0/9
    //   a-ir 3: out of scope in one-2026, not done in one-b      -> 0/3
    //   a-enc 27: passed without implementation in one-2026      -> 0/27
    //   a-review 1: out of scope in its only assessment          -> 0/0
    //   a-restore 1 -> 0/1;  a-dpo 9 -> 0/9
    // earned 3; max 27 + 3 + 9 + 3 + 27 + 1 + 9 = 79; 3/79 = 3.797% -> 3.8
    assert_eq!(triple(&s["overall"]), (3, 79, 3.8));
}

#[test]
fn breakdowns() {
    let s = score_json(&TestRepo::fixture("scoring"));
    // Categories, same rule as overall:
    //   control-access: a-mfa 0/27 + a-review 0/0 = 0/27
    //   discover-and-respond: a-log 3/3 + a-ir 0/3 = 3/6 = 50.0
    assert_eq!(triple(find(&s["categories"], "control-access")), (0, 27, 0.0));
    assert_eq!(triple(find(&s["categories"], "discover-and-respond")), (3, 6, 50.0));
    assert_eq!(triple(find(&s["categories"], "protect-information")), (0, 27, 0.0));
    let ids: Vec<&str> =
        s["categories"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "categories are sorted by id");

    // Group g = one-2026 + two-2026: a-mfa earns in both 27/27; a-log 3/3; a-train
    // 0/9; a-ir out of scope in its only group assessment 0/0; a-enc 0/27;
    // a-review 0/0; a-restore 0/1; a-dpo 0/9. 30 / 76 = 39.47% -> 39.5
    assert_eq!(triple(find(&s["groups"], "g")), (30, 76, 39.5));
    assert_eq!(s["groups"].as_array().unwrap().len(), 1, "ungrouped assessments form no group");

    // Regulation "Reg One" = one-2026 + one-b: a-mfa 0/27 (fails in one-b); a-log
    // 3/3; a-train 0/9; a-ir 0/3; a-enc 0/27. 3 / 69 = 4.35% -> 4.3
    assert_eq!(triple(find(&s["regulations"], "Reg One")), (3, 69, 4.3));
    assert_eq!(triple(find(&s["regulations"], "Reg Two")), (27, 37, 73.0));

    // Owners by state: ana owns a-mfa in the group (both earn) 27/27; ben owns
    // a-log in one-2026 3/3; cy owns a-mfa in one-b 0/27; the rest is unassigned:
    // a-train 0/9, a-ir 0/3, a-enc 0/27, a-restore 0/1, a-dpo 0/9 = 0/49.
    assert_eq!(triple(find(&s["owners"], "ana@example.com")), (27, 27, 100.0));
    assert_eq!(triple(find(&s["owners"], "ben@example.com")), (3, 3, 100.0));
    assert_eq!(triple(find(&s["owners"], "cy@example.com")), (0, 27, 0.0));
    let unassigned = s["owners"].as_array().unwrap().iter().find(|o| o["id"].is_null()).unwrap();
    assert_eq!(triple(unassigned), (0, 49, 0.0));

    // Solutions: a-mfa "Entra ID" 0/27, a-enc "Key Vault" 0/27; no solution:
    // a-log 3/3 + a-train 0/9 + a-ir 0/3 + a-restore 0/1 + a-dpo 0/9 = 3/25 = 12.0
    assert_eq!(triple(find(&s["solutions"], "Entra ID")), (0, 27, 0.0));
    let none = s["solutions"].as_array().unwrap().iter().find(|o| o["id"].is_null()).unwrap();
    assert_eq!(triple(none), (3, 25, 12.0));
}

#[test]
fn json_contract_shape() {
    let s = score_json(&TestRepo::fixture("scoring"));
    // Not a git repository: no commit.
    assert_eq!(s["commit"], Value::Null);
    let first = &s["assessments"][0];
    for key in ["id", "template", "group", "earned", "max", "percent", "controls"] {
        assert!(first.get(key).is_some(), "assessment has `{key}`");
    }
    assert_eq!(s["assessments"][0]["id"], "empty-2026", "assessments sorted by id");
    assert_eq!(find(&s["assessments"], "one-2026")["group"], "g");
    assert_eq!(find(&s["assessments"], "one-b")["group"], Value::Null);
    for key in ["overall", "assessments", "categories", "groups"] {
        assert!(s.get(key).is_some(), "top level has `{key}`");
    }
}

#[test]
fn commit_is_head_in_a_git_repository() {
    let repo = TestRepo::fixture("scoring");
    let git = |args: &[&str]| {
        let st = crate::support::git().args(args).current_dir(repo.path()).output().unwrap();
        assert!(st.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&st.stderr));
        String::from_utf8_lossy(&st.stdout).trim().to_owned()
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "init"]);
    let head = git(&["rev-parse", "HEAD"]);
    assert_eq!(score_json(&repo)["commit"], json!(head));
}

#[test]
fn scoring_table_overrides() {
    let repo = TestRepo::fixture("scoring");
    let config = repo.read("evident.toml")
        + "\n[scoring]\nmandatory = { preventative = 10 }\ndiscretionary = { preventative = 2, detective = 5 }\n";
    repo.write("evident.toml", config);
    let s = score_json(&repo);
    // one-2026 with a-mfa and a-enc at 10, a-train at 2: earned 10 + 3 = 13;
    // max 10 + 3 + 2 + 10 = 25; 13/25 = 52.0
    assert_eq!(triple(find(&s["assessments"], "one-2026")), (13, 25, 52.0));
    // two-2026: a-mfa 10 earned; a-review (detective 5) out of scope; a-restore 1;
    // a-dpo 2. 10 / 13 = 76.92% -> 76.9
    assert_eq!(triple(find(&s["assessments"], "two-2026")), (10, 13, 76.9));
}

#[test]
fn out_of_scope_on_either_status_and_alternative() {
    let repo = TestRepo::new();
    repo.add_action("a", "control-access", "preventative", true);
    repo.add_action("b", "control-access", "detective", true);
    repo.add_action("c", "control-access", "corrective", false);
    repo.add_template("t", &[("x", &["a", "b", "c"])]);
    repo.add_assessment("s", "t", None);
    let url = "\n[[evidence]]\nname = \"e\"\nurl = \"https://example.com/e\"\n";
    // a: alternative + passed earns 27.
    repo.write(
        "assessments/s/a.toml",
        format!("[implementation]\nstatus = \"alternative\"\ndate = 2026-01-01\nnotes = \"n\"\n\n[test]\nstatus = \"passed\"\ndate = 2026-01-02\n{url}"),
    );
    // b: implemented, test out of scope: removed from the maximum.
    repo.write(
        "assessments/s/b.toml",
        "[implementation]\nstatus = \"implemented\"\ndate = 2026-01-01\n\n[test]\nstatus = \"out-of-scope\"\ndate = 2026-01-02\nnotes = \"n\"\n",
    );
    // c: implementation out of scope, even with a passed test: removed.
    repo.write(
        "assessments/s/c.toml",
        format!("[implementation]\nstatus = \"out-of-scope\"\ndate = 2026-01-01\nnotes = \"n\"\n\n[test]\nstatus = \"passed\"\ndate = 2026-01-02\n{url}"),
    );
    let s = score_json(&repo);
    assert_eq!(triple(&s["overall"]), (27, 27, 100.0));
}

#[test]
fn empty_repository_scores_100() {
    let repo = TestRepo::new();
    let s = score_json(&repo);
    assert_eq!(triple(&s["overall"]), (0, 0, 100.0));
    assert_eq!(s["assessments"], json!([]));
}

#[test]
fn refuses_a_repository_with_errors() {
    let repo = TestRepo::fixture("scoring");
    repo.write("actions/a-mfa.toml", "id = \"a-mfa\"\n");
    let run = repo.run(&["score"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("missing key `title`"), "{}", run.stderr);
    assert!(run.stderr.contains("fix them first"), "{}", run.stderr);
}

#[test]
fn human_and_markdown_tables() {
    let repo = TestRepo::fixture("scoring");
    let run = repo.run(&["score"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.stdout);
    let run = repo.run(&["score", "--by", "category", "--format", "md"]);
    insta::assert_snapshot!(run.stdout);
    let run = repo.run(&["score", "--by", "owner"]);
    insta::assert_snapshot!(run.stdout);
}
