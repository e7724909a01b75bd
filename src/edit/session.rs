//! The session: open every target file, change it, check the results and plan the writes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use toml_edit::DocumentMut;

use super::*;
use crate::checks::group::differences;
use crate::checks::status::{Broken, problems};
use crate::diag::{Code, Diagnostic, Report};
use crate::error::{Error, Result};
use crate::load::span_of;
use crate::model::{Action, ActionId, ActionState, AssessmentId, Date, Level, TestStatus, Workspace};
use crate::repo::layout::state_path;
use crate::repo::write::{Changeset, contained_path};
use crate::schema::FileKind;

/// The files an editing command changes, collected before anything is written.
pub(crate) struct Session<'w> {
    root: PathBuf,
    ws: &'w Workspace,
    today: Date,
    files: BTreeMap<String, StateEdit>,
    /// Evidence files to copy into the repository.
    copies: BTreeMap<String, Vec<u8>>,
    /// State files that cannot be edited, and their diagnostics.
    unreadable: Vec<String>,
    unreadable_report: Report,
    /// The git repository and its HEAD, opened once for every file (`None`
    /// inside: not in git, or no commit yet).
    head: Option<Option<HeadTree>>,
}

impl<'w> Session<'w> {
    pub(crate) fn new(root: &Path, ws: &'w Workspace, today: Date) -> Self {
        Session {
            root: root.to_path_buf(),
            ws,
            today,
            files: BTreeMap::new(),
            copies: BTreeMap::new(),
            unreadable: Vec::new(),
            unreadable_report: Report::default(),
            head: None,
        }
    }

    /// The state file of `action` in `assessment`, ready to change. `None`
    /// when the file does not load; its diagnostics then refuse the plan.
    pub(crate) fn open(
        &mut self,
        assessment: &AssessmentId,
        action: &Action,
    ) -> Result<Option<&mut StateEdit>> {
        let path = state_path(assessment.as_str(), action.id.as_str());
        if !self.files.contains_key(&path) {
            let Some(edit) = self.read(&path, assessment, action)? else {
                return Ok(None);
            };
            self.files.insert(path.clone(), edit);
        }
        Ok(self.files.get_mut(&path))
    }

    fn read(&mut self, path: &str, assessment: &AssessmentId, action: &Action) -> Result<Option<StateEdit>> {
        let full = contained_path(&self.root, path)?;
        let mut bom = false;
        let (original, before) = match std::fs::symlink_metadata(&full) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (None, new_state(action)),
            Err(e) => return Err(Error::io("read", &full, e)),
            Ok(meta) if !meta.file_type().is_file() => {
                self.unreadable.push(path.to_owned());
                self.unreadable_report.diagnostics.push(
                    Diagnostic::new(Code::SymlinkedFile, format!("`{path}` is not a regular file"))
                        .in_file(path)
                        .hint("replace it with a regular file; evident does not write through links"),
                );
                return Ok(None);
            }
            Ok(_) => {
                let bytes = std::fs::read(&full).map_err(|e| Error::io("read", &full, e))?;
                bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
                let parsed = crate::load::parse::<ActionState>(FileKind::State, path, &bytes);
                let errors: Vec<Diagnostic> =
                    parsed.diagnostics.into_iter().filter(|d| d.is_error()).collect();
                match parsed.value {
                    Some(state) if errors.is_empty() => (Some(parsed.text.to_string()), state),
                    _ => {
                        self.unreadable.push(path.to_owned());
                        self.unreadable_report.diagnostics.extend(errors);
                        self.unreadable_report.sources.insert(path, parsed.text);
                        return Ok(None);
                    }
                }
            }
        };
        let text = original.clone().unwrap_or_else(|| crate::scaffold::state_text(&before));
        let doc = text.parse::<DocumentMut>().map_err(|e| {
            Error::new(format!("`{path}` is valid TOML for evident but not for its editor: {e}"))
                .hint("please report this bug; nothing was written")
        })?;
        Ok(Some(StateEdit {
            path: path.to_owned(),
            assessment: assessment.clone(),
            action: action.clone(),
            original,
            bom,
            before,
            doc,
            today: self.today,
            refusals: Vec::new(),
            committed_test: self.committed_test_status(path),
            assessment_flag: assessment_flag(self.ws, &action.id, assessment),
        }))
    }

    /// Adds an evidence file to write with the state files.
    pub(crate) fn copy(&mut self, file: &EvidenceFile) {
        if let Some(bytes) = &file.copy {
            self.copies.insert(file.path.clone(), bytes.clone());
        }
    }

    /// Reads every changed file back and checks it: the schema, the status
    /// rules (with `[rules]` levels) and the edit's own refusals. Problems
    /// the file already had before the edit are reported as warnings: this
    /// edit did not cause them and should not be blocked by them.
    pub(crate) fn plan(self, rules: &BTreeMap<String, Level>) -> Plan {
        let mut caused = self.unreadable_report;
        let mut already = Report::default();
        let mut files = Vec::new();
        let mut changeset = Changeset::new();
        let mut after_states = Vec::new();
        let mut verdicts = false;
        for (path, copy) in &self.copies {
            changeset.put(path.clone(), copy.clone());
        }
        for edit in self.files.into_values() {
            let Some(result) = check_file(&edit, self.today, &mut caused, &mut already) else {
                continue;
            };
            if result.change != FileChange::Unchanged {
                let text = if edit.bom { format!("\u{feff}{}", result.text) } else { result.text.clone() };
                changeset.put(edit.path.clone(), text);
            }
            let committed = edit.committed_test.unwrap_or(edit.before.test.status);
            verdicts |= committed.verdict_change_to(result.after.test.status).is_some()
                && !crate::automation::is_automatic(&self.ws.config, &edit.action, &edit.before);
            after_states.push((edit.assessment.clone(), edit.action.id.clone(), result.after.clone()));
            files.push(FileResult { path: edit.path, change: result.change, what: result.what });
        }
        caused.finish(rules);
        already.finish(rules);
        for d in &mut already.diagnostics {
            d.severity = crate::diag::Severity::Warning;
            d.notes.push("the file already had this problem before the edit".into());
        }
        caused.diagnostics.append(&mut already.diagnostics);
        caused.sources.extend(already.sources);
        let mut warnings = group_warnings(self.ws, &after_states);
        warnings.extend(verdicts.then(|| super::assessor::warning(&self.root, &self.ws.config)).flatten());
        Plan {
            files,
            copies: self.copies.into_keys().collect(),
            report: caused,
            unreadable: self.unreadable,
            group_warnings: warnings,
            changeset,
        }
    }
}

/// The default state of an action in an assessment, as a new file records it.
fn new_state(action: &Action) -> ActionState {
    ActionState { accepted_version: Some(action.version), ..ActionState::default() }
}

/// A checked result of one edit.
struct Checked {
    text: String,
    after: ActionState,
    change: FileChange,
    what: Vec<String>,
}

/// Reads an edited file back and sorts its problems into those the edit
/// causes and those the file already had. `None` when it does not load.
fn check_file(edit: &StateEdit, today: Date, caused: &mut Report, already: &mut Report) -> Option<Checked> {
    let mut text = render(&edit.doc, edit.original.as_deref());
    let parsed = crate::load::parse::<ActionState>(FileKind::State, &edit.path, text.as_bytes());
    let errors: Vec<Diagnostic> = parsed.diagnostics.into_iter().filter(|d| d.is_error()).collect();
    let after = match parsed.value {
        Some(after) if errors.is_empty() => after,
        _ => {
            caused.diagnostics.extend(errors);
            caused.sources.insert(edit.path.as_str(), text);
            return None;
        }
    };
    if after == edit.before {
        let text = edit.original.clone().unwrap_or_default();
        return Some(Checked { text, after, change: FileChange::Unchanged, what: Vec::new() });
    }
    if edit.original.is_none() {
        // A new file gets the canonical layout `evident new` writes.
        text = crate::scaffold::state_text(&after);
    }
    // A problem counts as the file's own only when it is word for word the
    // same: an edit that moves a future date further out causes its problem.
    let before_problems: BTreeSet<(Code, &str, String)> =
        problems(&edit.action, &edit.before, today, &edit.assessment_flag)
            .into_iter()
            .map(|p| (p.diagnostic.code, p.pointer, p.diagnostic.message))
            .collect();
    let mut found = false;
    for Broken { pointer, diagnostic } in problems(&edit.action, &after, today, &edit.assessment_flag)
        .into_iter()
        .chain(edit.refusals.iter().cloned())
    {
        let target = if before_problems.contains(&(diagnostic.code, pointer, diagnostic.message.clone())) {
            &mut *already
        } else {
            &mut *caused
        };
        let span = span_of(&text, pointer).unwrap_or(0..0);
        target.diagnostics.push(diagnostic.at(&edit.path, span));
        found = true;
    }
    if found {
        caused.sources.insert(edit.path.as_str(), text.as_str());
        already.sources.insert(edit.path.as_str(), text.as_str());
    }
    let change = if edit.is_new() { FileChange::Created } else { FileChange::Updated };
    let what = describe(&edit.before, &after);
    Some(Checked { text, after, change, what })
}

/// The document's text, with the original's line endings and final newline.
pub(crate) fn render(doc: &DocumentMut, original: Option<&str>) -> String {
    let mut text = doc.to_string();
    if !text.ends_with('\n') && original.is_none_or(|o| o.ends_with('\n')) {
        text.push('\n');
    }
    // Lines the editor added end in `\n`; a CRLF file should stay CRLF throughout.
    if original.is_some_and(|o| o.contains("\r\n")) {
        text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    text
}

/// Members of a group that still disagree on a shared action after the edit
/// (they disagreed before it on something it did not change).
fn group_warnings(ws: &Workspace, states: &[(AssessmentId, ActionId, ActionState)]) -> Vec<Diagnostic> {
    let mut by_group: BTreeMap<(&str, &ActionId), Vec<(&AssessmentId, &ActionState)>> = BTreeMap::new();
    for (assessment, action, state) in states {
        if let Some(group) = group_of(ws, assessment) {
            by_group.entry((group, action)).or_default().push((assessment, state));
        }
    }
    let mut out = Vec::new();
    for ((group, action), members) in by_group {
        let Some(((first, first_state), rest)) = members.split_first() else {
            continue;
        };
        for (member, state) in rest {
            let what = differences(first_state, state);
            if !what.is_empty() {
                out.push(
                    Diagnostic::new(
                        Code::GroupOutOfSync,
                        format!(
                            "group `{group}`: `{first}` and `{member}` still disagree on `{action}` ({}); run `evident sync`",
                            what.join(", ")
                        ),
                    )
                    .into_warning(),
                );
            }
        }
    }
    out
}

/// HEAD's tree, read once per session and walked through a cache.
struct HeadTree {
    git: crate::history::GitRepo,
    tree: git2::Oid,
    cache: crate::history::git::TreeCache,
}

impl HeadTree {
    fn open(root: &Path) -> Option<HeadTree> {
        let git = crate::history::GitRepo::open(root).ok()?;
        let commit = git.commit(git.head().ok()??).ok()?;
        let mut cache = crate::history::git::TreeCache::default();
        let tree = git.narrowed_tree_id(&commit, &mut cache)?;
        drop(commit);
        Some(HeadTree { git, tree, cache })
    }
}

impl Session<'_> {
    /// The test status of a state file as committed in HEAD, if the repository is in git.
    fn committed_test_status(&mut self, path: &str) -> Option<TestStatus> {
        let root = &self.root;
        let head = self.head.get_or_insert_with(|| HeadTree::open(root)).as_mut()?;
        let blob = head.git.blob_below(head.tree, path, &mut head.cache)?;
        let bytes = head.git.blob(blob).ok()?;
        let state: ActionState = toml::from_str(std::str::from_utf8(&bytes).ok()?).ok()?;
        Some(state.test.status)
    }
}
