//! What an earlier import of a template wrote, for a re-import to compare
//! with (OSCAL catalogs and CISO Assistant libraries): the template and
//! actions it owns, or a diagnostic for every file it would overwrite
//! without owning it.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Report, Sources};
use crate::model::{Action, Template, Workspace};
use crate::repo::{Repo, layout};

/// Who owns which file: decides from a file's text whether this import wrote
/// it, and words the refusal when it did not.
pub(crate) struct Ownership<'a> {
    pub owns_template: &'a dyn Fn(&str) -> bool,
    pub owns_action: &'a dyn Fn(&str) -> bool,
    /// `(path, text, "template" | "action")` → the diagnostic.
    pub not_owned: &'a dyn Fn(&str, &str, &str) -> Diagnostic,
}

/// The previous import of `template`: its template (None when new) and the
/// actions it owns among `new_actions` and those the template listed.
pub(crate) fn find(
    repo: &Repo,
    sources: &Sources,
    ws: &Workspace,
    template: &str,
    new_actions: &[&str],
    own: &Ownership,
) -> Result<(Option<Template>, BTreeMap<String, Action>), Report> {
    let text_of = |rel: &str| -> String {
        sources
            .get(rel)
            .map(str::to_owned)
            .or_else(|| std::fs::read_to_string(repo.path(rel)).ok())
            .unwrap_or_default()
    };
    let mut report = Report::default();
    let template_path = layout::template_path(template);
    let mut old_template = None;
    if repo.path(&template_path).exists() {
        let text = text_of(&template_path);
        if (own.owns_template)(&text) {
            old_template = ws.templates.get(template).cloned();
        } else {
            report.diagnostics.push((own.not_owned)(&template_path, &text, "template"));
            report.sources.insert(template_path.clone(), text);
        }
    }
    let mut old_actions = BTreeMap::new();
    let listed: Vec<String> =
        old_template.iter().flat_map(Template::action_ids).map(ToString::to_string).collect();
    let candidates = new_actions.iter().map(|a| (*a).to_owned()).chain(listed);
    for action in candidates {
        let path = layout::action_path(&action);
        if !repo.path(&path).exists() || old_actions.contains_key(&action) {
            continue;
        }
        let text = text_of(&path);
        if (own.owns_action)(&text) {
            if let Some(a) = ws.actions.get(action.as_str()) {
                old_actions.insert(action, a.clone());
            }
        } else if new_actions.contains(&action.as_str()) {
            report.diagnostics.push((own.not_owned)(&path, &text, "action"));
            report.sources.insert(path, text);
        }
    }
    if report.diagnostics.is_empty() { Ok((old_template, old_actions)) } else { Err(report) }
}
