//! Running one check program: no shell, the repository root as working directory, a cleared
//! environment, its own process group (killed whole at the timeout, and after the program exits
//! so that nothing it started lingers), stdout and stderr captured together and capped.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// How much output is kept (the rest is counted and dropped).
pub(crate) const OUTPUT_CAP: usize = 1 << 20;

/// How a program ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// It exited with this status.
    Code(i32),
    /// A signal ended it (not evident's).
    Signal(i32),
    /// It ran past its timeout; its process group was killed.
    TimedOut,
    /// It could not be started.
    NotStarted(String),
}

/// How long the output may stay open after the program ended and its group was killed.
const OUTPUT_GRACE: Duration = Duration::from_secs(1);

/// Appended to the output when a process that left the program's group still held it open.
pub(crate) const ESCAPED_NOTE: &str = "\n# the output was still held open by a process that left the check's process group; \
     the rest of it was not waited for\n";

/// What a run produced.
#[derive(Clone, Debug)]
pub(crate) struct Ran {
    pub exit: Exit,
    /// stdout and stderr, interleaved as written, at most [`OUTPUT_CAP`] bytes.
    pub output: Vec<u8>,
    /// Bytes written beyond the cap.
    pub dropped: u64,
    pub duration: Duration,
}

/// Runs `argv` from `root` with exactly the environment `env`, for at most `timeout`.
pub(crate) fn run(
    argv: &[String],
    root: &Path,
    env: &[(String, std::ffi::OsString)],
    timeout: Duration,
) -> Ran {
    let start = Instant::now();
    let not_started = |why: String| Ran {
        exit: Exit::NotStarted(why),
        output: Vec::new(),
        dropped: 0,
        duration: start.elapsed(),
    };
    let Some((program, args)) = argv.split_first() else {
        return not_started("no program given".to_owned());
    };
    if let Some(signal) = super::interrupt::received() {
        return not_started(format!("evident received {} first", super::interrupt::name(signal)));
    }
    let (reader, stdout, stderr) = match output_pipe() {
        Ok(parts) => parts,
        Err(e) => return not_started(format!("cannot create a pipe: {e}")),
    };
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(root)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = match super::orphans::spawn(&mut cmd) {
        Ok(child) => child,
        Err(e) => {
            drop(cmd);
            return not_started(describe_spawn_error(program, &e));
        }
    };
    // The parent's copies of the write end must close, or the reader never sees the end.
    drop(cmd);
    let pid = child.id();
    if !super::interrupt::register(pid) {
        kill_group(pid, &mut child);
    }
    // The reader keeps what it has read where this thread can take it even when the pipe never
    // ends (a process that left the group holds it open).
    let shared = Arc::new(Mutex::new((Vec::new(), 0u64)));
    let (tx, rx) = mpsc::channel();
    {
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            read_capped(reader, &shared);
            let _ = tx.send(());
        });
    }
    // Wait for the program itself, not for its output: a daemon it started in a new session
    // would keep the output open and make a finished check look like a hung one. The program
    // is not reaped before its group is killed, so that its id (the group's id) cannot be
    // reused meanwhile.
    let deadline = start.checked_add(timeout);
    let mut timed_out = false;
    let mut pause = Duration::from_micros(50);
    while !exited(pid, &mut child) {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            timed_out = true;
            break;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(5));
    }
    // Whatever the program started in its group goes with it.
    kill_group(pid, &mut child);
    // Before the reaping, while the id cannot name another group.
    super::interrupt::unregister(pid);
    let status = child.wait().ok();
    super::orphans::reaped(pid);
    // After the kill the pipe closes, unless a process escaped the group with it.
    let ended = rx.recv_timeout(OUTPUT_GRACE).is_ok();
    let (mut output, dropped) = {
        let guard = shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        (guard.0.clone(), guard.1)
    };
    if !ended {
        output.extend_from_slice(ESCAPED_NOTE.as_bytes());
    }
    let exit = match (timed_out, status) {
        (true, _) => Exit::TimedOut,
        (false, Some(status)) => exit_of(status),
        (false, None) => Exit::NotStarted("lost track of the program".to_owned()),
    };
    Ran { exit, output, dropped, duration: start.elapsed() }
}

fn exit_of(status: std::process::ExitStatus) -> Exit {
    if let Some(code) = status.code() {
        return Exit::Code(code);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return Exit::Signal(signal);
        }
    }
    Exit::Code(-1)
}

fn describe_spawn_error(program: &str, e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => {
            format!("`{program}` not found (on PATH or from the repository root)")
        }
        std::io::ErrorKind::PermissionDenied => format!("`{program}` is not executable"),
        _ => format!("`{program}` could not start: {e}"),
    }
}

/// One pipe for both stdout and stderr, so that the output keeps the order it was written in:
/// the end to read, and the two write ends for the child.
#[cfg(unix)]
fn output_pipe() -> std::io::Result<(std::fs::File, Stdio, Stdio)> {
    // Close-on-exec: tests run in parallel, and a write end leaked into another test would
    // keep this pipe open until that one ends.
    let (read, write) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)?;
    let write2 = write.try_clone()?;
    Ok((std::fs::File::from(read), Stdio::from(write), Stdio::from(write2)))
}

/// Elsewhere: stdout only.
#[cfg(not(unix))]
fn output_pipe() -> std::io::Result<(std::fs::File, Stdio, Stdio)> {
    Err(std::io::Error::other("automatic tests run on Unix only"))
}

/// Reads to the end into `into`: the first [`OUTPUT_CAP`] bytes, and how many more there were.
fn read_capped(mut reader: impl Read, into: &Mutex<(Vec<u8>, u64)>) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let mut guard = into.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let (kept, dropped) = &mut *guard;
                let take = n.min(OUTPUT_CAP - kept.len());
                kept.extend_from_slice(&buf[..take]);
                *dropped += (n - take) as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
}

/// Whether the program has exited, without reaping it.
#[cfg(unix)]
fn exited(pid: u32, _child: &mut std::process::Child) -> bool {
    use rustix::process::{Pid, WaitId, WaitIdOptions, waitid};
    let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) else { return true };
    let options = WaitIdOptions::EXITED | WaitIdOptions::NOWAIT | WaitIdOptions::NOHANG;
    match waitid(WaitId::Pid(pid), options) {
        Ok(Some(_)) => true,
        Ok(None) => false,
        // ECHILD: nothing to wait for.
        Err(_) => true,
    }
}

#[cfg(not(unix))]
fn exited(_pid: u32, child: &mut std::process::Child) -> bool {
    !matches!(child.try_wait(), Ok(None))
}

/// Kills the program's whole process group (the program's id is its group's id).
#[cfg(unix)]
fn kill_group(pid: u32, _child: &mut std::process::Child) {
    use rustix::process::{Pid, Signal, kill_process_group};
    if let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
        // ESRCH: the group is already gone.
        let _ = kill_process_group(pid, Signal::KILL);
    }
}

#[cfg(not(unix))]
fn kill_group(_pid: u32, child: &mut std::process::Child) {
    let _ = child.kill();
}
