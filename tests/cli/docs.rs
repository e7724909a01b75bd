//! The documentation stays true to the code: README's tables of diagnostic
//! codes are generated from `Code::ALL`, and every document the sources cite
//! exists in the repository.

use std::collections::BTreeMap;
use std::path::PathBuf;

use evident::diag::{Code, Severity};

const BEGIN: &str = "<!-- codes:begin";
const END: &str = "<!-- codes:end -->";
const REFRESH: &str = "UPDATE_README=1 cargo test --test cli readme_codes";

/// How README, `explain --list`, `explain CODE` and hints mark a level `[rules]` cannot change.
const ALWAYS: &str = " (always)";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The table of the codes whose number starts with one of `series` (`E05`),
/// in code order.
fn codes_table(series: &[&str]) -> String {
    let mut codes: Vec<Code> =
        Code::ALL.iter().copied().filter(|c| series.iter().any(|s| c.code().starts_with(s))).collect();
    codes.sort_by_key(|c| c.code());
    let mut out = String::from("| code | rule | level | what it means |\n|---|---|---|---|\n");
    for c in codes {
        let level = match c.default_severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let fixed = if c.configurable() { "" } else { ALWAYS };
        let summary = c.summary().replace('|', "\\|");
        out.push_str(&format!("| {} | `{}` | {level}{fixed} | {summary} |\n", c.code(), c.name()));
    }
    out
}

/// README with every `<!-- codes:begin SERIES… -->` block regenerated, and
/// the series each block covers.
fn regenerate(readme: &str) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut covered = Vec::new();
    let mut rest = readme;
    while let Some(start) = rest.find(BEGIN) {
        let line_end = start + rest[start..].find('\n').expect("a codes:begin marker ends its line") + 1;
        let marker = &rest[start..line_end];
        let series: Vec<&str> =
            marker[BEGIN.len()..].trim().trim_end_matches("-->").split_whitespace().collect();
        assert!(!series.is_empty(), "README: `{}` names no code series (e.g. `E05 E06`)", marker.trim());
        let end = line_end + rest[line_end..].find(END).expect("every codes:begin marker has a codes:end");
        out.push_str(&rest[..line_end]);
        out.push_str(&codes_table(&series));
        covered.extend(series.iter().map(|s| s.to_string()));
        rest = &rest[end..];
    }
    out.push_str(rest);
    (out, covered)
}

#[test]
fn a_level_rules_cannot_change_has_one_name_everywhere() {
    let repo = crate::support::TestRepo::new();
    let list = repo.run(&["explain", "--list"]).stdout;
    let row = list.lines().find(|l| l.starts_with("E0104")).expect("E0104 listed");
    assert!(row.contains(&format!("error{ALWAYS}")), "{row}");
    let one = repo.run(&["explain", "E0104"]).stdout;
    assert!(one.contains(&format!("Level: error{ALWAYS}:")), "{one}");
    repo.write("evident.toml", "[rules]\naccepted-version-unavailable = \"off\"\n");
    let run = repo.run(&["validate", "--format", "json"]);
    let json = run.json();
    let e0310 = json["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "E0310").cloned();
    let hint = e0310.and_then(|d| d["hint"].as_str().map(str::to_owned)).unwrap_or_default();
    assert!(hint.contains(&format!("is warning{ALWAYS}:")), "{}", run.all());
}

#[test]
fn readme_codes_match_the_code_table() {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (expected, covered) = regenerate(&readme);
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.code())
        .filter(|code| !covered.iter().any(|s| code.starts_with(s.as_str())))
        .collect();
    assert!(
        missing.is_empty(),
        "README.md lists no table for {missing:?}: add their series (e.g. `E09`) to a `{BEGIN} … -->` marker \
         (or add a block under the section of the command that reports them), then run `{REFRESH}`"
    );
    if expected == readme {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some_and(|v| v == "1") {
        std::fs::write(&path, expected).unwrap();
        return;
    }
    let diff = similar::TextDiff::from_lines(&readme, &expected)
        .unified_diff()
        .context_radius(1)
        .header("README.md", "from Code::ALL")
        .to_string();
    panic!(
        "README.md's tables of diagnostic codes differ from `Code::ALL` in src/diag/codes.rs:\n{diff}\n\
         Run `{REFRESH}` to regenerate them."
    );
}

/// Document names that appear in sources but are not citations: files the
/// tests write into temporary repositories, or link targets of a test.
const NOT_CITATIONS: &[&str] = &[
    "templates/README.md", // a stray file in a test repository's templates/ folder
    "docs/x.md",           // a relative link in the Markdown sanitiser's test
];

/// Every Markdown document (`.md`) a source file names where `NAME` is an upper-case document
/// name (`README`, `ARCHITECTURE`) or a path under `docs/`, with where.
fn cited_documents() -> BTreeMap<String, Vec<String>> {
    let mut cited: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for dir in ["src", "tests", "examples"] {
        for entry in walkdir::WalkDir::new(root().join(dir)).sort_by_file_name() {
            let entry = entry.unwrap();
            let path = entry.path();
            if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(path).unwrap();
            let rel = path.strip_prefix(root()).unwrap().display().to_string();
            for (n, line) in text.lines().enumerate() {
                for doc in documents_in(line) {
                    cited.entry(doc).or_default().push(format!("{rel}:{}", n + 1));
                }
            }
        }
    }
    cited
}

/// The document names of one line: maximal runs of path characters that end
/// in `.md` and are `docs/…` or an upper-case file name (optionally in a folder).
fn documents_in(line: &str) -> Vec<String> {
    let is_path = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | '.');
    let mut out = Vec::new();
    for (i, _) in line.match_indices(".md") {
        let after = line[i + 3..].chars().next();
        if after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue; // `.mdx`, `.md_file`: not a Markdown document
        }
        let start = line[..i].rfind(|c: char| !is_path(c)).map_or(0, |p| p + 1);
        let token = line[start..i + 3].trim_start_matches("./");
        let stem = token[..token.len() - 3].rsplit('/').next().unwrap_or("");
        let upper = !stem.is_empty()
            && stem.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if token.starts_with("docs/") || upper {
            out.push(token.to_owned());
        }
    }
    out
}

#[test]
fn cited_documents_exist() {
    let cited = cited_documents();
    assert!(cited.contains_key("README.md"), "the scan finds citations: {cited:?}");
    let missing: Vec<String> = cited
        .iter()
        .filter(|(doc, _)| !NOT_CITATIONS.contains(&doc.as_str()) && !root().join(doc).is_file())
        .map(|(doc, places)| format!("  {doc} (cited at {})", places.join(", ")))
        .collect();
    assert!(
        missing.is_empty(),
        "sources cite documents that are not in the repository; cite docs/ARCHITECTURE.md or a page of \
         docs/design/ instead:\n{}",
        missing.join("\n")
    );
}

#[test]
fn document_names_are_recognised() {
    // Spelt in two pieces so that this file does not cite a missing document itself.
    let outside = concat!("DESIGN", ".md");
    assert_eq!(documents_in(&format!("//! History rules ({outside} section 3)")), [outside]);
    assert_eq!(documents_in("//! see docs/design/scoring.md."), ["docs/design/scoring.md"]);
    assert_eq!(documents_in("write(\"report.md\"); evidence/policies/mfa.md"), Vec::<String>::new());
    assert_eq!(documents_in("bench/README.md and x.mdx"), ["bench/README.md"]);
}

/// Every `.rs` file under `src/`, as (path relative to the root with `/`, text).
fn sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root().join("src")).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "rs") {
            let rel = entry.path().strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/");
            out.push((rel, std::fs::read_to_string(entry.path()).unwrap()));
        }
    }
    out
}

/// The lines of `text` that contain `needle` outside a `//` comment, as `path:line`.
fn uses(path: &str, text: &str, needles: &[&str]) -> Vec<String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            let code = line.split("//").next().unwrap_or("");
            needles.iter().any(|n| code.contains(n))
        })
        .map(|(n, _)| format!("{path}:{}", n + 1))
        .collect()
}

/// docs/ARCHITECTURE.md: only `src/ui.rs` writes to the terminal.
#[test]
fn only_ui_prints() {
    let found: Vec<String> = sources()
        .iter()
        .filter(|(path, _)| path != "src/ui.rs")
        .flat_map(|(path, text)| {
            uses(path, text, &["print!(", "println!(", "eprint!(", "eprintln!(", "dbg!("])
        })
        .collect();
    assert!(found.is_empty(), "print through `ui::Ui` instead (docs/ARCHITECTURE.md, invariants): {found:?}");
}

/// docs/ARCHITECTURE.md: nothing outside `commands/` and `cli.rs` imports
/// `commands` or `cli`.
#[test]
fn library_does_not_import_commands() {
    let offenders: Vec<String> = sources()
        .iter()
        .filter(|(path, _)| {
            !path.starts_with("src/commands/") && path != "src/cli.rs" && path != "src/main.rs"
        })
        .flat_map(|(path, text)| {
            uses(path, text, &["crate::commands", "crate::cli", "evident::commands", "evident::cli"])
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "library code imports `commands` or `cli` (docs/ARCHITECTURE.md, invariants): {offenders:?}\n\
         move what it needs out of `commands/` into the library"
    );
}

/// docs/ARCHITECTURE.md: clap stays out of `model/`; the command line's view
/// of the vocabularies lives in `commands/`.
#[test]
fn model_does_not_use_clap() {
    let found: Vec<String> = sources()
        .iter()
        .filter(|(path, _)| path.starts_with("src/model/"))
        .flat_map(|(path, text)| uses(path, text, &["clap"]))
        .collect();
    assert!(
        found.is_empty(),
        "`model/` uses clap (docs/ARCHITECTURE.md, invariants): {found:?}\n\
         implement the clap traits in `commands/` (see `commands/vocabulary.rs`)"
    );
}

/// docs/ARCHITECTURE.md: `history/` reads git and builds timelines; the
/// checks build on it (`checks::history`), never the other way round.
#[test]
fn history_does_not_import_checks() {
    let found: Vec<String> = sources()
        .iter()
        .filter(|(path, _)| path.starts_with("src/history/"))
        .flat_map(|(path, text)| uses(path, text, &["crate::checks", "checks::"]))
        .collect();
    assert!(found.is_empty(), "`history/` imports `checks` (docs/ARCHITECTURE.md, invariants): {found:?}");
}

/// docs/ARCHITECTURE.md's code map names every top-level module of `src/`.
#[test]
fn architecture_names_every_module() {
    let map = std::fs::read_to_string(root().join("docs/ARCHITECTURE.md")).unwrap();
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    let modules: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod ").or_else(|| l.trim().strip_prefix("mod ")))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    assert!(modules.contains(&"score"), "{modules:?}");
    let missing: Vec<&&str> = modules
        .iter()
        .filter(|m| !map.contains(&format!("### `src/{m}/`")) && !map.contains(&format!("### `src/{m}.rs`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/ARCHITECTURE.md's code map has no `### `src/<module>/`` (or `.rs`) heading for {missing:?}: \
         say what lives there"
    );
}

/// docs/ARCHITECTURE.md: `model/`, `diag/` and the computations (`score.rs`,
/// `diff/`, `filter.rs`, `render/`, `report/` but for the `--templates`
/// folder) open no files, run no git and start no processes.
#[test]
fn pure_modules_do_no_io() {
    let pure = |path: &str| {
        path.starts_with("src/model/")
            || path.starts_with("src/render/")
            || path.starts_with("src/diag/")
            || (path.starts_with("src/report/") && path != "src/report/templates.rs")
            || path.starts_with("src/diff/")
            || ["src/score.rs", "src/filter.rs"].contains(&path)
    };
    let found: Vec<String> = sources()
        .iter()
        .filter(|(path, _)| pure(path))
        .flat_map(|(path, text)| {
            // No bare `File::`: a file needs `std::fs` in scope (caught), and
            // codespan's `SimpleFile::new` holds text, it opens nothing.
            uses(path, text, &["std::fs", "fs::", "git2", "std::process", "Command::new"])
        })
        .collect();
    assert!(
        found.is_empty(),
        "I/O in a module that only computes or formats (docs/ARCHITECTURE.md, invariants): {found:?}\n\
         read in `repo`/`load`/`history` or the command, and pass the values in"
    );
}

/// No Rust file in `src/`, `tests/` or `examples/` is over 800 lines: past that, a file holds
/// more than one responsibility. Split it by responsibility, as `report/view/`, `diff/`,
/// `render/diff/` and `examples/replay/` are (and keep data such as the replay's story in data
/// files).
#[test]
fn no_source_file_is_over_800_lines() {
    const LIMIT: usize = 800;
    let mut long = Vec::new();
    for dir in ["src", "tests", "examples"] {
        for entry in walkdir::WalkDir::new(root().join(dir)).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "rs") {
                let lines = std::fs::read_to_string(entry.path()).unwrap().lines().count();
                if lines > LIMIT {
                    let rel = entry.path().strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/");
                    long.push(format!("{rel} ({lines} lines)"));
                }
            }
        }
    }
    assert!(
        long.is_empty(),
        "files over {LIMIT} lines: {long:?}\nsplit each by responsibility into a module folder"
    );
}
