//! Compliance scores (docs/design/scoring.md).
//!
//! An action earns its points in an assessment when it is implemented (or
//! implemented by an alternative) and its test passed. Out of scope (either
//! status) removes it from that assessment's maximum. Across assessments each
//! action counts once: toward the maximum when in scope in at least one
//! assessment, as earned when it earns in every assessment where it is in
//! scope. Scores are exact integers; percentages are derived for display.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{
    Action, ActionId, ActionState, AssessmentId, GroupId, ImplementationStatus, ManagedBy, PointsTable,
    TemplateId, TestStatus, Workspace,
};

/// Earned points out of a maximum.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Score {
    pub earned: u64,
    pub max: u64,
}

impl Score {
    /// 100 × earned / max rounded half-up to one decimal; 100.0 when max is 0.
    pub(crate) fn percent(self) -> f64 {
        self.tenths_of_percent() as f64 / 10.0
    }

    /// The percentage in tenths, computed exactly in integers.
    pub(crate) fn tenths_of_percent(self) -> u64 {
        if self.max == 0 {
            return 1000;
        }
        (2000 * self.earned + self.max) / (2 * self.max)
    }

    /// Adds another score (earned to earned, max to max).
    pub(crate) fn plus(&mut self, other: Score) {
        self.earned += other.earned;
        self.max += other.max;
    }

    /// Takes back a score added with [`Score::plus`].
    pub(crate) fn minus(&mut self, other: Score) {
        self.earned -= other.earned;
        self.max -= other.max;
    }
}

/// What one (assessment, action) pair contributes, the one statement of the
/// scoring rule: nothing when out of scope; otherwise its points toward the
/// maximum, and as earned when it earns. The cross-assessment rule uses it
/// too, with "in scope somewhere" and "earns everywhere it is in scope".
pub(crate) fn contribution(points: u64, in_scope: bool, earns: bool) -> Score {
    if !in_scope {
        return Score::default();
    }
    Score { earned: if earns { points } else { 0 }, max: points }
}

/// Whether every value agrees: the common one, or mixed, or none at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Agreement<T> {
    None,
    All(T),
    Mixed,
}

/// "All assessments agree, or mixed": the common value of an action's pairs.
pub(crate) fn agreement<T: PartialEq>(values: impl IntoIterator<Item = T>) -> Agreement<T> {
    let mut values = values.into_iter();
    match values.next() {
        None => Agreement::None,
        Some(first) if values.all(|v| v == first) => Agreement::All(first),
        Some(_) => Agreement::Mixed,
    }
}

/// The JSON shape of a [`Score`] (its `Serialize` adds `percent`).
#[derive(schemars::JsonSchema)]
#[schemars(rename = "Score")]
#[allow(dead_code)]
struct ScoreShape {
    /// Points earned.
    earned: u64,
    /// Points available (in scope).
    max: u64,
    /// 100 × earned / max, rounded half-up to one decimal; 100.0 when max is 0.
    percent: f64,
}

impl schemars::JsonSchema for Score {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        ScoreShape::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        ScoreShape::json_schema(generator)
    }
}

impl Serialize for Score {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Score", 3)?;
        st.serialize_field("earned", &self.earned)?;
        st.serialize_field("max", &self.max)?;
        st.serialize_field("percent", &self.percent())?;
        st.end()
    }
}

/// Whether a state counts toward the maximum.
pub(crate) fn in_scope(state: &ActionState) -> bool {
    state.implementation.status != ImplementationStatus::OutOfScope
        && state.test.status != TestStatus::OutOfScope
}

/// Whether a state earns its points (given it is in scope).
pub(crate) fn earns(state: &ActionState) -> bool {
    in_scope(state) && state.implementation.status.is_implemented() && state.test.status == TestStatus::Passed
}

/// One action in one assessment: the unit every score is built from.
#[derive(Clone, Debug)]
pub(crate) struct Pair<'w> {
    pub assessment: &'w AssessmentId,
    /// The action's id (its file name).
    pub id: &'w ActionId,
    pub template: &'w TemplateId,
    pub regulation: &'w str,
    pub group: Option<&'w GroupId>,
    pub action: &'w Action,
    pub state: std::borrow::Cow<'w, ActionState>,
    pub points: u64,
    pub in_scope: bool,
    pub earns: bool,
    /// The action's definition moved past the version this assessment accepted.
    pub pending_update: bool,
    /// The test result is older than its `valid-for` (never for versions read from history).
    pub stale: bool,
    /// A `planned` implementation whose target date has passed (never for versions read from history).
    pub overdue: bool,
}

impl Pair<'_> {
    /// What this pair adds to its assessment's score.
    pub(crate) fn score(&self) -> Score {
        contribution(self.points, self.in_scope, self.earns)
    }
}

/// Every (assessment, action) pair of the workspace, each action once per
/// assessment, in assessment then template order.
pub(crate) fn pairs(ws: &Workspace) -> Vec<Pair<'_>> {
    let table = ws.config.points_table();
    let mut out = Vec::new();
    for (id, entry) in &ws.assessments {
        let Some(template) = ws.template_of(&entry.assessment) else {
            continue;
        };
        for (action_id, action) in ws.actions_of(&entry.assessment) {
            let state = ws.state(id, action_id);
            let stale =
                ws.as_of.is_some_and(|today| crate::automation::is_stale(&ws.config, action, &state, today));
            // `[freshness] stale = "no-points"`: a stale result scores as not tested.
            let no_points = stale && ws.config.freshness.stale == crate::model::StaleMode::NoPoints;
            out.push(Pair {
                assessment: id,
                id: action_id,
                template: &template.id,
                regulation: &template.regulation,
                group: entry.assessment.group.as_ref(),
                action,
                points: points(&table, action),
                in_scope: in_scope(&state),
                earns: earns(&state) && !no_points,
                stale,
                overdue: ws.as_of.is_some_and(|today| overdue_plan(&state, today)),
                pending_update: state
                    .accepted_version
                    .is_some_and(|v| ws.actions.get(action_id).is_some_and(|current| v < current.version)),
                state,
            });
        }
    }
    out
}

/// A `planned` implementation whose target date is before `today`.
pub(crate) fn overdue_plan(state: &ActionState, today: crate::model::Date) -> bool {
    state.implementation.status == ImplementationStatus::Planned
        && state.implementation.date.is_some_and(|d| d < today)
}

pub(crate) fn points(table: &PointsTable, action: &Action) -> u64 {
    table.points(action.mandatory, action.control_type)
}

/// The cross-assessment rule: each action once; in the maximum when in scope
/// somewhere; earned when it earns everywhere it is in scope. While
/// assessments are scored on different versions of an action (a pending
/// update), it counts with the highest points of those versions, whatever
/// the order of the assessments.
pub(crate) fn aggregate<'a, 'w: 'a>(pairs: impl IntoIterator<Item = &'a Pair<'w>>) -> Score {
    let mut by_action: BTreeMap<&str, (u64, bool, bool)> = BTreeMap::new();
    for p in pairs {
        let e = by_action.entry(p.id.as_str()).or_insert((p.points, false, true));
        e.0 = e.0.max(p.points);
        if p.in_scope {
            e.1 = true;
            e.2 &= p.earns;
        }
    }
    let mut score = Score::default();
    for (points, any_in_scope, all_earn) in by_action.values() {
        score.plus(contribution(*points, *any_in_scope, *all_earn));
    }
    score
}

/// Within one assessment each action appears once, so a plain sum is right.
fn sum<'a, 'w: 'a>(pairs: impl IntoIterator<Item = &'a Pair<'w>>) -> Score {
    let mut score = Score::default();
    for p in pairs {
        score.plus(p.score());
    }
    score
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ControlScore {
    pub id: String,
    pub title: String,
    #[serde(flatten)]
    pub score: Score,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct AssessmentScore {
    pub id: String,
    pub name: String,
    pub template: String,
    pub regulation: String,
    pub group: Option<String>,
    #[serde(flatten)]
    pub score: Score,
    pub controls: Vec<ControlScore>,
    /// Actions whose test result is stale.
    pub stale: usize,
}

/// A row of a breakdown (by category, group, regulation, solution or owner).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct BreakdownRow {
    /// `null` for actions without a solution / owner.
    pub id: Option<String>,
    pub label: String,
    #[serde(flatten)]
    pub score: Score,
}

/// Every score of a workspace.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Scores {
    pub overall: Score,
    pub assessments: Vec<AssessmentScore>,
    pub categories: Vec<BreakdownRow>,
    pub groups: Vec<BreakdownRow>,
    pub regulations: Vec<BreakdownRow>,
    pub solutions: Vec<BreakdownRow>,
    pub owners: Vec<BreakdownRow>,
    /// Customer-managed and provider-managed actions, both always present (in that order).
    pub managed: Vec<BreakdownRow>,
}

/// Computes every score from the pairs.
pub fn compute(ws: &Workspace) -> Scores {
    let pairs = pairs(ws);
    let overall = aggregate(&pairs);

    let mut assessments = Vec::new();
    for (id, entry) in &ws.assessments {
        let Some(template) = ws.template_of(&entry.assessment) else {
            continue;
        };
        let mine: BTreeMap<&ActionId, &Pair> =
            pairs.iter().filter(|p| p.assessment == id).map(|p| (p.id, p)).collect();
        let controls = template
            .controls
            .iter()
            .map(|c| {
                let mut seen = std::collections::HashSet::new();
                let score = sum(c
                    .actions
                    .iter()
                    .filter(|a| seen.insert(a.as_str()))
                    .filter_map(|a| mine.get(a).copied()));
                ControlScore { id: c.id.to_string(), title: c.title.clone(), score }
            })
            .collect();
        assessments.push(AssessmentScore {
            id: id.to_string(),
            name: entry.assessment.name.clone(),
            template: template.id.to_string(),
            regulation: template.regulation.clone(),
            group: entry.assessment.group.as_ref().map(ToString::to_string),
            score: sum(mine.values().copied()),
            controls,
            stale: mine.values().filter(|p| p.stale).count(),
        });
    }

    let categories = breakdown(&pairs, |p| {
        Some((p.action.category.as_str().to_owned(), p.action.category.label().to_owned()))
    });
    let groups = breakdown(&pairs, |p| p.group.map(|g| (g.to_string(), g.to_string())));
    let regulations = breakdown(&pairs, |p| Some((p.regulation.to_owned(), p.regulation.to_owned())));
    let solutions = breakdown_optional(&pairs, |p| p.action.solution.clone(), |s| s.clone(), "(no solution)");
    let owners = breakdown_optional(
        &pairs,
        |p| p.state.owner.clone(),
        |o| ws.config.person_name(o).map(|n| format!("{n} <{o}>")).unwrap_or_else(|| o.clone()),
        "(unassigned)",
    );
    let managed = managed_split(&pairs);
    Scores { overall, assessments, categories, groups, regulations, solutions, owners, managed }
}

/// The customer / provider split of the overall score: one row for each, even when empty.
pub(crate) fn managed_split(pairs: &[Pair<'_>]) -> Vec<BreakdownRow> {
    ManagedBy::ALL
        .iter()
        .map(|m| BreakdownRow {
            id: Some(m.as_str().to_owned()),
            label: m.label().to_owned(),
            score: aggregate(pairs.iter().filter(|p| p.action.managed_by == *m)),
        })
        .collect()
}

/// Groups pairs by a key (pairs without one are left out) and aggregates each group.
fn breakdown<'w>(
    pairs: &[Pair<'w>],
    key: impl Fn(&Pair<'w>) -> Option<(String, String)>,
) -> Vec<BreakdownRow> {
    let mut groups: BTreeMap<String, (String, Vec<&Pair>)> = BTreeMap::new();
    for p in pairs {
        if let Some((id, label)) = key(p) {
            groups.entry(id).or_insert_with(|| (label, Vec::new())).1.push(p);
        }
    }
    groups
        .into_iter()
        .map(|(id, (label, ps))| BreakdownRow { id: Some(id), label, score: aggregate(ps) })
        .collect()
}

/// Like [`breakdown`], but pairs without a key form a row with a `null` id, listed first.
fn breakdown_optional<'w>(
    pairs: &[Pair<'w>],
    key: impl Fn(&Pair<'w>) -> Option<String>,
    label: impl Fn(&String) -> String,
    none_label: &str,
) -> Vec<BreakdownRow> {
    let mut groups: BTreeMap<Option<String>, Vec<&Pair>> = BTreeMap::new();
    for p in pairs {
        groups.entry(key(p)).or_default().push(p);
    }
    groups
        .into_iter()
        .map(|(id, ps)| BreakdownRow {
            label: id.as_ref().map(&label).unwrap_or_else(|| none_label.to_owned()),
            id,
            score: aggregate(ps),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_half_up_exactly() {
        assert_eq!(Score { earned: 0, max: 0 }.percent(), 100.0);
        assert_eq!(Score { earned: 120, max: 300 }.percent(), 40.0);
        // 1/3 = 33.333… -> 33.3; 2/3 = 66.666… -> 66.7
        assert_eq!(Score { earned: 1, max: 3 }.percent(), 33.3);
        assert_eq!(Score { earned: 2, max: 3 }.percent(), 66.7);
        // 1/16 = 6.25 -> 6.3 (half up); 27/57 = 47.368… -> 47.4
        assert_eq!(Score { earned: 1, max: 16 }.percent(), 6.3);
        assert_eq!(Score { earned: 27, max: 57 }.percent(), 47.4);
        assert_eq!(Score { earned: 1, max: 2000 }.percent(), 0.1);
        assert_eq!(Score { earned: 1, max: 2001 }.percent(), 0.0);
    }
}
