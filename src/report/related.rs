//! What the report shows of mappings between frameworks: every control an
//! action counts for (in every template), a control's related controls of
//! other templates, and a template's controls grouped by family.

use std::collections::HashMap;

use serde::Serialize;

use crate::model::{Control, ControlId, TemplateId, Workspace};

/// A control an action counts for ("this action counts for: dora 6.1, …").
#[derive(Debug, Serialize)]
pub struct CountsForView {
    pub template: String,
    pub template_name: String,
    pub control: String,
    pub title: String,
    /// The control of another template the action comes from, when a mapping shared it.
    pub via: Option<String>,
    /// The control's related controls of other templates.
    pub related: Vec<RelatedView>,
    /// The assessments of the template whose version lists the action under
    /// this control, each with a link to the control on its Statement of
    /// Applicability.
    pub assessments: Vec<AssessmentLink>,
}

/// An assessment, linked to one control of its Statement of Applicability.
#[derive(Debug, Serialize)]
pub struct AssessmentLink {
    pub id: String,
    pub name: String,
    /// Relative to the site's root: `soa/<id>.html#control-<control>`.
    pub href: String,
}

/// A control of another template mapped to this one.
#[derive(Debug, Serialize)]
pub struct RelatedView {
    pub template: String,
    pub control: String,
    pub relationship: String,
    /// Whether the mapping shares the other control's actions with this one (scored).
    pub shared: bool,
}

/// Every control of every template that lists the action, in template order.
pub(crate) fn counts_for(ws: &Workspace, action: &str) -> Vec<CountsForView> {
    let mut out = Vec::new();
    for t in ws.templates.values() {
        for c in t.controls.iter().filter(|c| c.actions.iter().any(|a| a.as_str() == action)) {
            let via = c
                .related
                .iter()
                .find(|r| r.actions.iter().any(|a| a.as_str() == action))
                .map(|r| format!("{} {}", r.template, r.control));
            out.push(CountsForView {
                template: t.id.to_string(),
                template_name: t.name.clone(),
                control: c.id.to_string(),
                title: c.title.clone(),
                via,
                related: related(c),
                assessments: assessments_listing(ws, &t.id, &c.id, action),
            });
        }
    }
    out
}

/// The assessments of `template` whose version of it lists `action` under `control`.
fn assessments_listing(
    ws: &Workspace,
    template: &TemplateId,
    control: &ControlId,
    action: &str,
) -> Vec<AssessmentLink> {
    ws.assessments
        .iter()
        .filter(|(_, e)| {
            ws.template_of(&e.assessment).is_some_and(|t| {
                t.id == *template
                    && t.controls
                        .iter()
                        .any(|c| c.id == *control && c.actions.iter().any(|a| a.as_str() == action))
            })
        })
        .map(|(id, e)| AssessmentLink {
            id: id.to_string(),
            name: e.assessment.name.clone(),
            href: format!(
                "soa/{id}.html#control-{}",
                crate::report::view::url::encode(control.as_str(), false)
            ),
        })
        .collect()
}

pub(crate) fn related(c: &Control) -> Vec<RelatedView> {
    c.related
        .iter()
        .map(|r| RelatedView {
            template: r.template.to_string(),
            control: r.control.to_string(),
            relationship: r.relationship.replace('_', " "),
            shared: !r.actions.is_empty(),
        })
        .collect()
}

/// The order that groups items by family, families in order of first appearance
/// (stable within a family), and whether each item (in the new order) starts a family.
pub(crate) fn family_order(families: &[Option<&str>]) -> (Vec<usize>, Vec<bool>) {
    let mut first: HashMap<Option<&str>, usize> = HashMap::new();
    for (i, f) in families.iter().enumerate() {
        first.entry(*f).or_insert(i);
    }
    let mut order: Vec<usize> = (0..families.len()).collect();
    order.sort_by_key(|&i| (first[&families[i]], i));
    let starts =
        order.iter().enumerate().map(|(k, &i)| k == 0 || families[order[k - 1]] != families[i]).collect();
    (order, starts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_group_in_order_of_first_appearance() {
        let f = [Some("b"), Some("a"), Some("b"), None, Some("a")];
        let (order, starts) = family_order(&f);
        assert_eq!(order, [0, 2, 1, 4, 3]);
        assert_eq!(starts, [true, false, true, false, true]);
    }
}
