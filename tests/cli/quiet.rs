//! `-q/--quiet`: no status lines on stderr; results, diagnostics and errors still print.

use crate::support::*;

#[test]
fn quiet_validate_and_check_print_nothing_on_a_clean_repository() {
    let repo = minimal();
    for args in [&["validate", "-q"][..], &["check", "--quiet"], &["sync", "-q"]] {
        let run = repo.run(args);
        assert_eq!((run.code, run.stderr.as_str(), run.stdout.as_str()), (0, "", ""), "{args:?}");
    }
    // Without -q, the count line is there.
    assert!(repo.run(&["validate"]).stderr.contains("no problems"));
}

#[test]
fn quiet_still_prints_the_problems() {
    let repo = minimal();
    repo.write("assessments/gdpr-2026/mfa.toml", "owner = \n");
    let run = repo.run(&["validate", "-q"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("error["), "{}", run.stderr);
    assert!(!run.stderr.contains("checked "), "{}", run.stderr);
}

#[test]
fn quiet_init_prints_no_next_steps() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("new");
    let run = run({
        let mut cmd = evident();
        cmd.arg("init").arg(&target).arg("-q");
        cmd
    });
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.stderr, "", "no Created, no Next:");
    assert!(target.join("evident.toml").exists());
}
