//! The action list's filters: the options that occur and the keys each action filters by.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::*;
use crate::filter::ActionRow;
use crate::model::{ActionType, Category, TestStatus};

/// The filter keys of each assessment of an action, as JSON for `data-pairs`.
pub(super) fn filter_pairs(row: &ActionRow<'_, '_>) -> String {
    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    struct Keys {
        r: String,
        g: String,
        t: &'static str,
        o: String,
    }
    let keys: BTreeSet<Keys> = row
        .pairs
        .iter()
        .map(|p| Keys {
            r: p.regulation.to_lowercase(),
            g: p.group.map(|g| g.to_string()).unwrap_or_default(),
            t: p.state.test.status.as_str(),
            o: p.state.owner.as_deref().map(str::to_lowercase).unwrap_or_else(|| "none".into()),
        })
        .collect();
    serde_json::to_string(&keys).unwrap_or_else(|_| "[]".into())
}

/// The options of the action list's filters: only values that occur.
pub(super) fn filters(rows: &[ActionRow<'_, '_>], look: &Lookup<'_>) -> Vec<FilterView> {
    let pairs = || rows.iter().flat_map(|r| r.pairs.iter().copied());
    let mut regulations = BTreeMap::new();
    let mut groups = BTreeMap::new();
    let mut owners = BTreeMap::new();
    for p in pairs() {
        regulations.entry(p.regulation.to_lowercase()).or_insert_with(|| p.regulation.to_owned());
        if let Some(g) = p.group {
            groups.entry(g.to_string()).or_insert_with(|| g.to_string());
        }
        let owner = match p.state.owner.as_deref() {
            Some(o) => (o.to_lowercase(), look.person(o).label),
            None => ("none".to_owned(), "(unassigned)".to_owned()),
        };
        owners.entry(owner.0).or_insert(owner.1);
    }
    let mut solutions = BTreeMap::new();
    for r in rows {
        if let Some(s) = &r.action.solution {
            solutions.entry(s.to_lowercase()).or_insert_with(|| s.clone());
        }
    }
    let tests: BTreeSet<TestStatus> = pairs().map(|p| p.state.test.status).collect();
    let categories: BTreeSet<Category> = rows.iter().map(|r| r.action.category).collect();
    let types: BTreeSet<ActionType> = rows.iter().map(|r| r.action.action_type).collect();
    let mut owners: Vec<(String, String)> = owners.into_iter().collect();
    owners.sort_by_key(|(value, label)| (value != "none", label.to_lowercase()));
    vec![
        filter("regulation", "Regulation", regulations),
        filter("solution", "Solution", solutions),
        filter("group", "Group", groups),
        filter("test", "Test status", tests.iter().map(|t| (t.as_str().to_owned(), t.label().to_owned()))),
        filter(
            "category",
            "Category",
            categories.iter().map(|c| (c.as_str().to_owned(), c.label().to_owned())),
        ),
        filter("owner", "Owner", owners),
        filter("type", "Action type", types.iter().map(|t| (t.as_str().to_owned(), t.label().to_owned()))),
    ]
}

pub(super) fn filter(
    name: &str,
    label: &str,
    options: impl IntoIterator<Item = (String, String)>,
) -> FilterView {
    FilterView {
        name: name.into(),
        label: label.into(),
        options: options.into_iter().map(|(value, label)| OptionView { value, label }).collect(),
    }
}

/// A link to the action list with one filter set.
pub(super) fn filter_href(name: &str, value: &str) -> String {
    format!("actions.html#{name}={}", encode(value, false))
}
