//! Text of new files: the TOML `evident init` and `evident new` write, built
//! with `toml_edit` so that quoting is always right.
//! [`verify`] checks every generated file against its schema before it is written.

mod assessment;

pub(crate) use assessment::{NewAssessment, new_assessment};

use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};

use crate::error::{Error, Result};
use crate::model::{Action, ActionState, Assessment, Evidence, Template};
use crate::repo::layout::{self, Entry};

/// The commented `evident.toml` of a new repository.
pub(crate) const CONFIG_TEXT: &str = r#"# evident configuration. Every table is optional.
# Editors that use Taplo (Even Better TOML) validate this file with
# .evident/schemas/config.schema.json (see .taplo.toml).

# People who may own actions: e-mail = name. When present, every owner must be listed.
# [people]
# "ana@example.com" = "Ana Lima"

# Roles by commit author e-mail.
# [roles]
# assessors = ["cy@example.com"]   # may set a test status of passed or failed-*
# admins = ["ana@example.com"]

# Points per action (defaults shown).
# [scoring]
# mandatory = { preventative = 27, detective = 3, corrective = 3 }
# discretionary = { preventative = 9, detective = 1, corrective = 1 }

# The level of a rule: "error", "warning" or "off" (`evident explain --list`).
# [rules]
# unused-action = "off"

# [check]
# max-score-drop = 0.0   # percentage points a score may drop in a change
"#;

fn doc_text(doc: DocumentMut) -> String {
    let mut s = doc.to_string();
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

fn set_opt(t: &mut Table, key: &str, v: &Option<String>) {
    if let Some(v) = v {
        t[key] = value(v.as_str());
    }
}

pub fn template_text(t: &Template) -> String {
    let mut doc = DocumentMut::new();
    doc["id"] = value(t.id.as_str());
    doc["name"] = value(t.name.as_str());
    doc["regulation"] = value(t.regulation.as_str());
    doc["version"] = value(i64::from(t.version));
    set_opt(doc.as_table_mut(), "description", &t.description);
    set_opt(doc.as_table_mut(), "source", &t.source);
    set_opt(doc.as_table_mut(), "urn", &t.urn);
    if t.controls.is_empty() {
        let mut s = doc_text(doc);
        s.push_str(
            "\n# Add the regulation's controls, each listing the actions (actions/<id>.toml) that satisfy it:\n\
             # [[controls]]\n\
             # id = \"art-32\"\n\
             # title = \"Security of processing\"\n\
             # actions = [\"mfa-admins\"]\n",
        );
        return s;
    }
    let mut controls = ArrayOfTables::new();
    for c in &t.controls {
        let mut table = Table::new();
        table["id"] = value(c.id.as_str());
        table["title"] = value(c.title.as_str());
        set_opt(&mut table, "family", &c.family);
        set_opt(&mut table, "description", &c.description);
        let mut actions = Array::new();
        for a in &c.actions {
            actions.push(a.as_str());
        }
        table["actions"] = value(actions);
        set_opt(&mut table, "urn", &c.urn);
        if !c.groups.is_empty() {
            table["groups"] = value(c.groups.iter().map(String::as_str).collect::<Array>());
        }
        if !c.related.is_empty() {
            let mut related = ArrayOfTables::new();
            for r in &c.related {
                let mut t = Table::new();
                t["template"] = value(r.template.as_str());
                t["control"] = value(r.control.as_str());
                t["relationship"] = value(r.relationship.as_str());
                if !r.actions.is_empty() {
                    t["actions"] = value(r.actions.iter().map(|a| a.as_str()).collect::<Array>());
                }
                related.push(t);
            }
            table["related"] = Item::ArrayOfTables(related);
        }
        controls.push(table);
    }
    doc["controls"] = Item::ArrayOfTables(controls);
    doc_text(doc)
}

pub fn action_text(a: &Action) -> String {
    let mut doc = DocumentMut::new();
    doc["id"] = value(a.id.as_str());
    doc["title"] = value(a.title.as_str());
    doc["version"] = value(i64::from(a.version));
    doc["category"] = value(a.category.as_str());
    doc["action_type"] = value(a.action_type.as_str());
    doc["control_type"] = value(a.control_type.as_str());
    doc["mandatory"] = value(a.mandatory);
    doc["testing"] = value(a.testing.as_str());
    if !a.managed_by.is_customer() {
        doc["managed_by"] = value(a.managed_by.as_str());
    }
    set_opt(doc.as_table_mut(), "solution", &a.solution);
    set_opt(doc.as_table_mut(), "service", &a.service);
    set_opt(doc.as_table_mut(), "guidance", &a.guidance);
    if !a.links.is_empty() {
        let mut links = ArrayOfTables::new();
        for l in &a.links {
            let mut t = Table::new();
            t["name"] = value(l.name.as_str());
            t["url"] = value(l.url.as_str());
            links.push(t);
        }
        doc["links"] = Item::ArrayOfTables(links);
    }
    doc_text(doc)
}

pub fn assessment_text(a: &Assessment) -> String {
    let mut doc = DocumentMut::new();
    doc["id"] = value(a.id.as_str());
    doc["name"] = value(a.name.as_str());
    doc["template"] = value(a.template.as_str());
    doc["template_version"] = value(i64::from(a.template_version));
    if let Some(g) = &a.group {
        doc["group"] = value(g.as_str());
    }
    set_opt(doc.as_table_mut(), "service", &a.service);
    set_opt(doc.as_table_mut(), "description", &a.description);
    doc_text(doc)
}

/// The state file of an action in an assessment.
pub fn state_text(s: &ActionState) -> String {
    let mut doc = DocumentMut::new();
    set_opt(doc.as_table_mut(), "owner", &s.owner);
    if let Some(v) = s.accepted_version {
        doc["accepted_version"] = value(i64::from(v));
    }
    if let Some(t) = s.testing {
        doc["testing"] = value(t.as_str());
    }
    let mut implementation = Table::new();
    implementation["status"] = value(s.implementation.status.as_str());
    if let Some(d) = s.implementation.date {
        implementation["date"] = value(d.to_toml());
    }
    set_opt(&mut implementation, "notes", &s.implementation.notes);
    doc["implementation"] = Item::Table(implementation);
    let mut test = Table::new();
    test["status"] = value(s.test.status.as_str());
    if let Some(d) = s.test.date {
        test["date"] = value(d.to_toml());
    }
    set_opt(&mut test, "notes", &s.test.notes);
    doc["test"] = Item::Table(test);
    if !s.evidence.is_empty() {
        doc["evidence"] = Item::ArrayOfTables(evidence_tables(&s.evidence));
    }
    doc_text(doc)
}

pub(crate) fn evidence_tables(evidence: &[Evidence]) -> ArrayOfTables {
    let mut out = ArrayOfTables::new();
    for e in evidence {
        let mut t = Table::new();
        t["name"] = value(e.name.as_str());
        set_opt(&mut t, "path", &e.path);
        set_opt(&mut t, "sha256", &e.sha256);
        set_opt(&mut t, "url", &e.url);
        out.push(t);
    }
    out
}

/// `.taplo.toml`: associates each file kind with its schema for Taplo / Even Better TOML.
pub(crate) fn taplo_text(schema_dir: &str) -> String {
    let mut s = String::from(
        "# Schema associations for Taplo / Even Better TOML (written by `evident init`).\n\
         # Refresh the schemas after upgrading evident: evident schema --write .evident/schemas\n",
    );
    // Taplo lets the last matching rule win, so the assessment rule follows the state rule.
    for (include, exclude, kind) in [
        ("**/evident.toml", None, "config"),
        ("**/templates/*.toml", None, "template"),
        ("**/actions/*.toml", None, "action"),
        ("**/assessments/*/*.toml", Some("**/assessments/*/assessment.toml"), "state"),
        ("**/assessments/*/assessment.toml", None, "assessment"),
    ] {
        s.push_str(&format!("\n[[rule]]\ninclude = [\"{include}\"]\n"));
        if let Some(exclude) = exclude {
            s.push_str(&format!("exclude = [\"{exclude}\"]\n"));
        }
        s.push_str(&format!("[rule.schema]\npath = \"./{schema_dir}/{kind}.schema.json\"\n"));
    }
    s
}

/// Every generated file must pass its schema: a failure here is a bug in evident.
pub(crate) fn verify(set: &crate::repo::write::Changeset) -> Result<()> {
    for (path, bytes) in set.files() {
        let diags = match layout::classify(path) {
            Entry::Template(_) => {
                crate::load::parse::<Template>(crate::schema::FileKind::Template, path, bytes).diagnostics
            }
            Entry::Action(_) => {
                crate::load::parse::<Action>(crate::schema::FileKind::Action, path, bytes).diagnostics
            }
            Entry::Assessment(_) => {
                crate::load::parse::<Assessment>(crate::schema::FileKind::Assessment, path, bytes).diagnostics
            }
            Entry::State(..) => {
                crate::load::parse::<ActionState>(crate::schema::FileKind::State, path, bytes).diagnostics
            }
            _ => Vec::new(),
        };
        if let Some(d) = diags.first() {
            return Err(Error::new(format!("internal error: generated `{path}` is invalid: {}", d.message))
                .hint("please report this bug; nothing was written"));
        }
    }
    Ok(())
}
