//! Bad-input cases as data: each folder of `tests/invalid/` is a repository
//! named after what is wrong with it. `_base/` is copied first; the case's
//! `case.toml` lists paths to remove (`remove`) and the commands to run
//! (`commands`), and its `repo/` holds the files to add or replace. The
//! output of every command, with its exit code, is compared with the case's
//! `expected.snap` (`cargo insta review` accepts a change).

use std::path::{Path, PathBuf};

use crate::support::{TestRepo, settings_for};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid")
}

fn copy_into(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.expect("walk case");
        let target = to.join(entry.path().strip_prefix(from).expect("prefix"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn strings(value: Option<&toml::Value>) -> Vec<String> {
    value
        .and_then(toml::Value::as_array)
        .map(|items| items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// Builds the case's repository and runs its commands; returns the transcript.
fn run_case(dir: &Path) -> (TestRepo, String) {
    let case: toml::Table =
        toml::from_str(&std::fs::read_to_string(dir.join("case.toml")).expect("case.toml"))
            .expect("case.toml is TOML");
    let repo = TestRepo::bare();
    copy_into(&cases_dir().join("_base"), repo.path());
    for rel in strings(case.get("remove")) {
        let path = repo.path().join(rel);
        if path.is_dir() {
            std::fs::remove_dir_all(&path).expect("remove dir");
        } else {
            std::fs::remove_file(&path).expect("remove file");
        }
    }
    if dir.join("repo").is_dir() {
        copy_into(&dir.join("repo"), repo.path());
    }
    let mut transcript = format!("{}\n", case.get("about").and_then(|v| v.as_str()).unwrap_or_default());
    let commands = case.get("commands").and_then(toml::Value::as_array).cloned().unwrap_or_default();
    assert!(!commands.is_empty(), "{}: case.toml lists no commands", dir.display());
    for command in &commands {
        let args = strings(Some(command));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = repo.run(&args);
        assert!(
            [0, 1, 2].contains(&run.code) && !run.stderr.contains("panicked"),
            "{}: `evident {}` broke the exit-code contract:\n{}",
            dir.display(),
            args.join(" "),
            run.all()
        );
        transcript.push_str(&format!("\n$ evident {}\n{}", args.join(" "), run.all()));
    }
    (repo, transcript)
}

#[test]
fn every_invalid_case_gets_its_expected_messages() {
    let mut names: Vec<String> = std::fs::read_dir(cases_dir())
        .expect("tests/invalid")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("case.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 5, "cases: {names:?}");
    for name in names {
        let dir = cases_dir().join(&name);
        let (repo, transcript) = run_case(&dir);
        let mut settings = settings_for(&repo);
        settings.set_snapshot_path(&dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!("expected", transcript));
    }
}
