//! The Statement of Applicability (`evident export soa`) as a spreadsheet
//! (one row per control) and as a Markdown document.

use crate::model::Evidence;
use crate::render::md_cell;
use crate::render::table_export::{Cell, Table};
use crate::soa::{Soa, SoaControl, action_line};

/// The sheet's name in a workbook.
pub(crate) const SHEET: &str = "Statement of Applicability";

/// A column of the sheet, in the order of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Column {
    Control,
    Title,
    Family,
    Applicable,
    Justification,
    Actions,
    Implementation,
    Test,
    InScope,
    Implemented,
    Passed,
    Owners,
    Evidence,
    PointsEarned,
    PointsAvailable,
}

impl Column {
    /// Every column, in the order of the file.
    pub(crate) const ALL: [Column; 15] = [
        Column::Control,
        Column::Title,
        Column::Family,
        Column::Applicable,
        Column::Justification,
        Column::Actions,
        Column::Implementation,
        Column::Test,
        Column::InScope,
        Column::Implemented,
        Column::Passed,
        Column::Owners,
        Column::Evidence,
        Column::PointsEarned,
        Column::PointsAvailable,
    ];

    /// The column's header.
    pub(crate) const fn header(self) -> &'static str {
        match self {
            Column::Control => "Control",
            Column::Title => "Title",
            Column::Family => "Family",
            Column::Applicable => "Applicable",
            Column::Justification => "Justification",
            Column::Actions => "Actions",
            Column::Implementation => "Implementation",
            Column::Test => "Test",
            Column::InScope => "Actions in scope",
            Column::Implemented => "Implemented",
            Column::Passed => "Passed",
            Column::Owners => "Owners",
            Column::Evidence => "Evidence",
            Column::PointsEarned => "Points earned",
            Column::PointsAvailable => "Points available",
        }
    }

    /// The column's cell for one control.
    pub(crate) fn cell(self, c: &SoaControl<'_>) -> Cell {
        let lines = |v: Vec<String>| if v.is_empty() { Cell::Empty } else { Cell::text(v.join("\n")) };
        match self {
            Column::Control => Cell::text(c.control.id.as_str()),
            Column::Title => Cell::text(&c.control.title),
            Column::Family => Cell::opt(c.control.family.as_deref()),
            Column::Applicable => Cell::text(yes_no(c.applicable())),
            Column::Justification => {
                lines(vec![c.justification()].into_iter().filter(|s| !s.is_empty()).collect())
            }
            Column::Actions => lines(c.actions.iter().map(action_line).collect()),
            Column::Implementation => Cell::text(c.implementation_summary()),
            Column::Test => Cell::text(c.test_summary()),
            Column::InScope => Cell::Int(c.tally().in_scope as i64),
            Column::Implemented => Cell::Int(c.tally().implemented as i64),
            Column::Passed => Cell::Int(c.tally().passed as i64),
            Column::Owners => lines(c.owners().into_iter().map(str::to_owned).collect()),
            Column::Evidence => lines(c.evidence().into_iter().map(evidence_text).collect()),
            Column::PointsEarned => Cell::Int(c.score().earned as i64),
            Column::PointsAvailable => Cell::Int(c.score().max as i64),
        }
    }
}

/// The headers, in order.
pub(crate) const HEADERS: [&str; 15] = crate::render::sheets::headers!(Column, 15);

fn yes_no(b: bool) -> &'static str {
    if b { "Yes" } else { "No" }
}

/// `name: path` or `name: url` (or the name alone).
fn evidence_text(e: &Evidence) -> String {
    match e.path.as_deref().or(e.url.as_deref()) {
        Some(at) => format!("{}: {at}", e.name),
        None => e.name.clone(),
    }
}

/// One row per control, in the template's order.
pub(crate) fn table(soa: &Soa<'_>) -> Table {
    let rows = soa.controls.iter().map(|c| Column::ALL.iter().map(|col| col.cell(c)).collect()).collect();
    Table { sheet: SHEET.into(), headers: HEADERS.to_vec(), rows }
}

/// The statement as a Markdown document: a heading, what it covers, and a
/// table with one row per control.
pub(crate) fn markdown(soa: &Soa<'_>) -> String {
    let t = soa.template;
    let mut out = format!(
        "# Statement of Applicability: {}\n\nAssessment `{}`, template {} (`{}` v{}), regulation {}.\n{} of {} controls applicable.\n\n",
        md_cell(soa.name),
        soa.assessment,
        md_cell(&t.name),
        t.id,
        soa.template_version,
        md_cell(&t.regulation),
        soa.applicable(),
        soa.controls.len(),
    );
    out.push_str(
        "| Control | Applicable | Justification | Implementation | Test | Actions | Owners | Evidence |\n|---|---|---|---|---|---|---|---|\n",
    );
    for c in &soa.controls {
        let justification = c.justification().lines().map(md_cell).collect::<Vec<_>>().join("<br>");
        let actions = c.actions.iter().map(|p| md_cell(&action_line(p))).collect::<Vec<_>>().join("<br>");
        let owners = c.owners().into_iter().map(md_cell).collect::<Vec<_>>().join(", ");
        let evidence = c.evidence().into_iter().map(evidence_markdown).collect::<Vec<_>>().join("<br>");
        out.push_str(&format!(
            "| **{}** {} | {} | {} | {} | {} | {} | {} | {} |\n",
            md_cell(c.control.id.as_str()),
            md_cell(&c.control.title),
            yes_no(c.applicable()),
            or_dash(justification),
            c.implementation_summary(),
            c.test_summary(),
            or_dash(actions),
            or_dash(owners),
            or_dash(evidence),
        ));
    }
    out
}

fn or_dash(s: String) -> String {
    if s.is_empty() { "-".into() } else { s }
}

/// A link for http(s) evidence, else the name and the path as code.
fn evidence_markdown(e: &Evidence) -> String {
    match (e.path.as_deref(), e.url.as_deref()) {
        (_, Some(url)) if crate::report::markdown::is_http_url(url) => {
            format!("[{}]({})", md_cell(&e.name), crate::report::md::md_url(url.trim()))
        }
        (Some(at), _) | (None, Some(at)) => format!("{} ({})", md_cell(&e.name), md_cell(at)),
        (None, None) => md_cell(&e.name),
    }
}
