//! Commit signatures, verified by git itself: one `git log --no-walk --stdin`
//! per allowed signers file, over every commit to verify against it, with
//! `gpg.ssh.allowedSignersFile` pointing at a temporary copy of the file.
//! So evident and `git log --show-signature` agree, and a range of a thousand
//! commits costs one git process (git runs ssh-keygen for each signature).
//!
//! The git child runs in a controlled environment: no system or global git
//! configuration, and the settings that decide verification (the programs,
//! the revocation file, the minimum trust level) pinned on the command line,
//! above anything the repository's own `.git/config` says. Only SSH
//! signatures are accepted; OpenPGP and X.509 signatures are reported as
//! signatures evident does not verify.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use git2::Oid;

/// What a commit carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// No signature.
    Unsigned,
    /// A good SSH signature by a key the file lists, for `principal`.
    Good { principal: String, fingerprint: String },
    /// A valid SSH signature by a key the file does not list.
    UnknownKey { fingerprint: String },
    /// The signature does not match the commit (it was altered after signing),
    /// or ssh-keygen refused it (an expired or revoked key).
    Bad { fingerprint: String },
    /// Could not be verified: an OpenPGP or X.509 signature, or git could not run.
    Unverifiable { why: String },
}

impl Found {
    /// For messages: what was found.
    pub(crate) fn describe(&self) -> String {
        match self {
            Found::Unsigned => "no signature".to_owned(),
            Found::Good { principal, fingerprint } => {
                format!("a good signature by {principal} ({fingerprint})")
            }
            Found::UnknownKey { fingerprint } => {
                format!("a signature by {fingerprint}, a key the allowed signers file does not list")
            }
            Found::Bad { fingerprint } if fingerprint.is_empty() => "a bad signature".to_owned(),
            Found::Bad { fingerprint } => format!("a bad signature ({fingerprint})"),
            Found::Unverifiable { why } => format!("a signature that could not be verified: {why}"),
        }
    }
}

/// Field and record separators of the `git log` format.
const FORMAT: &str = "--format=tformat:%H%x1f%G?%x1f%GF%x1f%GS";

/// Verifies `commits` against the allowed signers file `signers` (its
/// contents; empty when the file does not exist). One git process.
///
/// An error means the verification could not be done at all (git or
/// ssh-keygen missing or failing): the caller stops with exit 2 rather than
/// judge commits on a verdict nobody reached.
pub(crate) fn verify(git_dir: &Path, signers: &[u8], commits: &[Oid]) -> Result<HashMap<Oid, Found>, String> {
    if commits.is_empty() {
        return Ok(HashMap::new());
    }
    run_git(git_dir, signers, commits)
}

fn run_git(git_dir: &Path, signers: &[u8], commits: &[Oid]) -> Result<HashMap<Oid, Found>, String> {
    let scratch = tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let allowed = scratch.path().join("allowed_signers");
    let revoked = scratch.path().join("revoked_keys");
    let gnupg = scratch.path().join("gnupg");
    std::fs::write(&allowed, signers).map_err(|e| format!("cannot write a temporary file: {e}"))?;
    std::fs::write(&revoked, b"").map_err(|e| format!("cannot write a temporary file: {e}"))?;
    std::fs::create_dir(&gnupg).map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let mut cmd = Command::new("git");
    cmd.env_clear();
    for key in ["PATH", "SYSTEMROOT", "HOME"] {
        if let Some(v) = std::env::var_os(key) {
            cmd.env(key, v);
        }
    }
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", if cfg!(windows) { "NUL" } else { "/dev/null" })
        .env("GNUPGHOME", &gnupg)
        .env("LC_ALL", "C")
        .arg("--git-dir")
        .arg(git_dir)
        .arg("--no-replace-objects")
        .arg("-c")
        .arg(config_arg("gpg.ssh.allowedSignersFile", &allowed))
        .arg("-c")
        .arg(config_arg("gpg.ssh.revocationFile", &revoked))
        .args(["-c", "gpg.ssh.program=ssh-keygen", "-c", "gpg.program=gpg", "-c", "gpg.x509.program=gpgsm"])
        .args(["-c", "gpg.minTrustLevel=undefined", "-c", "log.showSignature=false"])
        .args(["-c", "i18n.logOutputEncoding=UTF-8", "-c", "core.quotePath=false"])
        .args(["log", "--no-walk=unsorted", "--stdin", "--no-color", FORMAT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| {
        format!("git could not be run ({e}); evident verifies signatures with git 2.34 or later")
    })?;
    let mut stdin = child.stdin.take().ok_or("git has no input")?;
    let input: String = commits.iter().map(|c| format!("{c}\n")).collect();
    // Written from another thread: git writes while it reads.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut stderr = child.stderr.take().ok_or("git has no error output")?;
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut out = String::new();
    child.stdout.take().ok_or("git has no output")?.read_to_string(&mut out).map_err(|e| e.to_string())?;
    let _ = writer.join();
    let status = child.wait().map_err(|e| e.to_string())?;
    let errors = errors.join().unwrap_or_default();
    if !status.success() {
        return Err(match errors.lines().find(|l| !l.trim().is_empty()) {
            Some(first) => format!("git log failed: {first}"),
            // An ssh-keygen that exits without reading the signature kills git with SIGPIPE.
            None => format!(
                "git log failed ({status}) without a message, as with a failing ssh-keygen; {SSH_KEYGEN_HINT}"
            ),
        });
    }
    // git reports a signature it could not check as bad (`B`) and says why only here.
    if let Some(line) = errors.lines().find(|l| l.contains("cannot run ssh-keygen")) {
        return Err(format!("{}; {SSH_KEYGEN_HINT}", line.trim().trim_start_matches("error: ")));
    }
    // Old ssh-keygen (before OpenSSH 8.2) has no `-Y`: git says so here and reports no signature.
    if let Some(line) = errors.lines().find(|l| l.contains("is needed for ssh signature verification")) {
        return Err(format!("{}; {SSH_KEYGEN_HINT}", line.trim().trim_start_matches("error: ")));
    }
    let mut found = HashMap::new();
    for line in out.lines() {
        let f: Vec<&str> = line.split('\u{1f}').collect();
        let (Some(id), Some(code)) = (f.first().and_then(|h| Oid::from_str(h).ok()), f.get(1)) else {
            continue;
        };
        let fingerprint = f.get(2).copied().unwrap_or_default().to_owned();
        let principal = f.get(3).copied().unwrap_or_default().to_owned();
        found.insert(id, classify(code, fingerprint, principal));
    }
    for id in commits {
        if !found.contains_key(id) {
            return Err(format!("git did not report on commit {id}"));
        }
    }
    // git reports a signature that ssh-keygen failed to check (a broken install) as bad, or as
    // no signature at all: before judging, make sure ssh-keygen verifies a signature it made.
    let repo = git2::Repository::open(git_dir).ok();
    let ssh_signed = |id: &Oid| {
        repo.as_ref().and_then(|r| r.extract_signature(id, None).ok()).is_some_and(|(sig, _)| {
            std::str::from_utf8(&sig).is_ok_and(|s| s.contains("BEGIN SSH SIGNATURE"))
        })
    };
    let doubtful: Vec<Oid> = found
        .iter()
        .filter(|(id, f)| match f {
            Found::Bad { .. } => true,
            Found::Unsigned => ssh_signed(id),
            _ => false,
        })
        .map(|(id, _)| *id)
        .collect();
    if !doubtful.is_empty() {
        // Once per process: one verification per allowed signers file would probe again.
        static PROBE: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
        PROBE
            .get_or_init(|| ssh_keygen_works(scratch.path()))
            .clone()
            .map_err(|why| format!("{why}; {SSH_KEYGEN_HINT}"))?;
        for id in doubtful {
            if found.get(&id) == Some(&Found::Unsigned) {
                found.insert(
                    id,
                    Found::Unverifiable { why: "git reported no signature on a signed commit".to_owned() },
                );
            }
        }
    }
    Ok(found)
}

const SSH_KEYGEN_HINT: &str = "evident verifies SSH signatures with OpenSSH's ssh-keygen (8.2 or later): \
     install it (Debian: `apt-get install openssh-client`)";

/// Whether the `ssh-keygen` on the PATH can check a signature: it makes a throwaway key, signs
/// a file and checks the signature. The error says what failed.
fn ssh_keygen_works(scratch: &Path) -> Result<(), String> {
    let dir = scratch.join("probe");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let (key, data) = (dir.join("key"), dir.join("data"));
    std::fs::write(&data, b"evident").map_err(|e| format!("cannot write a temporary file: {e}"))?;
    let run = |args: &[&std::ffi::OsStr], input: Option<&Path>| -> Result<(), String> {
        let mut cmd = Command::new("ssh-keygen");
        cmd.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        cmd.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
        cmd.stdin(match input {
            Some(file) => std::fs::File::open(file).map(Stdio::from).map_err(|e| e.to_string())?,
            None => Stdio::null(),
        });
        let out = cmd.output().map_err(|e| format!("ssh-keygen could not be run ({e})"))?;
        if out.status.success() {
            return Ok(());
        }
        let said = String::from_utf8_lossy(&out.stderr);
        let first = said.lines().find(|l| !l.trim().is_empty()).unwrap_or("no message");
        Err(format!("ssh-keygen cannot verify signatures here ({first})"))
    };
    let os = |s: &'static str| std::ffi::OsStr::new(s);
    run(&[os("-q"), os("-t"), os("ed25519"), os("-N"), os(""), os("-f"), key.as_os_str()], None)?;
    run(
        &[os("-Y"), os("sign"), os("-q"), os("-n"), os("git"), os("-f"), key.as_os_str(), data.as_os_str()],
        None,
    )?;
    let sig = dir.join("data.sig");
    run(&[os("-Y"), os("check-novalidate"), os("-n"), os("git"), os("-s"), sig.as_os_str()], Some(&data))
}

fn config_arg(key: &str, path: &Path) -> std::ffi::OsString {
    let mut arg = std::ffi::OsString::from(format!("{key}="));
    arg.push(path);
    arg
}

/// Maps git's `%G?` (with `%GF` and `%GS`) to what was found.
fn classify(code: &str, fingerprint: String, principal: String) -> Found {
    let ssh = fingerprint.starts_with("SHA256:");
    match code {
        "N" => Found::Unsigned,
        _ if !ssh && code != "B" => Found::Unverifiable {
            why: "not an SSH signature (evident verifies SSH signatures, `gpg.format=ssh`)".to_owned(),
        },
        "G" if !principal.is_empty() => Found::Good { principal, fingerprint },
        "G" | "U" => Found::UnknownKey { fingerprint },
        "B" | "X" | "Y" | "R" => Found::Bad { fingerprint },
        other => Found::Unverifiable { why: format!("git reported `{other}`") },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_codes() {
        let fp = || "SHA256:abc".to_owned();
        assert_eq!(classify("N", String::new(), String::new()), Found::Unsigned);
        assert_eq!(
            classify("G", fp(), "cy@example.com".to_owned()),
            Found::Good { principal: "cy@example.com".to_owned(), fingerprint: fp() }
        );
        assert_eq!(classify("U", fp(), String::new()), Found::UnknownKey { fingerprint: fp() });
        assert_eq!(classify("B", String::new(), String::new()), Found::Bad { fingerprint: String::new() });
        assert!(matches!(
            classify("G", "0123ABCD".to_owned(), "Cy <cy@example.com>".to_owned()),
            Found::Unverifiable { .. }
        ));
        assert!(matches!(classify("E", "0123ABCD".to_owned(), String::new()), Found::Unverifiable { .. }));
    }
}
