use super::*;
use crate::model::{
    Action, ActionState, ActionType, Assessment, AssessmentEntry, Category, Control, ControlId, ControlType,
    Evidence, Implementation, ImplementationStatus, Template, Test, TestStatus, Testing, Workspace,
};

fn action(id: &str, mandatory: bool) -> Action {
    Action {
        id: id.into(),
        title: format!("Action {id}"),
        version: 1,
        category: Category::ControlAccess,
        action_type: ActionType::Technical,
        control_type: ControlType::Preventative,
        mandatory,
        testing: Testing::Manual,
        managed_by: Default::default(),
        solution: None,
        service: None,
        guidance: None,
        links: Vec::new(),
        automation: None,
    }
}

fn state(implementation: ImplementationStatus, test: TestStatus) -> ActionState {
    ActionState {
        implementation: Implementation { status: implementation, ..Implementation::default() },
        test: Test { status: test, ..Test::default() },
        ..ActionState::default()
    }
}

/// One template `t` with control `c1` listing `actions`, one assessment `a1`.
fn workspace(actions: &[(&str, bool)], states: &[(&str, ActionState)]) -> Workspace {
    let mut ws = Workspace::default();
    for (id, mandatory) in actions {
        ws.actions.insert((*id).into(), action(id, *mandatory));
    }
    let control = Control {
        id: ControlId::new("c1"),
        title: "Control one".into(),
        family: None,
        description: None,
        actions: actions.iter().map(|(id, _)| (*id).into()).collect(),
        urn: None,
        groups: Vec::new(),
        related: Vec::new(),
    };
    let template = Template {
        id: "t".into(),
        name: "T".into(),
        regulation: "T".into(),
        version: 1,
        description: None,
        source: None,
        urn: None,
        controls: vec![control],
    };
    ws.templates.insert("t".into(), template);
    let assessment = Assessment {
        id: "a1".into(),
        name: "A one".into(),
        template: "t".into(),
        template_version: 1,
        group: None,
        service: None,
        description: None,
        automation: None,
    };
    let states = states.iter().map(|(id, s)| ((*id).into(), s.clone())).collect();
    ws.assessments.insert("a1".into(), AssessmentEntry { assessment, states });
    ws
}

fn ops(words: &[Words]) -> String {
    words
        .iter()
        .map(|w| match w.op {
            WordOp::Equal => w.text.clone(),
            WordOp::Removed => format!("[-{}-]", w.text),
            WordOp::Added => format!("{{+{}+}}", w.text),
        })
        .collect()
}

#[test]
fn word_diff_joins_changes_split_by_spaces() {
    assert_eq!(
        ops(&word_diff("use FIDO2 keys now", "use passkeys now")),
        "use [-FIDO2 keys-]{+passkeys+} now"
    );
    assert_eq!(ops(&word_diff("", "new text")), "{+new text+}");
    assert_eq!(ops(&word_diff("same", "same")), "same");
    assert!(text_change(Some("x"), Some("x")).is_none());
    let c = text_change(None, Some("a b")).unwrap();
    assert_eq!((c.before, c.after.as_deref()), (None, Some("a b")));
}

#[test]
fn nothing_changed() {
    let ws = workspace(&[("mfa", true)], &[("mfa", state(ImplementationStatus::Planned, TestStatus::None))]);
    let diff = WorkspaceDiff::compute(&ws, &ws.clone());
    assert!(diff.is_empty());
    assert!(!diff.scores.overall.changed);
    assert_eq!(diff.scores.overall.delta_tenths, Some(0));
}

#[test]
fn status_change_moves_the_score() {
    let before = workspace(&[("mfa", true), ("log", false)], &[]);
    let done = state(ImplementationStatus::Implemented, TestStatus::Passed);
    let after = workspace(&[("mfa", true), ("log", false)], &[("mfa", done)]);
    let diff = WorkspaceDiff::compute(&before, &after);
    let [a] = diff.assessments.as_slice() else { panic!("{:?}", diff.assessments) };
    let [s] = a.actions.as_slice() else { panic!("{:?}", a.actions) };
    assert_eq!((s.action.as_str(), s.file), ("mfa", Status::Added));
    let imp = s.implementation.status.as_ref().unwrap();
    assert_eq!(
        (imp.before, imp.after),
        (ImplementationStatus::NotImplemented, ImplementationStatus::Implemented)
    );
    // mfa 27 + log 9 = 36 points; 0/36 -> 27/36 = 75.0%: +75.0 points.
    let o = diff.scores.overall;
    assert_eq!((o.before.unwrap().earned, o.after.unwrap().earned, o.after.unwrap().max), (0, 27, 36));
    assert_eq!(o.delta_tenths, Some(750));
}

#[test]
fn deleted_state_file_returns_to_the_defaults() {
    let done = state(ImplementationStatus::Implemented, TestStatus::Passed);
    let before = workspace(&[("mfa", true)], &[("mfa", done)]);
    let after = workspace(&[("mfa", true)], &[]);
    let diff = WorkspaceDiff::compute(&before, &after);
    let s = &diff.assessments[0].actions[0];
    assert_eq!(s.file, Status::Removed);
    assert_eq!(s.test.status.as_ref().map(|c| c.after), Some(TestStatus::None));
}

#[test]
fn mandatory_flip_changes_points() {
    let before = workspace(&[("mfa", true)], &[]);
    let after = workspace(&[("mfa", false)], &[]);
    let diff = WorkspaceDiff::compute(&before, &after);
    let c = &diff.actions[0].changes;
    assert_eq!(c.mandatory, Some(Change { before: true, after: false }));
    assert_eq!(c.points, Some(Change { before: 27, after: 9 }));
    // Nothing earned either way: 0/27 -> 0/9, both 0.0%, the points moved.
    assert_eq!(diff.scores.overall.delta_tenths, Some(0));
    assert!(diff.scores.overall.changed);
}

#[test]
fn nothing_in_scope_has_no_delta() {
    let out = state(ImplementationStatus::OutOfScope, TestStatus::None);
    let before = workspace(&[("mfa", true)], &[]);
    let after = workspace(&[("mfa", true)], &[("mfa", out)]);
    let diff = WorkspaceDiff::compute(&before, &after);
    assert_eq!(diff.scores.overall.after.map(|s| s.max), Some(0));
    assert_eq!(diff.scores.overall.delta_tenths, None);
}

#[test]
fn moved_assessment_is_a_rename() {
    let done = state(ImplementationStatus::Implemented, TestStatus::Passed);
    let before = workspace(&[("mfa", true)], &[("mfa", done)]);
    let mut after = before.clone();
    let mut entry = after.assessments.remove("a1").unwrap();
    entry.assessment.id = "a2".into();
    after.assessments.insert("a2".into(), entry);
    let diff = WorkspaceDiff::compute(&before, &after);
    let [a] = diff.assessments.as_slice() else { panic!("{:?}", diff.assessments) };
    assert_eq!(
        (a.id.as_str(), a.status, a.renamed_from.as_ref().map(|r| r.as_str())),
        ("a2", Status::Renamed, Some("a1"))
    );
    assert!(a.actions.is_empty() && a.changes.is_empty());
    let [row] = diff.scores.assessments.as_slice() else { panic!("{:?}", diff.scores.assessments) };
    assert!(!row.change.changed);
}

#[test]
fn evidence_by_name() {
    let ev = |name: &str, url: &str| Evidence {
        name: name.into(),
        path: None,
        sha256: None,
        url: Some(url.into()),
    };
    let before = [ev("a", "https://x/a"), ev("b", "https://x/b")];
    let after = [ev("b", "https://x/b2"), ev("c", "https://x/c")];
    let d = evidence_diff(&before, &after);
    let got: Vec<_> = d.iter().map(|e| (e.name.as_str(), e.status, e.fields.clone())).collect();
    assert_eq!(
        got,
        [("a", Status::Removed, vec![]), ("b", Status::Changed, vec!["url"]), ("c", Status::Added, vec![])]
    );
}

#[test]
fn template_control_added() {
    let before = workspace(&[("mfa", true)], &[]);
    let mut after = before.clone();
    let t = after.templates.get_mut("t").unwrap();
    t.version = 2;
    t.controls.push(Control {
        id: ControlId::new("c2"),
        title: "Two".into(),
        family: None,
        description: None,
        actions: vec!["mfa".into()],
        urn: None,
        groups: Vec::new(),
        related: Vec::new(),
    });
    let diff = WorkspaceDiff::compute(&before, &after);
    let t = &diff.templates[0];
    assert_eq!(t.changes.version, Some(Change { before: 1, after: 2 }));
    let [c] = t.controls.as_slice() else { panic!("{:?}", t.controls) };
    assert_eq!((c.id.as_str(), c.status, c.actions_added.len()), ("c2", Status::Added, 1));
}

#[test]
fn people_and_roles() {
    let mut before = Workspace::default();
    before.config.people = Some([("a@x".to_owned(), "A".to_owned())].into());
    let mut after = before.clone();
    after.config.people =
        Some([("a@x".to_owned(), "Ann".to_owned()), ("b@x".to_owned(), "B".to_owned())].into());
    after.config.roles.assessors = vec!["b@x".into()];
    let c = WorkspaceDiff::compute(&before, &after).config;
    let people: Vec<_> = c.people.iter().map(|p| (p.email.as_str(), p.status)).collect();
    assert_eq!(people, [("a@x", Status::Changed), ("b@x", Status::Added)]);
    assert_eq!(c.assessors_added, ["b@x"]);
}
