//! The summary of `evident test`: one line per test, then the counts.

use std::collections::{BTreeMap, BTreeSet};

use crate::automation::{Kind, SkipKind, Summary};
use crate::diag::render::plural;
use crate::render::table::Table;
use crate::render::{md_cell, md_code};
use crate::ui::{GREEN, RED, YELLOW, paint};

fn seconds(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

fn counts(s: &Summary) -> String {
    let tests = s.passed + s.failed + s.could_not_be_detected;
    format!(
        "{}: {} passed, {} failed, {} could not be detected, {} skipped in {}",
        plural(tests, "test"),
        s.passed,
        s.failed,
        s.could_not_be_detected,
        s.skipped,
        seconds(s.duration_ms)
    )
}

/// A table of the results and the skipped tests, then the counts.
pub(crate) fn human(s: &Summary, color: bool) -> String {
    let mut table = Table::new(&["result", "action", "assessments", "status", "time>", "notes"]);
    for r in &s.results {
        let (style, word) = match r.result {
            Kind::Passed => (GREEN, "passed"),
            Kind::Failed => (RED, "failed"),
            Kind::CouldNotBeDetected => (YELLOW, "undetected"),
        };
        table.row(vec![
            paint(color, style, word),
            r.action.clone(),
            r.assessments.join(", "),
            r.status.to_string(),
            seconds(r.duration_ms),
            crate::render::printable(&r.notes, false).into_owned(),
        ]);
    }
    // Automatic actions with nothing to run are counted, not listed (Markdown and JSON list them).
    for k in s.skipped_tests.iter().filter(|k| k.kind != SkipKind::NoAutomation) {
        table.row(vec![
            "skipped".to_owned(),
            k.action.clone(),
            k.assessments.join(", "),
            String::new(),
            String::new(),
            k.reason.clone(),
        ]);
    }
    let mut out = if table.is_empty() { String::new() } else { table.render(color) };
    out.push_str(&counts(s));
    out.push('\n');
    out.push_str(&skipped_by_kind(s));
    out
}

/// How many tests were skipped for each reason, on one line (empty when none was).
fn skipped_by_kind(s: &Summary) -> String {
    let mut by_kind: BTreeMap<SkipKind, (usize, BTreeSet<&str>)> = BTreeMap::new();
    for k in &s.skipped_tests {
        let entry = by_kind.entry(k.kind).or_default();
        entry.0 += 1;
        entry.1.insert(&k.action);
    }
    if by_kind.is_empty() {
        return String::new();
    }
    let parts: Vec<String> =
        by_kind.into_iter().map(|(kind, (n, actions))| kind.counted(n, actions.len())).collect();
    format!("skipped: {}\n", parts.join("; "))
}

/// The same as a Markdown table, for job summaries.
pub(crate) fn markdown(s: &Summary) -> String {
    let mut out = String::from("## Automatic tests\n\n");
    if !s.results.is_empty() || !s.skipped_tests.is_empty() {
        out.push_str(
            "| result | action | assessments | status | time | notes |\n|---|---|---|---|---:|---|\n",
        );
        for r in &s.results {
            let word = match r.result {
                Kind::Passed => "✅ passed",
                Kind::Failed => "❌ failed",
                Kind::CouldNotBeDetected => "⚠️ could not be detected",
            };
            out.push_str(&format!(
                "| {word} | {} | {} | {} | {} | {} |\n",
                md_code(&r.action),
                md_cell(&r.assessments.join(", ")),
                r.status,
                seconds(r.duration_ms),
                md_cell(&r.notes)
            ));
        }
        for k in &s.skipped_tests {
            out.push_str(&format!(
                "| skipped | {} | {} | | | {} |\n",
                md_code(&k.action),
                md_cell(&k.assessments.join(", ")),
                md_cell(&k.reason)
            ));
        }
        out.push('\n');
    }
    out.push_str(&counts(s));
    out.push('\n');
    out.push_str(&skipped_by_kind(s));
    out
}
