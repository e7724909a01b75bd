//! Processes a check left running outside its process group.
//!
//! Killing a check's process group at its end or timeout stops everything it started, except a
//! process that moved to a group or session of its own (`setsid`, a double fork): that one
//! would go on after `evident test`, with the repository as its working directory. While checks
//! run, evident is therefore a *child subreaper* (Linux): such a process, once its parent ends,
//! becomes evident's child instead of init's. Those that end while checks still run are reaped
//! as they go (a zombie counts against the user's and the CI container's process limit); when
//! the checks are over, every child evident still has is one of these: [`stop_all`] kills and
//! reaps them.
//!
//! The checks' own programs are evident's children too, and only their runner may reap them
//! (reaping one would free its id, which names the group still to be killed): they are started
//! through [`spawn`] and handed back with [`reaped`].
//!
//! What this cannot reach: a process that asks another service to run something (`at`,
//! `systemd-run`, a container runtime). Elsewhere than on Linux nothing is adopted.

use std::collections::BTreeSet;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The check programs started and not reaped yet; `None` once the checks are over (the
/// adopted are then reaped by [`stop_all`] alone).
static CHECKS: Mutex<Option<BTreeSet<i32>>> = Mutex::new(None);

/// How often ended orphans are reaped while checks run.
const REAP_EVERY: Duration = Duration::from_millis(100);

/// How long [`stop_all`] goes on killing: a process may keep forking.
const STOP_WITHIN: Duration = Duration::from_secs(3);

fn checks() -> MutexGuard<'static, Option<BTreeSet<i32>>> {
    CHECKS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Starts a check's program, known as one before the reaper can see it end.
pub(crate) fn spawn(cmd: &mut std::process::Command) -> std::io::Result<std::process::Child> {
    let mut checks = checks();
    let child = cmd.spawn()?;
    if let (Some(set), Ok(pid)) = (checks.as_mut(), i32::try_from(child.id())) {
        set.insert(pid);
    }
    Ok(child)
}

/// The check's program was reaped by its runner.
pub(crate) fn reaped(pid: u32) {
    if let (Some(set), Ok(pid)) = (checks().as_mut(), i32::try_from(pid)) {
        set.remove(&pid);
    }
}

/// From now on, processes orphaned below evident become its children, and are reaped once
/// they end. Refused where `/proc` cannot be read (a sandbox that hides it): evident finds its
/// children there, and would neither reap nor stop a single one.
#[cfg(target_os = "linux")]
pub(crate) fn adopt() -> std::io::Result<()> {
    use rustix::process::{getpid, set_child_subreaper};
    let stat = std::fs::read_to_string("/proc/self/stat")
        .map_err(|e| std::io::Error::new(e.kind(), format!("`/proc/self/stat` cannot be read ({e})")))?;
    if parse_stat(&stat).is_none() {
        return Err(std::io::Error::other("`/proc/self/stat` is not what Linux writes there"));
    }
    set_child_subreaper(Some(getpid())).map_err(std::io::Error::from)?;
    checks().get_or_insert_with(BTreeSet::new);
    std::thread::spawn(|| {
        while reap_ended() {
            std::thread::sleep(REAP_EVERY);
        }
    });
    Ok(())
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn adopt() -> std::io::Result<()> {
    Ok(())
}

/// Reaps the adopted processes that ended; false once the checks are over.
#[cfg(target_os = "linux")]
fn reap_ended() -> bool {
    use rustix::process::{WaitOptions, waitpid};
    // Held throughout: no check's program starts (unknown to the set) meanwhile.
    let checks = checks();
    let Some(set) = checks.as_ref() else { return false };
    for child in children() {
        if !set.contains(&child.pid.as_raw_nonzero().get()) {
            // Reaps it if it has ended.
            let _ = waitpid(Some(child.pid), WaitOptions::NOHANG);
        }
    }
    true
}

/// Kills and reaps every child evident has left. Returns how many were still running (the
/// others had ended, or were killed with their check's group, and only waited to be reaped)
/// and how many were left when time ran out. Call it only when no check runs and nothing else
/// is being spawned: it takes every child for an orphan.
#[cfg(target_os = "linux")]
pub(crate) fn stop_all() -> (usize, usize) {
    use rustix::process::{Pid, Signal, kill_process, kill_process_group};
    // The reaper stops: from now on every child is an orphan.
    *checks() = None;
    let my_session = own_session();
    let deadline = Instant::now() + STOP_WITHIN;
    let (mut stopped, mut groups) = (BTreeSet::new(), BTreeSet::new());
    // Killing one may hand its own children to evident: go again until none is left (within
    // a bound, in case a process keeps forking faster than it is killed).
    loop {
        let children = children();
        if children.is_empty() {
            return (stopped.len(), 0);
        }
        if Instant::now() >= deadline {
            return (stopped.len(), children.len());
        }
        for child in &children {
            // Not the zombie state alone: a process whose first thread ended shows as one while
            // its other threads run on.
            let ended = reap_now(child.pid);
            if ended.is_none() {
                let _ = kill_process(child.pid, Signal::KILL);
            }
            // Or killed with a group killed before (not one that had ended on its own).
            let killed = ended == Some(true) && groups.contains(&child.group);
            if ended.is_none() || killed {
                stopped.insert(child.pid.as_raw_nonzero().get());
            }
            // A group in a session that a check's process created holds only what that
            // process started: kill it whole, at once, even a member that is forking. A group
            // in evident's own session may be anyone's (the shell's, another job's).
            if child.session != my_session
                && let Some(group) = Pid::from_raw(child.group)
            {
                let _ = kill_process_group(group, Signal::KILL);
                groups.insert(child.group);
            }
        }
        for child in &children {
            reap(child.pid, deadline);
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn stop_all() -> (usize, usize) {
    (0, 0)
}

/// A child of evident, from `/proc/<pid>/stat`.
#[cfg(target_os = "linux")]
struct Child {
    pid: rustix::process::Pid,
    group: i32,
    session: i32,
}

/// The processes whose parent is evident.
#[cfg(target_os = "linux")]
fn children() -> Vec<Child> {
    let me = rustix::process::getpid().as_raw_nonzero().get();
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let mut children = Vec::new();
    for pid in entries.flatten().filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok()) {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        if let (Some(fields), Some(pid)) = (parse_stat(&stat), rustix::process::Pid::from_raw(pid))
            && fields.parent == me
        {
            children.push(Child { pid, group: fields.group, session: fields.session });
        }
    }
    children
}

/// evident's session, as `/proc` gives its children's: 0 when the session's leader is outside
/// evident's PID namespace (a container's, a CI sandbox's). `getsid` cannot be used there:
/// rustix takes its 0 for a broken promise and panics.
#[cfg(target_os = "linux")]
fn own_session() -> i32 {
    std::fs::read_to_string("/proc/self/stat").ok().and_then(|s| parse_stat(&s)).map_or(0, |s| s.session)
}

/// The fields of a `/proc/<pid>/stat` line that tell whose child a process is and where it
/// belongs.
#[derive(Debug, PartialEq, Eq)]
struct Stat {
    parent: i32,
    group: i32,
    session: i32,
}

/// Reads `pid (comm) state ppid pgrp session …`, where `comm` may hold spaces and parentheses
/// (it is the program's own choice), so the fields after the last `)` are the ones to read.
fn parse_stat(stat: &str) -> Option<Stat> {
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    let _state = fields.next()?;
    let mut number = || fields.next()?.parse().ok();
    Some(Stat { parent: number()?, group: number()?, session: number()? })
}

/// Reaps `pid` if it has ended: `None` while it runs, else whether SIGKILL ended it.
#[cfg(target_os = "linux")]
fn reap_now(pid: rustix::process::Pid) -> Option<bool> {
    use rustix::process::{WaitOptions, waitpid};
    match waitpid(Some(pid), WaitOptions::NOHANG) {
        Ok(None) => None,
        Ok(Some((_, status))) => {
            Some(status.terminating_signal() == Some(rustix::process::Signal::KILL.as_raw()))
        }
        // Not (or no longer) evident's child.
        Err(_) => Some(false),
    }
}

/// Waits for a killed child until `deadline` (a process in uninterruptible sleep may take
/// longer; then it is left to init once evident ends).
#[cfg(target_os = "linux")]
fn reap(pid: rustix::process::Pid, deadline: Instant) {
    use rustix::process::{WaitOptions, waitpid};
    loop {
        match waitpid(Some(pid), WaitOptions::NOHANG) {
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(2)),
            // Reaped, not (or no longer) evident's child, or out of time.
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Stat, parse_stat};

    #[test]
    fn the_fields_are_read_after_the_last_parenthesis() {
        let stat = |parent, group, session| Some(Stat { parent, group, session });
        assert_eq!(parse_stat("42 (sleep) S 7 42 40 0"), stat(7, 42, 40));
        assert_eq!(parse_stat("42 (a) b) (c) R 9 1 1 0"), stat(9, 1, 1));
        // A program named `x) S 1 ` does not pass for init's child.
        assert_eq!(parse_stat("42 (x) S 1 ) S 7 8 9 0"), stat(7, 8, 9));
        assert_eq!(parse_stat("42 (x y) Z 1 5 6"), stat(1, 5, 6));
        assert_eq!(parse_stat("garbage"), None);
        assert_eq!(parse_stat("42 (x) S 1 2"), None);
    }
}
