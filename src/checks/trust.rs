//! Signed verdicts, the history rules of `[trust]`: a commit that records a
//! test verdict, automatic results or a change of the settings only admins
//! may change needs a good signature from a key that the allowed signers
//! file lists for its author, as `[trust]` requires. The file, `[trust]` and
//! `[roles]` are those in force at the commit's parent, so a change cannot
//! add its own key; a root commit is judged by its own.
//!
//! The rules are fed one commit at a time by [`super::history::HistoryRules`].
//! Signatures are verified in batches, one git process per allowed signers
//! file in force ([`crate::trust::verify`]): verdicts are collected during the
//! walk and verified at the end, except a commit changing admin settings,
//! whose signature decides at once whether its change applies to the commits
//! after it (and which verifies everything pending with it).

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use git2::Oid;

use crate::diag::{Code, Diagnostic};
use crate::history::GitRepo;
use crate::history::events::{BlobCache, CommitChanges};
use crate::model::{Config, DEFAULT_ALLOWED_SIGNERS, SignedChange};
use crate::repo::layout;
use crate::trust::{AllowedSigners, Found};

/// The signature rules' state over a walk.
#[derive(Default)]
pub(crate) struct Signatures {
    git_dir: Option<PathBuf>,
    /// `check --base`: with no admins named, a change to the allowed signers
    /// file is not applied within the range (a change cannot trust itself).
    fixed: bool,
    /// The allowed signers blob in force after each commit walked.
    in_force: HashMap<Oid, Option<Oid>>,
    /// Each allowed signers blob seen: its text and what it lists.
    files: HashMap<Option<Oid>, (Vec<u8>, Arc<AllowedSigners>)>,
    pending: Vec<Pending>,
    verified: HashMap<(Option<Oid>, Oid), Found>,
    /// Commits whose required signature was missing or not good.
    refused: HashSet<Oid>,
    diagnostics: Vec<Diagnostic>,
    /// Why signatures could not be verified (git or ssh-keygen could not run).
    failure: Option<String>,
}

/// A commit whose signature is required, waiting for verification.
struct Pending {
    commit: Oid,
    author: String,
    /// "1a2b3c4 (Cy, 2026-03-04)"
    described: String,
    kind: SignedChange,
    /// What the commit did, e.g. "test status set to `passed`".
    what: String,
    file: String,
    span: Range<usize>,
    /// Other files of the commit with the same kind of change.
    also: Vec<String>,
    /// The allowed signers file in force: its path and blob.
    signers_path: String,
    signers: Option<Oid>,
    /// The configuration that judged the commit, for rule levels.
    config: Arc<Config>,
}

/// One change of a commit that needs a signature: file, span, what.
pub(crate) struct Needs {
    pub file: String,
    pub span: Range<usize>,
    pub what: String,
}

impl Signatures {
    pub(crate) fn new(fixed: bool) -> Self {
        Signatures { fixed, ..Signatures::default() }
    }

    /// Whether `config` requires commits of `kind` to be signed.
    pub(crate) fn wants(config: &Config, kind: SignedChange) -> bool {
        config.trust.as_ref().is_some_and(|t| t.requires(kind))
    }

    /// Judges commit `c` by `config` (in force at its parent). `verdicts`:
    /// the verdicts it records whose author holds the assessor role.
    /// `adopted`: the configuration its change of `evident.toml` would put
    /// in force; `merged`: the other parents of a merge. Returns what stays of `adopted`: nothing when the change
    /// needed a signature it does not have.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn visit(
        &mut self,
        git: &GitRepo,
        c: &CommitChanges,
        config: &Arc<Config>,
        verdicts: Vec<Needs>,
        automated: Vec<Needs>,
        adopted: Option<Arc<Config>>,
        merged: &[Oid],
        cache: &mut BlobCache,
    ) -> Option<Arc<Config>> {
        if self.git_dir.is_none() {
            self.git_dir = Some(git.repo.path().to_path_buf());
        }
        let path = signers_path(config);
        let before = self.before(git, c, &path);
        let is_admin = config.roles.admins.iter().any(|a| a.eq_ignore_ascii_case(&c.author.email));
        let may_administer = is_admin || (config.roles.admins.is_empty() && !self.fixed);

        // The allowed signers file: changed by this commit (at the path in force, or a new path).
        let after_path = adopted.as_deref().map(signers_path).unwrap_or_else(|| path.clone());
        let touched = c.files.iter().any(|f| f.change.path == path || f.change.path == after_path);
        let mut candidate = before;
        if touched || after_path != path || !merged.is_empty() {
            candidate = git.tree_of(c.id).ok().flatten().and_then(|t| git.blob_at(&t, &after_path));
        }
        // A merge keeping the file of another parent: judged on that side.
        let merged_in =
            candidate != before && merged.iter().any(|p| self.in_force.get(p) == Some(&candidate));
        let signers_changed = candidate != before && !merged_in && c.first_parent.is_some();
        if signers_changed && !may_administer && !config.roles.admins.is_empty() {
            let mut d = Diagnostic::new(
                Code::AdminSettingsChanged,
                format!("`{path}` changed in {} by {}, who is not an admin", describe(c), c.author.email),
            )
            .in_file(path.clone())
            .note(format!("admins: {}", config.roles.admins.join(", ")))
            .note("the commits after it are judged by the allowed signers before it")
            .hint("ask an admin to add or remove keys (`evident trust add`)");
            if d.apply_level(&config.rules) {
                self.diagnostics.push(d);
            }
        }

        // Admin changes by an admin: signed, or not applied.
        let settings_changed = adopted.is_some() && admin_settings_changed(git, c, config, cache);
        let admin_change =
            (settings_changed || (signers_changed && may_administer)) && c.first_parent.is_some();
        // The roots of trust (`[trust]`, `[roles]`, the allowed signers file) need an admin's
        // signature as soon as any signature is required: were they changed under a forged
        // e-mail, a key or a role added that way would sign the verdicts after them.
        let anchors_changed =
            signers_changed || (adopted.is_some() && anchors_changed(git, c, config, cache));
        let anchored = anchors_changed && config.trust.as_ref().is_some_and(|t| !t.require_signed.is_empty());
        let mut stands = true;
        if admin_change && is_admin && (Self::wants(config, SignedChange::Admin) || anchored) {
            let file = if settings_changed { layout::CONFIG_FILE.to_owned() } else { path.clone() };
            let what = if settings_changed {
                "admin settings changed in `evident.toml`".to_owned()
            } else {
                format!("allowed signers changed in `{path}`")
            };
            self.require(
                git,
                c,
                config,
                SignedChange::Admin,
                vec![Needs { file, span: 0..0, what }],
                &path,
                before,
            );
            self.flush();
            stands = !self.refused.contains(&c.id);
        }
        if Self::wants(config, SignedChange::Verdicts) && !verdicts.is_empty() {
            self.require(git, c, config, SignedChange::Verdicts, verdicts, &path, before);
        }
        if Self::wants(config, SignedChange::Automation) && !automated.is_empty() {
            self.require(git, c, config, SignedChange::Automation, automated, &path, before);
        }

        let keep = stands && (!signers_changed || may_administer);
        self.in_force.insert(c.id, if keep || merged_in { candidate } else { before });
        if stands { adopted } else { None }
    }

    /// The allowed signers blob in force at `c`'s parent (a root commit: its own).
    fn before(&mut self, git: &GitRepo, c: &CommitChanges, path: &str) -> Option<Oid> {
        if let Some(p) = c.first_parent
            && let Some(blob) = self.in_force.get(&p)
        {
            return *blob;
        }
        let at = c.first_parent.unwrap_or(c.id);
        git.tree_of(at).ok().flatten().and_then(|t| git.blob_at(&t, path))
    }

    #[allow(clippy::too_many_arguments)]
    fn require(
        &mut self,
        git: &GitRepo,
        c: &CommitChanges,
        config: &Arc<Config>,
        kind: SignedChange,
        mut needs: Vec<Needs>,
        path: &str,
        signers: Option<Oid>,
    ) {
        self.files.entry(signers).or_insert_with(|| {
            let bytes = signers.and_then(|b| git.blob(b).ok()).map(|b| b.to_vec()).unwrap_or_default();
            let parsed = AllowedSigners::parse(&String::from_utf8_lossy(&bytes));
            (bytes, Arc::new(parsed))
        });
        if needs.is_empty() {
            needs.push(Needs {
                file: layout::CONFIG_FILE.to_owned(),
                span: 0..0,
                what: "automatic results recorded".to_owned(),
            });
        }
        let first = needs.remove(0);
        self.pending.push(Pending {
            commit: c.id,
            author: c.author.email.clone(),
            described: describe(c),
            kind,
            what: first.what,
            file: first.file,
            span: first.span,
            also: needs.into_iter().map(|n| n.file).collect(),
            signers_path: path.to_owned(),
            signers,
            config: config.clone(),
        });
    }

    /// Verifies every pending commit, one git process per allowed signers
    /// file, and reports those whose signature is not good.
    fn flush(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        if pending.is_empty() {
            return;
        }
        let Some(git_dir) = self.git_dir.clone() else { return };
        let mut by_file: HashMap<Option<Oid>, Vec<Oid>> = HashMap::new();
        for p in &pending {
            if !self.verified.contains_key(&(p.signers, p.commit)) {
                let list = by_file.entry(p.signers).or_default();
                if !list.contains(&p.commit) {
                    list.push(p.commit);
                }
            }
        }
        for (blob, commits) in by_file {
            let bytes = self.files.get(&blob).map(|(b, _)| b.as_slice()).unwrap_or_default();
            match crate::trust::verify(&git_dir, bytes, &commits) {
                Ok(found) => self.verified.extend(found.into_iter().map(|(commit, f)| ((blob, commit), f))),
                Err(why) => {
                    self.failure.get_or_insert(why);
                    return;
                }
            }
        }
        for p in pending {
            let found = self
                .verified
                .get(&(p.signers, p.commit))
                .cloned()
                .unwrap_or(Found::Unverifiable { why: "git did not report on the commit".to_owned() });
            let signers = self.files.get(&p.signers).map(|(_, s)| s.clone()).unwrap_or_default();
            if let Some(mut d) = judge(&p, &found, &signers) {
                self.refused.insert(p.commit);
                if d.apply_level(&p.config.rules) {
                    self.diagnostics.push(d);
                }
            }
        }
    }

    /// Commits whose required signature was missing or not good (after
    /// verifying what is pending).
    pub(crate) fn refused(&mut self) -> &HashSet<Oid> {
        self.flush();
        &self.refused
    }

    /// Verifies what is pending and hands over the diagnostics; an error when
    /// signatures could not be verified at all.
    pub(crate) fn finish(mut self, out: &mut Vec<Diagnostic>) -> crate::error::Result<()> {
        self.flush();
        if let Some(why) = self.failure {
            return Err(crate::error::Error::new(format!("could not verify commit signatures: {why}")));
        }
        out.extend(self.diagnostics);
        Ok(())
    }
}

/// The allowed signers file named by a configuration (the default path when
/// it has no `[trust]`: the file is an admin's before `[trust]` is set too).
fn signers_path(config: &Config) -> String {
    config
        .trust
        .as_ref()
        .map(|t| t.allowed_signers.clone())
        .unwrap_or_else(|| DEFAULT_ALLOWED_SIGNERS.to_owned())
}

/// Whether `c` changed `[roles]` or a table only admins may change, compared
/// with its parent's `evident.toml` (or, when that did not load, `config`).
fn admin_settings_changed(git: &GitRepo, c: &CommitChanges, config: &Config, cache: &mut BlobCache) -> bool {
    let Some(change) = c.files.iter().find(|f| f.change.path == layout::CONFIG_FILE) else { return false };
    let Some(after) = change.change.new.and_then(|b| cache.config(git, b)) else { return false };
    let before: &Config = c.config_before.as_deref().unwrap_or(config);
    before.roles != after.roles || !super::history::admin_tables_changed(before, &after).is_empty()
}

/// Whether `c` changed `[roles]` or `[trust]`, compared with its parent's
/// `evident.toml` (or, when that did not load, `config`).
fn anchors_changed(git: &GitRepo, c: &CommitChanges, config: &Config, cache: &mut BlobCache) -> bool {
    let Some(change) = c.files.iter().find(|f| f.change.path == layout::CONFIG_FILE) else { return false };
    let Some(after) = change.change.new.and_then(|b| cache.config(git, b)) else { return false };
    let before: &Config = c.config_before.as_deref().unwrap_or(config);
    before.roles != after.roles || before.trust != after.trust
}

/// The diagnostic for a required signature that is not good, if it is not.
fn judge(p: &Pending, found: &Found, signers: &AllowedSigners) -> Option<Diagnostic> {
    let (code, verb) = match found {
        Found::Good { principal, fingerprint } => {
            if principal.eq_ignore_ascii_case(&p.author) || signers.lists(&p.author, fingerprint) {
                return None;
            }
            (Code::SignatureOtherSigner, format!("is signed with the key of {principal}"))
        }
        Found::Unsigned => (Code::SignatureMissing, "is not signed".to_owned()),
        Found::UnknownKey { .. } => (
            Code::SignatureUnknownKey,
            "is signed with a key the allowed signers file does not list".to_owned(),
        ),
        Found::Bad { .. } => (Code::SignatureBad, "has a bad signature".to_owned()),
        Found::Unverifiable { .. } => {
            (Code::SignatureUnverified, "has a signature evident cannot verify".to_owned())
        }
    };
    let role = match p.kind {
        SignedChange::Verdicts => "an assessor's",
        SignedChange::Automation => "the automation identity's",
        SignedChange::Admin => "an admin's",
    };
    let keys = signers.keys_of(&p.author);
    let mut d = Diagnostic::new(code, format!("{} in {} {verb}", p.what, p.described))
        .at(p.file.clone(), p.span.clone())
        .note(format!(
            "expected: a good signature by a key that `{}` lists for {}, {role} ({})",
            p.signers_path,
            p.author,
            match keys.len() {
                0 => "it lists none".to_owned(),
                1 => keys[0].key.fingerprint.clone(),
                n => format!("{n} keys"),
            }
        ))
        .note(format!("found: {}", found.describe()));
    if !p.also.is_empty() {
        d = d.note(format!("the same commit also changed {}", p.also.join(", ")));
    }
    let hint = match found {
        Found::Unsigned if keys.is_empty() => format!(
            "{} needs a key: generate one (`ssh-keygen -t ed25519`), ask an admin to run `evident trust add {} KEY.pub` in a commit of its own, then sign (`git config gpg.format ssh`, `git config user.signingkey KEY.pub`, `git commit -S`)",
            p.author,
            crate::diag::shell::quote(&p.author)
        ),
        Found::Unsigned => "sign the commit: `git config gpg.format ssh`, `git config user.signingkey KEY.pub`, then `git commit --amend -S --no-edit` (or `git rebase --exec 'git commit --amend -S --no-edit' BASE`)".to_owned(),
        Found::UnknownKey { .. } => format!(
            "a key is trusted once an admin adds it, in a commit before this one: `evident trust add {} KEY.pub`",
            crate::diag::shell::quote(&p.author)
        ),
        Found::Good { .. } => {
            "commit under the key owner's own e-mail address, or sign with your own key".to_owned()
        }
        Found::Bad { .. } => {
            "the commit was altered after it was signed, or the key has expired: re-create and sign the commit".to_owned()
        }
        Found::Unverifiable { .. } => {
            "evident verifies SSH signatures with git 2.34 or later and OpenSSH's ssh-keygen: install them, and sign with `gpg.format=ssh`".to_owned()
        }
    };
    Some(d.hint(hint))
}

fn describe(c: &CommitChanges) -> String {
    c.author.describe(c.id)
}

/// `[trust]` in the working tree: its allowed signers file is inside the
/// repository, exists, is a regular file and lists only keys (E0715).
pub(crate) fn check_file(
    ws: &crate::model::Workspace,
    report: &mut crate::diag::Report,
    root: &std::path::Path,
) {
    let Some(trust) = &ws.config.trust else { return };
    if ws.config.roles.admins.is_empty() {
        let span = report
            .sources
            .get(layout::CONFIG_FILE)
            .and_then(|t| crate::load::span_of(t, "/trust"))
            .unwrap_or(0..0);
        report.diagnostics.push(
            Diagnostic::new(Code::TrustWithoutAdmins, "`[trust]` is set but `[roles]` names no admins")
                .at(layout::CONFIG_FILE, span)
                .note("without admins, anyone who can commit may change `[trust]`, `[roles]` and the allowed signers file")
                .hint("add `admins = [\"you@example.com\"]` under `[roles]`"),
        );
    }
    let rel = trust.allowed_signers.as_str();
    let at_config = |report: &crate::diag::Report| {
        report
            .sources
            .get(layout::CONFIG_FILE)
            .and_then(|t| crate::load::span_of(t, "/trust/allowed-signers"))
            .unwrap_or(0..0)
    };
    if let Some(problem) = crate::trust::path_problem(rel) {
        let span = at_config(report);
        report.diagnostics.push(
            Diagnostic::new(Code::AllowedSignersInvalid, format!("`[trust] allowed-signers`: {problem}"))
                .at(layout::CONFIG_FILE, span)
                .hint(format!("name a file inside the repository, e.g. `{DEFAULT_ALLOWED_SIGNERS}`")),
        );
        return;
    }
    let path = root.join(rel);
    let text = match std::fs::symlink_metadata(&path) {
        Ok(m) if m.is_file() => match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => format!("\0{e}"),
        },
        Ok(_) => "\0it is not a regular file (git stores a symbolic link as its target's path)".to_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "\0it does not exist".to_owned(),
        Err(e) => format!("\0{e}"),
    };
    if let Some(why) = text.strip_prefix('\0') {
        let span = at_config(report);
        report.diagnostics.push(
            Diagnostic::new(
                Code::AllowedSignersInvalid,
                format!("the allowed signers file `{rel}` cannot be read: {why}"),
            )
            .at(layout::CONFIG_FILE, span)
            .note("no signature can be verified without it: every commit that needs one is refused")
            .hint("an admin creates it with `evident trust add EMAIL KEYFILE`"),
        );
        return;
    }
    let signers = AllowedSigners::parse(&text);
    if signers.problems.is_empty() {
        return;
    }
    let starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    for p in &signers.problems {
        let start = starts.get(p.line - 1).copied().unwrap_or(0);
        let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
        report.diagnostics.push(
            Diagnostic::new(
                Code::AllowedSignersInvalid,
                format!("line {} of `{rel}` is not a key: {}", p.line, p.message),
            )
            .at(rel, start..end)
            .hint("write keys with `evident trust add EMAIL KEYFILE`; `#` starts a comment"),
        );
    }
    report.sources.insert(rel, text);
}
