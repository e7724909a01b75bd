//! Filters over actions and (assessment, action) pairs, as in the seeds'
//! improvement-action list: regulation, solution, group, test status,
//! category, owner, action type, assessment and implementation status.
//!
//! Action filters (category, action type, solution) select actions; the
//! others select pairs. An action is kept when at least one of its pairs is,
//! and its points are computed over the kept pairs only.

use std::collections::BTreeSet;

use crate::diag::did_you_mean;
use crate::error::{Error, Result};
use crate::model::{Action, ActionType, Category, ImplementationStatus, TestStatus, Workspace};
use crate::score::{Pair, Score, aggregate};

/// Selection of actions; empty lists select everything.
#[derive(Clone, Debug, Default)]
pub(crate) struct ActionFilter {
    pub regulations: Vec<String>,
    pub solutions: Vec<String>,
    pub groups: Vec<String>,
    pub test_statuses: Vec<TestStatus>,
    pub categories: Vec<Category>,
    /// E-mail addresses; `none` selects actions without an owner.
    pub owners: Vec<String>,
    pub action_types: Vec<ActionType>,
    pub assessments: Vec<String>,
    pub statuses: Vec<ImplementationStatus>,
    /// Only test results that are stale.
    pub stale: bool,
}

fn any_or<T>(list: &[T], pred: impl Fn(&T) -> bool) -> bool {
    list.is_empty() || list.iter().any(pred)
}

impl ActionFilter {
    pub(crate) fn keeps_action(&self, a: &Action) -> bool {
        any_or(&self.categories, |c| *c == a.category)
            && any_or(&self.action_types, |t| *t == a.action_type)
            && any_or(&self.solutions, |s| a.solution.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(s)))
    }

    pub(crate) fn keeps_pair(&self, p: &Pair<'_>) -> bool {
        self.keeps_action(p.action)
            && any_or(&self.regulations, |r| {
                p.regulation.eq_ignore_ascii_case(r) || p.template.as_str().eq_ignore_ascii_case(r)
            })
            && any_or(&self.groups, |g| p.group.is_some_and(|x| x.as_str() == g))
            && any_or(&self.assessments, |a| p.assessment.as_str() == a)
            && any_or(&self.statuses, |s| *s == p.state.implementation.status)
            && any_or(&self.test_statuses, |s| *s == p.state.test.status)
            && (!self.stale || p.stale)
            && any_or(&self.owners, |o| match &p.state.owner {
                Some(owner) => owner.eq_ignore_ascii_case(o),
                None => o.eq_ignore_ascii_case("none"),
            })
    }

    /// Rejects values that match nothing in the repository, suggesting the closest.
    pub(crate) fn check_values(&self, ws: &Workspace) -> Result<()> {
        let regulations: BTreeSet<String> =
            ws.templates.values().flat_map(|t| [t.regulation.to_lowercase(), t.id.to_string()]).collect();
        let solutions: BTreeSet<String> =
            ws.actions.values().filter_map(|a| a.solution.as_ref().map(|s| s.to_lowercase())).collect();
        let groups: BTreeSet<String> = ws
            .assessments
            .values()
            .filter_map(|e| e.assessment.group.as_ref().map(|g| g.to_string()))
            .collect();
        let assessments: BTreeSet<String> = ws.assessments.keys().map(|k| k.to_string()).collect();
        let mut owners: BTreeSet<String> = ws
            .assessments
            .values()
            .flat_map(|e| e.states.values().filter_map(|s| s.owner.as_ref().map(|o| o.to_lowercase())))
            .collect();
        if let Some(people) = &ws.config.people {
            owners.extend(people.keys().map(|k| k.to_lowercase()));
        }
        owners.insert("none".into());
        check("regulation", &self.regulations, &regulations, true)?;
        check("solution", &self.solutions, &solutions, true)?;
        check("group", &self.groups, &groups, false)?;
        check("assessment", &self.assessments, &assessments, false)?;
        check("owner", &self.owners, &owners, true)?;
        Ok(())
    }
}

fn check(what: &str, values: &[String], known: &BTreeSet<String>, fold_case: bool) -> Result<()> {
    for v in values {
        let key = if fold_case { v.to_lowercase() } else { v.clone() };
        if !known.contains(&key) {
            let mut e = Error::new(format!("no {what} `{v}` in this repository"));
            if let Some(hint) = did_you_mean(&key, known.iter().map(String::as_str)) {
                e = e.hint(hint);
            } else if !known.is_empty() {
                let list: Vec<&str> = known.iter().map(String::as_str).take(12).collect();
                e = e.hint(format!("known {what}s: {}", list.join(", ")));
            }
            return Err(e);
        }
    }
    Ok(())
}

/// One action with the pairs the filter kept.
#[derive(Debug)]
pub(crate) struct ActionRow<'p, 'w> {
    pub action: &'w Action,
    pub points: u64,
    pub score: Score,
    pub pairs: Vec<&'p Pair<'w>>,
}

impl ActionRow<'_, '_> {
    pub(crate) fn regulations(&self) -> BTreeSet<&str> {
        self.pairs.iter().map(|p| p.regulation).collect()
    }

    pub(crate) fn groups(&self) -> BTreeSet<&str> {
        self.pairs.iter().filter_map(|p| p.group.map(|g| g.as_str())).collect()
    }

    /// Points still to gain.
    pub(crate) fn remaining(&self) -> u64 {
        self.score.max - self.score.earned
    }
}

/// Groups the kept pairs by action, in action-id order.
pub(crate) fn action_rows<'p, 'w>(pairs: &'p [Pair<'w>], filter: &ActionFilter) -> Vec<ActionRow<'p, 'w>> {
    let mut rows: std::collections::BTreeMap<&str, ActionRow<'p, 'w>> = std::collections::BTreeMap::new();
    for p in pairs.iter().filter(|p| filter.keeps_pair(p)) {
        rows.entry(p.id.as_str())
            .or_insert_with(|| ActionRow {
                action: p.action,
                points: p.points,
                score: Score::default(),
                pairs: Vec::new(),
            })
            .pairs
            .push(p);
    }
    let mut rows: Vec<ActionRow> = rows.into_values().collect();
    for row in &mut rows {
        row.score = aggregate(row.pairs.iter().copied());
    }
    rows
}
