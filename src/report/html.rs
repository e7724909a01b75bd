//! The static HTML site: an overview, the action list with filters, one page
//! per assessment and one for its Statement of Applicability (`soa/`), one
//! per action, and the stylesheet and script. Pages in sub-folders reach the
//! rest through `root` (`"../"`), so the site works from `file://` and from
//! any sub-path.

use minijinja::context;
use minijinja::value::{Serde, Value};

use super::Renderer;
use super::templates::Templates;
use super::view::Report;
use crate::error::Result;

/// Every file of the site (path relative to the output folder, contents),
/// except copied evidence.
pub fn render(report: &Report, templates: &Templates) -> Result<Vec<(String, Vec<u8>)>> {
    let env = Renderer::new(templates, report)?;
    let value = Value::from(Serde(report));
    let mut files = vec![
        ("assets/style.css".to_owned(), templates.get("style.css").as_bytes().to_vec()),
        ("assets/app.js".to_owned(), templates.get("app.js").as_bytes().to_vec()),
        (
            "index.html".to_owned(),
            page(&env, "index.html", context! { report => value.clone(), root => "", page => "index" })?,
        ),
        (
            "actions.html".to_owned(),
            page(&env, "actions.html", context! { report => value.clone(), root => "", page => "actions" })?,
        ),
    ];
    for (i, a) in report.assessments.iter().enumerate() {
        let assessment = item(&value, "assessments", i);
        let ctx = context! { report => value.clone(), assessment, root => "../", page => "assessment" };
        files.push((a.href.clone(), page(&env, "assessment.html", ctx)?));
        let assessment = item(&value, "assessments", i);
        let ctx = context! { report => value.clone(), assessment, root => "../", page => "soa" };
        files.push((a.soa_href.clone(), page(&env, "soa.html", ctx)?));
    }
    for (i, a) in report.actions.iter().enumerate() {
        let action = item(&value, "actions", i);
        let ctx = context! { report => value.clone(), action, root => "../", page => "action" };
        files.push((a.href.clone(), page(&env, "action.html", ctx)?));
    }
    Ok(files)
}

/// The `index`-th element of a list of the report, already converted.
fn item(report: &Value, list: &str, index: usize) -> Value {
    report.get_attr(list).and_then(|l| l.get_item_by_index(index)).unwrap_or_default()
}

fn page(env: &Renderer<'_>, name: &str, ctx: Value) -> Result<Vec<u8>> {
    let mut text = env.render(name, ctx)?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text.into_bytes())
}
