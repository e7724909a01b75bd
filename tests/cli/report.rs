//! `evident report` on real git repositories: the pages exist, their scores
//! are `evident score`'s, user text is escaped, evidence is copied and linked,
//! every link resolves inside the site, and the odd histories (no commits, a
//! shallow clone, a broken file in the past, a removed assessment, a renamed
//! action) render with a note instead of failing.
//!
//! People: ana and bob (owners), cy (assessor).

mod browser;
mod cdp;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{Run, TestRepo, action_toml, people_toml, state_toml};

pub const ANA: &str = "ana@example.com";
pub const BOB: &str = "bob@example.com";
pub const CY: &str = "cy@example.com";

/// The title of the action whose texts try to inject HTML.
pub const XSS_TITLE: &str = "<script>alert(1)</script> Sanitize <b>inputs</b>";
pub const XSS_NOTE: &str = "Checked <script>alert(1)</script> & <img src=x onerror=alert(2)>";
pub const EVIDENCE: &str = "evidence/ca policy #1.txt";

/// A privacy program in two grouped assessments with a history of four commits.
///
/// Points: mfa 27 (mandatory preventative), logs 1 (discretionary detective),
/// backup 3 (mandatory corrective), xss 9 (discretionary preventative).
/// gdpr-2026 lists mfa, logs, xss; ccpa-2026 lists mfa, backup.
pub fn program() -> TestRepo {
    let repo = TestRepo::new();
    repo.git_init();
    repo.write("evident.toml", people_toml(&[(ANA, "Ana Lima"), (BOB, "Bob"), (CY, "Cy")], &[CY]));
    repo.add_action("mfa", "control-access", "preventative", true);
    repo.add_action("logs", "discover-and-respond", "detective", false);
    repo.add_action("backup", "infrastructure-cloud", "corrective", true);
    repo.write("actions/xss.toml", xss_action());
    repo.add_template("gdpr", &[("art-32", &["mfa", "logs"]), ("art-25", &["xss"])]);
    repo.add_template("ccpa", &[("1798.150", &["mfa", "backup"])]);
    repo.add_privacy_pair();
    repo.set_both("mfa", &state_toml(Some(ANA), "planned", "none", &[]));
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        state_toml(Some(BOB), "implemented", "passed", &["siem-export"]),
    );
    repo.write("assessments/ccpa-2026/backup.toml", state_toml(None, "not-implemented", "none", &[]));
    repo.write("assessments/gdpr-2026/xss.toml", state_toml(Some(BOB), "planned", "none", &[]));
    repo.commit(ANA, "Start the privacy program");
    repo.set_both("mfa", &state_toml(Some(ANA), "implemented", "none", &[]));
    repo.commit(BOB, "Enforce MFA");
    repo.write(EVIDENCE, "CA-01 exported\n");
    repo.set_both("mfa", &mfa_passed());
    repo.commit(CY, "Test MFA");
    repo.write("assessments/gdpr-2026/xss.toml", xss_state("Not yet."));
    repo.commit(BOB, "Note on <b>input</b> sanitizing");
    repo
}

fn xss_action() -> String {
    let mut text = action_toml("xss", "protect-information", "preventative", false);
    text = text.replace("title = \"Action xss\"", &format!("title = {:?}", XSS_TITLE));
    text.push_str(
        "solution = \"Web <Gateway>\"\nguidance = \"\"\"\n# Why\n\nRaw <script>alert(3)</script> here.\n\n[bad link](javascript:alert(4)) and [good link](https://owasp.org/)\n\"\"\"\n",
    );
    text
}

fn xss_state(test_notes: &str) -> String {
    format!(
        "owner = \"bob@example.com\"\n\n[implementation]\nstatus = \"planned\"\nnotes = {:?}\n\n[test]\nstatus = \"none\"\nnotes = {:?}\n",
        XSS_NOTE, test_notes
    )
}

/// Commits a 4,500-character test note without spaces on xss.
pub fn add_long_note(repo: &TestRepo) {
    repo.write("assessments/gdpr-2026/xss.toml", xss_state(&"very-long-note-".repeat(300)));
    repo.commit(BOB, "A long note");
}

fn mfa_passed() -> String {
    let sha = evident::checks::evidence::sha256_bytes(b"CA-01 exported\n");
    format!(
        "{}\n[[evidence]]\nname = \"CA <policy> export\"\npath = {:?}\nsha256 = \"{sha}\"\n",
        state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]),
        EVIDENCE
    )
}

/// Renders the report into `<repo>/../site-<name>` and returns that folder.
pub fn report(repo: &TestRepo, args: &[&str]) -> (Run, PathBuf) {
    let out = repo.path().join("_site");
    let out_text = out.to_string_lossy().into_owned();
    let mut all = vec!["report", "--out", out_text.as_str()];
    all.extend_from_slice(args);
    (repo.run(&all), out)
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

/// Every file of the site, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"))
        .collect();
    out.sort();
    out
}

/// `data-score="KEY" data-earned="E" data-max="M"` attributes of a page.
fn scores_in(html: &str) -> BTreeMap<String, (u64, u64)> {
    let mut out = BTreeMap::new();
    for part in html.split("data-score=\"").skip(1) {
        let key = part.split('"').next().unwrap().to_owned();
        let attr = |name: &str| -> u64 {
            let start = part.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            part[start..].split('"').next().unwrap().parse().unwrap()
        };
        out.insert(key, (attr("data-earned"), attr("data-max")));
    }
    out
}

/// The values of an attribute (`href`, `src`) in a page, with the tag each is on.
fn attributes(html: &str, name: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let needle = format!(" {name}=\"");
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        let tag_start = rest[..i].rfind('<').unwrap_or(0);
        let tag = rest[tag_start + 1..].split([' ', '>']).next().unwrap_or("").to_owned();
        let value = rest[i + needle.len()..].split('"').next().unwrap_or("").to_owned();
        out.push((tag, value));
        rest = &rest[i + needle.len()..];
    }
    out
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8().unwrap().into_owned()
}

/// Every link and resource of every page: resources are local, relative links resolve.
fn check_links(site: &Path) {
    for page in files(site).iter().filter(|f| f.ends_with(".html")) {
        let html = read(site, page);
        let base = site.join(page).parent().unwrap().to_path_buf();
        for (tag, href) in attributes(&html, "href").into_iter().chain(attributes(&html, "src")) {
            if href.starts_with("http://") || href.starts_with("https://") {
                assert_eq!(tag, "a", "{page}: only links may point outside the site: <{tag} {href}>");
                continue;
            }
            assert!(!href.contains(':'), "{page}: no other schemes: {href}");
            assert!(!href.starts_with('/'), "{page}: links are relative: {href}");
            let path = href.split(['#', '?']).next().unwrap();
            if path.is_empty() {
                continue;
            }
            let target = base.join(percent_decode(path));
            assert!(target.is_file(), "{page}: broken link {href}");
        }
    }
}

#[test]
fn site_pages_and_scores_match_evident_score() {
    let repo = program();
    let (run, site) = report(&repo, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    let all = files(&site);
    for f in [
        ".evident-report",
        "index.html",
        "actions.html",
        "assets/style.css",
        "assets/app.js",
        "assessments/gdpr-2026.html",
        "assessments/ccpa-2026.html",
        "actions/mfa.html",
        "actions/logs.html",
        "actions/backup.html",
        "actions/xss.html",
    ] {
        assert!(all.contains(&f.to_owned()), "{f} missing from {all:?}");
    }
    let json = repo.run(&["score", "--format", "json"]).json();
    let index = read(&site, "index.html");
    let shown = scores_in(&index);
    let overall = (json["overall"]["earned"].as_u64().unwrap(), json["overall"]["max"].as_u64().unwrap());
    // mfa 27 earns everywhere, logs 1 earns; backup 3 and xss 9 do not: 28 / 40.
    assert_eq!(overall, (28, 40));
    assert_eq!(shown["overall"], overall);
    assert!(index.contains("70.0%"), "overall percent shown");
    for a in json["assessments"].as_array().unwrap() {
        let key = format!("assessment:{}", a["id"].as_str().unwrap());
        assert_eq!(shown[&key], (a["earned"].as_u64().unwrap(), a["max"].as_u64().unwrap()), "{key}");
        let page = read(&site, &format!("assessments/{}.html", a["id"].as_str().unwrap()));
        assert_eq!(scores_in(&page)[&key], shown[&key]);
        assert!(page.contains(&format!("{:.1}%", a["percent"].as_f64().unwrap())));
    }
    // What to do next: xss (9) then backup (3); together 12 points: 28+12 = 40 / 40.
    let next = index.split("id=\"h-next\"").nth(1).unwrap().split("</section>").next().unwrap();
    let xss = next.find("actions/xss.html").expect("xss listed");
    let backup = next.find("actions/backup.html").expect("backup listed");
    assert!(xss < backup, "most points first");
    assert!(!next.contains("actions/mfa.html"), "mfa earns already");
    assert!(next.contains("would add\n12 points") || next.contains("would add 12 points"), "{next}");
    check_links(&site);

    // The same data as JSON, for scripts and template authors.
    let (run, dir) = report(&repo, &["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(files(&dir), [".evident-report", "report.json"]);
    let data: serde_json::Value = serde_json::from_str(&read(&dir, "report.json")).unwrap();
    assert_eq!((data["overall"]["earned"].as_u64(), data["overall"]["max"].as_u64()), (Some(28), Some(40)));
    assert_eq!(data["actions"].as_array().unwrap().len(), 4);
    assert_eq!(data["head"]["id"].as_str(), Some(repo.git(&["rev-parse", "HEAD"]).as_str()));
}

#[test]
fn user_text_is_escaped_everywhere() {
    let repo = program();
    add_long_note(&repo);
    let (run, site) = report(&repo, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    for page in files(&site).iter().filter(|f| f.ends_with(".html")) {
        let html = read(&site, page);
        assert_eq!(html.matches("<script").count(), 1, "{page}: only app.js");
        assert!(!html.contains("<b>inputs"), "{page}");
        assert!(!html.contains("<img"), "{page}");
        assert!(!html.contains("javascript:"), "{page}");
    }
    let action = read(&site, "actions/xss.html");
    assert!(action.contains("&lt;script&gt;alert(1)&lt;/script&gt; Sanitize &lt;b&gt;inputs&lt;/b&gt;"));
    assert!(
        action.contains(
            "Checked &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;"
        )
    );
    // Guidance: Markdown rendered, raw HTML shown as text, only safe links.
    assert!(action.contains("<h3>Why</h3>"), "{action}");
    assert!(action.contains("Raw &lt;script&gt;alert(3)&lt;/script&gt; here."));
    assert!(action.contains("<a href=\"https://owasp.org/\">good link</a>"));
    assert!(action.contains("bad link"));
    // The very long note is there whole (it wraps in CSS).
    assert!(action.contains(&"very-long-note-".repeat(300)));
    // The status timeline names the commit's author and what changed.
    assert!(action.contains("implementation notes"), "{action}");
    assert!(action.contains(">bob<"), "{action}");
    let list = read(&site, "actions.html");
    assert!(list.contains("data-solution=\"web &lt;gateway&gt;\""), "solution filter value escaped");
    let md_run = repo.run(&["report", "--format", "md", "--out", repo.path().join("_md").to_str().unwrap()]);
    assert_eq!(md_run.code, 0, "{}", md_run.all());
    let md = std::fs::read_to_string(repo.path().join("_md/report.md")).unwrap();
    assert!(!md.contains("<script>"), "{md}");
    assert!(!md.contains("<b>"), "{md}");
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt; Sanitize &lt;b&gt;inputs&lt;/b&gt;"), "{md}");
}

#[test]
fn evidence_files_are_copied_and_linked() {
    let repo = program();
    let (run, site) = report(&repo, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    let copied = site.join("files").join(EVIDENCE);
    assert_eq!(std::fs::read_to_string(&copied).unwrap(), "CA-01 exported\n");
    let mfa = read(&site, "actions/mfa.html");
    assert!(
        mfa.contains("<a href=\"../files/evidence/ca%20policy%20%231.txt\">CA &lt;policy&gt; export</a>"),
        "{mfa}"
    );
    assert!(mfa.contains("href=\"https://evidence.example.com/ca-policy\""), "links go out as links");
    check_links(&site);
}

#[test]
fn no_commits_renders_the_current_state() {
    for with_git in [false, true] {
        let repo = program_without_history();
        if with_git {
            repo.git_init();
        }
        let (run, site) = report(&repo, &[]);
        assert_eq!(run.code, 0, "{}", run.all());
        let index = read(&site, "index.html");
        assert!(index.contains("This repository has no commits yet"), "{index}");
        assert!(index.contains("No history yet"), "{index}");
        assert!(!index.contains("class=\"chart\""), "no trends");
        assert!(index.contains("Generated by evident from a repository without commits."));
        let action = read(&site, "actions/mfa.html");
        assert!(action.contains("No history yet: the repository has no commits."), "{action}");
        check_links(&site);
    }
}

fn program_without_history() -> TestRepo {
    let repo = TestRepo::new();
    repo.add_action("mfa", "control-access", "preventative", true);
    repo.add_template("gdpr", &[("art-32", &["mfa"])]);
    repo.add_assessment("gdpr-2026", "gdpr", None);
    repo.write("assessments/gdpr-2026/mfa.toml", state_toml(Some(ANA), "implemented", "none", &[]));
    repo
}

#[test]
fn shallow_clone_says_where_history_starts() {
    let repo = program();
    let clone = tempfile::tempdir().unwrap();
    let dest = clone.path().join("c");
    let url = format!("file://{}", repo.path().display());
    let out = crate::support::git()
        .args(["clone", "-q", "--depth", "1", &url, dest.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let site = clone.path().join("site");
    let mut cmd = crate::support::evident();
    cmd.arg("--repo").arg(&dest).args(["report", "--out"]).arg(&site);
    let run = crate::support::run(cmd);
    assert_eq!(run.code, 0, "{}", run.all());
    let index = read(&site, "index.html");
    assert!(
        index.contains("This is a shallow clone: history starts at the first available commit"),
        "{index}"
    );
    // One commit: a one-point trend (a dot), no line.
    assert!(index.contains("class=\"chart\""));
    check_links(&site);
}

#[test]
fn broken_file_in_the_past_is_listed() {
    let repo = program();
    repo.write("assessments/gdpr-2026/logs.toml", "[implementation\nstatus = \"implemented\"\n");
    let broken = repo.commit(BOB, "Oops");
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        state_toml(Some(BOB), "implemented", "passed", &["siem-export"]),
    );
    repo.commit(BOB, "Fix logs");
    let (run, site) = report(&repo, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    let index = read(&site, "index.html");
    assert!(index.contains("1 file in past commits could not be read"), "{index}");
    let problems = index.split("id=\"h-problems\"").nth(1).expect("problems section");
    assert!(problems.contains("<code>assessments/gdpr-2026/logs.toml</code>"), "{problems}");
    assert!(problems.contains(&format!("<code>{}</code>", &broken[..7])), "{problems}");
}

#[test]
fn removed_assessment_and_renamed_action_keep_trends_and_links() {
    let repo = program();
    repo.add_assessment("old-2025", "ccpa", None);
    repo.write("assessments/old-2025/backup.toml", state_toml(Some(ANA), "implemented", "none", &[]));
    repo.commit(ANA, "Last year's CCPA");
    repo.write("assessments/old-2025/backup.toml", state_toml(Some(BOB), "implemented", "none", &[]));
    repo.commit(BOB, "Hand over");
    std::fs::remove_dir_all(repo.path().join("assessments/old-2025")).unwrap();
    repo.commit(ANA, "Archive last year");
    // Rename backup -> backups everywhere.
    repo.remove("actions/backup.toml");
    repo.write(
        "actions/backups.toml",
        action_toml("backups", "infrastructure-cloud", "corrective", true)
            .replace("Action backups", "Daily backups"),
    );
    repo.add_template("ccpa", &[("1798.150", &["mfa", "backups"])]);
    repo.remove("assessments/ccpa-2026/backup.toml");
    repo.write("assessments/ccpa-2026/backups.toml", state_toml(Some(BOB), "planned", "none", &[]));
    repo.commit(ANA, "Rename backup");
    let (run, site) = report(&repo, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    let index = read(&site, "index.html");
    assert!(index.contains("old-2025 (removed)"), "removed assessment in the trend legend");
    assert!(!site.join("assessments/old-2025.html").exists());
    assert!(!site.join("actions/backup.html").exists());
    assert!(site.join("actions/backups.html").exists());
    // Events of the old assessment and action show without links.
    assert!(index.contains("<td>old-2025</td>"), "{index}");
    check_links(&site);
}

#[test]
fn templates_override_one_file() {
    let repo = program();
    let templates = repo.path().join("_templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("index.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>Custom overview</h1><p>{{ report.overall.text }}</p>{% endblock %}",
    )
    .unwrap();
    let (run, site) = report(&repo, &["--templates", templates.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    let index = read(&site, "index.html");
    assert!(index.contains("<h1>Custom overview</h1><p>70.0%</p>"), "{index}");
    assert!(index.contains("assets/style.css"), "the default layout");
    assert!(read(&site, "actions.html").contains("id=\"action-table\""), "other pages unchanged");

    std::fs::write(templates.join("index.html"), "{% if %}").unwrap();
    let (run, _) = report(&repo, &["--templates", templates.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("cannot render the report template `index.html`"), "{}", run.stderr);
}

#[test]
fn output_folder_rules() {
    let repo = program();
    let out = repo.path().join("_site");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let (run, _) = report(&repo, &[]);
    assert_eq!(run.code, 2, "{}", run.all());
    crate::support::settings_for(&repo).bind(|| insta::assert_snapshot!(run.stderr));
    assert_eq!(files(&out), ["notes.txt"], "nothing written");
    let (run, _) = report(&repo, &["--force"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(read(&out, "notes.txt"), "mine", "other files stay");
    // A second run needs no --force, and removes pages the report no longer has.
    repo.add_template("gdpr", &[("art-32", &["mfa", "logs"])]);
    repo.remove("assessments/gdpr-2026/xss.toml");
    repo.remove("actions/xss.toml");
    let (run, _) = report(&repo, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(!out.join("actions/xss.html").exists(), "stale page removed");
    assert!(out.join("actions/mfa.html").exists());
    assert!(read(&out, ".evident-report").contains("actions/mfa.html\n"));
    // A file where the folder should be.
    let file = repo.path().join("_file");
    std::fs::write(&file, "x").unwrap();
    let run = repo.run(&["report", "--out", file.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.all());
    // The repository itself and its data folders are refused: pages there would be read as data.
    for out in [".", "assessments/site", "actions", "templates/x/y"] {
        let run = repo.run_in(&["report", "--out", out, "--force"]);
        assert_eq!(run.code, 2, "{out}: {}", run.all());
        assert!(run.stderr.contains("data folders"), "{}", run.all());
    }
    assert!(!repo.path().join("assessments/site").exists());
    assert_eq!(repo.run(&["validate"]).code, 0);
}

#[test]
fn repository_with_errors_is_refused() {
    let repo = program();
    repo.write("assessments/gdpr-2026/mfa.toml", "owner = 3\n");
    let (run, site) = report(&repo, &[]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(!site.join("index.html").exists());
}

#[test]
fn markdown_report() {
    let repo = program();
    let out = repo.path().join("_md");
    let run = repo.run(&["report", "--format", "md", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(files(&out), [".evident-report", "files/evidence/ca policy #1.txt", "report.md"]);
    let md = read(&out, "report.md");
    let mut settings = crate::support::settings_for(&repo);
    settings.add_filter(r"\b[0-9a-f]{7}\b", "[SHORT]");
    settings.bind(|| insta::assert_snapshot!(md));
}

#[test]
fn statement_of_applicability_page_lists_every_control() {
    use crate::soa::{BACKUP_WHY, soa_repo};
    let repo = soa_repo();
    let (run, site) = report(&repo, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    let page = read(&site, "soa/iso-2026.html");
    // Every control of the template, in its order, applicable or not.
    let rows: Vec<&str> =
        page.split("<tr id=\"control-").skip(1).map(|r| r.split('"').next().unwrap()).collect();
    assert_eq!(rows, ["A.5.15", "A.8.13", "A.8.24", "A.6.3"]);
    let row = |id: &str| {
        page.split(&format!("<tr id=\"control-{id}\"")).nth(1).unwrap().split("</tr>").next().unwrap()
    };
    assert!(row("A.8.13").starts_with(" class=\"not-applicable\""), "{}", row("A.8.13"));
    assert!(
        row("A.8.13").contains(&BACKUP_WHY.replace('\'', "&#x27;"))
            || row("A.8.13").contains("see the SOC 2 report")
    );
    assert!(row("A.8.13").contains(">No<"));
    assert!(
        row("A.5.15").contains("<code>logs</code>: No servers: the service is SaaS only"),
        "{}",
        row("A.5.15")
    );
    assert!(row("A.5.15").contains("1 of 1 implemented") && row("A.5.15").contains("1 of 1 passed"));
    assert!(row("A.8.24").contains("1 of 2 implemented, 1 planned"), "{}", row("A.8.24"));
    assert!(row("A.8.24").contains("href=\"https://evidence.example.com/ca\""), "evidence linked");
    assert!(row("A.6.3").contains("no actions"));
    assert!(page.contains("3 of 4 apply"), "summary");
    // Linked from the overview and the assessment's page.
    assert!(read(&site, "index.html").contains("href=\"soa/iso-2026.html\""));
    assert!(read(&site, "assessments/iso-2026.html").contains("href=\"../soa/iso-2026.html\""));
    check_links(&site);

    // The Markdown report has the statement in the assessment's section.
    let out = repo.path().join("_md");
    let run = repo.run(&["report", "--format", "md", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    let md = read(&out, "report.md");
    let soa =
        md.split("#### Statement of Applicability").nth(1).expect("section").split("\n\n").nth(2).unwrap();
    let lines: Vec<&str> = soa.lines().skip(2).collect();
    assert_eq!(lines.len(), 4, "{soa}");
    assert!(
        lines[1].starts_with("| **A.8.13** Information backup | No | Backups are the provider"),
        "{}",
        lines[1]
    );
}

#[test]
fn action_page_lists_every_control_that_includes_it() {
    let repo = program();
    // A second control of gdpr lists mfa too.
    repo.add_template("gdpr", &[("art-32", &["mfa", "logs"]), ("art-25", &["xss", "mfa"])]);
    let (run, site) = report(&repo, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    let page = read(&site, "actions/mfa.html");
    let section = page.split("id=\"h-counts-for\"").nth(1).unwrap().split("</section>").next().unwrap();
    let items: Vec<&str> = section.split("<li>").skip(1).collect();
    assert_eq!(items.len(), 3, "{section}");
    // Template order (ccpa, gdpr), then the template's control order.
    assert!(items[0].contains("Template ccpa") && items[0].contains(">1798.150<"), "{}", items[0]);
    assert!(items[1].contains("Template gdpr") && items[1].contains(">art-32<"), "{}", items[1]);
    assert!(items[2].contains(">art-25<"), "{}", items[2]);
    // Each links to the control on the Statement of Applicability of the assessments that list it.
    assert!(items[0].contains("href=\"../soa/ccpa-2026.html#control-1798.150\""), "{}", items[0]);
    assert!(items[2].contains("href=\"../soa/gdpr-2026.html#control-art-25\""), "{}", items[2]);
    assert!(read(&site, "soa/gdpr-2026.html").contains("<tr id=\"control-art-25\""));
    // logs is in one control only.
    let logs = read(&site, "actions/logs.html");
    let section = logs.split("id=\"h-counts-for\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert_eq!(section.matches("<li>").count(), 1, "{section}");
    check_links(&site);
}
