//! Signed verdicts (`[trust]`): the allowed signers file and commit
//! signatures verified with git. The history rules that require signatures
//! are in [`crate::checks::trust`]; `evident trust` edits the file.

pub mod signers;
pub mod verify;

pub use signers::{AllowedSigners, PublicKey, SignerLine};
pub use verify::{Found, verify};

/// Why `[trust] allowed-signers` cannot name a file of the repository, if it cannot.
pub fn path_problem(path: &str) -> Option<String> {
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
pub struct Signed {
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
    pub fn new(found: &Found, author: &str, signers: &AllowedSigners) -> Signed {
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
    pub fn label(&self) -> String {
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
/// were signed and by whom, judged by the allowed signers file of the
/// working tree's `[trust]` (one git process). Empty without `[trust]`.
pub fn verdict_signatures(
    root: &std::path::Path,
    config: &crate::model::Config,
    timeline: &crate::history::timeline::Timeline,
    events: &[&crate::history::timeline::StatusEvent],
) -> std::collections::BTreeMap<String, Signed> {
    let mut out = std::collections::BTreeMap::new();
    let Some(trust) = &config.trust else { return out };
    if path_problem(&trust.allowed_signers).is_some() {
        return out;
    }
    let Ok(git) = crate::history::GitRepo::open(root) else { return out };
    let text = std::fs::read(root.join(&trust.allowed_signers)).unwrap_or_default();
    let signers = AllowedSigners::parse(&String::from_utf8_lossy(&text));
    let mut commits: Vec<usize> = events.iter().filter(|e| e.test_changed()).map(|e| e.commit).collect();
    commits.sort_unstable();
    commits.dedup();
    let ids: Vec<git2::Oid> =
        commits.iter().filter_map(|&i| git2::Oid::from_str(&timeline.commits.get(i)?.id).ok()).collect();
    let found = verify(git.repo.path(), &text, &ids);
    for &i in &commits {
        let Some(c) = timeline.commits.get(i) else { continue };
        let Some(f) = git2::Oid::from_str(&c.id).ok().and_then(|id| found.get(&id)) else { continue };
        out.insert(c.id.clone(), Signed::new(f, &c.author_email, &signers));
    }
    out
}
