//! The generated bad-input corpus: valid repositories (the scoring fixture,
//! the smallest valid repository, a slice of the example repository) are
//! mutated by a seeded generator (see `mutate.rs`) and every command that
//! reads them must keep the contract: no panic, exit code 0, 1 or 2, a
//! repository that `validate` accepts can be scored and reported, and no
//! file is written outside the repository or the report's folder.
//!
//! Most cases call the library in process (load, the checks of `validate`
//! and `check`, every diagnostic format, score, and the Markdown and HTML
//! reports rendered in memory); fewer run the built binary on a committed
//! git repository and compare the file tree before and after.
//!
//! `EVIDENT_CORPUS_CASES` (default 5000) and `EVIDENT_CORPUS_BINARY_CASES`
//! (default 100) set the case counts, `EVIDENT_CORPUS_SEED` the first seed.
//! A failure prints the seed and the mutations; `EVIDENT_CORPUS_ONLY=<seed>`
//! replays one case.

mod mutate;

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use assert_cmd::cargo::CommandCargoExt;
use evident::render::score::By;
use mutate::{Files, Rng};

const DEFAULT_SEED: u64 = 0x5eed_e71d_e470_0001;
/// The "today" every run uses, as the CLI tests do.
const TODAY: &str = "2026-11-23";
/// The test whose thread shows panics normally (the in-process cases catch theirs).
const BINARY_TEST: &str = "binary_runs_keep_the_contract_and_write_nowhere_else";

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads a directory into memory.
fn read_tree(root: &Path, keep: impl Fn(&str) -> bool) -> Files {
    let mut files = Files::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.expect("walk");
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(root).expect("prefix").to_string_lossy().replace('\\', "/");
        if keep(&rel) {
            files.insert(rel, std::fs::read(entry.path()).expect("read"));
        }
    }
    files
}

/// The valid repositories the cases start from, with their weights.
fn bases() -> Vec<(&'static str, Files, usize)> {
    let scoring = read_tree(&manifest().join("tests/fixtures/scoring"), |_| true);
    let minimal = read_tree(&manifest().join("tests/invalid/_base"), |_| true);
    // One assessment of the example repository with what it uses.
    let example = read_tree(&manifest().join("example-repo"), |p| {
        let other_assessment = p.starts_with("assessments/") && !p.starts_with("assessments/gdpr-2026/");
        !other_assessment && !matches!(p, "templates/ccpa.toml" | "templates/hipaa.toml")
    });
    vec![("scoring", scoring, 60), ("minimal", minimal, 30), ("example-gdpr", example, 10)]
}

fn pick_base<'b>(
    bases: &'b [(&'static str, Files, usize)],
    rng: &mut Rng,
) -> &'b (&'static str, Files, usize) {
    let total: usize = bases.iter().map(|b| b.2).sum();
    let mut n = rng.below(total);
    for base in bases {
        if n < base.2 {
            return base;
        }
        n -= base.2;
    }
    &bases[0]
}

/// Writes the files of a case; `dir/` entries are empty directories.
fn write_tree(root: &Path, files: &Files) {
    for (rel, bytes) in files {
        let path = root.join(rel);
        if path.ancestors().skip(1).take_while(|a| a.starts_with(root)).any(Path::is_file) {
            // A mutation replaced a folder on the way by a file; the file wins.
            continue;
        }
        if rel.ends_with('/') {
            if !path.is_file() {
                std::fs::create_dir_all(&path).expect("mkdir");
            }
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        if path.is_dir() {
            continue;
        }
        std::fs::write(&path, bytes).expect("write");
    }
}

/// One generated case: its seed, base and mutations.
struct Case {
    seed: u64,
    base: &'static str,
    files: Files,
    mutations: Vec<String>,
}

impl Case {
    fn new(bases: &[(&'static str, Files, usize)], seed: u64) -> Case {
        let mut rng = Rng::new(seed);
        let (name, files, _) = pick_base(bases, &mut rng);
        let mut files = files.clone();
        let mutations = mutate::mutate(&mut files, &mut rng);
        Case { seed, base: name, files, mutations }
    }

    fn describe(&self) -> String {
        format!(
            "case seed {:#x} (EVIDENT_CORPUS_ONLY={}) on `{}`:\n  {}",
            self.seed,
            self.seed,
            self.base,
            self.mutations.join("\n  ")
        )
    }
}

/// The seeds of a run: consecutive from the first, or the one to replay.
fn seeds(count: u64, salt: u64) -> Vec<u64> {
    if let Some(only) = std::env::var("EVIDENT_CORPUS_ONLY").ok().and_then(|v| v.parse().ok()) {
        return vec![only];
    }
    let first = env_number("EVIDENT_CORPUS_SEED", DEFAULT_SEED) ^ salt;
    (0..count).map(|i| first.wrapping_add(i.wrapping_mul(0x9e37_79b9))).collect()
}

/// Panic messages of the in-process cases, which `catch_unwind` stops.
static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());
/// Whether an in-process case is running (its panics are caught and recorded).
static IN_CASE: AtomicUsize = AtomicUsize::new(0);

fn quiet_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let binary_test = std::thread::current().name().is_some_and(|n| n.ends_with(BINARY_TEST));
        if binary_test || IN_CASE.load(Ordering::SeqCst) == 0 {
            default(info);
            return;
        }
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        PANICS.lock().unwrap_or_else(|e| e.into_inner()).push(format!("{message}{at}"));
    }));
}

/// What one in-process run found out.
#[derive(Default)]
struct Outcome {
    /// `validate` would exit 0.
    valid: bool,
    /// The problems: contract violations.
    violations: Vec<String>,
}

/// What `validate`, `check` (working tree), `score` and `report` do, in
/// process, minus printing and writing.
fn run_in_process(root: &Path, html: bool) -> Outcome {
    use evident::{checks, diag::render, load, render as out, repo::Repo, report};
    let mut outcome = Outcome::default();
    let Ok(repo) = Repo::discover(Some(root)) else {
        // Exit 2: no repository to read (evident.toml deleted or not a file).
        return outcome;
    };
    let today = evident::model::Date::new(2026, 11, 23).expect("date");
    let (mut ws, mut report) = load::worktree(&repo);
    checks::validate(&ws, &mut report, &repo.root);

    // The editor (`set`, `evidence add`, `sync`...) must be able to edit
    // every state file that loads: toml_edit has to parse what toml parsed.
    for (assessment, entry) in &ws.assessments {
        for action in entry.states.keys() {
            let rel = format!("assessments/{assessment}/{action}.toml");
            let Ok(text) = std::fs::read_to_string(repo.root.join(&rel)) else { continue };
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            if let Err(e) = text.parse::<toml_edit::DocumentMut>() {
                outcome.violations.push(format!("`{rel}` loads but the editor cannot parse it: {e}"));
            }
        }
    }

    // validate, in every format.
    let mut validated = report.clone();
    validated.finish(&ws.config.rules);
    let _ = render::human(&validated, false);
    let _ = render::summary_line(&validated);
    let _ = render::json(&validated);
    let _ = render::github(&validated, "");
    let _ = render::sarif(&validated, "sub/");
    outcome.valid = !validated.has_errors();

    // check (working tree).
    let mut checked = report;
    checks::file_rules(&ws, &mut checked, today);
    let after = (!checked.has_errors()).then(|| evident::score::compute(&ws));
    checked.locate(|file| std::fs::read_to_string(repo.path(file)).ok());
    checked.finish(&ws.config.rules);
    let _ = render::human(&checked, false);
    let _ = out::summary::markdown(&out::summary::Summary {
        report: &checked,
        base: None,
        head: None,
        commits: &[],
        commit_count: 0,
        before: None,
        after: after.as_ref(),
        links: out::summary::Links { blob_base: None, prefix: String::new() },
        gate: None,
    });

    if !outcome.valid {
        return outcome;
    }
    // score: no pending updates are deferred (that needs git history).
    let _ = evident::updates::pending(&ws);
    let scores = evident::score::compute(&ws);
    for by in [By::Assessment, By::Control, By::Category, By::Group, By::Regulation, By::Solution, By::Owner]
    {
        let _ = out::score::human(&scores, by, false);
        let _ = out::score::markdown(&scores, by);
    }
    let _ = out::score::json(&scores, None);

    // report: every evidence file that is a regular file inside the repository.
    let available: BTreeSet<String> = report::evidence_paths(&ws)
        .into_iter()
        .filter(|p| {
            evident::repo::write::contained_path(&repo.root, p)
                .ok()
                .and_then(|full| std::fs::symlink_metadata(full).ok())
                .is_some_and(|m| m.is_file())
        })
        .collect();
    let timeline = evident::history::timeline::Timeline::default();
    let view = report::build(&report::Input {
        workspace: &ws,
        scores: &scores,
        timeline: &timeline,
        evidence_available: &available,
    });
    let templates = report::Templates::default();
    if let Err(e) = report::md::render(&view, &templates) {
        outcome.violations.push(format!("the Markdown report of a valid repository failed: {e:?}"));
    }
    if html && let Err(e) = report::html::render(&view, &templates) {
        outcome.violations.push(format!("the HTML report of a valid repository failed: {e:?}"));
    }
    let _ = serde_json::to_value(&view);
    ws.config.rules.clear();
    outcome
}

/// Paths of the files and folders (with a trailing `/`) under `root`.
fn listing(root: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(root)
        .min_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| {
            let rel = e.path().strip_prefix(root).expect("prefix").to_string_lossy().replace('\\', "/");
            if e.file_type().is_dir() { format!("{rel}/") } else { rel }
        })
        .collect()
}

/// Runs `seeds` in process in a folder of its own; returns the failures,
/// the number of valid cases and the time spent per base.
fn run_cases(
    bases: &[(&'static str, Files, usize)],
    seeds: &[u64],
) -> (Vec<String>, usize, BTreeMap<&'static str, (usize, f64)>) {
    // One folder per base, written once; a case changes only the files it
    // mutates and puts them back afterwards (creating files is what costs).
    let scratch = tempfile::tempdir().expect("temp dir");
    let mut listings = BTreeMap::new();
    for (name, files, _) in bases {
        let root = scratch.path().join(name);
        write_tree(&root, files);
        listings.insert(*name, listing(&root));
    }
    let mut failures = Vec::new();
    let mut valid = 0;
    let mut per_base: BTreeMap<&str, (usize, f64)> = BTreeMap::new();
    for (i, &seed) in seeds.iter().enumerate() {
        let case = Case::new(bases, seed);
        let case_started = Instant::now();
        let base = &bases.iter().find(|b| b.0 == case.base).expect("base").1;
        let root = scratch.path().join(case.base);
        apply_case(&root, base, &case.files);
        PANICS.lock().unwrap_or_else(|e| e.into_inner()).clear();
        let html = i % 10 == 0;
        IN_CASE.fetch_add(1, Ordering::SeqCst);
        let result = catch_unwind(AssertUnwindSafe(|| run_in_process(&root, html)));
        IN_CASE.fetch_sub(1, Ordering::SeqCst);
        match result {
            Ok(outcome) => {
                valid += usize::from(outcome.valid);
                if !outcome.violations.is_empty() {
                    failures.push(format!("{}\n  → {}", case.describe(), outcome.violations.join("\n  → ")));
                }
            }
            Err(_) => {
                let panics = PANICS.lock().unwrap_or_else(|e| e.into_inner()).join("; ");
                failures.push(format!("{}\n  → panicked: {panics}", case.describe()));
            }
        }
        apply_case(&root, &case.files, base);
        if listing(&root) != listings[case.base] {
            // Put back whatever the restore missed (an emptied folder, say).
            std::fs::remove_dir_all(&root).expect("remove");
            write_tree(&root, base);
        }
        let entry = per_base.entry(case.base).or_default();
        entry.0 += 1;
        entry.1 += case_started.elapsed().as_secs_f64();
    }
    (failures, valid, per_base)
}

#[test]
fn in_process_cases_never_panic_and_keep_the_contract() {
    quiet_panics();
    let count = env_number("EVIDENT_CORPUS_CASES", 5000);
    let threads = env_number("EVIDENT_CORPUS_THREADS", 2).max(1) as usize;
    let bases = bases();
    let started = Instant::now();
    let seeds = seeds(count, 0);
    let chunk = seeds.len().div_ceil(threads).max(1);
    let results: Vec<_> = std::thread::scope(|scope| {
        let workers: Vec<_> =
            seeds.chunks(chunk).map(|part| scope.spawn(|| run_cases(&bases, part))).collect();
        workers.into_iter().map(|w| w.join().expect("worker")).collect()
    });
    let mut failures = Vec::new();
    let mut valid = 0;
    let mut per_base: BTreeMap<&str, (usize, f64)> = BTreeMap::new();
    for (f, v, p) in results {
        failures.extend(f);
        valid += v;
        for (base, (n, secs)) in p {
            let entry = per_base.entry(base).or_default();
            entry.0 += n;
            entry.1 += secs;
        }
    }
    let per_base: Vec<String> = per_base
        .iter()
        .map(|(b, (n, secs))| format!("{b}: {n} cases, {:.1} ms each", secs * 1000.0 / *n as f64))
        .collect();
    eprintln!(
        "corpus: {} in-process cases on {threads} threads ({valid} valid after mutation; {}) in {:.1} s",
        seeds.len(),
        per_base.join(", "),
        started.elapsed().as_secs_f64()
    );
    // The harness itself: enough cases must stay valid for score and report to run.
    assert!(
        seeds.len() < 200 || valid * 10 >= seeds.len(),
        "only {valid} of {} cases were valid",
        seeds.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        seeds.len(),
        failures.join("\n\n")
    );
}

/// Every file under `root` with a digest of its contents, minus the places a
/// run may write: the report folders and evident's cache in `.git/evident/`.
fn tree_state(root: &Path) -> BTreeMap<String, String> {
    use std::hash::{Hash, Hasher};
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        let rel = entry.path().strip_prefix(root).expect("prefix").to_string_lossy().replace('\\', "/");
        if rel.starts_with("out") || rel.starts_with("repo/.git/evident") {
            continue;
        }
        let digest = if entry.file_type().is_file() {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::fs::read(entry.path()).unwrap_or_default().hash(&mut h);
            format!("file {:x}", h.finish())
        } else if entry.file_type().is_dir() {
            "dir".to_owned()
        } else {
            "other".to_owned()
        };
        out.insert(rel, digest);
    }
    out
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Ana")
        .env("GIT_AUTHOR_EMAIL", "ana@example.com")
        .env("GIT_COMMITTER_NAME", "Ana")
        .env("GIT_COMMITTER_EMAIL", "ana@example.com")
        .env("GIT_AUTHOR_DATE", "2026-01-01T10:00:00+00:00")
        .env("GIT_COMMITTER_DATE", "2026-01-01T10:00:00+00:00")
        .output()
        .expect("run git");
    assert!(status.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&status.stderr));
}

/// Copies a directory (the committed base, with its `.git`).
fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("prefix"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Turns a folder holding `base` into one holding `case` (and back, with the
/// arguments swapped).
fn apply_case(repo: &Path, base: &Files, case: &Files) {
    for rel in base.keys().filter(|p| !case.contains_key(*p)) {
        let path = repo.join(rel.trim_end_matches('/'));
        if path.is_file() {
            std::fs::remove_file(&path).expect("remove");
        } else if rel.ends_with('/') && path.is_dir() {
            std::fs::remove_dir_all(&path).expect("remove dir");
        }
    }
    for rel in case.keys().filter(|p| !p.ends_with('/')) {
        // A file that replaces a folder (`assessments`), or a folder that replaces a file.
        let path = repo.join(rel);
        if path.is_dir() {
            std::fs::remove_dir_all(&path).expect("remove dir");
        }
    }
    for rel in case.keys().filter(|p| p.ends_with('/')) {
        let path = repo.join(rel.trim_end_matches('/'));
        if path.is_file() {
            std::fs::remove_file(&path).expect("remove");
        }
    }
    let changed: Files =
        case.iter().filter(|(p, b)| base.get(*p) != Some(*b)).map(|(p, b)| (p.clone(), b.clone())).collect();
    write_tree(repo, &changed);
}

#[test]
fn binary_runs_keep_the_contract_and_write_nowhere_else() {
    let count = env_number("EVIDENT_CORPUS_BINARY_CASES", 100);
    let bases = bases();
    let started = Instant::now();
    // Each base committed once; every case starts from a copy of it.
    let committed = tempfile::tempdir().expect("temp dir");
    for (name, files, _) in &bases {
        let dir = committed.path().join(name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        write_tree(&dir, files);
        git(&dir, &["init", "-q", "-b", "main"]);
        git(&dir, &["add", "-A"]);
        git(&dir, &["commit", "-q", "-m", "base"]);
    }
    let seeds = seeds(count, 0xb1_0000);
    let threads = env_number("EVIDENT_CORPUS_THREADS", 2).max(1) as usize;
    let chunk = seeds.len().div_ceil(threads).max(1);
    let committed_dir = committed.path();
    let bases_ref = &bases;
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = seeds
            .chunks(chunk)
            .map(|part| {
                std::thread::Builder::new()
                    .name(BINARY_TEST.to_owned())
                    .spawn_scoped(scope, move || binary_cases(bases_ref, committed_dir, part))
                    .expect("spawn")
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("worker")).collect()
    });
    eprintln!("corpus: {} binary cases in {:.1} s", seeds.len(), started.elapsed().as_secs_f64());
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        seeds.len(),
        failures.join("\n\n")
    );
}

/// Runs the binary on `seeds`, each on a copy of its committed base; returns the failures.
fn binary_cases(bases: &[(&'static str, Files, usize)], committed: &Path, seeds: &[u64]) -> Vec<String> {
    let mut failures = Vec::new();
    for (i, &seed) in seeds.iter().enumerate() {
        let case = Case::new(bases, seed);
        let base = &bases.iter().find(|b| b.0 == case.base).expect("base").1;
        let sandbox = tempfile::tempdir().expect("temp dir");
        let repo = sandbox.path().join("repo");
        copy_dir(&committed.join(case.base), &repo);
        apply_case(&repo, base, &case.files);
        for dir in ["home", "tmp"] {
            std::fs::create_dir_all(sandbox.path().join(dir)).expect("mkdir");
        }
        // Every other case commits the mutation: history then reads broken blobs.
        let committed_case = i % 2 == 1;
        if committed_case {
            git(&repo, &["add", "-A"]);
            git(&repo, &["commit", "-q", "--allow-empty", "-m", "mutation"]);
        }
        let before = tree_state(sandbox.path());
        let mut commands: Vec<Vec<String>> = vec![
            vec!["validate".into()],
            vec!["score".into()],
            vec!["check".into()],
            vec!["report".into(), "--format".into(), "md".into(), "--out".into(), "../out-md".into()],
        ];
        if i % 5 == 0 {
            commands.push(vec!["report".into(), "--out".into(), "../out-html".into()]);
        }
        if committed_case {
            commands.push(vec!["check".into(), "--base".into(), "HEAD~1".into()]);
        }
        let mut codes = Vec::new();
        let mut problems = Vec::new();
        for args in &commands {
            let mut cmd = Command::cargo_bin("evident").expect("binary");
            cmd.args(args)
                .current_dir(&repo)
                .env_remove("EVIDENT_REPO")
                .env_remove("GITHUB_STEP_SUMMARY")
                .env("NO_COLOR", "1")
                .env("EVIDENT_TODAY", TODAY)
                .env("HOME", sandbox.path().join("home"))
                .env("TMPDIR", sandbox.path().join("tmp"))
                .env("XDG_CACHE_HOME", sandbox.path().join("home/.cache"))
                .env("XDG_CONFIG_HOME", sandbox.path().join("home/.config"))
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null");
            let out = cmd.output().expect("run evident");
            let code = out.status.code().unwrap_or(-1);
            let stderr = String::from_utf8_lossy(&out.stderr);
            if ![0, 1, 2].contains(&code) || stderr.contains("panicked") {
                problems.push(format!("`evident {}` exited {code}:\n{stderr}", args.join(" ")));
            }
            codes.push(code);
        }
        // A repository that validates can be scored and reported.
        let mut reports = commands.iter().zip(&codes).filter(|(args, _)| args[0] == "report");
        if codes[0] == 0 && (codes[1] != 0 || reports.any(|(_, &code)| code != 0)) {
            problems.push(format!("validate exited 0 but score/check/report exited {codes:?}"));
        }
        let after = tree_state(sandbox.path());
        if before != after {
            let changed: Vec<String> = before
                .keys()
                .chain(after.keys())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .filter(|k| before.get(*k) != after.get(*k))
                .cloned()
                .collect();
            problems.push(format!("files changed outside the report folders: {changed:?}"));
        }
        if !problems.is_empty() {
            failures.push(format!("{}\n  → {}", case.describe(), problems.join("\n  → ")));
        }
    }
    failures
}
