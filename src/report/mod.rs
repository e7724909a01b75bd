//! The compliance report (`evident report`): a static HTML site or one
//! Markdown document, rendered with minijinja from the templates of the
//! top-level `templates/` folder (embedded; a user's copies override them).
//!
//! The flow is one-way: [`view`] computes a serializable view model from
//! the workspace, its scores and the timeline (every number, label, link and
//! chart); [`html`] and [`md`] only render it. [`chart`] draws the inline SVG
//! trends and [`markdown`] makes user Markdown safe. Nothing here reads the
//! repository or writes files: the command does.

pub(crate) mod chart;
pub mod html;
pub(crate) mod markdown;
pub mod md;
pub(crate) mod related;
pub(crate) mod templates;
pub(crate) mod view;

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use crate::error::{Error, Result};
pub use templates::Templates;
pub use view::{Input, Report, build, evidence_paths};

/// How long one page may take to render from a `--templates` folder.
pub(crate) const RENDER_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Fuel every render gets whatever the data (minijinja counts about one per
/// instruction and one per 64 bytes of data made), plus [`FUEL_PER_BYTE`] per
/// byte of the report's data: the built-in templates use a small multiple of
/// the data, so the budget only ever stops a template that loops or grows
/// far beyond what its data asks for.
const BASE_FUEL: u64 = 5_000_000;
const FUEL_PER_BYTE: u64 = 8;

/// How deep macros, includes and nested blocks may go (minijinja's own
/// ceiling is 500; renders run on a thread with a stack large enough for it).
const RECURSION_LIMIT: usize = 200;

/// Renders templates within bounds: a fuel budget (instructions and memory)
/// always, and for a user's `--templates` folder also [`RENDER_TIME_LIMIT`]
/// per page, so that a hostile template (`{% for a in range(10**6) %}{% for
/// b in range(10**6) %}`) stops with an error naming it instead of running
/// for ever.
pub(crate) struct Renderer<'t> {
    env: std::sync::Arc<Environment<'static>>,
    time_limit: Option<std::time::Duration>,
    _templates: std::marker::PhantomData<&'t Templates>,
}

impl<'t> Renderer<'t> {
    /// A renderer for `templates`, with the fuel budget sized for `data`.
    pub(crate) fn new(templates: &'t Templates, data: &impl serde::Serialize) -> Result<Self> {
        let mut env = environment(templates)?;
        env.set_fuel(Some(BASE_FUEL.saturating_add(FUEL_PER_BYTE.saturating_mul(json_size(data)))));
        env.set_recursion_limit(RECURSION_LIMIT);
        let time_limit = (!templates.overridden.is_empty()).then_some(RENDER_TIME_LIMIT);
        Ok(Renderer { env: std::sync::Arc::new(env), time_limit, _templates: std::marker::PhantomData })
    }

    /// The template `name` rendered with `ctx`.
    pub(crate) fn render(&self, name: &str, ctx: minijinja::Value) -> Result<String> {
        let Some(limit) = self.time_limit else {
            return render_now(&self.env, name, ctx);
        };
        let (send, receive) = std::sync::mpsc::channel();
        let env = std::sync::Arc::clone(&self.env);
        let owned = name.to_owned();
        std::thread::Builder::new()
            .name("render".into())
            .stack_size(256 << 20)
            .spawn(move || {
                let _ = send.send(render_now(&env, &owned, ctx));
            })
            .map_err(|e| Error::new(format!("cannot start rendering `{name}`: {e}")))?;
        match receive.recv_timeout(limit) {
            Ok(result) => result,
            // The thread is left behind: the command stops with this error and the process exits.
            Err(_) => Err(Error::new(format!(
                "the report template `{name}` did not finish rendering within {} seconds",
                limit.as_secs()
            ))
            .hint("check the template's loops; `--templates` files replace the built-in ones by name")),
        }
    }
}

fn render_now(env: &Environment<'_>, name: &str, ctx: minijinja::Value) -> Result<String> {
    let template = env.get_template(name).map_err(|e| render_error(name, &e))?;
    template.render(ctx).map_err(|e| render_error(name, &e))
}

/// The size of `data` as JSON, without keeping the text.
fn json_size(data: &impl serde::Serialize) -> u64 {
    struct Count(u64);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len() as u64;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, data);
    count.0
}

/// A minijinja environment with every template: HTML templates auto-escape,
/// Markdown ones get the `md`, `md_quote` and `md_url` filters.
fn environment(templates: &Templates) -> Result<Environment<'static>> {
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
    if e.kind() == minijinja::ErrorKind::OutOfFuel {
        return Error::new(format!(
            "the report template `{name}` was stopped: it did far more work than the report's data asks for"
        ))
        .hint("check the template's loops; `--templates` files replace the built-in ones by name");
    }
    let mut message = format!("cannot render the report template `{name}`: {e}");
    // The innermost cause says what went wrong; a chain of includes between
    // (one per level of a recursive include) only repeats the file names.
    let mut source = std::error::Error::source(e);
    let mut depth = 0;
    while let Some(s) = source {
        depth += 1;
        if s.source().is_none() {
            let skipped = if depth > 1 { format!(" ({} includes deep)", depth) } else { String::new() };
            message.push_str(&format!(":{skipped} {s}"));
        }
        source = s.source();
    }
    Error::new(message).hint("check the template; `--templates` files replace the built-in ones by name")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_render_past_its_time_limit_stops_with_the_template_name() {
        let mut templates = Templates::default();
        templates.overridden = vec!["report.md".into()];
        let mut renderer = Renderer::new(&templates, &()).unwrap();
        renderer.time_limit = Some(std::time::Duration::from_millis(1));
        let slow = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}";
        let mut env = environment(&templates).unwrap();
        env.add_template_owned("slow.md", slow).unwrap();
        renderer.env = std::sync::Arc::new(env);
        let err = renderer.render("slow.md", minijinja::Value::UNDEFINED).unwrap_err();
        assert!(err.message.contains("`slow.md` did not finish rendering within"), "{}", err.message);
    }
}
