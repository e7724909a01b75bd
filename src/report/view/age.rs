//! How old a test result is, for the report: "checked 3 days ago", with whether it was recorded
//! by `evident test` and whether it is stale (older than its `valid-for`, from the action's
//! `[automation]` or evident.toml's `[freshness]`).

use serde::Serialize;

use crate::model::Workspace;
use crate::score::Pair;

/// The age of one test result.
#[derive(Clone, Debug, Serialize)]
pub struct AgeView {
    /// Days since the test date (0: today).
    pub days: i64,
    /// "today", "1 day ago", "12 days ago", "in the future".
    pub text: String,
    /// Recorded by `evident test` (an automatic verdict).
    pub automatic: bool,
    /// Older than its `valid-for`.
    pub stale: bool,
    /// How long the result stays current ("1d", "365d").
    pub valid_for: String,
}

/// The age of the pair's test result on the workspace's date; none for an untested action or
/// a report without a date.
pub(crate) fn age(ws: &Workspace, p: &Pair<'_>) -> Option<AgeView> {
    let today = ws.as_of?;
    let days = crate::automation::age_days(&p.state, today)?;
    // A date after the report's day (`evident check` refuses it, `validate` does not) is not
    // "today".
    let future = p.state.test.date.is_some_and(|d| d > today);
    let text = match days {
        _ if future => "in the future".to_owned(),
        0 => "today".to_owned(),
        1 => "1 day ago".to_owned(),
        n => format!("{n} days ago"),
    };
    Some(AgeView {
        days,
        text,
        automatic: crate::automation::is_automatic(&ws.config, p.action, &p.state),
        stale: p.stale,
        valid_for: crate::automation::valid_for(&ws.config, p.action, &p.state).to_string(),
    })
}
