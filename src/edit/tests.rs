//! Unit tests of editing state files.

use super::evidence::check_type;
use super::session::render;
use super::*;
use crate::model::{Action, ActionState, AssessmentId, Date, Evidence, ImplementationStatus, TestStatus};

fn doc_edit(text: &str) -> StateEdit {
    let action: Action = toml::from_str(
        "id = \"mfa\"\ntitle = \"MFA\"\nversion = 2\ncategory = \"control-access\"\naction_type = \"technical\"\ncontrol_type = \"preventative\"\nmandatory = true\ntesting = \"manual\"\n",
    )
    .expect("action");
    StateEdit {
        path: "assessments/a/mfa.toml".into(),
        assessment: AssessmentId::new("a"),
        before: toml::from_str(text).expect("state"),
        action,
        original: Some(text.into()),
        bom: false,
        doc: text.parse().expect("doc"),
        today: Date::new(2026, 11, 23).expect("date"),
        refusals: Vec::new(),
        committed_test: None,
        assessment_flag: String::new(),
    }
}

#[test]
fn keeps_comments_and_spacing() {
    let text = "# MFA for admins\nowner   =   \"ana@example.com\"   # the owner\n\n[implementation]\nstatus = \"planned\"  # soon\n\n[test]  # tests\nstatus = \"none\"\n";
    let mut edit = doc_edit(text);
    edit.set_owner("bo@example.com");
    let change = StatusChange { status: Some(ImplementationStatus::Implemented), ..Default::default() };
    edit.change_implementation(&change).expect("edit");
    let out = render(&edit.doc, Some(text));
    assert_eq!(
        out,
        "# MFA for admins\nowner   =   \"bo@example.com\"   # the owner\n\n[implementation]\nstatus = \"implemented\"  # soon\ndate = 2026-11-23\n\n[test]  # tests\nstatus = \"none\"\n"
    );
}

#[test]
fn new_tables_go_in_file_order() {
    let text =
        "owner = \"ana@example.com\"\n\n[[evidence]]\nname = \"Runbook\"\nurl = \"https://example.com\"\n";
    let mut edit = doc_edit(text);
    let test = StatusChange { status: Some(TestStatus::InProgress), ..Default::default() };
    edit.change_test(&test).expect("test");
    let implementation = StatusChange { status: Some(ImplementationStatus::Planned), ..Default::default() };
    edit.change_implementation(&implementation).expect("implementation");
    let out = render(&edit.doc, Some(text));
    let order: Vec<usize> =
        ["[implementation]", "[test]", "[[evidence]]"].iter().filter_map(|h| out.find(h)).collect();
    assert_eq!(order.len(), 3, "{out}");
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{out}");
}

#[test]
fn unchanged_status_keeps_its_date_and_inline_tables_work() {
    let text = "implementation = { status = \"implemented\", date = 2026-01-05 }\nevidence = [{ name = \"a\", url = \"https://a.example\" }]\n";
    let mut edit = doc_edit(text);
    let same = StatusChange { status: Some(ImplementationStatus::Implemented), ..Default::default() };
    edit.change_implementation(&same).expect("edit");
    assert_eq!(render(&edit.doc, Some(text)), text);
    let link = Evidence { name: "b".into(), path: None, sha256: None, url: Some("https://b.example".into()) };
    assert!(edit.add_evidence(&link).expect("add"));
    edit.remove_evidence("a").expect("remove");
    let out = render(&edit.doc, Some(text));
    let state: ActionState = toml::from_str(&out).expect("valid");
    assert_eq!(state.evidence, vec![link]);
}

#[test]
fn crlf_files_stay_crlf() {
    let text = "[implementation]\r\nstatus = \"planned\"\r\n";
    let mut edit = doc_edit(text);
    edit.set_owner("ana@example.com");
    let out = render(&edit.doc, Some(text));
    assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
}

#[test]
fn describes_changes() {
    let before = ActionState::default();
    let mut after = before.clone();
    after.owner = Some("ana@example.com".into());
    after.test.status = TestStatus::Passed;
    after.test.date = Date::new(2026, 11, 23);
    assert_eq!(
        describe(&before, &after),
        ["owner ana@example.com", "test none → passed", "test date 2026-11-23"]
    );
}

#[test]
fn evidence_types() {
    assert!(check_type("report.PDF").is_ok());
    assert!(check_type("export.xlsx").is_ok());
    assert!(check_type("script.sh").is_err());
    assert!(check_type("README").is_err());
}
