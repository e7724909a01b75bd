//! The score tables by group, category, regulation, solution and owner, and "what to do next".

use super::filters::filter_href;
use super::*;
use crate::filter::ActionRow;
use crate::score::{BreakdownRow, Score, Scores};

/// A dimension the overall score is broken down by.
#[derive(Clone, Copy, PartialEq, Eq)]
enum By {
    Group,
    Category,
    Regulation,
    Solution,
    Owner,
}

impl By {
    const ALL: [By; 5] = [By::Group, By::Category, By::Regulation, By::Solution, By::Owner];

    /// The table's title and its first column's header.
    fn title(self) -> (&'static str, &'static str) {
        match self {
            By::Group => ("By group", "Group"),
            By::Category => ("By category", "Category"),
            By::Regulation => ("By regulation", "Regulation"),
            By::Solution => ("By solution", "Solution"),
            By::Owner => ("By owner", "Owner"),
        }
    }

    /// The filter key of the actions page.
    fn key(self) -> &'static str {
        match self {
            By::Group => "group",
            By::Category => "category",
            By::Regulation => "regulation",
            By::Solution => "solution",
            By::Owner => "owner",
        }
    }

    fn rows(self, scores: &Scores) -> &[BreakdownRow] {
        match self {
            By::Group => &scores.groups,
            By::Category => &scores.categories,
            By::Regulation => &scores.regulations,
            By::Solution => &scores.solutions,
            By::Owner => &scores.owners,
        }
    }

    /// The link to the actions of a row; rows without an id filter as `none`
    /// for owners and not at all for the others.
    fn href(self, id: Option<&str>) -> Option<String> {
        match (id, self) {
            (Some(id), By::Group | By::Category) => Some(filter_href(self.key(), id)),
            (Some(id), _) => Some(filter_href(self.key(), &id.to_lowercase())),
            (None, By::Owner) => Some(filter_href(self.key(), "none")),
            (None, _) => None,
        }
    }
}

pub(super) fn breakdowns(scores: &Scores, look: &Lookup<'_>) -> Vec<Breakdown> {
    By::ALL
        .into_iter()
        .filter(|by| !by.rows(scores).is_empty())
        .map(|by| Breakdown {
            title: by.title().0.into(),
            column: by.title().1.into(),
            rows: by
                .rows(scores)
                .iter()
                .map(|r| BreakdownView {
                    // Owners by name, as everywhere else in the report.
                    label: match (&r.id, by) {
                        (Some(email), By::Owner) => look.person(email).label,
                        _ => r.label.clone(),
                    },
                    score: score_view(r.score),
                    href: by.href(r.id.as_deref()),
                })
                .collect(),
        })
        .collect()
}

/// Customer-managed plans past their target date, oldest first.
fn overdue(rows: &[ActionRow<'_, '_>], views: &[ActionView], look: &Lookup<'_>) -> Vec<OverduePlan> {
    let mut out: Vec<OverduePlan> = rows
        .iter()
        .zip(views)
        .filter(|(r, _)| r.action.managed_by.is_customer())
        .flat_map(|(r, view)| {
            r.pairs.iter().filter(|p| p.overdue).map(move |p| OverduePlan {
                id: view.id.clone(),
                title: view.title.clone(),
                href: view.href.clone(),
                assessment: p.assessment.to_string(),
                date: p.state.implementation.date.map(|d| d.to_string()).unwrap_or_default(),
                owner: p.state.owner.as_deref().map(|o| look.person(o)),
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.date, &a.id, &a.assessment).cmp(&(&b.date, &b.id, &b.assessment)));
    out
}

/// The actions with the most points still to gain.
pub(super) fn next(
    ws: &Workspace,
    rows: &[ActionRow<'_, '_>],
    views: &[ActionView],
    overall: Score,
    look: &Lookup<'_>,
) -> NextView {
    // `views` are built from `rows`, in the same order. Provider-managed
    // actions are the provider's to do, not the reader's.
    let mut todo: Vec<(&ActionRow, &ActionView)> = rows
        .iter()
        .zip(views)
        .filter(|(r, _)| r.remaining() > 0 && r.action.managed_by.is_customer())
        .collect();
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
    let mut retests: Vec<Retest> = rows
        .iter()
        .zip(views)
        .flat_map(|(r, view)| {
            r.pairs.iter().filter(|p| p.stale).map(move |p| Retest {
                id: view.id.clone(),
                title: view.title.clone(),
                href: view.href.clone(),
                assessment: p.assessment.to_string(),
                test: p.state.test.status.label().to_owned(),
                date: p.state.test.date.map(|d| d.to_string()),
                age: super::age::age(ws, p),
            })
        })
        .collect();
    retests.sort_by(|a, b| (&a.date, &a.id, &a.assessment).cmp(&(&b.date, &b.id, &b.assessment)));
    NextView {
        overdue: overdue(rows, views, look),
        actions,
        gain,
        after: score_view(Score { earned: overall.earned + gain, max: overall.max }),
        retests,
    }
}
