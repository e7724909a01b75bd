//! Status rules (docs/design/rules.md): what a state file may say, given the
//! action it belongs to and today's date.

use crate::diag::{Code, Diagnostic, Report};
use crate::edit::assessment_flag;
use crate::load::span_of;
use crate::model::{
    Action, ActionState, Date, ImplementationStatus as Impl, TestStatus as TS, Testing, Workspace,
};
use crate::repo::layout::state_path;

pub(crate) fn check(ws: &Workspace, report: &mut Report, today: Date) {
    let mut out = Vec::new();
    for (assessment, entry) in &ws.assessments {
        for (action_id, state) in &entry.states {
            let Some(action) = ws.actions.get(action_id) else {
                continue;
            };
            let file = state_path(assessment.as_str(), action_id.as_str());
            let at =
                |pointer: &str| report.sources.get(&file).and_then(|t| span_of(t, pointer)).unwrap_or(0..0);
            let flag = assessment_flag(ws, action_id, assessment);
            for Broken { pointer, diagnostic } in problems(action, state, today, &flag) {
                out.push(diagnostic.at(&file, at(pointer)));
            }
        }
    }
    report.diagnostics.extend(out);
}

/// One broken rule: its diagnostic, not yet placed in a file, and the key
/// of the state file it is about (a JSON pointer), where the caller places
/// it once it knows the file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Broken {
    pub pointer: &'static str,
    pub diagnostic: Diagnostic,
}

fn problem(code: Code, pointer: &'static str, message: impl Into<String>, hint: Option<String>) -> Broken {
    Broken { pointer, diagnostic: Diagnostic::new(code, message).maybe_hint(hint) }
}

fn needs_date_impl(s: Impl) -> bool {
    matches!(s, Impl::Implemented | Impl::Alternative | Impl::OutOfScope)
}

fn needs_date_test(s: TS) -> bool {
    s.is_verdict() || s == TS::PartiallyTested
}

/// Every status rule the state breaks. Used by `check` and by the editing
/// commands before they write. `flag` is what the commands a hint suggests
/// need to name the state's assessment (see [`assessment_flag`]).
pub(crate) fn problems(action: &Action, state: &ActionState, today: Date, flag: &str) -> Vec<Broken> {
    let mut out = Vec::new();
    let imp = &state.implementation;
    let test = &state.test;
    if test.status == TS::Passed && !imp.status.is_implemented() {
        out.push(problem(
            Code::PassedNeedsImplementation,
            "/test/status",
            format!("the test passed but the implementation is `{}`", imp.status),
            Some(
                "set the implementation to `implemented` or `alternative`, or change the test status".into(),
            ),
        ));
    }
    if test.status == TS::Passed && state.evidence.is_empty() {
        out.push(problem(
            Code::PassedNeedsEvidence,
            "/test/status",
            "the test passed without evidence",
            Some(format!(
                "add evidence first: `evident evidence add {}{flag} <file>` (or `--url <url> --name <name>`)",
                action.id
            )),
        ));
    }
    if matches!(imp.status, Impl::Alternative | Impl::OutOfScope) && blank(&imp.notes) {
        out.push(problem(
            Code::JustificationRequired,
            "/implementation/status",
            format!("implementation `{}` needs notes that justify it", imp.status),
            Some("add `notes = \"…\"` to `[implementation]`".into()),
        ));
    }
    if test.status == TS::OutOfScope && blank(&test.notes) {
        out.push(problem(
            Code::JustificationRequired,
            "/test/status",
            "test `out-of-scope` needs notes that justify it",
            Some("add `notes = \"…\"` to `[test]`".into()),
        ));
    }
    if needs_date_impl(imp.status) && imp.date.is_none() {
        out.push(problem(
            Code::DateRequired,
            "/implementation/status",
            format!("implementation `{}` needs a date", imp.status),
            Some(format!("add `date = {today}` (or the day it happened) to `[implementation]`")),
        ));
    }
    if needs_date_test(test.status) && test.date.is_none() {
        out.push(problem(
            Code::DateRequired,
            "/test/status",
            format!("test `{}` needs a date", test.status),
            Some(format!("add `date = {today}` (or the day of the test) to `[test]`")),
        ));
    }
    // A planned implementation's date is its target: a test may come before it.
    if let (Some(i), Some(t)) = (imp.date, test.date)
        && t < i
        && imp.status != Impl::Planned
    {
        out.push(problem(
            Code::TestBeforeImplementation,
            "/test/date",
            format!("the test date {t} is before the implementation date {i}"),
            None,
        ));
    }
    // The date of a `planned` implementation is its target date, normally in the future.
    let imp_date = if imp.status == Impl::Planned { None } else { imp.date };
    for (date, pointer) in [(imp_date, "/implementation/date"), (test.date, "/test/date")] {
        if let Some(d) = date
            && d > today
        {
            out.push(problem(
                Code::FutureDate,
                pointer,
                format!("{d} is in the future (today is {today})"),
                (pointer == "/implementation/date").then(|| {
                    "only a `planned` implementation may carry a future date (its target date)".to_owned()
                }),
            ));
        }
    }
    if test.status.is_automatic_only() && state.testing.unwrap_or(action.testing) == Testing::Manual {
        out.push(problem(
            Code::AutomaticOnlyStatus,
            "/test/status",
            format!(
                "`{}` is only for automatically tested actions; `{}` is tested manually",
                test.status, action.id
            ),
            Some("use `to-be-determined` or `could-not-be-determined` for manual tests".into()),
        ));
    }
    out
}

fn blank(notes: &Option<String>) -> bool {
    notes.as_deref().is_none_or(|n| n.trim().is_empty())
}
