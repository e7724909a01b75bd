//! `evident explain`: what a diagnostic code means and how to fix it.

use crate::commands::context::Context;
use crate::diag::{Code, did_you_mean};
use crate::error::{Error, Outcome, Result};
use crate::render::table::Table;
use crate::ui::BOLD;

/// Explain a diagnostic code (`E0303`) or rule name (`unknown-action`).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  evident explain E0303\n  evident explain --list")]
pub(crate) struct Args {
    /// A code such as E0303, or a rule name such as unknown-action.
    #[arg(required_unless_present = "list")]
    pub code: Option<String>,
    /// List every code with its rule name and default level.
    #[arg(long, conflicts_with = "code")]
    pub list: bool,
}

/// How a level that `[rules]` cannot change is marked, here and in the README's tables.
const ALWAYS: &str = " (always)";

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    if args.list {
        let mut t = Table::new(&["Code", "Rule", "Level", "Meaning"]);
        for c in Code::ALL {
            let level = format!("{:?}{}", c.default_severity(), if c.configurable() { "" } else { ALWAYS })
                .to_lowercase();
            t.row(vec![c.code().into(), c.name().into(), level, c.summary().into()]);
        }
        ui.out(&t.render(ui.color_stdout));
        return Ok(Outcome::Success);
    }
    let wanted = args.code.unwrap_or_default();
    let Some(code) = Code::lookup(&wanted) else {
        let mut e = Error::new(format!("no diagnostic code `{wanted}`"));
        let names = Code::ALL.iter().flat_map(|c| [c.code(), c.name()]);
        if let Some(hint) = did_you_mean(&wanted, names) {
            e = e.hint(hint);
        }
        return Err(e.hint("`evident explain --list` lists every code"));
    };
    let level = if code.configurable() {
        format!(
            "{:?} by default; `[rules] {} = \"error\" | \"warning\" | \"off\"` changes it",
            code.default_severity(),
            code.name()
        )
    } else {
        format!("{:?}{ALWAYS}: `[rules]` cannot change or turn off this rule", code.default_severity())
    };
    ui.out(&format!(
        "{} {}: {}\n\n{}\n\nLevel: {}\n",
        ui.paint(BOLD, code.code()),
        ui.paint(BOLD, code.name()),
        code.summary(),
        wrap(code.explanation(), 78),
        level.to_lowercase(),
    ));
    Ok(Outcome::Success)
}

fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split_whitespace() {
        if line > 0 && line + 1 + word.len() > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.chars().count();
    }
    out
}
