//! One module per subcommand: an `Args` struct whose doc comments are the
//! help text, and `run(ctx: &Context, args: Args)`. What several commands
//! share is in `context.rs` (the [`context::Context`] every command receives),
//! `args.rs` (shared arguments and format enums) and `output.rs` (printing
//! reports, JSON and edit plans).

pub mod accept;
pub mod alerts;
pub mod args;
pub mod assign;
pub mod audit;
pub mod check;
pub mod completions;
pub mod context;
pub mod diff;
pub mod evidence;
pub mod explain;
pub mod export;
pub mod history;
pub mod import;
pub mod init;
pub mod library;
pub mod list;
pub mod list_controls;
pub mod new;
pub mod output;
pub mod report;
pub mod schema;
pub mod score;
pub mod set;
pub mod sync;
pub mod test;
pub mod trust;
pub mod updates;
pub mod validate;
mod vocabulary;
