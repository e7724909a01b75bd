//! One module per subcommand: an `Args` struct whose doc comments are the
//! help text, and `run(ctx: &Context, args: Args)`. What several commands
//! share is in `context.rs` (the [`context::Context`] every command receives),
//! `args.rs` (shared arguments and format enums) and `output.rs` (printing
//! reports, JSON and edit plans).

pub(crate) mod accept;
pub(crate) mod alerts;
pub(crate) mod args;
pub(crate) mod assign;
pub(crate) mod audit;
pub(crate) mod check;
pub(crate) mod completions;
pub(crate) mod context;
pub(crate) mod diff;
pub(crate) mod evidence;
pub(crate) mod explain;
pub(crate) mod export;
pub(crate) mod history;
pub(crate) mod import;
pub(crate) mod init;
pub(crate) mod library;
pub(crate) mod list;
pub(crate) mod list_controls;
pub(crate) mod new;
pub(crate) mod output;
pub(crate) mod report;
pub(crate) mod schema;
pub(crate) mod score;
pub(crate) mod set;
pub(crate) mod sync;
pub(crate) mod test;
pub(crate) mod trust;
pub(crate) mod updates;
pub(crate) mod validate;
mod vocabulary;
