//! A warning before an edit writes a test verdict that its author may not
//! commit: with `[roles] assessors` set, a verdict committed by anyone else
//! fails E0702 (`evident check`), and only rewriting that commit undoes it.

use std::path::Path;

use crate::diag::{Code, Diagnostic};
use crate::model::{Config, Level};

/// The warning, when verdicts are written and the author `git commit` would
/// record (`git config user.email`, or `GIT_AUTHOR_EMAIL`…) is not an assessor
/// (or not set). Nothing outside git, nor when
/// `[rules]` turns E0702 off.
pub(super) fn warning(root: &Path, config: &Config) -> Option<Diagnostic> {
    let level = config.rules.get(Code::AssessorRequired.name()).copied().unwrap_or(Level::Error);
    if config.roles.assessors.is_empty() || level == Level::Off {
        return None;
    }
    let git = crate::history::GitRepo::open(root).ok()?;
    let who = match crate::history::worktree::user_email(&git.repo) {
        Ok((email, _)) if config.is_assessor(&email) => return None,
        Ok((email, from)) => format!("{email} ({from}) is not an assessor"),
        Err(why) => why.cause().to_owned(),
    };
    Some(
        Diagnostic::new(
            Code::AssessorRequired,
            format!(
                "{who}: committing this test verdict will {} `evident check` unless an assessor commits it (assessors: {})",
                if level == Level::Warning { "be reported by" } else { "fail" },
                config.roles.assessors.join(", ")
            ),
        )
        .into_warning(),
    )
}
