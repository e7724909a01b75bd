//! How the history rules name the change they judge and what to do about it.
//!
//! A history rule judges each commit on its own, so a later commit never
//! undoes a broken one (restoring removed evidence is itself a removal of its
//! replacement): the commit has to be dropped or rewritten before its branch
//! merges. The uncommitted changes (`evident check` judges them as a commit on
//! top of HEAD) are simply fixed before committing.

use crate::history::events::CommitChanges;
use crate::history::short_id;

/// "1a2b3c4 (Ana Lima, 2026-03-04)", or "the uncommitted changes" ("the
/// staged changes" for the index, when it is judged apart).
pub(crate) fn describe(c: &CommitChanges) -> String {
    if c.uncommitted { format!("the {}", c.summary) } else { c.author.describe(c.id) }
}

/// The author's e-mail, or why there is none.
pub(crate) fn author(c: &CommitChanges) -> String {
    if c.author.email.is_empty() {
        match c.no_email {
            Some(why) => format!("an author with no e-mail ({})", why.cause()),
            None => "an author with no e-mail".to_owned(),
        }
    } else {
        c.author.email.clone()
    }
}

/// Why a later commit cannot fix `c` and how to take it out of the branch.
pub(crate) fn rewrite(c: &CommitChanges) -> String {
    let short = short_id(c.id);
    let how = if c.first_parent.is_some() {
        format!("`git rebase -i {short}~1`, or `git reset HEAD~1` when it is the last commit")
    } else {
        "`git rebase -i --root`, or `git commit --amend` when it is the only commit".to_owned()
    };
    format!("a later commit cannot undo {short}: drop or rewrite it on the branch before it merges ({how})")
}

/// The hint of a history rule: `now` for the uncommitted changes, otherwise
/// [`rewrite`] followed by `then`, what the rewritten commit should do.
pub(crate) fn hint(c: &CommitChanges, now: &str, then: &str) -> String {
    if c.uncommitted { now.to_owned() } else { format!("{}; {then}", rewrite(c)) }
}

/// What a non-assessor's verdict calls for: in a root commit, the way to
/// bring an existing program into evident.
pub(crate) fn assessor_hint(c: &CommitChanges) -> String {
    if c.uncommitted {
        return if c.author.email.is_empty() {
            let fix = c.no_email.map_or("set your e-mail with `git config user.email`", |why| why.fix());
            format!(
                "{fix} if you are an assessor; otherwise leave the test status as it is in HEAD and ask an assessor to record the result"
            )
        } else {
            "leave the test status as it is in HEAD and ask an assessor to record the test result".to_owned()
        };
    }
    if c.first_parent.is_none() {
        return format!(
            "{}; to bring an existing program into evident, make the first commit as one of the assessors, or commit it without verdicts and have an assessor record them in a commit of their own (README: \"Starting from an existing program\")",
            rewrite(c)
        );
    }
    hint(c, "", "then ask an assessor to record the test result")
}
