//! Processes a check left running outside its process group.
//!
//! Killing a check's process group at its end or timeout stops everything it started, except a
//! process that moved to a group or session of its own (`setsid`, a double fork): that one
//! would go on after `evident test`, with the repository as its working directory. While checks
//! run, evident is therefore a *child subreaper* (Linux): such a process, once its parent ends,
//! becomes evident's child instead of init's. When the checks are over, every child evident
//! still has is one of these: [`stop_all`] kills and reaps them.
//!
//! What this cannot reach: a process that asks another service to run something (`at`,
//! `systemd-run`, a container runtime). Elsewhere than on Linux nothing is adopted.

/// From now on, processes orphaned below evident become its children.
#[cfg(target_os = "linux")]
pub(crate) fn adopt() -> std::io::Result<()> {
    use rustix::process::{getpid, set_child_subreaper};
    set_child_subreaper(Some(getpid())).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn adopt() -> std::io::Result<()> {
    Ok(())
}

/// Kills and reaps every child evident has left; returns how many were still running (the
/// others had ended, or were killed with their group, and only wait to be reaped). Call it
/// only when no check runs and nothing else is being spawned: it takes every child for an
/// orphan.
#[cfg(target_os = "linux")]
pub(crate) fn stop_all() -> usize {
    use rustix::process::{Signal, kill_process};
    let mut stopped = 0;
    // Killing one may hand its own children to evident: go again until none is left (bounded,
    // in case a process keeps forking faster than it is killed).
    for _ in 0..50 {
        let children = children();
        if children.is_empty() {
            break;
        }
        for &(pid, running) in &children {
            if running {
                // ESRCH: it ended meanwhile (then it is a zombie, reaped below).
                let _ = kill_process(pid, Signal::KILL);
                stopped += 1;
            }
        }
        for &(pid, _) in &children {
            reap(pid);
        }
    }
    stopped
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn stop_all() -> usize {
    0
}

/// The processes whose parent is evident, from `/proc/<pid>/stat`, and whether each is still
/// running (not a zombie).
#[cfg(target_os = "linux")]
fn children() -> Vec<(rustix::process::Pid, bool)> {
    let me = rustix::process::getpid().as_raw_nonzero().get();
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let mut children = Vec::new();
    for pid in entries.flatten().filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok()) {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        if let (Some((state, parent)), Some(pid)) =
            (state_and_parent(&stat), rustix::process::Pid::from_raw(pid))
            && parent == me
        {
            children.push((pid, state != 'Z'));
        }
    }
    children
}

/// The state letter and the parent's id in a `/proc/<pid>/stat` line: `pid (comm) state ppid
/// …`, where `comm` may hold spaces and parentheses (it is the program's own choice), so the
/// fields after the last `)` are the ones to read.
fn state_and_parent(stat: &str) -> Option<(char, i32)> {
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = fields.next()?.chars().next()?;
    Some((state, fields.next()?.parse().ok()?))
}

/// Waits for a killed child for up to a second (a process in uninterruptible sleep may take
/// longer; then it is left to init once evident ends).
#[cfg(target_os = "linux")]
fn reap(pid: rustix::process::Pid) {
    use rustix::process::{WaitOptions, waitpid};
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    while std::time::Instant::now() < deadline {
        match waitpid(Some(pid), WaitOptions::NOHANG) {
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(2)),
            // Reaped, or not (or no longer) evident's child.
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::state_and_parent;

    #[test]
    fn the_state_and_parent_are_read_after_the_last_parenthesis() {
        assert_eq!(state_and_parent("42 (sleep) S 7 42 42 0"), Some(('S', 7)));
        assert_eq!(state_and_parent("42 (a) b) (c) R 9 1 1"), Some(('R', 9)));
        assert_eq!(state_and_parent("42 (x y) Z 1"), Some(('Z', 1)));
        assert_eq!(state_and_parent("garbage"), None);
        assert_eq!(state_and_parent("42 (x) S"), None);
    }
}
