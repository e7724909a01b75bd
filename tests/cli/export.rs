//! `evident export` on real git repositories: the testing history (every
//! change of a test status) as CSV and XLSX, read back and compared with
//! rows written by hand.
//!
//! People: ana and bob (owners), cy (assessor).

use std::io::Read;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::support::{TestRepo, state_toml};

const ANA: &str = "ana@example.com";
const BOB: &str = "bob@example.com";
const CY: &str = "cy@example.com";

/// Notes that need quoting in CSV: a comma, quotes and a line break.
const TRICKY: &str = "Sampled 20, \"all\" fine\nsecond line";

/// Five commits (dated 2026-01-01 00:00, 01:00, ... UTC by `TestRepo`):
/// 0 ana: the program; mfa (gdpr-2026, ccpa-2026, group privacy) and logs
///        (gdpr-2026 only) with test `none`: no test change yet.
/// 1 cy:  logs test none → passed (tricky notes, one evidence item).
/// 2 bob: mfa implemented, test none → in-progress in both assessments.
/// 3 cy:  logs test passed → failed-low.
/// 4 ana: mfa owner changes: not a test change, not exported.
fn program() -> (TestRepo, Vec<String>) {
    let repo = TestRepo::new();
    repo.git_init();
    repo.add_action("mfa", "control-access", "preventative", true);
    repo.add_action("logs", "discover-and-respond", "detective", false);
    repo.add_template("gdpr", &[("art-32", &["mfa", "logs"])]);
    repo.add_template("ccpa", &[("1798.150", &["mfa"])]);
    repo.add_privacy_pair();
    repo.set_both("mfa", &state_toml(Some(ANA), "planned", "none", &[]));
    repo.write("assessments/gdpr-2026/logs.toml", state_toml(Some(BOB), "implemented", "none", &[]));
    let mut commits = vec![repo.commit(ANA, "Start the privacy program")];

    let logs_passed = format!(
        "owner = \"{BOB}\"\n\n[implementation]\nstatus = \"implemented\"\ndate = 2026-01-01\n\n[test]\nstatus = \"passed\"\ndate = 2026-01-02\nnotes = {}\n\n[[evidence]]\nname = \"siem\"\nurl = \"https://evidence.example.com/siem\"\n",
        toml_string(TRICKY)
    );
    repo.write("assessments/gdpr-2026/logs.toml", &logs_passed);
    commits.push(repo.commit(CY, "Test logs"));

    let mfa = state_toml(Some(ANA), "implemented", "in-progress", &[]);
    repo.set_both("mfa", &mfa);
    commits.push(repo.commit(BOB, "Roll out MFA"));

    let failed =
        logs_passed.replace("\"passed\"", "\"failed-low\"").replace("date = 2026-01-02", "date = 2026-01-03");
    repo.write("assessments/gdpr-2026/logs.toml", failed);
    commits.push(repo.commit(CY, "Retest logs"));

    repo.set_both("mfa", &mfa.replace(ANA, BOB));
    commits.push(repo.commit(ANA, "Hand MFA to Bob"));
    (repo, commits)
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

const HEADER: [&str; 18] = [
    "Date",
    "Commit",
    "Author",
    "Author email",
    "Assessment",
    "Action",
    "Title",
    "Regulation",
    "Template",
    "Test status before",
    "Test status after",
    "Test date",
    "Test notes",
    "Implementation status",
    "Owner",
    "Evidence",
    "Commit message",
    "Status changed",
];

/// The expected rows, as CSV fields, for the commits of [`program`].
fn expected(commits: &[String]) -> Vec<Vec<String>> {
    let row = |date: &str, c: usize, who: &str, assessment: &str, action: &str, rest: &[&str]| {
        let (regulation, template) =
            if assessment == "gdpr-2026" { ("GDPR", "gdpr") } else { ("CCPA", "ccpa") };
        let mut r: Vec<String> = vec![
            date.into(),
            commits[c].clone(),
            who.split('@').next().unwrap().into(),
            who.into(),
            assessment.into(),
            action.into(),
            format!("Action {action}"),
            regulation.into(),
            template.into(),
        ];
        r.extend(rest.iter().map(|s| s.to_string()));
        r
    };
    vec![
        row(
            "2026-01-01T01:00:00+00:00",
            1,
            CY,
            "gdpr-2026",
            "logs",
            &["none", "passed", "2026-01-02", TRICKY, "implemented", BOB, "1", "Test logs", "true"],
        ),
        // One commit, two assessments: in path order.
        row(
            "2026-01-01T02:00:00+00:00",
            2,
            BOB,
            "ccpa-2026",
            "mfa",
            &["none", "in-progress", "", "", "implemented", ANA, "0", "Roll out MFA", "true"],
        ),
        row(
            "2026-01-01T02:00:00+00:00",
            2,
            BOB,
            "gdpr-2026",
            "mfa",
            &["none", "in-progress", "", "", "implemented", ANA, "0", "Roll out MFA", "true"],
        ),
        row(
            "2026-01-01T03:00:00+00:00",
            3,
            CY,
            "gdpr-2026",
            "logs",
            &["passed", "failed-low", "2026-01-03", TRICKY, "implemented", BOB, "1", "Retest logs", "true"],
        ),
    ]
}

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    reader.records().map(|r| r.expect("csv record").iter().map(str::to_owned).collect()).collect()
}

#[test]
fn history_csv_has_one_row_per_test_change() {
    let (repo, commits) = program();
    let run = repo.run(&["export", "history", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let rows = parse_csv(&run.stdout);
    assert_eq!(rows[0], HEADER);
    assert_eq!(rows[1..], expected(&commits)[..]);
}

#[test]
fn a_retest_that_keeps_the_status_is_a_row() {
    let (repo, mut commits) = program();
    let logs = "assessments/gdpr-2026/logs.toml";
    let failed = repo.read(logs);
    // 5 cy: logs re-tested, still failed-low, with a new date and notes.
    let retest = failed
        .replace("date = 2026-01-03", "date = 2026-01-05")
        .replace(&toml_string(TRICKY), "\"Retest: still two gaps\"");
    repo.write(logs, &retest);
    commits.push(repo.commit(CY, "Retest logs again"));
    // 6 cy: a new evidence link only: the test is the same, not a row.
    repo.write(
        logs,
        format!("{retest}\n[[evidence]]\nname = \"siem 2\"\nurl = \"https://evidence.example.com/siem2\"\n"),
    );
    commits.push(repo.commit(CY, "More evidence"));
    // 7 cy: only the date moves (same status, same notes): a row.
    repo.write(logs, repo.read(logs).replace("date = 2026-01-05", "date = 2026-01-06"));
    commits.push(repo.commit(CY, "Re-run the check"));

    let run = repo.run(&["export", "history", "logs", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let rows = parse_csv(&run.stdout);
    let summary: Vec<(&str, &str, &str, &str, &str, &str)> = rows[1..]
        .iter()
        .map(|r| {
            (r[1].as_str(), r[9].as_str(), r[10].as_str(), r[11].as_str(), r[16].as_str(), r[17].as_str())
        })
        .collect();
    assert_eq!(
        summary,
        [
            (commits[1].as_str(), "none", "passed", "2026-01-02", "Test logs", "true"),
            (commits[3].as_str(), "passed", "failed-low", "2026-01-03", "Retest logs", "true"),
            (commits[5].as_str(), "failed-low", "failed-low", "2026-01-05", "Retest logs again", "false"),
            (commits[7].as_str(), "failed-low", "failed-low", "2026-01-06", "Re-run the check", "false"),
        ]
    );
    assert_eq!(rows[3][12], "Retest: still two gaps");
}

#[test]
fn history_csv_quotes_notes_with_commas_quotes_and_newlines() {
    let (repo, _) = program();
    let run = repo.run(&["export", "history", "logs", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.all());
    // RFC 4180: the field is quoted, quotes are doubled, the line break is kept.
    assert!(run.stdout.contains(",\"Sampled 20, \"\"all\"\" fine\nsecond line\","), "{}", run.stdout);
    assert_eq!(run.stdout.matches("\r\n").count(), 3, "header and two rows end in CRLF");
}

#[test]
fn history_filters_are_those_of_evident_history() {
    let (repo, commits) = program();
    let all = expected(&commits);
    let rows = |args: &[&str]| {
        let mut full = vec!["export", "history", "--format", "csv"];
        full.extend_from_slice(args);
        let run = repo.run(&full);
        assert_eq!(run.code, 0, "{}", run.all());
        parse_csv(&run.stdout)[1..].to_vec()
    };
    assert_eq!(rows(&["mfa"]), all[1..3]);
    assert_eq!(rows(&["--assessment", "ccpa-2026"]), all[1..2]);
    assert_eq!(rows(&["--author", "CY@example.com"]), vec![all[0].clone(), all[3].clone()]);
    // `--since` compares the author's date: every commit is on 2026-01-01.
    assert_eq!(rows(&["--since", "2026-01-01"]), all);
    assert!(rows(&["--since", "2026-01-02"]).is_empty());
    assert_eq!(rows(&["logs", "--author", BOB]), Vec::<Vec<String>>::new());

    let typo = repo.run(&["export", "history", "mfaa", "--format", "csv"]);
    assert_eq!(typo.code, 2, "{}", typo.all());
    assert!(typo.stderr.contains("no action `mfaa`"), "{}", typo.stderr);
    assert!(typo.stderr.contains("did you mean `mfa`?"), "{}", typo.stderr);
}

#[test]
fn history_out_file_is_written_and_stdout_stays_empty() {
    let (repo, commits) = program();
    let out = repo.path().join("out/history.csv");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let run = repo.run(&["export", "history", "--format", "csv", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("Wrote"), "{}", run.stderr);
    let rows = parse_csv(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(rows[1..], expected(&commits)[..]);
    // `--out -` is stdout.
    let dash = repo.run(&["export", "history", "--format", "csv", "--out", "-"]);
    assert_eq!(parse_csv(&dash.stdout), rows);
    // No temporary file is left next to the output.
    let names: Vec<_> =
        std::fs::read_dir(out.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("history.csv")]);
}

#[test]
fn history_xlsx_needs_a_file() {
    let (repo, _) = program();
    for args in [
        &["export", "history", "--format", "xlsx"][..],
        &["export", "history", "--format", "xlsx", "-o", "-"],
    ] {
        let run = repo.run(args);
        assert_eq!(run.code, 2, "{}", run.all());
        assert_eq!(run.stdout, "");
        assert!(run.stderr.contains("not written to stdout"), "{}", run.stderr);
        assert!(run.stderr.contains("--out FILE.xlsx"), "{}", run.stderr);
    }
}

/// Excel's serial number of a date (days since 1899-12-30).
fn serial(y: i16, m: i8, d: i8) -> f64 {
    let epoch = jiff::civil::date(1899, 12, 30);
    (jiff::civil::date(y, m, d) - epoch).get_days() as f64
}

#[test]
fn history_xlsx_reads_back_with_real_dates() {
    let (repo, commits) = program();
    let out = repo.path().join("history.xlsx");
    let run = repo.run(&["export", "history", "--format", "xlsx", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    let mut book: Xlsx<_> = open_workbook(&out).expect("open xlsx");
    assert_eq!(book.sheet_names(), vec!["Testing history".to_owned()]);
    let range = book.worksheet_range("Testing history").expect("sheet");
    assert_eq!(range.get_size(), (5, 18));
    let cell = |r: usize, c: usize| range.get((r, c)).cloned().unwrap_or(Data::Empty);
    for (c, name) in HEADER.iter().enumerate() {
        assert_eq!(cell(0, c), Data::String((*name).into()));
    }
    // Texts and numbers are the CSV's.
    let want = expected(&commits);
    for (r, row) in want.iter().enumerate() {
        for c in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 16] {
            let got = match cell(r + 1, c) {
                Data::String(s) => s,
                Data::Empty => String::new(),
                other => panic!("row {r} column {c}: {other:?}"),
            };
            assert_eq!(got, row[c], "row {r} column {}", HEADER[c]);
        }
        assert_eq!(cell(r + 1, 15), Data::Float(row[15].parse().unwrap()));
        assert_eq!(cell(r + 1, 17), Data::Bool(row[17] == "true"));
    }
    // Dates are Excel dates: the commit time (01:00 on 2026-01-01) and the test date.
    let Data::DateTime(when) = cell(1, 0) else { panic!("date: {:?}", cell(1, 0)) };
    assert!(when.is_datetime());
    assert!((when.as_f64() - (serial(2026, 1, 1) + 1.0 / 24.0)).abs() < 1e-9, "{}", when.as_f64());
    let Data::DateTime(tested) = cell(1, 11) else { panic!("test date: {:?}", cell(1, 11)) };
    assert_eq!(tested.as_f64(), serial(2026, 1, 2));
    assert_eq!(cell(2, 11), Data::Empty);

    // The header row is frozen and has filters over every row and column.
    let sheet = sheet_xml(&out);
    assert!(
        sheet.contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#),
        "{sheet}"
    );
    assert!(sheet.contains(r#"<autoFilter ref="A1:R5"/>"#), "{sheet}");
    assert!(sheet.contains("<cols>"), "column widths are set: {sheet}");
}

/// The XML of the first worksheet of a workbook.
pub fn sheet_xml(path: &Path) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut text).unwrap();
    text
}

#[test]
fn history_out_replaces_a_file_and_refuses_a_directory() {
    let (repo, _) = program();
    repo.write("old.csv", "old contents\n");
    let run = repo.run(&[
        "export",
        "history",
        "--format",
        "csv",
        "-o",
        repo.path().join("old.csv").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(repo.read("old.csv").starts_with("Date,Commit,"));
    let dir = repo.run(&["export", "history", "--format", "csv", "-o", repo.path().to_str().unwrap()]);
    assert_eq!(dir.code, 2, "{}", dir.all());
    assert!(dir.stderr.contains("is a directory"), "{}", dir.stderr);
}

/// Notes longer than an Excel cell holds (32,767 characters) failed the whole workbook
/// (`export actions`, `export soa`). The cell is now cut with a marker, and importing the cut
/// cell back is refused rather than replacing the notes with the cut text.
#[test]
fn notes_longer_than_a_cell_are_cut_in_xlsx_and_not_imported_back() {
    let repo = crate::import::program();
    let long = "é".repeat(20_000) + &"x".repeat(20_000);
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        format!("[implementation]\nstatus = \"implemented\"\ndate = 2026-01-01\nnotes = \"{long}\"\n\n[test]\nstatus = \"none\"\n"),
    );
    let out = repo.path().join("actions.xlsx");
    let run = repo.run(&["export", "actions", "--format", "xlsx", "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    let mut book: Xlsx<_> = open_workbook(&out).expect("open xlsx");
    let range = book.worksheet_range("Actions").expect("sheet");
    let cut = range
        .rows()
        .flat_map(|r| r.iter())
        .find_map(|c| match c {
            Data::String(s) if s.starts_with("éé") => Some(s.clone()),
            _ => None,
        })
        .expect("the notes cell");
    assert!(cut.ends_with("by evident export]") && cut.chars().count() <= 32_767, "{}", cut.len());
    let run = crate::import::refused_as(&repo, "actions", out.to_str().unwrap());
    assert!(run.stderr.contains("cut to Excel's limit"), "{}", run.all());
    let soa = repo.path().join("soa.xlsx");
    let run =
        repo.run(&["export", "soa", "-a", "gdpr-2026", "--format", "xlsx", "-o", soa.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn the_format_is_inferred_from_the_out_extension() {
    let repo = crate::soa::soa_repo();
    let run = repo.run_in(&["export", "actions", "--out", "out/a.xlsx"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(std::fs::read(repo.path().join("out/a.xlsx")).unwrap().starts_with(b"PK"), "a zip: a workbook");
    let run = repo.run_in(&["export", "actions", "--out", "a.CSV"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(repo.read("a.CSV").starts_with("Assessment,"), "{}", repo.read("a.CSV"));
    let run = repo.run_in(&["export", "soa", "-a", "iso-2026", "--out", "soa.md"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(repo.read("soa.md").starts_with('#'), "{}", repo.read("soa.md"));
    // `--format` wins over the extension.
    let run = repo.run_in(&["export", "actions", "--format", "csv", "--out", "b.xlsx"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(repo.read("b.xlsx").starts_with("Assessment,"));
    // An extension that names no format, or no file and no format: the choices.
    let run = repo.run_in(&["export", "actions", "--out", "a.txt"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("cannot tell the format of `a.txt`"), "{}", run.stderr);
    assert!(run.stderr.contains("`csv`, `xlsx`"), "{}", run.stderr);
    let run = repo.run_in(&["export", "history"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("no format given: add `--format` (`csv`, `xlsx`)"), "{}", run.stderr);
}
