//! Helpers: temporary repositories, running `evident`, and snapshot filters.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

/// A compliance repository in a temporary directory.
pub struct TestRepo {
    dir: tempfile::TempDir,
    /// Commits made so far; each commit is dated one hour after the previous.
    commits: std::cell::Cell<u32>,
}

/// What a run printed and how it exited.
#[derive(Debug)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    /// stdout and stderr with the exit code, for snapshots.
    pub fn all(&self) -> String {
        format!("exit: {}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.all()))
    }
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

impl TestRepo {
    /// An empty directory (no evident.toml).
    pub fn bare() -> Self {
        TestRepo { dir: tempfile::tempdir().expect("temp dir"), commits: std::cell::Cell::new(0) }
    }

    /// A repository with an empty evident.toml.
    pub fn new() -> Self {
        let repo = Self::bare();
        repo.write("evident.toml", "");
        repo
    }

    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Self {
        let repo = Self::bare();
        copy_dir(&fixtures().join(name), repo.path());
        repo
    }

    /// A copy of the bundled example repository.
    pub fn example() -> Self {
        let repo = Self::bare();
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo"), repo.path());
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, contents).expect("write");
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path().join(rel)).expect("remove");
    }

    /// Runs `evident --repo <this> ARGS`.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = evident();
        cmd.arg("--repo").arg(self.path()).args(args);
        run(cmd)
    }

    /// Runs `evident ARGS` with this repository as the working directory.
    pub fn run_in(&self, args: &[&str]) -> Run {
        let mut cmd = evident();
        cmd.current_dir(self.path()).args(args);
        run(cmd)
    }

    /// Every file under the repository with its contents, for before/after
    /// comparisons; evident's own state (the write lock, journal and caches
    /// in `.git/evident/` or `.evident/local/`) is left out.
    pub fn snapshot_files(&self) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        for entry in walkdir::WalkDir::new(self.path()).sort_by_file_name() {
            let entry = entry.expect("walk");
            if entry.file_type().is_file() {
                let rel =
                    entry.path().strip_prefix(self.path()).expect("prefix").to_string_lossy().into_owned();
                if rel.starts_with(".evident/local/") || rel.starts_with(".git/evident/") {
                    continue;
                }
                out.push((rel, std::fs::read(entry.path()).expect("read")));
            }
        }
        out
    }
}

/// The binary with a pinned environment: no colour, a fixed "today".
pub fn evident() -> Command {
    let mut cmd = Command::cargo_bin("evident").expect("binary");
    pin_env(&mut cmd).env("NO_COLOR", "1").env("EVIDENT_TODAY", "2026-11-23").env("COLUMNS", "100");
    cmd
}

/// `git` with the same pinned environment as [`evident`].
pub fn git() -> Command {
    let mut cmd = Command::new("git");
    pin_env(&mut cmd);
    cmd
}

/// Starts a child from an empty environment, as jj's tests do: nothing from
/// the developer's shell (their git configuration, `EVIDENT_*` settings,
/// locale or time zone) reaches evident or the git it runs. `HOME` is an
/// empty directory; git reads no system or global configuration.
fn pin_env(cmd: &mut Command) -> &mut Command {
    cmd.env_clear();
    // Coverage tools find their output through these.
    for key in ["LLVM_PROFILE_FILE", "CARGO_LLVM_COV", "CARGO_LLVM_COV_TARGET_DIR"] {
        if let Some(value) = std::env::var_os(key) {
            cmd.env(key, value);
        }
    }
    cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("LANG", "C.UTF-8")
        .env("TZ", "UTC")
}

/// An empty home directory shared by every child, under Cargo's scratch
/// directory for integration tests.
fn home() -> PathBuf {
    let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join("home");
    std::fs::create_dir_all(&home).expect("test home");
    home
}

pub fn run(mut cmd: Command) -> Run {
    let out = cmd.output().expect("run evident");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// Runs `cmd`, killed (and the test failed) if it runs longer than `secs`: for what could hang.
pub fn run_within(mut cmd: Command, secs: u64) -> Run {
    cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("run evident");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} ran longer than {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk fixture");
        let rel = entry.path().strip_prefix(from).expect("prefix");
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Snapshot settings that replace a temp path with `[REPO]`.
pub fn settings_for(repo: &TestRepo) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    let path = repo.path().to_string_lossy().into_owned();
    settings.add_filter(&regex_escape(&path), "[REPO]");
    if let Ok(real) = std::fs::canonicalize(repo.path()) {
        settings.add_filter(&regex_escape(&real.to_string_lossy()), "[REPO]");
    }
    settings
}

fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// TOML text of an action.
pub fn action_toml(id: &str, category: &str, control_type: &str, mandatory: bool) -> String {
    format!(
        "id = \"{id}\"\ntitle = \"Action {id}\"\nversion = 1\ncategory = \"{category}\"\naction_type = \"technical\"\ncontrol_type = \"{control_type}\"\nmandatory = {mandatory}\ntesting = \"manual\"\n"
    )
}

/// TOML text of a template with one control per entry.
pub fn template_toml(id: &str, controls: &[(&str, &[&str])]) -> String {
    let mut s = format!(
        "id = \"{id}\"\nname = \"Template {id}\"\nregulation = \"{}\"\nversion = 1\n",
        id.to_uppercase()
    );
    for (control, actions) in controls {
        let list: Vec<String> = actions.iter().map(|a| format!("\"{a}\"")).collect();
        s.push_str(&format!(
            "\n[[controls]]\nid = \"{control}\"\ntitle = \"Control {control}\"\nactions = [{}]\n",
            list.join(", ")
        ));
    }
    s
}

pub fn assessment_toml(id: &str, template: &str, group: Option<&str>) -> String {
    let mut s = format!(
        "id = \"{id}\"\nname = \"Assessment {id}\"\ntemplate = \"{template}\"\ntemplate_version = 1\n"
    );
    if let Some(g) = group {
        s.push_str(&format!("group = \"{g}\"\n"));
    }
    s
}

/// `[people]` with each address and name, then the assessors' role if any.
pub fn people_toml(people: &[(&str, &str)], assessors: &[&str]) -> String {
    let mut s = String::from("[people]\n");
    for (email, name) in people {
        s.push_str(&format!("\"{email}\" = \"{name}\"\n"));
    }
    if !assessors.is_empty() {
        let list: Vec<String> = assessors.iter().map(|a| format!("\"{a}\"")).collect();
        s.push_str(&format!("\n[roles]\nassessors = [{}]\n", list.join(", ")));
    }
    s
}

/// Builders shared by the test modules: each writes one file at its usual path.
impl TestRepo {
    /// `actions/<id>.toml`, from [`action_toml`].
    pub fn add_action(&self, id: &str, category: &str, control_type: &str, mandatory: bool) {
        self.write(&format!("actions/{id}.toml"), action_toml(id, category, control_type, mandatory));
    }

    /// `templates/<id>.toml`, from [`template_toml`].
    pub fn add_template(&self, id: &str, controls: &[(&str, &[&str])]) {
        self.write(&format!("templates/{id}.toml"), template_toml(id, controls));
    }

    /// `assessments/<id>/assessment.toml`, from [`assessment_toml`].
    pub fn add_assessment(&self, id: &str, template: &str, group: Option<&str>) {
        self.write(&format!("assessments/{id}/assessment.toml"), assessment_toml(id, template, group));
    }

    /// gdpr-2026 and ccpa-2026 (templates `gdpr` and `ccpa`) in group `privacy`.
    pub fn add_privacy_pair(&self) {
        self.add_assessment("gdpr-2026", "gdpr", Some("privacy"));
        self.add_assessment("ccpa-2026", "ccpa", Some("privacy"));
    }

    /// The same state of `action` in gdpr-2026 and ccpa-2026.
    pub fn set_both(&self, action: &str, text: &str) {
        self.write(&format!("assessments/gdpr-2026/{action}.toml"), text);
        self.write(&format!("assessments/ccpa-2026/{action}.toml"), text);
    }
}

/// A minimal valid repository: one action, one template, one assessment.
pub fn minimal() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("actions/mfa.toml", action_toml("mfa", "control-access", "preventative", true));
    repo.write("templates/gdpr.toml", template_toml("gdpr", &[("art-32", &["mfa"])]));
    repo.write("assessments/gdpr-2026/assessment.toml", assessment_toml("gdpr-2026", "gdpr", None));
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        "owner = \"ana@example.com\"\n\n[implementation]\nstatus = \"implemented\"\ndate = 2026-02-01\n\n[test]\nstatus = \"none\"\n",
    );
    repo
}

/// Git in a test repository, with pinned names and dates.
impl TestRepo {
    /// `git init` on branch main.
    pub fn git_init(&self) {
        self.git(&["init", "-q", "-b", "main"]);
    }

    /// Runs git and returns its stdout; panics on failure.
    pub fn git(&self, args: &[&str]) -> String {
        let n = self.commits.get();
        let date = format!("2026-01-{:02}T{:02}:00:00+00:00", 1 + n / 24, n % 24);
        self.git_at(args, &date)
    }

    /// Runs git with author and committer dates set to `date` (RFC 3339).
    pub fn git_at(&self, args: &[&str], date: &str) -> String {
        let out = git()
            .args(args)
            .current_dir(self.path())
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .env("GIT_COMMITTER_NAME", "CI")
            .env("GIT_COMMITTER_EMAIL", "ci@example.com")
            .output()
            .expect("run git");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Commits everything as `email` (name: the part before `@`) and returns the commit id.
    pub fn commit(&self, email: &str, message: &str) -> String {
        self.git(&["add", "-A"]);
        let name = email.split('@').next().unwrap_or(email);
        let author = format!("{name} <{email}>");
        self.git(&["commit", "-q", "--allow-empty", "--author", &author, "-m", message]);
        self.commits.set(self.commits.get() + 1);
        self.git(&["rev-parse", "HEAD"])
    }

    /// Like [`TestRepo::commit`], with git options before `commit` (e.g.
    /// `-c gpg.format=ssh -c user.signingkey=KEY` to sign with `-S`).
    pub fn commit_with(&self, email: &str, message: &str, options: &[&str], commit_args: &[&str]) -> String {
        self.git(&["add", "-A"]);
        let name = email.split('@').next().unwrap_or(email);
        let author = format!("{name} <{email}>");
        let mut args: Vec<&str> = options.to_vec();
        args.extend(["commit", "-q", "--allow-empty", "--author", &author, "-m", message]);
        args.extend_from_slice(commit_args);
        self.git(&args);
        self.commits.set(self.commits.get() + 1);
        self.git(&["rev-parse", "HEAD"])
    }

    /// Like [`TestRepo::commit`], at a given author date (RFC 3339, with the
    /// author's offset, e.g. `2026-03-05T23:30:00-05:00`).
    pub fn commit_at(&self, email: &str, message: &str, date: &str) -> String {
        self.git(&["add", "-A"]);
        let name = email.split('@').next().unwrap_or(email);
        let author = format!("{name} <{email}>");
        self.git_at(&["commit", "-q", "--allow-empty", "--author", &author, "-m", message], date);
        self.commits.set(self.commits.get() + 1);
        self.git(&["rev-parse", "HEAD"])
    }
}

/// A state file's text.
pub fn state_toml(owner: Option<&str>, implementation: &str, test: &str, evidence: &[&str]) -> String {
    let mut s = String::new();
    if let Some(o) = owner {
        s.push_str(&format!("owner = \"{o}\"\n\n"));
    }
    s.push_str(&format!("[implementation]\nstatus = \"{implementation}\"\n"));
    if matches!(implementation, "implemented" | "alternative" | "out-of-scope") {
        s.push_str("date = 2026-01-01\n");
    }
    if matches!(implementation, "alternative" | "out-of-scope") {
        s.push_str("notes = \"justified\"\n");
    }
    s.push_str(&format!("\n[test]\nstatus = \"{test}\"\n"));
    if matches!(
        test,
        "passed" | "failed-low" | "failed-medium" | "failed-high" | "out-of-scope" | "partially-tested"
    ) {
        s.push_str("date = 2026-01-02\n");
    }
    if test == "out-of-scope" {
        s.push_str("notes = \"justified\"\n");
    }
    for url in evidence {
        s.push_str(&format!(
            "\n[[evidence]]\nname = \"{url}\"\nurl = \"https://evidence.example.com/{url}\"\n"
        ));
    }
    s
}
