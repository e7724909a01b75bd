//! The action list as a table and as JSON.

use std::fmt::{self, Write};

use super::md_cell;
use super::table::{Cells, Stream};
use crate::filter::ActionRow;
use crate::score::{Agreement, Pair, agreement};

/// Status of the rows' pairs: the common value, or "mixed" when they differ.
fn common<T: PartialEq + Copy>(values: impl Iterator<Item = T>, show: impl Fn(T) -> String) -> String {
    match agreement(values) {
        Agreement::None => "-".into(),
        Agreement::All(value) => show(value),
        Agreement::Mixed => "mixed".into(),
    }
}

/// A test status marked stale when its result is older than its valid-for.
fn with_stale(status: String, stale: bool) -> String {
    if stale { format!("{status} (stale)") } else { status }
}

/// An implementation status marked overdue when it is planned and its target date has passed.
fn with_overdue(status: String, overdue: bool) -> String {
    if overdue { format!("{status} (overdue)") } else { status }
}

/// One row per action, written row by row.
pub(crate) fn human(rows: &[ActionRow<'_, '_>], color: bool, out: &mut dyn Write) -> fmt::Result {
    if rows.is_empty() {
        return out.write_str("no actions match\n");
    }
    let headers =
        ["Action", "Title", "Category", "Type", "Regulations", "Points>", "Implementation", "Test", "Owner"];
    Stream::new(&headers, rows.iter(), |row, cells| human_row(row, cells), color).write(out)
}

fn human_row(row: &ActionRow<'_, '_>, cells: &mut Cells) {
    cells.push(row.action.id.as_str());
    cells.push(&with_pending(truncate(&row.action.title, 48), row.pairs.iter().any(|p| p.pending_update)));
    cells.push(row.action.category.label());
    cells.push(row.action.action_type.as_str());
    cells.push(&regulations(row));
    let _ = write!(cells.next(), "{}/{}", row.score.earned, row.score.max);
    cells.push(&with_overdue(
        common(row.pairs.iter().map(|p| p.state.implementation.status), |s| s.as_str().to_owned()),
        row.pairs.iter().any(|p| p.overdue),
    ));
    cells.push(&with_stale(
        common(row.pairs.iter().map(|p| p.state.test.status), |s| s.as_str().to_owned()),
        row.pairs.iter().any(|p| p.stale),
    ));
    cells.push(&owner_of(row));
}

/// One row per (assessment, action): where "mixed" comes from. Written row by row.
pub(crate) fn human_per_assessment(
    rows: &[ActionRow<'_, '_>],
    color: bool,
    out: &mut dyn Write,
) -> fmt::Result {
    let pairs = rows.iter().flat_map(|row| row.pairs.iter().map(move |p| (row, p)));
    if pairs.clone().next().is_none() {
        return out.write_str("no actions match\n");
    }
    let headers =
        ["Action", "Assessment", "Regulation", "Title", "Points>", "Implementation", "Test", "Owner"];
    Stream::new(&headers, pairs, |(row, p), cells| pair_row(row, p, cells), color).write(out)
}

fn pair_row(row: &ActionRow<'_, '_>, p: &Pair<'_>, cells: &mut Cells) {
    let score = p.score();
    cells.push(row.action.id.as_str());
    cells.push(p.assessment.as_str());
    cells.push(p.regulation);
    cells.push(&with_pending(truncate(&row.action.title, 40), p.pending_update));
    let _ = write!(cells.next(), "{}/{}", score.earned, score.max);
    cells.push(&with_overdue(p.state.implementation.status.as_str().to_owned(), p.overdue));
    cells.push(&with_stale(p.state.test.status.as_str().to_owned(), p.stale));
    cells.push(p.state.owner.as_deref().unwrap_or("-"));
}

/// The regulations of the row's assessments, as JSON's `regulations` lists them.
fn regulations(row: &ActionRow<'_, '_>) -> String {
    row.regulations().into_iter().collect::<Vec<_>>().join(", ")
}

/// Marks a title whose action has an update the assessment has not accepted.
fn with_pending(title: String, pending: bool) -> String {
    if pending { format!("{title} [update pending]") } else { title }
}

/// The owner of the row's states, or "mixed" when they differ.
fn owner_of(row: &ActionRow<'_, '_>) -> String {
    common_text(row.pairs.iter().map(|p| p.state.owner.as_deref().unwrap_or("-")))
}

fn common_text<'a>(values: impl Iterator<Item = &'a str>) -> String {
    common(values, str::to_owned)
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

/// One row per (assessment, action), as Markdown, written row by row.
pub(crate) fn markdown_per_assessment(rows: &[ActionRow<'_, '_>], out: &mut dyn Write) -> fmt::Result {
    if rows.is_empty() {
        return out.write_str("_No actions match._\n");
    }
    out.write_str(
        "| Action | Assessment | Regulation | Title | Points | Implementation | Test | Owner |\n|---|---|---|---|---:|---|---|---|\n",
    )?;
    for row in rows {
        for p in &row.pairs {
            let score = p.score();
            writeln!(
                out,
                "| {} | {} | {} | {} | {}/{} | {} | {} | {} |",
                md_cell(row.action.id.as_str()),
                md_cell(p.assessment.as_str()),
                md_cell(p.regulation),
                md_cell(&with_pending(row.action.title.clone(), p.pending_update)),
                score.earned,
                score.max,
                with_overdue(p.state.implementation.status.as_str().to_owned(), p.overdue),
                with_stale(p.state.test.status.as_str().to_owned(), p.stale),
                md_cell(p.state.owner.as_deref().unwrap_or("-")),
            )?;
        }
    }
    Ok(())
}

/// A Markdown table, for pull-request comments and issues, written row by row.
pub(crate) fn markdown(rows: &[ActionRow<'_, '_>], out: &mut dyn Write) -> fmt::Result {
    if rows.is_empty() {
        return out.write_str("_No actions match._\n");
    }
    out.write_str(
        "| Action | Title | Category | Regulations | Points | Implementation | Test | Owner |\n|---|---|---|---|---:|---|---|---|\n",
    )?;
    for row in rows {
        let owner = owner_of(row);
        writeln!(
            out,
            "| {} | {} | {} | {} | {}/{} | {} | {} | {} |",
            md_cell(row.action.id.as_str()),
            md_cell(&with_pending(row.action.title.clone(), row.pairs.iter().any(|p| p.pending_update))),
            row.action.category.label(),
            md_cell(&regulations(row)),
            row.score.earned,
            row.score.max,
            with_overdue(
                common(row.pairs.iter().map(|p| p.state.implementation.status), |s| s.as_str().to_owned()),
                row.pairs.iter().any(|p| p.overdue),
            ),
            with_stale(
                common(row.pairs.iter().map(|p| p.state.test.status), |s| s.as_str().to_owned()),
                row.pairs.iter().any(|p| p.stale),
            ),
            md_cell(&owner),
        )?;
    }
    Ok(())
}

/// The list as a JSON value (the command writes [`super::json::ListOutput`]
/// as it serialises it).
#[cfg(test)]
pub(crate) fn json(rows: &[ActionRow<'_, '_>]) -> serde_json::Value {
    super::json::to_value(&super::json::ListOutput::new(rows))
}
