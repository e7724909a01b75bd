//! The status timeline and the score series, for people and scripts.

use std::collections::BTreeMap;
use std::fmt::{self, Write};

use super::md_cell;
use super::table::{Cells, Stream};
use crate::history::timeline::{ScorePoint, StateSnapshot, StatusEvent, Timeline};
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

/// The status events as a terminal table, written row by row.
pub(crate) fn human(
    t: &Timeline,
    events: &[&StatusEvent],
    signed: &SignedBy,
    color: bool,
    out: &mut dyn Write,
) -> fmt::Result {
    if events.is_empty() {
        return out.write_str("no status changes\n");
    }
    let mut headers = vec!["Date", "Commit", "Author", "Assessment", "Action", "Change"];
    if !signed.is_empty() {
        headers.push("Signed");
    }
    let fill = |e: &&StatusEvent, cells: &mut Cells| human_row(t, e, signed, color, cells);
    Stream::new(&headers, events.iter(), fill, color).write(out)
}

fn human_row(t: &Timeline, e: &StatusEvent, signed: &SignedBy, color: bool, cells: &mut Cells) {
    let c = &t.commits[e.commit];
    cells.push(&c.date());
    cells.paint(color, DIM, c.short());
    cells.push(&c.author_name);
    cells.push(&e.assessment);
    cells.paint(color, BOLD, &e.action);
    let change = cells.next();
    for (i, part) in fit(event_changes(e)).iter().enumerate() {
        if i > 0 {
            change.push_str(", ");
        }
        change.push_str(&colour_change(&crate::render::printable(part, false), color));
    }
    if !signed.is_empty() {
        cells.push(&signed_cell(signed, t, e));
    }
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

/// The status events as a Markdown table, written row by row.
pub(crate) fn markdown(
    t: &Timeline,
    events: &[&StatusEvent],
    signed: &SignedBy,
    out: &mut dyn Write,
) -> fmt::Result {
    if events.is_empty() {
        return out.write_str("_No status changes._\n");
    }
    out.write_str(if signed.is_empty() {
        "| Date | Commit | Author | Assessment | Action | Change |\n|---|---|---|---|---|---|\n"
    } else {
        "| Date | Commit | Author | Assessment | Action | Change | Signed |\n|---|---|---|---|---|---|---|\n"
    })?;
    for e in events {
        let c = &t.commits[e.commit];
        write!(
            out,
            "| {} | `{}` | {} | {} | {} | {} |",
            c.date(),
            c.short(),
            md_cell(&c.author_name),
            md_cell(&e.assessment),
            md_cell(&e.action),
            md_cell(&event_changes(e).join("; "))
        )?;
        if !signed.is_empty() {
            write!(out, " {} |", md_cell(&signed_cell(signed, t, e)))?;
        }
        out.write_char('\n')?;
    }
    Ok(())
}

/// Events for scripts; under `[trust]`, a test change has `signature`
/// (`status`, `signer`, `fingerprint`).
pub(crate) fn json(t: &Timeline, events: &[&StatusEvent], signed: &SignedBy) -> super::json::HistoryOutput {
    super::json::HistoryOutput::new(t, events, signed)
}

/// The score series for scripts: every main-line commit with the overall,
/// per-assessment and per-category scores after it (the shapes of
/// `evident score --format json`).
pub(crate) fn scores_json(t: &Timeline) -> super::json::HistoryScoresOutput {
    super::json::HistoryScoresOutput::new(t)
}

/// The score series: one row per commit that moved the overall score,
/// written row by row.
pub(crate) fn scores(t: &Timeline, markdown: bool, out: &mut dyn Write) -> fmt::Result {
    // A point moved the score when it differs from the point before it.
    let moved = t.points.iter().enumerate().filter(|&(i, p)| {
        i == 0 || {
            let before = &t.points[i - 1].overall;
            (before.earned, before.max) != (p.overall.earned, p.overall.max)
        }
    });
    let moved = moved.map(|(_, p)| p);
    if markdown {
        out.write_str("| Date | Commit | Author | Points | Score |\n|---|---|---|---:|---:|\n")?;
        for p in moved {
            let (c, s) = (&t.commits[p.commit], Score::from(p.overall));
            let percent = super::score::percent_text(s);
            writeln!(
                out,
                "| {} | `{}` | {} | {}/{} | {percent} |",
                c.date(),
                c.short(),
                md_cell(&c.author_name),
                s.earned,
                s.max
            )?;
        }
        return Ok(());
    }
    if moved.clone().next().is_none() {
        return out.write_str("no commits\n");
    }
    let fill = |p: &ScorePoint, cells: &mut Cells| {
        let (c, s) = (&t.commits[p.commit], Score::from(p.overall));
        cells.push(&c.date());
        cells.push(c.short());
        cells.push(&c.author_name);
        let _ = write!(cells.next(), "{}/{}", s.earned, s.max);
        cells.push(&super::score::percent_text(s));
    };
    Stream::new(&["Date", "Commit", "Author", "Points>", "Score>"], moved, fill, false).write(out)
}
