//! The history rules of automatic testing: only the automation identity records the test
//! status and notes of an automatic action (E0903), the automatic output it replaces is not
//! frozen evidence, and only admins change what an automatic test runs (E0904): an action's
//! `[automation]` table, or a file inside the repository that a `run` names.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use git2::Oid;

use crate::diag::{Code, Diagnostic, Report};
use crate::history::GitRepo;
use crate::history::events::{CommitChanges, StateChange};
use crate::load::span_of;
use crate::model::{Action, ActionState, Config};
use crate::repo::layout::{self, Entry};

type Paths = Arc<HashSet<String>>;

/// Action definitions and run-named files, read from history once per blob or tree.
#[derive(Default)]
pub(crate) struct AutomationIndex {
    actions: HashMap<Oid, Option<Arc<Action>>>,
    /// For each `actions/` tree: the repository paths that `run` arguments name.
    run_paths: HashMap<Oid, Arc<HashSet<String>>>,
}

impl AutomationIndex {
    fn action(&mut self, git: &GitRepo, blob: Oid) -> Option<Arc<Action>> {
        self.actions
            .entry(blob)
            .or_insert_with(|| {
                let bytes = git.blob(blob).ok()?;
                let text = std::str::from_utf8(&bytes).ok()?;
                toml::from_str::<Action>(text.strip_prefix('\u{feff}').unwrap_or(text)).ok().map(Arc::new)
            })
            .clone()
    }

    /// The definition of `action` at commit `at`.
    pub(crate) fn action_at(&mut self, git: &GitRepo, at: Oid, action: &str) -> Option<Arc<Action>> {
        let tree = git.tree_of(at).ok()??;
        let blob = git.blob_at(&tree, &layout::action_path(action))?;
        self.action(git, blob)
    }

    /// Paths inside the repository that the `run` of some action names at commit `at`.
    fn run_paths_at(&mut self, git: &GitRepo, at: Oid) -> Arc<HashSet<String>> {
        let Ok(Some(tree)) = git.tree_of(at) else { return Arc::default() };
        let Some(actions_tree) = tree.get_name(layout::ACTIONS_DIR).map(|e| e.id()) else {
            return Arc::default();
        };
        if let Some(found) = self.run_paths.get(&actions_tree) {
            return found.clone();
        }
        let mut paths = HashSet::new();
        for (_, entry, blob) in git.data_files(&tree) {
            if !matches!(entry, Entry::Action(_)) {
                continue;
            }
            let Some(action) = self.action(git, blob) else { continue };
            paths.extend(named_paths(&action));
        }
        let paths = Arc::new(paths);
        self.run_paths.insert(actions_tree, paths.clone());
        paths
    }
}

/// The repository paths an action's `run` names: every argument that is a relative path.
pub(crate) fn named_paths(action: &Action) -> Vec<String> {
    let Some(run) = action.automation.as_ref().and_then(|a| a.run.as_ref()) else { return Vec::new() };
    run.iter()
        .filter(|arg| !arg.starts_with('-') && (arg.contains('/') || arg.contains('.')))
        .filter_map(|arg| crate::checks::evidence::normalize(arg).ok())
        .collect()
}

/// Whether the state change is of an action tested automatically before the commit.
pub(crate) fn automatic_before(
    index: &mut AutomationIndex,
    git: &GitRepo,
    c: &CommitChanges,
    s: &StateChange,
    config: &Config,
) -> bool {
    let Some(parent) = c.first_parent else { return false };
    let Some(action) = index.action_at(git, parent, s.action.as_str()) else { return false };
    let old = s.old.as_deref().cloned().unwrap_or_default();
    crate::automation::is_automatic(config, &action, &old)
}

/// A change of an automatic action's test status or notes by someone who is not the
/// automation identity.
pub(crate) fn forged(
    c: &CommitChanges,
    s: &StateChange,
    config: &Config,
    report: &Report,
) -> Option<Diagnostic> {
    let new = s.new.as_ref()?;
    let default = ActionState::default();
    let old = s.old.as_deref().unwrap_or(&default);
    let (before, after) = (&old.test, &new.test);
    if (before.status == after.status && before.notes == after.notes)
        || s.renamed_from.is_some()
        || config.roles.automation.is_empty()
        || config.is_automation(&c.author.email)
    {
        return None;
    }
    let what = if before.status != after.status {
        format!("test status set to `{}`", after.status)
    } else {
        "test notes changed".to_owned()
    };
    Some(
        Diagnostic::new(
            Code::AutomaticVerdictForged,
            format!(
                "{what} of automatic action `{}` in {} by {}, who is not the automation identity",
                s.action,
                super::remedy::describe(c),
                super::remedy::author(c)
            ),
        )
        .at(s.path.clone(), span(report, &s.path, "/test/status"))
        .note(format!("[roles] automation: {}", config.roles.automation.join(", ")))
        .hint(super::remedy::hint(
            c,
            "leave the test as it is in HEAD and let `evident test` record the result",
            &format!(
                "let `evident test` record the result; to test by hand, switch the action to `testing = \"manual\"` in `{}` in an earlier commit",
                s.path
            ),
        )),
    )
}

/// Whether an evidence item is the automatic output that a new automatic result may replace
/// in a commit by the automation identity.
pub(crate) fn replaceable_output(config: &Config, c: &CommitChanges, automatic: bool, name: &str) -> bool {
    automatic && name == crate::automation::OUTPUT_NAME && config.is_automation(&c.author.email)
}

/// Whether a changed evidence file is an automatic output that the automation identity may
/// replace.
pub(crate) fn replaceable_output_file(config: &Config, c: &CommitChanges, path: &str) -> bool {
    config.is_automation(&c.author.email)
        && path.starts_with(&format!("{}/", layout::EVIDENCE_DIR))
        && path.rsplit('/').next().is_some_and(|f| f.starts_with("automatic-") && f.ends_with(".txt"))
}

/// Changes to what automatic tests run by someone who is not an admin: an action's
/// `[automation]` table (compared as TOML values) or a file a `run` names, before or after.
pub(crate) fn automation_changes(
    index: &mut AutomationIndex,
    git: &GitRepo,
    c: &CommitChanges,
    config: &Config,
    report: &Report,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(parent) = c.first_parent else { return out };
    if config.roles.admins.is_empty()
        || config.roles.admins.iter().any(|a| a.eq_ignore_ascii_case(&c.author.email))
    {
        return out;
    }
    let note = format!("admins: {}", config.roles.admins.join(", "));
    let table = |blob: Option<Oid>| -> Option<toml::Value> {
        let bytes = git.blob(blob?).ok()?;
        let text = std::str::from_utf8(&bytes).ok()?;
        let doc: toml::Table = toml::from_str(text.strip_prefix('\u{feff}').unwrap_or(text)).ok()?;
        doc.get("automation").cloned()
    };
    // The paths before and after the commit, read when a file outside the data files changed.
    let mut run_files: Option<(Paths, Paths)> = None;
    for f in &c.files {
        let path = &f.change.path;
        if matches!(layout::classify(path), Entry::Action(_)) {
            if table(f.change.old) != table(f.change.new) {
                out.push(
                    Diagnostic::new(
                        Code::AutomationChanged,
                        format!(
                            "`[automation]` of `{path}` changed in {} by {}, who is not an admin",
                            super::remedy::describe(c),
                            super::remedy::author(c)
                        ),
                    )
                    .at(path.clone(), span(report, path, "/automation"))
                    .note(note.clone())
                    .hint(super::remedy::hint(
                        c,
                        "what an automatic test runs is executed by CI: leave it as it is in HEAD and ask an admin to make this change",
                        "what an automatic test runs is executed by CI: ask an admin to make this change",
                    )),
                );
            }
            continue;
        }
        if layout::classify(path).is_data() {
            continue;
        }
        let (before, after) =
            run_files.get_or_insert_with(|| (index.run_paths_at(git, parent), index.run_paths_at(git, c.id)));
        if before.contains(path) || after.contains(path) {
            out.push(
                Diagnostic::new(
                    Code::AutomationChanged,
                    format!(
                        "`{path}`, which an automatic test runs, changed in {} by {}, who is not an admin",
                        super::remedy::describe(c),
                        super::remedy::author(c)
                    ),
                )
                .in_file(path.clone())
                .note(note.clone())
                .hint(super::remedy::hint(
                        c,
                        "what an automatic test runs is executed by CI: leave it as it is in HEAD and ask an admin to make this change",
                        "what an automatic test runs is executed by CI: ask an admin to make this change",
                    )),
            );
        }
    }
    out
}

fn span(report: &Report, file: &str, pointer: &str) -> std::ops::Range<usize> {
    report.sources.get(file).and_then(|t| span_of(t, pointer)).unwrap_or(0..0)
}
