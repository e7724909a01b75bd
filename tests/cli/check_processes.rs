//! `evident test` and the processes it runs: timeouts, output, environment, `PATH`, signals,
//! and what a check leaves running (daemons, orphans, process trees).

use crate::automation::{repo_with, state, test_status};
use crate::support::*;

#[test]
fn a_hanging_check_is_killed_at_its_timeout_with_its_children() {
    let repo = repo_with(&[(
        "hang",
        "run = [\"sh\", \"-c\", \"sleep 300 & echo $! > child.pid; sleep 300\"]\ntimeout = \"1s\"",
    )]);
    let started = std::time::Instant::now();
    let run = repo.run(&["test"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "took {:?}", started.elapsed());
    assert_eq!(run.code, 1, "{}", run.all());
    assert_eq!(test_status(&repo, "a1", "hang"), "could-not-be-detected");
    let notes = state(&repo, "a1", "hang")["test"]["notes"].as_str().unwrap().to_owned();
    assert!(notes.contains("killed at its timeout of 1s"), "{notes}");
    // The background child went with its group: nothing was left to stop afterwards.
    assert!(!run.stderr.contains("left running"), "{}", run.all());
    let pid = repo.read("child.pid").trim().to_owned();
    let alive = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|stat| !stat.split(") ").nth(1).is_some_and(|rest| rest.starts_with('Z')))
    };
    for _ in 0..50 {
        if !alive() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("process {pid} outlived its check");
}

#[test]
fn output_is_capped() {
    let repo =
        repo_with(&[("loud", "run = [\"sh\", \"-c\", \"head -c 104857600 /dev/zero | tr '\\\\0' x\"]")]);
    let run = repo.run(&["test"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let s = state(&repo, "a1", "loud");
    let path = s["evidence"][0]["path"].as_str().unwrap().to_owned();
    let size = std::fs::metadata(repo.path().join(&path)).unwrap().len();
    assert!(size < 2 * 1024 * 1024, "{size} bytes kept");
    assert!(repo.read(&path).contains("more bytes of output were not kept"));
}

#[test]
fn the_environment_is_cleared_but_for_what_the_contract_passes() {
    let repo = repo_with(&[("env", "run = [\"sh\", \"-c\", \"env | sort\"]")]);
    repo.write("evident.toml", "[automation]\npass-env = [\"CI_TOKEN\"]\n");
    repo.write(
        "assessments/a1/assessment.toml",
        format!("{}\n[automation.env]\nTENANT = \"contoso\"\n", assessment_toml("a1", "t", None)),
    );
    let mut cmd = evident();
    cmd.arg("--repo").arg(repo.path()).arg("test").env("CI_TOKEN", "t0k").env("SECRET", "no");
    let run = run(cmd);
    assert_eq!(run.code, 0, "{}", run.all());
    let path = state(&repo, "a1", "env")["evidence"][0]["path"].as_str().unwrap().to_owned();
    let out = repo.read(&path);
    for expected in ["CI_TOKEN=t0k", "TENANT=contoso", "EVIDENT_ACTION=env", "EVIDENT_ASSESSMENT=a1", "PATH="]
    {
        assert!(out.contains(expected), "{expected} missing:\n{out}");
    }
    assert!(!out.contains("SECRET") && !out.contains("NO_COLOR") && !out.contains("EVIDENT_TODAY"), "{out}");
}

/// Values that are not UTF-8 (a binary token, a home folder named in Latin-1) reach the check
/// byte for byte; they were dropped.
#[test]
fn variables_that_are_not_utf8_pass_unchanged() {
    use std::os::unix::ffi::OsStrExt;
    let run_line = r#"run = ["sh", "-c", "printf %s \"$CI_TOKEN\" | od -An -tx1 > seen.txt; printf %s \"$HOME\" | od -An -tx1 > home.txt"]"#;
    let repo = repo_with(&[("env", run_line)]);
    repo.write("evident.toml", "[automation]\npass-env = [\"CI_TOKEN\"]\n");
    let token = std::ffi::OsStr::from_bytes(b"t\xff0k");
    let home = std::ffi::OsStr::from_bytes(b"/home/jos\xe9");
    let mut cmd = evident();
    cmd.arg("--repo").arg(repo.path()).arg("test").env("CI_TOKEN", token).env("HOME", home);
    let run = run(cmd);
    assert_eq!(run.code, 0, "{}", run.all());
    let bytes = |file: &str| repo.read(file).split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(bytes("seen.txt"), ["74", "ff", "30", "6b"]);
    assert_eq!(bytes("home.txt"), ["2f", "68", "6f", "6d", "65", "2f", "6a", "6f", "73", "e9"]);
}

/// `evident test` on `repo`, killed (and the test failed) if it runs longer than `secs`.
pub(crate) fn test_within(repo: &TestRepo, secs: u64) -> Run {
    let mut cmd = evident();
    cmd.arg("--repo").arg(repo.path()).arg("test");
    run_within(cmd, secs)
}

#[test]
fn a_check_that_leaves_a_daemon_holding_its_output_ends_with_its_own_status() {
    // The daemon starts a new session (out of the check's process group) and keeps the output
    // pipe open for 30 s; the check itself exits 0 once the daemon is on its own.
    let repo = repo_with(&[(
        "daemon",
        "run = [\"sh\", \"-c\", \"echo before; setsid sh -c 'echo $$ > daemon.pid; exec sleep 30' & while [ ! -s daemon.pid ]; do sleep 0.05; done; exit 0\"]\ntimeout = \"20s\"",
    )]);
    let started = std::time::Instant::now();
    let run = test_within(&repo, 60);
    let elapsed = started.elapsed();
    let pid = repo.read("daemon.pid").trim().to_owned();
    // evident adopted the daemon once its parent ended, and stopped it with the run.
    let alive = std::path::Path::new(&format!("/proc/{pid}")).exists();
    let _ = std::process::Command::new("kill").arg(&pid).status();
    assert!(!alive, "the daemon outlived evident test");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stderr
            .contains("warning: stopped 1 process that checks left running outside their process groups"),
        "{}",
        run.all()
    );
    assert!(elapsed < std::time::Duration::from_secs(15), "took {elapsed:?}");
    assert_eq!(test_status(&repo, "a1", "daemon"), "passed");
    let s = state(&repo, "a1", "daemon");
    let output = repo.read(s["evidence"][0]["path"].as_str().unwrap());
    assert!(output.contains("before\n"), "the output so far is kept: {output}");
    assert!(output.contains("left the check's process group"), "{output}");
}

#[test]
fn a_program_the_repository_adds_cannot_take_the_place_of_one_on_path() {
    // `run` names a program found on PATH; the repository adds one of that name at its root
    // and in `bin/`, which a relative (`.`, empty) or in-repository PATH entry would find.
    let repo = repo_with(&[
        ("hijack", "run = [\"fake-tool\"]"),
        ("path", "run = [\"sh\", \"-c\", \"echo PATH=$PATH\"]"),
    ]);
    let fake = "#!/bin/sh\necho hijacked > hijacked.txt\nexit 0\n";
    for file in ["fake-tool", "bin/fake-tool"] {
        repo.write(file, fake);
        let full = repo.path().join(file);
        let mut perms = std::fs::metadata(&full).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&full, perms).unwrap();
    }
    let path =
        format!(":.:{}:{}", repo.path().join("bin").display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = evident();
    cmd.arg("--repo").arg(repo.path()).arg("test").env("PATH", &path);
    let run = run(cmd);
    assert!(!repo.path().join("hijacked.txt").exists(), "the repository's fake-tool ran: {}", run.all());
    assert_eq!(test_status(&repo, "a1", "hijack"), "could-not-be-detected");
    assert_eq!(test_status(&repo, "a1", "path"), "passed");
    let out = repo.read(state(&repo, "a1", "path")["evidence"][0]["path"].as_str().unwrap());
    let line = out.lines().find(|l| l.starts_with("PATH=")).unwrap().to_owned();
    assert!(
        !line.contains("::") && !line.contains(":.:") && !line.contains(&repo.path().display().to_string()),
        "{line}"
    );
}

#[test]
fn sigterm_stops_the_checks_and_writes_nothing() {
    // Two checks that write their pid and sleep (one with a child of its own); evident gets
    // SIGTERM while they run.
    let repo = repo_with(&[
        ("slow", "run = [\"sh\", \"-c\", \"echo $$ > slow.pid; sleep 300\"]\ntimeout = \"5m\""),
        (
            "slower",
            "run = [\"sh\", \"-c\", \"sleep 300 & echo $! > child.pid; echo $$ > slower.pid; wait\"]\ntimeout = \"5m\"",
        ),
    ]);
    let before = repo.snapshot_files();
    let mut cmd = evident();
    cmd.arg("--repo").arg(repo.path()).args(["test", "--jobs", "2"]);
    cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let child = cmd.spawn().expect("run evident");
    let pids = ["slow.pid", "slower.pid", "child.pid"];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !pids.iter().all(|p| repo.path().join(p).metadata().is_ok_and(|m| m.len() > 0)) {
        assert!(std::time::Instant::now() < deadline, "the checks did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let pids: Vec<String> = pids.iter().map(|p| repo.read(p).trim().to_owned()).collect();
    let sent = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    assert!(sent.is_ok_and(|s| s.success()));
    let started = std::time::Instant::now();
    let out = child.wait_with_output().expect("wait");
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "took {:?}", started.elapsed());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("interrupted by SIGTERM") && stderr.contains("nothing was written"), "{stderr}");
    // Every check process is gone (or a zombie waiting for init).
    let alive = |pid: &str| {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|stat| !stat.split(") ").nth(1).is_some_and(|rest| rest.starts_with('Z')))
    };
    for pid in &pids {
        let mut gone = false;
        for _ in 0..50 {
            if !alive(pid) {
                gone = true;
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert!(gone, "process {pid} outlived evident");
    }
    // Nothing was written, not even a temporary file: the files are those before plus the
    // pid files.
    let after: Vec<(String, Vec<u8>)> =
        repo.snapshot_files().into_iter().filter(|(path, _)| !path.ends_with(".pid")).collect();
    assert_eq!(after, before);
}

/// The processes whose parent is `parent`, each with whether it is a zombie.
fn children_of(parent: u32) -> Vec<(u32, bool)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        let mut rest = stat[stat.rfind(')').unwrap() + 1..].split_whitespace();
        let zombie = rest.next() == Some("Z");
        if rest.next().and_then(|p| p.parse().ok()) == Some(parent) {
            found.push((pid, zombie));
        }
    }
    found
}

#[test]
fn processes_adopted_while_checks_run_are_reaped_when_they_end() {
    // 300 short-lived orphans (`(true &)` is a double fork): evident adopts each; once ended,
    // each must not stay behind as evident's zombie until the run ends (they count against
    // the process limit of the user and of a CI container).
    let repo = repo_with(&[(
        "orphans",
        "run = [\"sh\", \"-c\", \"i=0; while [ $i -lt 300 ]; do (true &); i=$((i+1)); done; : > spawned; i=0; while [ ! -e counted ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done\"]\ntimeout = \"60s\"",
    )]);
    let mut cmd = evident();
    cmd.arg("--repo").arg(repo.path()).arg("test");
    cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let child = cmd.spawn().expect("run evident");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !repo.path().join("spawned").exists() {
        assert!(std::time::Instant::now() < deadline, "the check did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_secs(1));
    let zombies = children_of(child.id()).iter().filter(|(_, zombie)| *zombie).count();
    repo.write("counted", "");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(zombies < 30, "{zombies} ended orphans were left unreaped while the check ran");
}

#[test]
fn a_deep_tree_left_in_a_session_of_its_own_is_stopped_whole() {
    // A daemon in a new session whose descendants form a chain 80 deep, each waiting on the
    // next: killing one level at a time would hand evident one more level each round.
    let repo = repo_with(&[(
        "deep",
        "run = [\"sh\", \"-c\", \"setsid sh ./nest.sh 80 & while [ \\\"$(wc -l < chain.pids 2>/dev/null)\\\" != 81 ]; do sleep 0.05; done; exit 0\"]\ntimeout = \"60s\"",
    )]);
    repo.write(
        "nest.sh",
        "echo $$ >> chain.pids\nif [ \"$1\" -gt 0 ]; then sh ./nest.sh $(($1 - 1)) & fi\nexec sleep 60\n",
    );
    let run = test_within(&repo, 60);
    let pids: Vec<String> = repo.read("chain.pids").lines().map(str::to_owned).collect();
    let alive: Vec<&String> =
        pids.iter().filter(|p| std::path::Path::new(&format!("/proc/{p}")).exists()).collect();
    for pid in &alive {
        let _ = std::process::Command::new("kill").arg(pid.as_str()).status();
    }
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        alive.is_empty(),
        "{} of {} processes outlived evident test\n{}",
        alive.len(),
        pids.len(),
        run.all()
    );
    assert!(run.stderr.contains("warning: stopped 81 processes that"), "{}", run.all());
}

#[test]
fn a_daemon_whose_first_thread_ended_is_stopped_without_a_wait() {
    // Its first thread ends while another runs on: /proc shows the process as a zombie, yet it
    // runs, and cannot be reaped until it is killed.
    if std::process::Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 is not installed: skipped");
        return;
    }
    let repo = repo_with(&[("threads", "run = [\"python3\", \"daemon.py\"]\ntimeout = \"60s\"")]);
    repo.write(
        "daemon.py",
        "import ctypes, os, threading, time\nif os.fork() > 0:\n    while not os.path.exists('daemon.pid'):\n        time.sleep(0.05)\n    os._exit(0)\nos.setsid()\nthreading.Thread(target=time.sleep, args=(60,)).start()\nopen('daemon.pid.tmp', 'w').write(str(os.getpid()))\nos.rename('daemon.pid.tmp', 'daemon.pid')\nctypes.CDLL(None).pthread_exit(None)\n",
    );
    let started = std::time::Instant::now();
    let run = test_within(&repo, 120);
    let elapsed = started.elapsed();
    let pid = repo.read("daemon.pid").trim().to_owned();
    let alive =
        std::path::Path::new(&format!("/proc/{pid}/task")).read_dir().is_ok_and(|mut t| t.next().is_some());
    let _ = std::process::Command::new("kill").args(["-KILL", &pid]).status();
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(!alive, "the daemon outlived evident test\n{}", run.all());
    assert!(elapsed < std::time::Duration::from_secs(15), "took {elapsed:?}");
    assert!(run.stderr.contains("warning: stopped 1 process that"), "{}", run.all());
}

#[test]
fn checks_run_in_a_pid_namespace_whose_session_leader_is_outside() {
    // As in a container or a CI sandbox: the kernel gives evident's session as 0 there, and a
    // library that took it for an id panicked. A check that leaves a daemon in a session of its
    // own is still stopped.
    let probe =
        std::process::Command::new("unshare").args(["--pid", "--fork", "--mount-proc", "true"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("cannot make a PID namespace here (unshare missing or not permitted): skipped");
        return;
    }
    let repo = repo_with(&[(
        "daemon",
        "run = [\"sh\", \"-c\", \"setsid sh -c 'echo $$ > daemon.pid; exec sleep 300' </dev/null >/dev/null 2>&1 & while [ ! -s daemon.pid ]; do sleep 0.05; done\"]\ntimeout = \"60s\"",
    )]);
    let evident = evident();
    let mut cmd = std::process::Command::new("unshare");
    cmd.args(["--pid", "--fork", "--mount-proc"]).arg(evident.get_program());
    cmd.env_clear().envs(evident.get_envs().filter_map(|(k, v)| Some((k, v?))));
    cmd.arg("--repo").arg(repo.path()).arg("test");
    let run = run(cmd);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(test_status(&repo, "a1", "daemon"), "passed");
    assert!(run.stderr.contains("warning: stopped 1 process that"), "{}", run.all());
}
