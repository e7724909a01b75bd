//! Ctrl-C (SIGINT) and SIGTERM while `evident test` runs checks.
//!
//! Each check runs in its own process group, so a Ctrl-C on the terminal (sent to evident's
//! foreground group) or a SIGTERM from CI (sent to evident alone) does not reach it. While
//! checks run, evident therefore catches both signals: it stops starting checks, sends SIGTERM
//! to every running check's group, gives them [`GRACE`] to end, then SIGKILLs what is left. The
//! command then writes nothing and exits 128 + the signal number (130, 143), the status a shell
//! reports for a program that the signal ended. A second signal ends evident at once (the
//! groups killed first).

use std::collections::HashSet;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long checks have between SIGTERM and SIGKILL.
pub(crate) const GRACE: Duration = Duration::from_secs(2);

/// The signal received (0: none).
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// The process groups of the checks running now (each check's id is its group's id).
static GROUPS: Mutex<Option<HashSet<i32>>> = Mutex::new(None);

/// The signal evident received while checks ran, if any.
pub(crate) fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// The exit status for `signal`: 128 + its number.
pub(crate) fn exit_status(signal: i32) -> i32 {
    128 + signal
}

/// The signal's name, for messages.
pub(crate) fn name(signal: i32) -> &'static str {
    match signal {
        2 => "SIGINT",
        15 => "SIGTERM",
        _ => "a signal",
    }
}

/// Records a check's process group as running. False when evident was interrupted meanwhile:
/// the caller kills the group itself (the sweep may have missed it).
pub(crate) fn register(group: u32) -> bool {
    let Ok(group) = i32::try_from(group) else { return true };
    let mut groups = GROUPS.lock().unwrap_or_else(PoisonError::into_inner);
    groups.get_or_insert_with(HashSet::new).insert(group);
    // Read under the lock the sweep takes after setting RECEIVED: either the sweep sees this
    // group, or this sees the signal.
    received().is_none()
}

/// The check's group has ended (and was reaped).
pub(crate) fn unregister(group: u32) {
    let Ok(group) = i32::try_from(group) else { return };
    let mut groups = GROUPS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(set) = groups.as_mut() {
        set.remove(&group);
    }
}

/// Catches SIGINT and SIGTERM from now on, for the rest of the process.
#[cfg(unix)]
pub(crate) fn install() -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::spawn(move || {
        for signal in signals.forever() {
            if RECEIVED.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst).is_err() {
                // A second signal: no more grace.
                signal_groups(rustix::process::Signal::KILL);
                super::orphans::stop_all();
                std::process::exit(exit_status(signal));
            }
            stop_checks();
        }
    });
    Ok(())
}

#[cfg(not(unix))]
pub(crate) fn install() -> std::io::Result<()> {
    Ok(())
}

/// SIGTERM to every running group, then SIGKILL to those still running after [`GRACE`].
#[cfg(unix)]
fn stop_checks() {
    signal_groups(rustix::process::Signal::TERM);
    let deadline = Instant::now() + GRACE;
    while Instant::now() < deadline {
        let running =
            GROUPS.lock().unwrap_or_else(PoisonError::into_inner).as_ref().is_some_and(|s| !s.is_empty());
        if !running {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    signal_groups(rustix::process::Signal::KILL);
}

#[cfg(unix)]
fn signal_groups(signal: rustix::process::Signal) {
    use rustix::process::{Pid, kill_process_group};
    let groups = GROUPS.lock().unwrap_or_else(PoisonError::into_inner);
    for &group in groups.iter().flatten() {
        if let Some(pid) = Pid::from_raw(group) {
            // ESRCH: the group is already gone.
            let _ = kill_process_group(pid, signal);
        }
    }
}
