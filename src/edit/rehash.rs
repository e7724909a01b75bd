//! What `evident evidence rehash` records: the evidence files whose content no
//! longer matches their recorded `sha256` (E0403), with the hash they have now;
//! and what it refuses to rehash (a missing file, a path out of the
//! repository, a link).

use std::collections::BTreeMap;
use std::path::Path;

use crate::checks::evidence::{Resolved, resolve};
use crate::diag::{did_you_mean, shell};
use crate::error::{Error, Result};
use crate::model::{ActionId, AssessmentId, Workspace};
use crate::repo::layout::state_path;

/// Which evidence items of the chosen states to look at.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Which<'a> {
    /// The item of this name (in each state that has it).
    Named(&'a str),
    /// Every item kept as a file in the repository.
    Files,
}

/// An evidence item whose file changed since its hash was recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Changed {
    pub assessment: AssessmentId,
    pub action: ActionId,
    /// The item's position among the state's evidence, and its name: two
    /// items of one name (E0302) may cite different files.
    pub index: usize,
    pub name: String,
    /// The file's hash now.
    pub sha256: String,
}

/// The items of `states` (assessment, action) that `which` picks and whose
/// file no longer matches its recorded hash (or has none recorded). Items that
/// match are left out. An error names every picked item that cannot be
/// rehashed: its file is missing, leaves the repository, is no file or cannot
/// be read; a link named on its own has no file to hash.
pub(crate) fn changed(
    root: &Path,
    ws: &Workspace,
    states: &[(AssessmentId, ActionId)],
    which: Which,
) -> Result<Vec<Changed>> {
    let mut out = Vec::new();
    let mut hashed: BTreeMap<String, Resolved> = BTreeMap::new();
    // What cannot be rehashed: (path, why) → the state files that cite it.
    let mut problems: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut found = false;
    for (assessment, action) in states {
        let state = ws.state(assessment, action);
        let file = state_path(assessment.as_str(), action.as_str());
        for (index, item) in state.evidence.iter().enumerate().filter(|(_, e)| picks(which, &e.name)) {
            found = true;
            let Some(path) = &item.path else {
                if let Which::Named(name) = which {
                    return Err(Error::new(format!("evidence `{name}` of `{file}` is a link, not a file"))
                        .hint("only files kept in the repository have a hash to record"));
                }
                continue;
            };
            let resolved = hashed.entry(path.clone()).or_insert_with(|| resolve(root, path));
            match resolved {
                Resolved::File { sha256 } if item.sha256.as_ref() == Some(sha256) => {}
                Resolved::File { sha256 } => out.push(Changed {
                    assessment: assessment.clone(),
                    action: action.clone(),
                    index,
                    name: item.name.clone(),
                    sha256: sha256.clone(),
                }),
                other => problems.entry((path.clone(), why(other))).or_default().push(file.clone()),
            }
        }
    }
    if let Which::Named(name) = which
        && !found
    {
        return Err(not_found(ws, states, name));
    }
    if problems.is_empty() {
        return Ok(out);
    }
    Err(refusal(problems))
}

fn picks(which: Which, name: &str) -> bool {
    match which {
        Which::Named(wanted) => wanted == name,
        Which::Files => true,
    }
}

/// Why a missing file cannot be rehashed.
const MISSING: &str = "does not exist";

/// Why a path cannot be rehashed, in a few words.
fn why(resolved: &Resolved) -> String {
    match resolved {
        Resolved::Missing => MISSING.to_owned(),
        Resolved::Outside(why) => format!("leaves the repository ({why})"),
        Resolved::NotFile => "is not a file".to_owned(),
        Resolved::Data => "is one of the repository's data files".to_owned(),
        Resolved::Internal(why) => format!("is inside `.git/` or evident's own folder ({why})"),
        Resolved::Unreadable(e) => format!("cannot be read: {e}"),
        Resolved::File { .. } => "is a file".to_owned(),
    }
}

/// The error that names every evidence file that cannot be rehashed.
fn refusal(problems: BTreeMap<(String, String), Vec<String>>) -> Error {
    let lines: Vec<String> = problems
        .iter()
        .map(|((path, why), files)| format!("`{path}` {why} (cited by `{}`)", files.join("`, `")))
        .collect();
    let message = match lines.as_slice() {
        [one] => format!("cannot rehash evidence file {one}"),
        many => format!("cannot rehash {} evidence files:\n  {}", many.len(), many.join("\n  ")),
    };
    let mut err = Error::new(message);
    if let Some(((path, _), _)) = problems.iter().find(|((_, why), _)| why == MISSING) {
        err = err.hint(format!(
            "restore a missing file (`git log -- {}` shows the commits that changed it), or remove its item with `evident evidence remove`",
            shell::quote(path)
        ));
    }
    if problems.keys().any(|(_, why)| why != MISSING) {
        err = err.hint(
            "evidence is a document, export or screenshot kept under `evidence/`; fix the item's `path`",
        );
    }
    err
}

/// No chosen state has an item called `name`.
fn not_found(ws: &Workspace, states: &[(AssessmentId, ActionId)], name: &str) -> Error {
    let mut names: Vec<String> = Vec::new();
    for (assessment, action) in states {
        names.extend(ws.state(assessment, action).evidence.iter().map(|e| e.name.clone()));
    }
    names.sort();
    names.dedup();
    let err = match states {
        [(assessment, action)] => Error::new(format!(
            "`{}` has no evidence named `{name}`",
            state_path(assessment.as_str(), action.as_str())
        )),
        _ => {
            let files: Vec<String> =
                states.iter().map(|(a, action)| state_path(a.as_str(), action.as_str())).collect();
            Error::new(format!("no evidence named `{name}` in `{}`", files.join("`, `")))
        }
    };
    match did_you_mean(name, names.iter().map(String::as_str)) {
        Some(hint) => err.hint(hint),
        None if names.is_empty() => err.hint("it has no evidence at all"),
        None => err.hint(format!("its evidence: {}", names.join(", "))),
    }
}
