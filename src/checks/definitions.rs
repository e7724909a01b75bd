//! Action definitions changed without a version bump (E0706): a change to what an action is
//! worth or how it is tested must bump `version`, so that every assessment sees a pending
//! update and accepts it, instead of its score changing at once.

use git2::Oid;

use super::remedy;
use crate::diag::{Code, Diagnostic, Report};
use crate::history::GitRepo;
use crate::history::events::CommitChanges;
use crate::load::span_of;
use crate::repo::layout::{self, Entry};

/// Keys of an action definition that change neither its points nor how it is
/// tested: they may change without a version bump.
const FREE_ACTION_KEYS: [&str; 8] =
    ["id", "title", "version", "category", "solution", "service", "guidance", "links"];

/// The action files of commit `c` whose scoring or testing changed while `version` did not.
pub(super) fn changed_without_version(git: &GitRepo, c: &CommitChanges, report: &Report) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for f in &c.files {
        let (Some(old), Some(new)) = (f.change.old, f.change.new) else { continue };
        if !matches!(layout::classify(&f.change.path), Entry::Action(_)) {
            continue;
        }
        let parse = |b: Oid| -> Option<toml::Table> {
            let bytes = git.blob(b).ok()?;
            let text = std::str::from_utf8(&bytes).ok()?;
            toml::from_str(text.strip_prefix('\u{feff}').unwrap_or(text)).ok()
        };
        let (Some(old), Some(new)) = (parse(old), parse(new)) else { continue };
        if old.get("version") != new.get("version") {
            continue;
        }
        let keys: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        let changed: Vec<&str> = keys
            .into_iter()
            .filter(|k| !FREE_ACTION_KEYS.contains(&k.as_str()) && old.get(*k) != new.get(*k))
            .map(String::as_str)
            .collect();
        if changed.is_empty() {
            continue;
        }
        let version = new.get("version").map(|v| v.to_string()).unwrap_or_else(|| "?".to_owned());
        // The first changed key the file still has, or else its version.
        let pointers: Vec<String> =
            changed.iter().map(|k| format!("/{k}")).chain(["/version".to_owned()]).collect();
        out.push(
            Diagnostic::new(
                Code::DefinitionChangedWithoutVersion,
                format!(
                    "{} of `{}` changed in {} without a version bump (still version {version})",
                    changed.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "),
                    f.change.path,
                    remedy::describe(c)
                ),
            )
            .at(f.change.path.clone(), at_first_of(report, &f.change.path, &pointers))
            .at_first_of(pointers)
            .label("changed without a version bump")
            .hint(remedy::hint(
                c,
                "bump `version` before committing; assessments then accept the new definition with `evident accept`",
                "bump `version` in the rewritten commit (`git commit --amend` for the last one); assessments then accept the new definition with `evident accept`",
            )),
        );
    }
    out
}

/// The span of the first of `pointers` that `file` has.
fn at_first_of(report: &Report, file: &str, pointers: &[String]) -> std::ops::Range<usize> {
    let text = report.sources.get(file);
    text.and_then(|t| pointers.iter().find_map(|p| span_of(t, p))).unwrap_or(0..0)
}
