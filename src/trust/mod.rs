//! Signed verdicts (`[trust]`): the allowed signers file and commit
//! signatures verified with git. The history rules that require signatures
//! are in [`crate::checks::trust`]; `evident trust` edits the file.

pub(crate) mod signers;
pub(crate) mod verify;

pub(crate) use signers::AllowedSigners;
pub(crate) use verify::{Found, verify};

/// Why `[trust] allowed-signers` cannot name a file of the repository, if it cannot.
pub(crate) fn path_problem(path: &str) -> Option<String> {
    let p = std::path::Path::new(path);
    if path.is_empty() || path.contains('\\') || p.is_absolute() {
        return Some(format!(
            "`{path}` is not a path relative to the repository root (use `/` between folders)"
        ));
    }
    if p.components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
        return Some(format!("`{path}` leaves the repository or has `.` or `..` in it"));
    }
    None
}

/// Whether a commit was signed and by whom, as `history` and the report show it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub(crate) struct Signed {
    /// `good` (by the author's key), `other-signer`, `unsigned`, `unknown-key`, `bad` or `unverified`.
    pub status: &'static str,
    /// The e-mail the allowed signers file lists for the key, for a good signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// The key's `SHA256:` fingerprint, when there is a signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

impl Signed {
    pub(crate) fn new(found: &Found, author: &str, signers: &AllowedSigners) -> Signed {
        let fp = |f: &String| (!f.is_empty()).then(|| f.clone());
        match found {
            Found::Good { principal, fingerprint } => {
                let own = principal.eq_ignore_ascii_case(author) || signers.lists(author, fingerprint);
                Signed {
                    status: if own { "good" } else { "other-signer" },
                    signer: Some(if own { author.to_owned() } else { principal.clone() }),
                    fingerprint: fp(fingerprint),
                }
            }
            Found::Unsigned => Signed { status: "unsigned", signer: None, fingerprint: None },
            Found::UnknownKey { fingerprint } => {
                Signed { status: "unknown-key", signer: None, fingerprint: fp(fingerprint) }
            }
            Found::Bad { fingerprint } => {
                Signed { status: "bad", signer: None, fingerprint: fp(fingerprint) }
            }
            Found::Unverifiable { .. } => Signed { status: "unverified", signer: None, fingerprint: None },
        }
    }

    /// In words: "signed by cy@example.com", "not signed"...
    pub(crate) fn label(&self) -> String {
        let signer = self.signer.as_deref().unwrap_or("?");
        match self.status {
            "good" => format!("signed by {signer}"),
            "other-signer" => format!("signed by {signer}, not the author"),
            "unsigned" => "not signed".to_owned(),
            "unknown-key" => "signed by an unknown key".to_owned(),
            "bad" => "bad signature".to_owned(),
            _ => "signature not verified".to_owned(),
        }
    }
}

/// For the commits of `events` that changed a test status: whether they
/// were signed and by whom, each judged by the allowed signers file at its
/// parent (a root commit: its own), as the history rules judge it, so that a
/// commit adding its own key is not shown as signed. The file's path is the
/// working tree's `[trust]`; one git process per version of the file. Empty
/// without `[trust]`. An error when signatures could not be verified (git or
/// ssh-keygen could not run).
pub(crate) fn verdict_signatures(
    root: &std::path::Path,
    config: &crate::model::Config,
    timeline: &crate::history::timeline::Timeline,
    events: &[&crate::history::timeline::StatusEvent],
) -> crate::error::Result<std::collections::BTreeMap<String, Signed>> {
    use std::collections::{BTreeMap, HashMap};
    let mut out = BTreeMap::new();
    let Some(trust) = &config.trust else { return Ok(out) };
    if path_problem(&trust.allowed_signers).is_some() {
        return Ok(out);
    }
    let Ok(git) = crate::history::GitRepo::open(root) else { return Ok(out) };
    let mut commits: Vec<usize> = events.iter().filter(|e| e.test_changed()).map(|e| e.commit).collect();
    commits.sort_unstable();
    commits.dedup();
    // Each commit with the allowed signers blob at its parent.
    let mut by_file: HashMap<Option<git2::Oid>, Vec<(usize, git2::Oid)>> = HashMap::new();
    for &i in &commits {
        let Some(id) = timeline.commits.get(i).and_then(|c| git2::Oid::from_str(&c.id).ok()) else {
            continue;
        };
        let at = git.commit(id).ok().and_then(|c| c.parent_ids().next()).unwrap_or(id);
        let blob = git.tree_of(at).ok().flatten().and_then(|t| git.blob_at(&t, &trust.allowed_signers));
        by_file.entry(blob).or_default().push((i, id));
    }
    for (blob, list) in by_file {
        let text = blob.and_then(|b| git.blob(b).ok()).unwrap_or_default();
        let signers = AllowedSigners::parse(&String::from_utf8_lossy(&text));
        let ids: Vec<git2::Oid> = list.iter().map(|(_, id)| *id).collect();
        let found = verify(git.repo.path(), &text, &ids).map_err(|why| {
            crate::error::Error::new(format!("could not verify the signatures of test verdicts: {why}"))
        })?;
        for (i, id) in list {
            let (Some(c), Some(f)) = (timeline.commits.get(i), found.get(&id)) else { continue };
            out.insert(c.id.clone(), Signed::new(f, &c.author_email, &signers));
        }
    }
    Ok(out)
}
