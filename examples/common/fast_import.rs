//! Shared by the `gen` and `replay` examples: writing a history with one
//! `git fast-import` stream.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// Appends a fast-import `data` block.
pub fn data(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(format!("data {}\n", bytes.len()).as_bytes());
    out.extend_from_slice(bytes);
    out.push(b'\n');
}

/// Runs git in `dir` and returns its stdout.
pub fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Creates a repository on branch main in `dir` from a fast-import stream. The
/// working tree already holds the last commit's files: the index is filled from
/// HEAD and they must agree (`program` names the generator in the error).
pub fn import(dir: &Path, stream: &[u8], program: &str) -> Result<(), String> {
    git(dir, &["init", "-q"])?;
    git(dir, &["symbolic-ref", "HEAD", "refs/heads/main"])?;
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git fast-import: {e}"))?;
    {
        let mut stdin = child.stdin.take().ok_or("git fast-import has no stdin")?;
        stdin.write_all(stream).map_err(|e| format!("writing to git fast-import: {e}"))?;
    }
    let out = child.wait_with_output().map_err(|e| format!("git fast-import: {e}"))?;
    if !out.status.success() {
        return Err(format!("git fast-import failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    git(dir, &["reset", "-q"])?;
    // Files the program did not write (left by --force) show as untracked: not our business.
    let status = git(dir, &["status", "--porcelain", "--untracked-files=no"])?;
    if !status.is_empty() {
        return Err(format!("the written files differ from the last commit (a {program} bug):\n{status}"));
    }
    Ok(())
}
