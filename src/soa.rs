//! The Statement of Applicability of an assessment (what an ISO 27001
//! auditor asks for first): every control of its template, whether it
//! applies, why not, and how far its actions are.
//!
//! A control is not applicable when it has actions and every one of them is
//! out of scope in the assessment (implementation or test `out-of-scope`);
//! the justification is the notes of the out-of-scope statuses. The
//! implementation and test of a control are summarised over its in-scope
//! actions: "2 of 3 implemented" counts `implemented` and `alternative`,
//! "1 of 3 passed" counts `passed`. `evident export soa` and the report's
//! page render it; neither recomputes anything.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{AssessmentId, Control, Evidence, ImplementationStatus, Template, TestStatus, Workspace};
use crate::score::{Pair, Score};

/// The statement for one assessment.
#[derive(Debug)]
pub(crate) struct Soa<'w> {
    pub assessment: &'w AssessmentId,
    pub name: &'w str,
    pub template: &'w Template,
    pub template_version: u32,
    /// Every control of the template, in the template's order.
    pub controls: Vec<SoaControl<'w>>,
}

/// One control: its actions' states in the assessment.
#[derive(Debug)]
pub(crate) struct SoaControl<'w> {
    pub control: &'w Control,
    /// The control's actions in the assessment, each once, in the template's order.
    pub actions: Vec<Pair<'w>>,
}

/// Why an action is out of scope: the notes of its out-of-scope statuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Exclusion<'w> {
    pub action: &'w str,
    /// The notes, or `None` when the state gives no reason.
    pub notes: Option<String>,
}

/// Counts over a control's in-scope actions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    pub in_scope: usize,
    /// `implemented` or `alternative`.
    pub implemented: usize,
    pub planned: usize,
    pub passed: usize,
    /// `failed-low`, `failed-medium` or `failed-high`.
    pub failed: usize,
}

/// The statement of `assessment`, or `None` when it or its template is unknown.
pub fn build<'w>(ws: &'w Workspace, pairs: &[Pair<'w>], assessment: &str) -> Option<Soa<'w>> {
    let (id, entry) = ws.assessments.get_key_value(assessment)?;
    let template = ws.template_of(&entry.assessment)?;
    let mine: BTreeMap<&str, &Pair<'w>> =
        pairs.iter().filter(|p| p.assessment == id).map(|p| (p.id.as_str(), p)).collect();
    let controls = template
        .controls
        .iter()
        .map(|control| {
            let mut seen = BTreeSet::new();
            let actions = control
                .actions
                .iter()
                .filter(|a| seen.insert(a.as_str()))
                .filter_map(|a| mine.get(a.as_str()).map(|p| (*p).clone()))
                .collect();
            SoaControl { control, actions }
        })
        .collect();
    Some(Soa {
        assessment: id,
        name: &entry.assessment.name,
        template,
        template_version: entry.assessment.template_version,
        controls,
    })
}

impl Soa<'_> {
    /// How many controls apply.
    pub(crate) fn applicable(&self) -> usize {
        self.controls.iter().filter(|c| c.applicable()).count()
    }
}

impl<'w> SoaControl<'w> {
    /// Not applicable when it has actions and all of them are out of scope.
    pub(crate) fn applicable(&self) -> bool {
        self.actions.is_empty() || self.actions.iter().any(|p| p.in_scope)
    }

    /// The out-of-scope actions and their reasons (for an applicable control,
    /// the actions left out of it).
    pub(crate) fn exclusions(&self) -> Vec<Exclusion<'w>> {
        self.actions
            .iter()
            .filter(|p| !p.in_scope)
            .map(|p| Exclusion { action: p.id.as_str(), notes: reason(p) })
            .collect()
    }

    /// The justification as one text: the reason alone when the control has
    /// one action, else `action: reason` per out-of-scope action, one a line.
    pub(crate) fn justification(&self) -> String {
        let exclusions = self.exclusions();
        let single = self.actions.len() == 1;
        exclusions
            .iter()
            .map(|e| {
                let notes = e.notes.as_deref().unwrap_or("(no reason given)");
                if single { notes.to_owned() } else { format!("{}: {notes}", e.action) }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub(crate) fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for p in self.actions.iter().filter(|p| p.in_scope) {
            let s = &p.state;
            t.in_scope += 1;
            t.implemented += usize::from(s.implementation.status.is_implemented());
            t.planned += usize::from(s.implementation.status == ImplementationStatus::Planned);
            t.passed += usize::from(s.test.status == TestStatus::Passed);
            t.failed += usize::from(s.test.status.is_failed());
        }
        t
    }

    /// "2 of 3 implemented, 1 planned"; "not applicable"; "no actions".
    pub(crate) fn implementation_summary(&self) -> String {
        let t = self.tally();
        match self.empty_summary() {
            Some(s) => s.to_owned(),
            None if t.planned > 0 => {
                format!("{} of {} implemented, {} planned", t.implemented, t.in_scope, t.planned)
            }
            None => format!("{} of {} implemented", t.implemented, t.in_scope),
        }
    }

    /// "1 of 3 passed, 1 failed"; "not applicable"; "no actions".
    pub(crate) fn test_summary(&self) -> String {
        let t = self.tally();
        match self.empty_summary() {
            Some(s) => s.to_owned(),
            None if t.failed > 0 => format!("{} of {} passed, {} failed", t.passed, t.in_scope, t.failed),
            None => format!("{} of {} passed", t.passed, t.in_scope),
        }
    }

    fn empty_summary(&self) -> Option<&'static str> {
        if self.actions.is_empty() {
            Some("no actions")
        } else if !self.applicable() {
            Some("not applicable")
        } else {
            None
        }
    }

    /// The owners of its actions, each once, sorted.
    pub(crate) fn owners(&self) -> Vec<&str> {
        let set: BTreeSet<&str> = self.actions.iter().filter_map(|p| p.state.owner.as_deref()).collect();
        set.into_iter().collect()
    }

    /// The evidence of its actions, each item once (by name, path and
    /// link), in the order of the actions.
    pub(crate) fn evidence(&self) -> Vec<&Evidence> {
        let mut seen = BTreeSet::new();
        self.actions
            .iter()
            .flat_map(|p| p.state.evidence.iter())
            .filter(|e| seen.insert((e.name.as_str(), e.path.as_deref(), e.url.as_deref())))
            .collect()
    }

    /// Points over its actions (each once).
    pub(crate) fn score(&self) -> Score {
        let mut score = Score::default();
        for p in &self.actions {
            score.plus(p.score());
        }
        score
    }
}

/// The notes of the out-of-scope statuses of an action's state.
fn reason(p: &Pair<'_>) -> Option<String> {
    let s = &p.state;
    let mut notes = Vec::new();
    if s.implementation.status == ImplementationStatus::OutOfScope
        && let Some(n) = s.implementation.notes.as_deref().map(str::trim).filter(|n| !n.is_empty())
    {
        notes.push(n);
    }
    if s.test.status == TestStatus::OutOfScope
        && let Some(n) = s.test.notes.as_deref().map(str::trim).filter(|n| !n.is_empty())
        && !notes.contains(&n)
    {
        notes.push(n);
    }
    (!notes.is_empty()).then(|| notes.join(" "))
}

/// One line for an action of a control: `mfa: implemented, passed`, or
/// `mfa: out of scope`.
pub(crate) fn action_line(p: &Pair<'_>) -> String {
    if p.in_scope {
        format!("{}: {}, {}", p.id, p.state.implementation.status.as_str(), p.state.test.status.as_str())
    } else {
        format!("{}: out of scope", p.id)
    }
}
