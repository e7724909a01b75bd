//! Scores as terminal tables, Markdown and the JSON contract.

use serde_json::Value;

use super::table::Table;
use super::{bar, md_cell};
use crate::score::{BreakdownRow, Score, Scores};
use crate::ui::{BOLD, GREEN, RED, YELLOW, paint};

/// The breakdowns `evident score --by` can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Assessment,
    Control,
    Category,
    Group,
    Regulation,
    Solution,
    Owner,
    /// Customer-managed and provider-managed actions.
    Managed,
}

/// The JSON object of docs/design/outputs.md (plus regulations, solutions and owners).
pub fn json(scores: &Scores, commit: Option<&str>) -> Value {
    super::json::to_value(&super::json::ScoreOutput::new(scores, commit))
}

fn colour_for(score: Score) -> anstyle::Style {
    match score.tenths_of_percent() {
        800.. => GREEN,
        500..800 => YELLOW,
        _ => RED,
    }
}

/// The percentage, or `n/a` when nothing is in scope (the JSON says 100.0, but a
/// table reader would take 100% for "fully compliant").
fn percent_cell(score: Score, color: bool) -> String {
    if score.max == 0 {
        return paint(color, crate::ui::DIM, "n/a");
    }
    paint(color, colour_for(score), format!("{:.1}%", score.percent()))
}

pub(crate) fn percent_text(score: Score) -> String {
    if score.max == 0 { "n/a".into() } else { format!("{:.1}%", score.percent()) }
}

fn points_cell(score: Score) -> String {
    format!("{} / {}", score.earned, score.max)
}

/// Terminal output: the overall score, then the requested breakdown.
pub fn human(scores: &Scores, by: By, color: bool) -> String {
    let mut out = format!(
        "{} {}  {}  {}\n\n",
        paint(color, BOLD, "Overall"),
        points_cell(scores.overall),
        percent_cell(scores.overall, color),
        bar_cell(scores.overall),
    );
    out.push_str(&managed_line(scores, color));
    match by {
        By::Assessment => {
            let mut t = Table::new(&["Assessment", "Template", "Group", "Points>", "Score>", ""]);
            for a in &scores.assessments {
                t.row(vec![
                    a.id.clone(),
                    a.template.clone(),
                    a.group.clone().unwrap_or_else(|| "-".into()),
                    points_cell(a.score),
                    percent_cell(a.score, color),
                    bar_cell(a.score),
                ]);
            }
            out.push_str(&t.render(color));
        }
        By::Control => {
            for (i, a) in scores.assessments.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                out.push_str(&format!(
                    "{} ({})  {}  {}\n",
                    paint(color, BOLD, &a.id),
                    a.template,
                    points_cell(a.score),
                    percent_cell(a.score, color)
                ));
                let mut t = Table::new(&["Control", "Title", "Points>", "Score>"]);
                for c in &a.controls {
                    t.row(vec![
                        c.id.clone(),
                        c.title.clone(),
                        points_cell(c.score),
                        percent_cell(c.score, color),
                    ]);
                }
                out.push_str(&t.render(color));
            }
        }
        By::Category => out.push_str(&rows_table("Category", &scores.categories, color)),
        By::Group => out.push_str(&rows_table("Group", &scores.groups, color)),
        By::Regulation => out.push_str(&rows_table("Regulation", &scores.regulations, color)),
        By::Solution => out.push_str(&rows_table("Solution", &scores.solutions, color)),
        By::Owner => out.push_str(&rows_table("Owner", &scores.owners, color)),
        By::Managed => out.push_str(&rows_table("Managed by", &scores.managed, color)),
    }
    out
}

/// "Customer-managed 120 / 300  40.0%   Provider-managed 54 / 54  100.0%", under the
/// overall score, followed by a blank line.
fn managed_line(scores: &Scores, color: bool) -> String {
    let parts: Vec<String> = scores
        .managed
        .iter()
        .map(|r| format!("{} {}  {}", r.label, points_cell(r.score), percent_cell(r.score, color)))
        .collect();
    format!("{}\n\n", parts.join("   "))
}

fn bar_cell(score: Score) -> String {
    if score.max == 0 { String::new() } else { bar(score.tenths_of_percent()) }
}

fn rows_table(what: &str, rows: &[BreakdownRow], color: bool) -> String {
    if rows.is_empty() {
        return format!("no {}s\n", what.to_lowercase());
    }
    let mut t = Table::new(&[what, "Points>", "Score>", ""]);
    for r in rows {
        t.row(vec![r.label.clone(), points_cell(r.score), percent_cell(r.score, color), bar_cell(r.score)]);
    }
    t.render(color)
}

/// Markdown, for pull-request comments and job summaries.
pub fn markdown(scores: &Scores, by: By) -> String {
    let mut out = format!(
        "**Overall compliance score: {:.1}%** ({} of {} points)\n\n",
        scores.overall.percent(),
        scores.overall.earned,
        scores.overall.max
    );
    let split: Vec<String> = scores
        .managed
        .iter()
        .map(|r| {
            format!("{}: {} ({} of {} points)", r.label, percent_text(r.score), r.score.earned, r.score.max)
        })
        .collect();
    out.push_str(&format!("{}\n\n", split.join(" · ")));
    let md_rows = |what: &str, rows: &mut dyn Iterator<Item = (String, Score)>| {
        let mut s = format!("| {what} | Points | Score |\n|---|---:|---:|\n");
        for (label, score) in rows {
            s.push_str(&format!(
                "| {} | {} / {} | {} |\n",
                md_cell(&label),
                score.earned,
                score.max,
                percent_text(score)
            ));
        }
        s
    };
    let rows =
        |rs: &[BreakdownRow]| rs.iter().map(|r| (r.label.clone(), r.score)).collect::<Vec<_>>().into_iter();
    match by {
        By::Assessment => out.push_str(&md_rows(
            "Assessment",
            &mut scores.assessments.iter().map(|a| (format!("{} ({})", a.name, a.id), a.score)),
        )),
        By::Control => {
            for a in &scores.assessments {
                out.push_str(&format!("### {} ({})\n\n", md_cell(&a.name), percent_text(a.score)));
                out.push_str(&md_rows(
                    "Control",
                    &mut a.controls.iter().map(|c| (format!("{} {}", c.id, c.title), c.score)),
                ));
                out.push('\n');
            }
        }
        By::Category => out.push_str(&md_rows("Category", &mut rows(&scores.categories))),
        By::Group => out.push_str(&md_rows("Group", &mut rows(&scores.groups))),
        By::Regulation => out.push_str(&md_rows("Regulation", &mut rows(&scores.regulations))),
        By::Solution => out.push_str(&md_rows("Solution", &mut rows(&scores.solutions))),
        By::Owner => out.push_str(&md_rows("Owner", &mut rows(&scores.owners))),
        By::Managed => out.push_str(&md_rows("Managed by", &mut rows(&scores.managed))),
    }
    out
}
