//! Alerts: which `[[alerts]]` policies of `evident.toml` a range of commits
//! fires. Status alerts look at every state change in the range's commits;
//! score alerts compare the scores at the two ends of the range.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::Serialize;

use crate::checks::history::dropped;
use crate::history::events::{CommitChanges, StateChange};
use crate::history::git::short_id;
use crate::model::{ActionId, ActionState, AlertPolicy, AlertTrigger, Workspace};
use crate::score::{Score, Scores};

/// One policy and what fired it in the range.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub(crate) struct Fired {
    pub id: String,
    pub on: AlertTrigger,
    /// What the policy watches, in words ("test status changes to failed-high").
    pub watches: String,
    pub notify: Vec<String>,
    /// The `[[channels]]` that `evident alerts --send` delivers it to.
    pub channels: Vec<String>,
    pub events: Vec<Event>,
}

/// Something that fired an alert.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub(crate) enum Event {
    /// A commit changed an action's implementation or test status.
    Status {
        commit: String,
        date: String,
        author: String,
        author_email: String,
        assessment: String,
        action: String,
        title: Option<String>,
        owner: Option<String>,
        before: String,
        after: String,
    },
    /// A commit changed an action's owner (`after` is the new owner; none when unassigned).
    Owner {
        commit: String,
        date: String,
        author: String,
        author_email: String,
        assessment: String,
        action: String,
        title: Option<String>,
        before: Option<String>,
        after: Option<String>,
    },
    /// A test result is stale at the end of the range (older than its valid-for).
    Stale {
        assessment: String,
        action: String,
        title: Option<String>,
        owner: Option<String>,
        test: String,
        test_date: Option<String>,
        valid_for: String,
    },
    /// A score moved between the two ends of the range.
    Score { scope: Scope, id: Option<String>, label: String, before: Score, after: Score },
}

/// Which score a score event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Scope {
    Overall,
    Assessment,
    Category,
    Owner,
}

impl Scope {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Scope::Overall => "overall",
            Scope::Assessment => "assessment",
            Scope::Category => "category",
            Scope::Owner => "owner",
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The two ends of the range and the commits between them.
pub(crate) struct Range<'a> {
    pub commits: &'a [CommitChanges],
    pub before: &'a Workspace,
    pub after: &'a Workspace,
    pub scores_before: &'a Scores,
    pub scores_after: &'a Scores,
}

/// Every policy that fired, in the order of `evident.toml`, with its events.
pub(crate) fn evaluate(policies: &[AlertPolicy], range: &Range<'_>) -> Vec<Fired> {
    policies
        .iter()
        .filter_map(|policy| {
            let events = match policy.on {
                AlertTrigger::Stale => stale_events(policy, range),
                on if on.is_score() => score_events(policy, range),
                _ => status_events(policy, range),
            };
            (!events.is_empty()).then(|| Fired {
                id: policy.id.clone(),
                on: policy.on,
                watches: describe(policy),
                notify: policy.notify.clone(),
                channels: policy.channels.clone(),
                events,
            })
        })
        .collect()
}

/// A policy in words, for people reading the alert.
pub(crate) fn describe(policy: &AlertPolicy) -> String {
    let mut text = match policy.on {
        AlertTrigger::ImplementationStatus => "implementation status changes".to_owned(),
        AlertTrigger::TestStatus => "test status changes".to_owned(),
        AlertTrigger::ScoreIncrease => "score increases".to_owned(),
        AlertTrigger::ScoreDecrease => "score decreases".to_owned(),
        AlertTrigger::Stale => "test results stale".to_owned(),
        AlertTrigger::OwnerChange => "owner changes".to_owned(),
    };
    if !policy.to.is_empty() {
        text.push_str(&format!(" to {}", policy.to.join(", ")));
    }
    if policy.on.is_score() {
        text.push_str(&match policy.threshold.unwrap_or(0.0) {
            t if t > 0.0 => format!(" of more than {t} percentage points"),
            _ => String::new(),
        });
    }
    let mut filters = Vec::new();
    for (what, values) in [
        ("assessments", policy.assessments.clone()),
        ("categories", policy.categories.iter().map(|c| c.as_str().to_owned()).collect()),
        ("owners", policy.owners.clone()),
        ("actions", policy.actions.clone()),
    ] {
        if !values.is_empty() {
            filters.push(format!("{what} {}", values.join(", ")));
        }
    }
    if !filters.is_empty() {
        text.push_str(&format!(" ({})", filters.join("; ")));
    }
    text
}

/// Test results that are stale at the end of the range, as of today.
fn stale_events(policy: &AlertPolicy, range: &Range<'_>) -> Vec<Event> {
    let ws = range.after;
    let today = ws.as_of.unwrap_or_else(crate::model::Date::today);
    let listed = |list: &[String], value: &str| list.is_empty() || list.iter().any(|v| v == value);
    let mut out = Vec::new();
    for (id, entry) in &ws.assessments {
        if !listed(&policy.assessments, id.as_str()) {
            continue;
        }
        for (action_id, action) in ws.actions_of(&entry.assessment) {
            let state = ws.state(id, action_id);
            let owned =
                policy.owners.is_empty() || state.owner.as_ref().is_some_and(|o| policy.owners.contains(o));
            let category = policy.categories.is_empty() || policy.categories.contains(&action.category);
            if !listed(&policy.actions, action_id.as_str())
                || !owned
                || !category
                || !crate::automation::is_stale(&ws.config, action, &state, today)
            {
                continue;
            }
            out.push(Event::Stale {
                assessment: id.to_string(),
                action: action_id.to_string(),
                title: Some(action.title.clone()),
                owner: state.owner.clone(),
                test: state.test.status.to_string(),
                test_date: state.test.date.map(|d| d.to_string()),
                valid_for: crate::automation::valid_for(&ws.config, action, &state).to_string(),
            });
        }
    }
    out
}

fn status_events(policy: &AlertPolicy, range: &Range<'_>) -> Vec<Event> {
    let mut out = Vec::new();
    // A file that does not parse in some commit keeps its last good state, as
    // in `evident history`: breaking and fixing a file are not status changes.
    let mut last_good: HashMap<(&str, &str), Option<&ActionState>> = HashMap::new();
    let default = ActionState::default();
    for commit in range.commits {
        for change in &commit.states {
            let key = (change.assessment.as_str(), change.action.as_str());
            if change.new_exists && change.new.is_none() {
                last_good.entry(key).or_insert(change.old.as_deref());
                continue;
            }
            let before = if change.old_exists && change.old.is_none() {
                last_good.get(&key).copied().flatten()
            } else {
                change.old.as_deref()
            };
            last_good.remove(&key);
            let before = before.unwrap_or(&default);
            let after = change.new.as_deref().unwrap_or(&default);
            let action = definition(range, &change.action);
            if policy.on == AlertTrigger::OwnerChange {
                // A removed or moved file is not a change of hands.
                let moved = change.renamed_from.is_some() || change.renamed_to.is_some();
                if before.owner == after.owner || !change.new_exists || moved {
                    continue;
                }
                if !passes(policy, range, change, before, after, "") {
                    continue;
                }
                out.push(Event::Owner {
                    commit: commit.id.to_string(),
                    date: commit.author.date(),
                    author: commit.author.name.clone(),
                    author_email: commit.author.email.clone(),
                    assessment: change.assessment.as_str().to_owned(),
                    action: change.action.as_str().to_owned(),
                    title: action.map(|a| a.title.clone()),
                    before: before.owner.clone(),
                    after: after.owner.clone(),
                });
                continue;
            }
            let (was, now) = match policy.on {
                AlertTrigger::ImplementationStatus => {
                    (before.implementation.status.as_str(), after.implementation.status.as_str())
                }
                _ => (before.test.status.as_str(), after.test.status.as_str()),
            };
            if was == now || !passes(policy, range, change, before, after, now) {
                continue;
            }
            out.push(Event::Status {
                commit: commit.id.to_string(),
                date: commit.author.date(),
                author: commit.author.name.clone(),
                author_email: commit.author.email.clone(),
                assessment: change.assessment.as_str().to_owned(),
                action: change.action.as_str().to_owned(),
                title: action.map(|a| a.title.clone()),
                owner: after.owner.clone().or_else(|| before.owner.clone()),
                before: was.to_owned(),
                after: now.to_owned(),
            });
        }
    }
    out
}

/// The action's definition at the end of the range, or at its start if it was removed.
fn definition<'a>(range: &'a Range<'_>, id: &ActionId) -> Option<&'a crate::model::Action> {
    range.after.actions.get(id).or_else(|| range.before.actions.get(id))
}

fn passes(
    policy: &AlertPolicy,
    range: &Range<'_>,
    change: &StateChange,
    before: &ActionState,
    after: &ActionState,
    now: &str,
) -> bool {
    let listed = |list: &[String], value: &str| list.is_empty() || list.iter().any(|v| v == value);
    let owned = policy.owners.is_empty()
        || [&before.owner, &after.owner].into_iter().flatten().any(|o| policy.owners.contains(o));
    let category = policy.categories.is_empty()
        || definition(range, &change.action).is_some_and(|a| policy.categories.contains(&a.category));
    listed(&policy.to, now)
        && listed(&policy.assessments, change.assessment.as_str())
        && listed(&policy.actions, change.action.as_str())
        && owned
        && category
}

/// A score a policy watches: scope, id, label, and the score at each end (if it exists there).
type Watched = (Scope, Option<String>, String, Option<Score>, Option<Score>);

fn score_events(policy: &AlertPolicy, range: &Range<'_>) -> Vec<Event> {
    let (before, after) = (range.scores_before, range.scores_after);
    let mut watched: Vec<Watched> = Vec::new();
    let filtered =
        !(policy.assessments.is_empty() && policy.categories.is_empty() && policy.owners.is_empty());
    if !filtered {
        watched.push((Scope::Overall, None, "overall".to_owned(), Some(before.overall), Some(after.overall)));
    }
    for id in &policy.assessments {
        let find = |s: &Scores| s.assessments.iter().find(|a| &a.id == id).map(|a| a.score);
        watched.push((Scope::Assessment, Some(id.clone()), id.clone(), find(before), find(after)));
    }
    for category in &policy.categories {
        let find = |s: &Scores| {
            s.categories.iter().find(|r| r.id.as_deref() == Some(category.as_str())).map(|r| r.score)
        };
        watched.push((
            Scope::Category,
            Some(category.as_str().to_owned()),
            category.label().to_owned(),
            find(before),
            find(after),
        ));
    }
    for owner in &policy.owners {
        fn find<'s>(s: &'s Scores, owner: &str) -> Option<&'s crate::score::BreakdownRow> {
            s.owners.iter().find(|r| r.id.as_deref() == Some(owner))
        }
        let (b, a) = (find(before, owner), find(after, owner));
        let label = a.or(b).map_or_else(|| owner.clone(), |r| r.label.clone());
        watched.push((Scope::Owner, Some(owner.clone()), label, b.map(|r| r.score), a.map(|r| r.score)));
    }
    let threshold = policy.threshold.unwrap_or(0.0);
    watched
        .into_iter()
        .filter_map(|(scope, id, label, b, a)| {
            let (b, a) = (b?, a?);
            let moved = match policy.on {
                AlertTrigger::ScoreDecrease => dropped(b, a, threshold),
                _ => dropped(a, b, threshold),
            };
            moved.then_some(Event::Score { scope, id, label, before: b, after: a })
        })
        .collect()
}

/// The short commit id of an event, for tables.
pub(crate) fn short(commit: &str) -> String {
    git2::Oid::from_str(commit).map(short_id).unwrap_or_else(|_| commit.chars().take(7).collect())
}
