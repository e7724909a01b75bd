//! The compliance report (`evident report`): a static HTML site or one
//! Markdown document, rendered with minijinja from the templates of the
//! top-level `templates/` folder (embedded; a user's copies override them).
//!
//! The flow is one-way: [`context`] computes a serializable view model from
//! the workspace, its scores and the timeline (every number, label, link and
//! chart); [`html`] and [`md`] only render it. [`chart`] draws the inline SVG
//! trends and [`markdown`] makes user Markdown safe. Nothing here reads the
//! repository or writes files: the command does.

pub mod chart;
pub mod context;
pub mod html;
pub mod markdown;
pub mod md;
pub mod templates;

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use crate::error::{Error, Result};
pub use context::{Input, Report, build, evidence_paths};
pub use templates::Templates;

/// A minijinja environment with every template: HTML templates auto-escape,
/// Markdown ones get the `md`, `md_quote` and `md_url` filters.
fn environment(templates: &Templates) -> Result<Environment<'_>> {
    let mut env = Environment::new();
    let syntax = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| Error::new(format!("template syntax: {e}")))?;
    env.set_syntax(syntax);
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    // minijinja's HTML escaping also turns `/` into `&#x2f;`, which makes
    // every link hard to read; `&<>"'` are all that HTML needs.
    env.set_formatter(|out, state, value| {
        let plain = !value.is_safe() && !value.is_undefined() && !value.is_none();
        if plain && matches!(state.auto_escape(), AutoEscape::Html) {
            out.write_str(&chart::escape(&value.to_string()))?;
            Ok(())
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    env.add_filter("md", |s: String| md::md(&s));
    env.add_filter("md_quote", |s: String| md::md_quote(&s));
    env.add_filter("md_url", |s: String| md::md_url(&s));
    for (name, source) in templates.renderable() {
        env.add_template_owned(name.to_owned(), source.to_owned()).map_err(|e| render_error(name, &e))?;
    }
    Ok(env)
}

/// A template error with where it happened.
fn render_error(name: &str, e: &minijinja::Error) -> Error {
    let mut message = format!("cannot render the report template `{name}`: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    Error::new(message).hint("check the template; `--templates` files replace the built-in ones by name")
}
