//! The status timeline and the score series, for people and scripts.

use std::collections::BTreeMap;

use serde_json::Value;

use super::md_cell;
use super::table::Table;
use crate::history::timeline::{StateSnapshot, StatusEvent, Timeline};
use crate::score::Score;
use crate::trust::Signed;
use crate::ui::{BOLD, DIM, GREEN, RED, paint};

/// What changed between two snapshots, in words.
pub(crate) fn changes(before: &StateSnapshot, after: &StateSnapshot, removed: bool) -> Vec<String> {
    if removed {
        return vec!["state file removed".into()];
    }
    let mut out = Vec::new();
    if before.implementation != after.implementation {
        out.push(format!("implementation {} → {}", before.implementation, after.implementation));
    }
    if before.test != after.test {
        out.push(format!("test {} → {}", before.test, after.test));
    }
    if before.owner != after.owner {
        let o = |x: &Option<String>| x.clone().unwrap_or_else(|| "nobody".into());
        out.push(format!("owner {} → {}", o(&before.owner), o(&after.owner)));
    }
    for name in after.evidence.iter().filter(|n| !before.evidence.contains(n)) {
        out.push(format!("+ evidence {name}"));
    }
    for name in before.evidence.iter().filter(|n| !after.evidence.contains(n)) {
        out.push(format!("- evidence {name}"));
    }
    if before.implementation_date != after.implementation_date
        && before.implementation == after.implementation
    {
        out.push(format!(
            "implementation date {}",
            after.implementation_date.as_deref().unwrap_or("removed")
        ));
    }
    if before.test_date != after.test_date && before.test == after.test {
        out.push(format!("test date {}", after.test_date.as_deref().unwrap_or("removed")));
    }
    if before.implementation_notes != after.implementation_notes {
        out.push("implementation notes".into());
    }
    if before.test_notes != after.test_notes {
        out.push("test notes".into());
    }
    out
}

fn event_changes(e: &StatusEvent) -> Vec<String> {
    let mut out = changes(e.before_or_default(), e.after_or_default(), e.after.is_none());
    if e.before.is_none() && out.is_empty() {
        // A new state file that says what the defaults say.
        out.push("state file added".into());
    }
    out
}

/// The longest Change cell of the terminal table, in characters: evidence
/// names are free text, and a row should stay within a wide screen.
const CHANGE_WIDTH: usize = 160;

/// The parts that fit in [`CHANGE_WIDTH`] in order, then how many were left
/// out; a first part that is too long on its own is cut with an ellipsis.
fn fit(parts: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut width = 0;
    let mut left_out = 0;
    for part in parts {
        let len = part.chars().count() + if out.is_empty() { 0 } else { 2 };
        if width + len <= CHANGE_WIDTH {
            width += len;
            out.push(part);
        } else if out.is_empty() {
            out.push(format!("{}…", part.chars().take(CHANGE_WIDTH / 2).collect::<String>()));
            width = CHANGE_WIDTH / 2 + 1;
        } else {
            left_out += 1;
        }
    }
    if left_out > 0 {
        out.push(format!("and {left_out} more (see --format json)"));
    }
    out
}

/// Whether each commit was signed, by commit id (empty without `[trust]`:
/// then no column shows it).
pub(crate) type SignedBy = BTreeMap<String, Signed>;

/// The Signed cell of an event: only for test changes.
fn signed_cell(signed: &SignedBy, t: &Timeline, e: &StatusEvent) -> String {
    signed.get(&t.commits[e.commit].id).filter(|_| e.test_changed()).map(Signed::label).unwrap_or_default()
}

pub(crate) fn human(t: &Timeline, events: &[&StatusEvent], signed: &SignedBy, color: bool) -> String {
    if events.is_empty() {
        return "no status changes\n".into();
    }
    let mut headers = vec!["Date", "Commit", "Author", "Assessment", "Action", "Change"];
    if !signed.is_empty() {
        headers.push("Signed");
    }
    let mut table = Table::new(&headers);
    for e in events {
        let c = &t.commits[e.commit];
        let change = fit(event_changes(e))
            .into_iter()
            .map(|s| colour_change(&s, color))
            .collect::<Vec<_>>()
            .join(", ");
        let mut row = vec![
            c.date(),
            paint(color, DIM, c.short()),
            c.author_name.clone(),
            e.assessment.clone(),
            paint(color, BOLD, &e.action),
            change,
        ];
        if !signed.is_empty() {
            row.push(signed_cell(signed, t, e));
        }
        table.row(row);
    }
    table.render(color)
}

/// Greens what reached `passed` or `implemented`, reds failures.
fn colour_change(s: &str, color: bool) -> String {
    if s.ends_with("→ passed") || s.ends_with("→ implemented") {
        paint(color, GREEN, s)
    } else if s.contains("→ failed") || s.starts_with("- evidence") {
        paint(color, RED, s)
    } else {
        s.to_owned()
    }
}

pub(crate) fn markdown(t: &Timeline, events: &[&StatusEvent], signed: &SignedBy) -> String {
    if events.is_empty() {
        return "_No status changes._\n".into();
    }
    let mut out = if signed.is_empty() {
        String::from("| Date | Commit | Author | Assessment | Action | Change |\n|---|---|---|---|---|---|\n")
    } else {
        String::from(
            "| Date | Commit | Author | Assessment | Action | Change | Signed |\n|---|---|---|---|---|---|---|\n",
        )
    };
    for e in events {
        let c = &t.commits[e.commit];
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} |",
            c.date(),
            c.short(),
            md_cell(&c.author_name),
            md_cell(&e.assessment),
            md_cell(&e.action),
            md_cell(&event_changes(e).join("; "))
        ));
        if !signed.is_empty() {
            out.push_str(&format!(" {} |", md_cell(&signed_cell(signed, t, e))));
        }
        out.push('\n');
    }
    out
}

/// Events for scripts; under `[trust]`, a test change has `signature`
/// (`status`, `signer`, `fingerprint`).
pub(crate) fn json(t: &Timeline, events: &[&StatusEvent], signed: &SignedBy) -> Value {
    super::json::to_value(&super::json::HistoryOutput::new(t, events, signed))
}

/// The score series for scripts: every main-line commit with the overall,
/// per-assessment and per-category scores after it (the shapes of
/// `evident score --format json`).
pub(crate) fn scores_json(t: &Timeline) -> Value {
    super::json::to_value(&super::json::HistoryScoresOutput::new(t))
}

/// The score series: one row per commit that moved a score.
pub(crate) fn scores(t: &Timeline, markdown: bool) -> String {
    let mut rows = Vec::new();
    let mut last: Option<(u64, u64)> = None;
    for p in &t.points {
        let now = (p.overall.earned, p.overall.max);
        if last == Some(now) {
            continue;
        }
        last = Some(now);
        let c = &t.commits[p.commit];
        let s = Score::from(p.overall);
        rows.push((
            c.date(),
            c.short().to_owned(),
            c.author_name.clone(),
            format!("{}/{}", s.earned, s.max),
            super::score::percent_text(s),
        ));
    }
    if markdown {
        let mut out = String::from("| Date | Commit | Author | Points | Score |\n|---|---|---|---:|---:|\n");
        for r in rows {
            out.push_str(&format!("| {} | `{}` | {} | {} | {} |\n", r.0, r.1, md_cell(&r.2), r.3, r.4));
        }
        return out;
    }
    let mut table = Table::new(&["Date", "Commit", "Author", "Points>", "Score>"]);
    for r in rows {
        table.row(vec![r.0, r.1, r.2, r.3, r.4]);
    }
    if table.is_empty() { "no commits\n".into() } else { table.render(false) }
}
