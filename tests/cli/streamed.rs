//! Long output is written as it is made (history and list tables stream row
//! by row), and its failed writes are errors as for any output: exit 2 on a
//! full disk, a quiet exit 0 on a closed pipe.

use std::process::{Command, Stdio};

use crate::support::TestRepo;
use crate::writes::{assert_disk_full, to_dev_full};

/// The example repository in one commit whose author's name is long enough
/// that `history` prints well over the 64 KiB written at a time.
fn long_history() -> TestRepo {
    let repo = TestRepo::example();
    repo.git_init();
    repo.git(&["add", "-A"]);
    let author = format!("{} <long@example.com>", "Long Name ".repeat(200));
    repo.git(&["commit", "-q", "--author", &author, "-m", "start"]);
    repo
}

fn command(repo: &TestRepo, args: &[&str]) -> Command {
    let mut cmd = crate::support::evident();
    cmd.arg("--repo").arg(repo.path()).args(args);
    cmd
}

const STREAMED: [&[&str]; 4] = [
    &["history"],
    &["history", "--format", "markdown"],
    &["list", "actions", "--per-assessment"],
    &["list", "actions", "--format", "markdown"],
];

#[test]
fn streamed_output_to_a_full_disk_is_an_error() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    let repo = long_history();
    let printed = repo.run(&["history"]);
    assert_eq!(printed.code, 0, "{}", printed.all());
    assert!(printed.stdout.len() > 2 * 64 * 1024, "{}", printed.stdout.len());
    for args in STREAMED {
        let run = to_dev_full(command(&repo, args));
        assert_disk_full(&run, args);
        // Said once, after the command stopped writing.
        assert_eq!(run.stderr.matches("could not write").count(), 1, "{args:?}: {}", run.stderr);
    }
}

#[test]
fn streamed_output_to_a_closed_pipe_ends_quietly() {
    let repo = long_history();
    for args in STREAMED {
        let mut child =
            command(&repo, args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
        // Like `| head -0`: the reader is gone before the first line.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}

/// Runs `evident` on a pseudo-terminal (util-linux `script`), or returns
/// None where there is none.
fn on_a_terminal(repo: &TestRepo, args: &str) -> Option<String> {
    let bin = assert_cmd::cargo::cargo_bin("evident");
    let line = format!("'{}' --repo '{}' {args}", bin.display(), repo.path().display());
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"]).env("TERM", "xterm").stdin(Stdio::null());
    let out = cmd.output().ok().filter(|o| o.status.success())?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn coloured_output_on_a_terminal_keeps_its_colours_and_shows_control_characters() {
    let repo = crate::support::minimal();
    let action = crate::support::action_toml("mfa", "control-access", "preventative", true);
    repo.write("actions/mfa.toml", action.replace("Action mfa", "Action \\u001b]0;pwned\\u0007mfa"));
    let Some(shown) = on_a_terminal(&repo, "--color always list actions") else {
        return;
    };
    // The header is bold, not `␛[1mAction␛[0m`; the title's escape is shown.
    assert!(shown.contains("\x1b[1mAction\x1b[0m"), "{shown:?}");
    assert!(shown.contains("Action ␛]0;pwned␇mfa"), "{shown:?}");
    assert!(!shown.contains("\x1b]"), "{shown:?}");
    // Output written at once is coloured as well.
    let score = on_a_terminal(&repo, "--color always score").expect("ran before");
    assert!(score.contains("\x1b[1m") && !score.contains('␛'), "{score:?}");
    // CSV, shown on a terminal, has its control characters made visible too.
    let csv = on_a_terminal(&repo, "export actions --format csv").expect("ran before");
    assert!(csv.contains("␛]0;pwned␇"), "{csv:?}");
}

/// A colour sequence in an author's name, an action title or an evidence
/// name is shown, not obeyed, though evident's own colours pass to the
/// terminal: `ESC [ 8 m` would conceal the rest of the line.
#[test]
fn colour_sequences_in_user_text_are_shown_on_a_terminal() {
    let repo = TestRepo::example();
    repo.git_init();
    let action = std::fs::read_to_string(repo.path().join("actions/access-reviews.toml")).unwrap();
    let title = action.lines().find(|l| l.starts_with("title")).unwrap();
    repo.write("actions/access-reviews.toml", action.replace(title, "title = \"MFA \\u001b[8mhidden\""));
    repo.git(&["add", "-A"]);
    let author = "Eve \u{1b}[8mhidden <eve@example.com>";
    repo.git(&["commit", "-q", "--author", author, "-m", "start"]);
    for args in ["--color always history", "--color always history --scores", "--color always list actions"] {
        let Some(shown) = on_a_terminal(&repo, args) else { return };
        let coloured = !args.ends_with("--scores");
        assert!(!coloured || shown.contains("\x1b[1m"), "{args}: our colours are kept: {shown:?}");
        assert!(!shown.contains("\x1b[8m"), "{args}: a colour sequence of the user's text is obeyed");
        assert!(shown.contains("␛[8mhidden"), "{args}: {shown:?}");
    }
}
