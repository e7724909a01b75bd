//! The score tables by group, category, regulation, solution and owner, and "what to do next".

use super::filters::filter_href;
use super::*;
use crate::filter::ActionRow;
use crate::score::{BreakdownRow, Score, Scores};

pub(super) fn breakdowns(scores: &Scores, look: &Lookup<'_>) -> Vec<Breakdown> {
    // (title, column, rows, filter key); rows without an id filter as `none`
    // for owners and not at all for solutions.
    let tables: [(&str, &str, &[BreakdownRow], &str); 5] = [
        ("By group", "Group", &scores.groups, "group"),
        ("By category", "Category", &scores.categories, "category"),
        ("By regulation", "Regulation", &scores.regulations, "regulation"),
        ("By solution", "Solution", &scores.solutions, "solution"),
        ("By owner", "Owner", &scores.owners, "owner"),
    ];
    tables
        .into_iter()
        .filter(|(_, _, rows, _)| !rows.is_empty())
        .map(|(title, column, rows, key)| Breakdown {
            title: title.into(),
            column: column.into(),
            rows: rows
                .iter()
                .map(|r| BreakdownView {
                    // Owners by name, as everywhere else in the report.
                    label: match (&r.id, key) {
                        (Some(email), "owner") => look.person(email).label,
                        _ => r.label.clone(),
                    },
                    score: score_view(r.score),
                    href: match (&r.id, key) {
                        (Some(id), "group" | "category") => Some(filter_href(key, id)),
                        (Some(id), _) => Some(filter_href(key, &id.to_lowercase())),
                        (None, "owner") => Some(filter_href(key, "none")),
                        (None, _) => None,
                    },
                })
                .collect(),
        })
        .collect()
}

/// The actions with the most points still to gain.
pub(super) fn next(rows: &[ActionRow<'_, '_>], views: &[ActionView], overall: Score) -> NextView {
    // `views` are built from `rows`, in the same order.
    let mut todo: Vec<(&ActionRow, &ActionView)> =
        rows.iter().zip(views).filter(|(r, _)| r.remaining() > 0).collect();
    todo.sort_by(|(a, va), (b, vb)| b.remaining().cmp(&a.remaining()).then(va.id.cmp(&vb.id)));
    todo.truncate(NEXT_COUNT);
    let gain: u64 = todo.iter().map(|(r, _)| r.remaining()).sum();
    let actions = todo
        .iter()
        .map(|(r, view)| NextAction {
            missing_in: r
                .pairs
                .iter()
                .filter(|p| p.in_scope && !p.earns)
                .map(|p| p.assessment.to_string())
                .collect(),
            id: view.id.clone(),
            title: view.title.clone(),
            href: view.href.clone(),
            remaining: r.remaining(),
            owners: view.owners.clone(),
            implementation: view.implementation.clone(),
            test: view.test.clone(),
        })
        .collect();
    NextView { actions, gain, after: score_view(Score { earned: overall.earned + gain, max: overall.max }) }
}
