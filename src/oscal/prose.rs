//! OSCAL prose to Markdown: statements as nested lists with their labels,
//! parameters shown the way NIST prints them ("[Assignment: …]",
//! "[Selection (one or more): …]").

use std::collections::HashMap;

use super::model::{Param, Part};

/// Parameters by id, for `{{ insert: param, id }}`.
pub(crate) type Params<'a> = HashMap<&'a str, &'a Param>;

/// A control's statement as Markdown: the lead prose, then its items as a
/// nested list ("- **a.** Develop…").
pub(crate) fn statement(part: &Part, params: &Params) -> String {
    let mut out = String::new();
    if let Some(prose) = &part.prose {
        out.push_str(insert_params(prose.trim(), params, 0).trim());
    }
    let mut list = String::new();
    for item in &part.parts {
        items(item, 0, params, &mut list);
    }
    if !list.is_empty() {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&list);
    }
    out.trim().to_owned()
}

fn items(part: &Part, depth: usize, params: &Params, out: &mut String) {
    if part.name != "item" {
        return;
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&"  ".repeat(depth));
    out.push_str("- ");
    if let Some(label) = part.label() {
        out.push_str(&format!("**{label}** "));
    }
    if let Some(prose) = &part.prose {
        out.push_str(insert_params(prose.trim(), params, 0).trim());
    }
    for sub in &part.parts {
        items(sub, depth + 1, params, out);
    }
}

/// A part's prose and the prose of its sub-parts, as paragraphs (guidance).
pub(crate) fn paragraphs(part: &Part, params: &Params) -> String {
    let mut paras = Vec::new();
    collect(part, params, &mut paras);
    paras.join("\n\n")
}

fn collect(part: &Part, params: &Params, out: &mut Vec<String>) {
    if let Some(title) = &part.title {
        out.push(format!("**{}**", title.trim()));
    }
    if let Some(prose) = &part.prose {
        let text = insert_params(prose.trim(), params, 0);
        if !text.trim().is_empty() {
            out.push(text.trim().to_owned());
        }
    }
    for sub in &part.parts {
        collect(sub, params, out);
    }
}

/// Replaces `{{ insert: param, id }}` with the parameter as NIST prints it.
pub(crate) fn insert_params(text: &str, params: &Params, depth: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}").map(|c| open + c) else { break };
        out.push_str(&rest[..open]);
        let inner = rest[open + 2..close].trim();
        match inner.strip_prefix("insert:").map(|s| s.split(',').map(str::trim).collect::<Vec<_>>()) {
            Some(args) if args.len() == 2 && args[0] == "param" => {
                out.push_str(&param_text(args[1], params, depth))
            }
            _ => out.push_str(&rest[open..close + 2]),
        }
        rest = &rest[close + 2..];
    }
    out.push_str(rest);
    out
}

fn param_text(id: &str, params: &Params, depth: usize) -> String {
    let Some(p) = params.get(id) else { return format!("[Assignment: {id}]") };
    if depth > 8 {
        return format!("[Assignment: {id}]");
    }
    if !p.values.is_empty() {
        return p.values.join(", ");
    }
    if let Some(select) = &p.select {
        let choices: Vec<String> =
            select.choice.iter().map(|c| insert_params(c, params, depth + 1)).collect();
        let how = match select.how_many.as_deref() {
            Some("one-or-more") => "Selection (one or more)",
            _ => "Selection",
        };
        return format!("[{how}: {}]", choices.join("; "));
    }
    match &p.label {
        Some(label) => format!("[Assignment: {label}]"),
        None => format!("[Assignment: {id}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oscal::model::{Prop, Select};

    fn item(label: &str, prose: &str, parts: Vec<Part>) -> Part {
        Part {
            name: "item".into(),
            title: None,
            props: vec![Prop { name: "label".into(), value: label.into() }],
            prose: Some(prose.into()),
            parts,
        }
    }

    #[test]
    fn statement_as_nested_list_with_params() {
        let p1 = Param {
            id: "p1".into(),
            label: Some("organization-defined personnel".into()),
            values: vec![],
            select: None,
        };
        let p2 = Param {
            id: "p2".into(),
            label: None,
            values: vec![],
            select: Some(Select {
                how_many: Some("one-or-more".into()),
                choice: vec!["A".into(), "{{ insert: param, p1 }}".into()],
            }),
        };
        let params: Params = [("p1", &p1), ("p2", &p2)].into_iter().collect();
        let smt = Part {
            name: "statement".into(),
            title: None,
            props: vec![],
            prose: None,
            parts: vec![
                item(
                    "a.",
                    "Tell {{ insert: param, p1 }}:",
                    vec![item("1.", " {{ insert: param, p2 }} policy", vec![])],
                ),
                item("b.", "Review {{ insert: param, nope }}.", vec![]),
            ],
        };
        assert_eq!(
            statement(&smt, &params),
            "- **a.** Tell [Assignment: organization-defined personnel]:\n  - **1.** [Selection (one or more): A; [Assignment: organization-defined personnel]] policy\n- **b.** Review [Assignment: nope]."
        );
    }

    #[test]
    fn lead_prose_then_list() {
        let smt = Part {
            name: "statement".into(),
            title: None,
            props: vec![],
            prose: Some("The organization:".into()),
            parts: vec![item("a.", "does x;", vec![]), item("b.", "does y.", vec![])],
        };
        assert_eq!(
            statement(&smt, &Params::new()),
            "The organization:\n\n- **a.** does x;\n- **b.** does y."
        );
    }
}
