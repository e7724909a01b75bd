//! Do a template's `related` entries (mappings between frameworks) name controls that exist?

use crate::diag::{Code, Diagnostic, Report, did_you_mean};
use crate::load::span_of;
use crate::model::Workspace;
use crate::repo::layout::template_path;

pub(crate) fn check(ws: &Workspace, report: &mut Report) {
    let mut out = Vec::new();
    for (id, template) in &ws.templates {
        let file = template_path(id.as_str());
        for (i, control) in template.controls.iter().enumerate() {
            let mut entries = std::collections::HashSet::new();
            for (j, related) in control.related.iter().enumerate() {
                let at = |key: &str| {
                    let pointer = format!("/controls/{i}/related/{j}/{key}");
                    report.sources.get(&file).and_then(|t| span_of(t, &pointer)).unwrap_or(0..0)
                };
                let here = format!("control `{}`", control.id);
                if !entries.insert((related.template.as_str(), related.control.as_str())) {
                    out.push(
                        Diagnostic::new(
                            Code::DuplicateRelated,
                            format!("{here} is related to `{} {}` twice", related.template, related.control),
                        )
                        .at(&file, at("control"))
                        .hint("keep one entry per related control (with one relationship); remove the other"),
                    );
                }
                for (k, action) in related.actions.iter().enumerate() {
                    if !control.actions.contains(action) {
                        out.push(
                            Diagnostic::new(
                                Code::RelatedActionNotListed,
                                format!(
                                    "the entry for `{} {}` says it shares action `{action}` with {here}, \
                                     which does not list it",
                                    related.template, related.control
                                ),
                            )
                            .at(&file, at(&format!("actions/{k}")))
                            .hint(format!(
                                "add `{action}` to the control's `actions`, or remove it from the entry's \
                                 `actions` (re-running `evident import mapping` writes both)"
                            )),
                        );
                    }
                }
                let Some(target) = ws.templates.get(&related.template) else {
                    let mut d = Diagnostic::new(
                        Code::UnknownRelatedTemplate,
                        format!("{here} is related to template `{}`, which does not exist", related.template),
                    )
                    .at(&file, at("template"));
                    d = match did_you_mean(related.template.as_str(), ws.templates.keys().map(|t| t.as_str()))
                    {
                        Some(h) => d.hint(h),
                        None => d.hint(
                            "import that framework (it must be a template), or remove the entry; \
                             `evident import mapping` writes these entries",
                        ),
                    };
                    out.push(d);
                    continue;
                };
                if !target.controls.iter().any(|c| c.id == related.control) {
                    let mut d = Diagnostic::new(
                        Code::UnknownRelatedControl,
                        format!(
                            "{here} is related to `{} {}`, but template `{}` has no control `{}`",
                            related.template, related.control, related.template, related.control
                        ),
                    )
                    .at(&file, at("control"));
                    d = match did_you_mean(
                        related.control.as_str(),
                        target.controls.iter().map(|c| c.id.as_str()),
                    ) {
                        Some(h) => d.hint(h),
                        None => d.hint(format!(
                            "name a control of `{}` (`evident list controls --template {}`), or re-run \
                             `evident import mapping` with the current mapping file",
                            related.template, related.template
                        )),
                    };
                    out.push(d);
                }
                if related.template == *id {
                    out.push(
                        Diagnostic::new(
                            Code::UnknownRelatedTemplate,
                            format!("{here} is related to a control of its own template `{id}`"),
                        )
                        .at(&file, at("template"))
                        .hint("a mapping relates controls of two different templates; remove the entry"),
                    );
                }
                if !crate::import::ciso_mapping::RELATIONSHIPS.contains(&related.relationship.as_str()) {
                    out.push(
                        Diagnostic::new(
                            Code::UnknownRelationship,
                            format!(
                                "relationship `{}` of {here} is not one evident knows",
                                related.relationship
                            ),
                        )
                        .at(&file, at("relationship"))
                        .hint(format!(
                            "use one of {}",
                            crate::import::ciso_mapping::RELATIONSHIPS.join(", ")
                        )),
                    );
                }
            }
        }
    }
    report.diagnostics.extend(out);
}
