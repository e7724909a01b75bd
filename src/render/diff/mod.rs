//! `evident diff` output: the terminal view (a score table like
//! `git diff --stat`, then one line per changed action), Markdown for
//! pull-request comments, and JSON.
//!
//! Everything shown comes from a computed [`WorkspaceDiff`](crate::diff::WorkspaceDiff); these functions
//! only choose what to show and how to word it.
//!
//! `wording` holds what the terminal and Markdown share (field lists, score
//! and status words) behind the `Wording` trait; `terminal`, `markdown`
//! and `json` are the three formats.

mod json;
mod markdown;
mod terminal;
mod wording;

pub(crate) use json::json;
pub(crate) use markdown::markdown;
pub(crate) use terminal::{action_change_lines, human, template_change_lines};
