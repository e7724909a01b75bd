//! The rows of a template export as the template's next version.
//!
//! One row per control; the template's own columns (id, name, regulation,
//! source, description) must be the same on every row. The `Version` column
//! is not read: the import makes the next version (or version 1 for a new
//! template) when anything changed, and nothing when nothing did.

use std::collections::{BTreeMap, BTreeSet};

use super::{Columns, Row, Sheet, file_problem, problem_at};
use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::model::{ActionId, Control, ControlId, Template, TemplateId, Workspace, id_problem, is_valid_id};
use crate::render::sheets::template::Column;

/// A checked template import.
#[derive(Debug)]
pub(crate) struct TemplateImport {
    /// The template as the file describes it, with its new version.
    pub template: Template,
    /// The template as it is in the repository.
    pub previous: Option<Template>,
    /// What changes, in words; empty when nothing does.
    pub changes: Vec<String>,
}

/// Reads every row, or returns every problem found.
pub(crate) fn plan(ws: &Workspace, sheet: &Sheet) -> Result<TemplateImport, Vec<Diagnostic>> {
    let columns = Columns::check(sheet, &Column::ALL, "evident export template ID")?;
    let mut problems = Vec::new();
    let rows: Vec<&Row> = sheet.rows.iter().filter(|r| !r.is_blank()).collect();
    let Some(first) = rows.first() else {
        return Err(vec![
            file_problem(Code::ImportColumns, sheet, "the file has no controls")
                .hint("a template has one row per control, below the header row"),
        ]);
    };
    // The template's own columns, from the first row; every row must agree.
    let own = [Column::Template, Column::Name, Column::Regulation, Column::Source, Column::Description];
    // Descriptions are kept as they are (Markdown may end in a line break).
    let read = |row: &Row, c: Column| match c {
        Column::Description => super::text_of(columns.cell(row, c)),
        _ => columns.text(row, c),
    };
    let values: Vec<String> = own.iter().map(|c| read(first, *c)).collect();
    for row in &rows[1..] {
        for (h, v) in own.iter().zip(&values) {
            let here = read(row, *h);
            if here != *v {
                problems.push(
                    problem_at(
                        Code::ImportInvalidValue,
                        sheet,
                        row,
                        Some(h.header()),
                        format!("\"{here}\" differs from row {} (\"{v}\")", first.number),
                    )
                    .hint("the template's columns are the same on every row"),
                );
            }
        }
    }
    let id = values[0].clone();
    if !is_valid_id(&id) {
        problems.push(
            problem_at(
                Code::ImportInvalidValue,
                sheet,
                first,
                Some(Column::Template.header()),
                id_problem(&id).unwrap_or_default(),
            )
            .hint("use lower-case letters, digits, `.`, `_` and `-`"),
        );
    }
    for (c, v) in own.iter().zip(&values).take(3) {
        if v.is_empty() {
            problems.push(problem_at(
                Code::ImportInvalidValue,
                sheet,
                first,
                Some(c.header()),
                "the cell is blank",
            ));
        }
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut controls = Vec::new();
    for row in &rows {
        if let Some(control) = control(ws, sheet, &columns, row, &mut seen, &mut problems) {
            controls.push(control);
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let opt = |s: &String| (!s.trim().is_empty()).then(|| s.clone());
    let previous = ws.templates.get(id.as_str()).cloned();
    let mut template = Template {
        id: TemplateId::from(id.as_str()),
        name: values[1].clone(),
        regulation: values[2].clone(),
        version: previous.as_ref().map_or(1, |p| p.version),
        source: opt(&values[3]),
        description: opt(&values[4]),
        urn: previous.as_ref().and_then(|p| p.urn.clone()),
        controls,
    };
    // The sheet has no columns for what a library import and mappings record: keep it.
    if let Some(p) = &previous {
        for c in &mut template.controls {
            if let Some(old) = p.controls.iter().find(|o| o.id == c.id) {
                c.urn.clone_from(&old.urn);
                c.groups.clone_from(&old.groups);
                c.related.clone_from(&old.related);
            }
        }
    }
    let changes = match &previous {
        Some(p) => describe(p, &template),
        None => vec![format!(
            "new template with {}",
            crate::diag::render::plural(template.controls.len(), "control")
        )],
    };
    if previous.is_some() && !changes.is_empty() {
        template.version += 1;
    }
    Ok(TemplateImport { template, previous, changes })
}

fn control(
    ws: &Workspace,
    sheet: &Sheet,
    columns: &Columns,
    row: &Row,
    seen: &mut BTreeMap<String, usize>,
    problems: &mut Vec<Diagnostic>,
) -> Option<Control> {
    let id = columns.text(row, Column::Control);
    let title = columns.text(row, Column::ControlTitle);
    let before = problems.len();
    if !is_valid_id(&id) {
        let message =
            if id.is_empty() { "no control id".to_owned() } else { id_problem(&id).unwrap_or_default() };
        problems.push(
            problem_at(Code::ImportInvalidValue, sheet, row, Some(Column::Control.header()), message)
                .hint("use lower-case letters, digits, `.`, `_` and `-`, e.g. `art-32`"),
        );
    } else if let Some(first) = seen.insert(id.clone(), row.number) {
        problems.push(
            problem_at(
                Code::ImportDuplicateRow,
                sheet,
                row,
                Some(Column::Control.header()),
                format!("control `{id}` is also in row {first}"),
            )
            .hint("one row per control: merge their actions into one row"),
        );
    }
    if title.is_empty() {
        problems.push(problem_at(
            Code::ImportInvalidValue,
            sheet,
            row,
            Some(Column::ControlTitle.header()),
            "the control has no title",
        ));
    }
    let mut actions: Vec<ActionId> = Vec::new();
    let list = super::text_of(columns.cell(row, Column::Actions));
    for name in list.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).filter(|s| !s.is_empty()) {
        if !ws.actions.contains_key(name) {
            let hint = did_you_mean(name, ws.actions.keys().map(ActionId::as_str))
                .unwrap_or_else(|| "create it first with `evident new action`".into());
            problems.push(
                problem_at(
                    Code::ImportUnknownRow,
                    sheet,
                    row,
                    Some(Column::Actions.header()),
                    format!("no action `{name}`"),
                )
                .hint(hint),
            );
        } else if actions.iter().any(|a| a.as_str() == name) {
            problems.push(problem_at(
                Code::ImportDuplicateRow,
                sheet,
                row,
                Some(Column::Actions.header()),
                format!("action `{name}` is listed twice"),
            ));
        } else {
            actions.push(ActionId::from(name));
        }
    }
    let text = |c: Column| Some(super::text_of(columns.cell(row, c))).filter(|s| !s.trim().is_empty());
    (problems.len() == before).then(|| Control {
        id: ControlId::from(id.as_str()),
        title,
        family: text(Column::Family).map(|s| s.trim().to_owned()),
        description: text(Column::ControlDescription),
        actions,
        urn: None,
        groups: Vec::new(),
        related: Vec::new(),
    })
}

/// What changes from `old` to `new`, in words.
pub(crate) fn describe(old: &Template, new: &Template) -> Vec<String> {
    let mut out = Vec::new();
    let field = |out: &mut Vec<String>, what: &str, a: Option<&str>, b: Option<&str>| {
        if a != b {
            out.push(format!("{what}: \"{}\" → \"{}\"", a.unwrap_or(""), b.unwrap_or("")));
        }
    };
    field(&mut out, "name", Some(&old.name), Some(&new.name));
    field(&mut out, "regulation", Some(&old.regulation), Some(&new.regulation));
    field(&mut out, "source", old.source.as_deref(), new.source.as_deref());
    if old.description != new.description {
        out.push("description changed".into());
    }
    let find = |t: &Template, id: &ControlId| t.controls.iter().find(|c| &c.id == id).cloned();
    for c in &new.controls {
        match find(old, &c.id) {
            None => out.push(format!("control `{}` added ({})", c.id, list(&c.actions))),
            Some(o) if o != *c => {
                let mut what = Vec::new();
                if o.title != c.title {
                    what.push("title".to_owned());
                }
                if o.family != c.family {
                    what.push("family".to_owned());
                }
                if o.description != c.description {
                    what.push("description".to_owned());
                }
                let added: Vec<&ActionId> = c.actions.iter().filter(|a| !o.actions.contains(a)).collect();
                let removed: Vec<&ActionId> = o.actions.iter().filter(|a| !c.actions.contains(a)).collect();
                what.extend(added.iter().map(|a| format!("+{a}")));
                what.extend(removed.iter().map(|a| format!("−{a}")));
                if what.is_empty() {
                    what.push("order of actions".into());
                }
                out.push(format!("control `{}` changed: {}", c.id, what.join(", ")));
            }
            Some(_) => {}
        }
    }
    for o in &old.controls {
        if find(new, &o.id).is_none() {
            out.push(format!("control `{}` removed", o.id));
        }
    }
    let ids = |t: &Template| t.action_ids().into_iter().cloned().collect::<BTreeSet<ActionId>>();
    let (before, after) = (ids(old), ids(new));
    for a in after.difference(&before) {
        out.push(format!("action `{a}` added to the template"));
    }
    for a in before.difference(&after) {
        out.push(format!("action `{a}` no longer in the template"));
    }
    if out.is_empty() && old.controls.iter().map(|c| &c.id).ne(new.controls.iter().map(|c| &c.id)) {
        out.push("order of controls changed".into());
    }
    out
}

fn list(actions: &[ActionId]) -> String {
    if actions.is_empty() {
        return "no actions".into();
    }
    actions.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
}
