//! `evident export actions` and `evident import actions`: the spreadsheet
//! round trip. Exact rows written by hand, bulk updates through the edit
//! machinery (group sync, layout kept, status rules), every kind of bad
//! input refused with its sheet, row and column and nothing written, and a
//! property test that export → import changes nothing.
//!
//! People: ana and bob (owners), cy (assessor).

use calamine::{Data, Reader, Xlsx, open_workbook};
use proptest::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::support::{Run, TestRepo, action_toml};

const ANA: &str = "ana@example.com";
const BOB: &str = "bob@example.com";

const HEADER: [&str; 23] = [
    "Assessment",
    "Group",
    "Regulation",
    "Template",
    "Action",
    "Title",
    "Category",
    "Action type",
    "Control type",
    "Mandatory",
    "Testing type",
    "Solution",
    "Service",
    "Owner",
    "Implementation status",
    "Implementation date",
    "Implementation notes",
    "Test status",
    "Test date",
    "Test notes",
    "Evidence",
    "Points earned",
    "Points available",
];

const TRICKY: &str = "Sampled 20, \"all\" fine\nsecond line";

/// gdpr-2026 (mfa, logs) and ccpa-2026 (mfa) form group `privacy`;
/// iso-2026 (mfa, backup) is on its own. Points: mfa 27 (mandatory
/// preventative), logs 1 (discretionary detective), backup 3 (mandatory
/// corrective).
pub(crate) fn program() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "evident.toml",
        "[people]\n\"ana@example.com\" = \"Ana Lima\"\n\"bob@example.com\" = \"Bob\"\n\"cy@example.com\" = \"Cy\"\n",
    );
    repo.add_action("mfa", "control-access", "preventative", true);
    repo.write(
        "actions/logs.toml",
        action_toml("logs", "discover-and-respond", "detective", false) + "solution = \"Sentinel\"\n",
    );
    repo.add_action("backup", "infrastructure-cloud", "corrective", true);
    repo.add_template("gdpr", &[("art-32", &["mfa", "logs"])]);
    repo.add_template("ccpa", &[("1798.150", &["mfa"])]);
    repo.add_template("iso", &[("a.9", &["mfa"]), ("a.12", &["backup", "mfa"])]);
    repo.add_privacy_pair();
    repo.add_assessment("iso-2026", "iso", None);
    let mfa = format!(
        "# MFA for every admin account.\nowner = \"{ANA}\" # the IAM lead\n\n[implementation]\nstatus = \"implemented\"\ndate = 2026-01-01\n\n[test]\nstatus = \"none\"\n"
    );
    repo.write("assessments/gdpr-2026/mfa.toml", &mfa);
    repo.write("assessments/ccpa-2026/mfa.toml", &mfa);
    repo.write(
        "assessments/gdpr-2026/logs.toml",
        format!(
            "owner = \"{BOB}\"\n\n[implementation]\nstatus = \"implemented\"\ndate = 2026-01-01\n\n[test]\nstatus = \"passed\"\ndate = 2026-01-02\nnotes = {}\n\n[[evidence]]\nname = \"siem\"\nurl = \"https://evidence.example.com/siem\"\n",
            toml::Value::String(TRICKY.into())
        ),
    );
    repo
}

pub(crate) fn row(fields: &[&str]) -> Vec<String> {
    fields.iter().map(|s| s.to_string()).collect()
}

/// The rows of [`program`], by (assessment, action).
fn expected() -> Vec<Vec<String>> {
    let title = |a: &str| format!("Action {a}");
    let mfa = |assessment: &str, group: &str, regulation: &str, template: &str| {
        row(&[
            assessment,
            group,
            regulation,
            template,
            "mfa",
            &title("mfa"),
            "Control Access",
            "technical",
            "preventative",
            "true",
            "manual",
            "",
            "",
            ANA,
            "implemented",
            "2026-01-01",
            "",
            "none",
            "",
            "",
            "0",
            "0",
            "27",
        ])
    };
    vec![
        mfa("ccpa-2026", "privacy", "CCPA", "ccpa"),
        row(&[
            "gdpr-2026",
            "privacy",
            "GDPR",
            "gdpr",
            "logs",
            &title("logs"),
            "Discover and Respond",
            "technical",
            "detective",
            "false",
            "manual",
            "Sentinel",
            "",
            BOB,
            "implemented",
            "2026-01-01",
            "",
            "passed",
            "2026-01-02",
            TRICKY,
            "1",
            // Implemented and passed: it earns its point.
            "1",
            "1",
        ]),
        mfa("gdpr-2026", "privacy", "GDPR", "gdpr"),
        // No state file: the defaults.
        row(&[
            "iso-2026",
            "",
            "ISO",
            "iso",
            "backup",
            &title("backup"),
            "Infrastructure Cloud",
            "technical",
            "corrective",
            "true",
            "manual",
            "",
            "",
            "",
            "not-implemented",
            "",
            "",
            "none",
            "",
            "",
            "0",
            "0",
            "3",
        ]),
        row(&[
            "iso-2026",
            "",
            "ISO",
            "iso",
            "mfa",
            &title("mfa"),
            "Control Access",
            "technical",
            "preventative",
            "true",
            "manual",
            "",
            "",
            "",
            "not-implemented",
            "",
            "",
            "none",
            "",
            "",
            "0",
            "0",
            "27",
        ]),
    ]
}

pub(crate) fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    reader.records().map(|r| r.expect("csv record").iter().map(str::to_owned).collect()).collect()
}

pub(crate) fn to_csv(rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fn col(name: &str) -> usize {
    HEADER.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name}"))
}

/// Exports as CSV, lets `edit` change the rows (header included), writes
/// `actions.csv` into the repository and returns its path.
fn edited_csv(repo: &TestRepo, edit: impl FnOnce(&mut Vec<Vec<String>>)) -> String {
    let run = repo.run(&["export", "actions", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let mut rows = parse_csv(&run.stdout);
    edit(&mut rows);
    let path = repo.path().join("actions.csv");
    std::fs::write(&path, to_csv(&rows)).unwrap();
    path.to_str().unwrap().to_owned()
}

/// Row index (0 = header) of an (assessment, action).
fn find(rows: &[Vec<String>], assessment: &str, action: &str) -> usize {
    rows.iter().position(|r| r[0] == assessment && r[4] == action).expect("row")
}

fn set(rows: &mut [Vec<String>], assessment: &str, action: &str, column: &str, value: &str) {
    let i = find(rows, assessment, action);
    rows[i][col(column)] = value.to_owned();
}

/// The repository's files except the spreadsheets the test wrote.
pub(crate) fn state(repo: &TestRepo) -> Vec<(String, Vec<u8>)> {
    repo.snapshot_files().into_iter().filter(|(p, _)| !p.starts_with("actions.")).collect()
}

/// Runs an import that must be refused as bad input: exit 2, nothing written.
fn refused(repo: &TestRepo, file: &str) -> Run {
    refused_as(repo, "actions", file)
}

/// Like [`refused`], for `evident import WHAT`.
pub(crate) fn refused_as(repo: &TestRepo, what: &str, file: &str) -> Run {
    let before = state(repo);
    let run = repo.run(&["import", what, file]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert_eq!(state(repo), before, "the import wrote something");
    run
}

#[test]
fn export_actions_csv_rows() {
    let repo = program();
    let run = repo.run(&["export", "actions", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let rows = parse_csv(&run.stdout);
    assert_eq!(rows[0], HEADER);
    assert_eq!(rows[1..], expected()[..]);
}

#[test]
fn export_actions_has_the_filters_of_list_actions() {
    let repo = program();
    let all = expected();
    let rows = |args: &[&str]| {
        let mut full = vec!["export", "actions", "--format", "csv"];
        full.extend_from_slice(args);
        let run = repo.run(&full);
        assert_eq!(run.code, 0, "{}", run.all());
        parse_csv(&run.stdout)[1..].to_vec()
    };
    assert_eq!(rows(&["--regulation", "iso"]), all[3..5]);
    assert_eq!(rows(&["--group", "privacy", "--test-status", "passed"]), all[1..2]);
    assert_eq!(rows(&["--owner", "none"]), all[3..5]);
    assert_eq!(rows(&["--solution", "sentinel"]), all[1..2]);
    assert_eq!(
        rows(&["--category", "control-access", "--assessment", "ccpa-2026,iso-2026"]),
        vec![all[0].clone(), all[4].clone()]
    );
    let typo = repo.run(&["export", "actions", "--format", "csv", "--regulation", "gdrp"]);
    assert_eq!(typo.code, 2, "{}", typo.all());
    assert!(typo.stderr.contains("did you mean `gdpr`?"), "{}", typo.stderr);
}

#[test]
fn export_actions_xlsx_has_typed_cells() {
    let repo = program();
    let out = repo.path().join("actions.xlsx");
    let run = repo.run(&["export", "actions", "--format", "xlsx", "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    let range = book.worksheet_range("Actions").unwrap();
    assert_eq!(range.get_size(), (6, 23));
    let cell = |r: usize, c: &str| range.get((r, col(c))).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(2, "Action"), Data::String("logs".into()));
    assert_eq!(cell(2, "Mandatory"), Data::Bool(false));
    assert_eq!(cell(2, "Test notes"), Data::String(TRICKY.into()));
    assert_eq!(cell(2, "Points available"), Data::Float(1.0));
    // 2026-01-02 is day 46024 of Excel's 1900 date system.
    let Data::DateTime(d) = cell(2, "Test date") else { panic!("{:?}", cell(2, "Test date")) };
    assert_eq!(d.as_f64(), 46024.0);
    assert_eq!(cell(4, "Owner"), Data::Empty);
    let sheet = crate::export::sheet_xml(&out);
    assert!(sheet.contains(r#"<autoFilter ref="A1:W6"/>"#), "{sheet}");
    assert!(sheet.contains(r#"state="frozen""#), "{sheet}");
}

#[test]
fn an_unchanged_export_imports_as_no_change() {
    let repo = program();
    let before = state(&repo);
    for format in ["csv", "xlsx"] {
        let out = repo.path().join(format!("actions.{format}"));
        let run = repo.run(&["export", "actions", "--format", format, "-o", out.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.all());
        let run = repo.run(&["import", "actions", out.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.all());
        assert!(run.stderr.contains("No change"), "{}", run.stderr);
        assert!(run.stderr.contains("(5 rows read)"), "{}", run.stderr);
        assert_eq!(state(&repo), before);
        let json = repo.run(&["import", "actions", out.to_str().unwrap(), "--format", "json"]).json();
        assert_eq!(json, serde_json::json!({"rows": 5, "changes": [], "written": false}));
    }
}

#[test]
fn a_bulk_update_changes_the_whole_group_and_keeps_the_layout() {
    let repo = program();
    let file = edited_csv(&repo, |rows| {
        // One row of the group: the ccpa row still says `none`.
        set(rows, "gdpr-2026", "mfa", "Test status", "in-progress");
        set(rows, "gdpr-2026", "mfa", "Test notes", "Half the admins, so far");
        // Another field of the same group from the other row.
        set(rows, "ccpa-2026", "mfa", "Implementation date", "2026-01-05");
        set(rows, "iso-2026", "mfa", "Owner", BOB);
        set(rows, "iso-2026", "backup", "Implementation status", "Planned");
    });
    let run = repo.run(&["import", "actions", &file]);
    assert_eq!(run.code, 0, "{}", run.all());
    // In both assessments of the group; the comments and layout stay. The
    // test status changed and its date cell is blank: it is dated today
    // (EVIDENT_TODAY is 2026-11-23 in tests), as `evident set` does.
    let mfa = format!(
        "# MFA for every admin account.\nowner = \"{ANA}\" # the IAM lead\n\n[implementation]\nstatus = \"implemented\"\ndate = 2026-01-05\n\n[test]\nstatus = \"in-progress\"\ndate = 2026-11-23\nnotes = \"Half the admins, so far\"\n"
    );
    assert_eq!(repo.read("assessments/gdpr-2026/mfa.toml"), mfa);
    assert_eq!(repo.read("assessments/ccpa-2026/mfa.toml"), mfa);
    // New files, as `evident new` writes them.
    let iso_mfa = repo.read("assessments/iso-2026/mfa.toml");
    assert!(iso_mfa.contains(&format!("owner = \"{BOB}\"")), "{iso_mfa}");
    let backup = repo.read("assessments/iso-2026/backup.toml");
    assert!(backup.contains("status = \"planned\""), "{backup}");
    assert!(run.stderr.contains("Updated assessments/ccpa-2026/mfa.toml: implementation date 2026-01-01 → 2026-01-05, test none → in-progress, test date 2026-11-23, test notes added"), "{}", run.stderr);
    // Imported again: nothing left to change.
    let again = repo.run(&["import", "actions", &edited_csv(&repo, |_| {})]);
    assert!(again.stderr.contains("No change"), "{}", again.all());
}

#[test]
fn a_changed_status_without_a_date_is_dated_today() {
    let repo = program();
    let file = edited_csv(&repo, |rows| {
        set(rows, "iso-2026", "backup", "Implementation status", "implemented");
        // A blank date next to an unchanged status removes the date.
        set(rows, "gdpr-2026", "logs", "Test notes", "");
    });
    let run = repo.run(&["import", "actions", &file]);
    assert_eq!(run.code, 0, "{}", run.all());
    // EVIDENT_TODAY is 2026-11-23 in tests.
    assert!(repo.read("assessments/iso-2026/backup.toml").contains("date = 2026-11-23"));
    assert!(!repo.read("assessments/gdpr-2026/logs.toml").contains("notes"));
}

#[test]
fn dry_run_shows_the_changes_and_writes_nothing() {
    let repo = program();
    let before = state(&repo);
    let file = edited_csv(&repo, |rows| set(rows, "iso-2026", "mfa", "Owner", BOB));
    let run = repo.run(&["import", "actions", &file, "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stderr.contains("Would create assessments/iso-2026/mfa.toml: owner bob@example.com"),
        "{}",
        run.stderr
    );
    assert_eq!(state(&repo), before);
    let json = repo.run(&["import", "actions", &file, "--dry-run", "--format", "json"]).json();
    crate::output_schemas::assert_conforms("import-actions", &json);
    assert_eq!(
        json,
        serde_json::json!({"rows": 5, "written": false, "changes": [
            {"path": "assessments/iso-2026/mfa.toml", "change": "created", "what": ["owner bob@example.com"]}
        ]})
    );
}

#[test]
fn changes_that_break_the_status_rules_are_refused() {
    let repo = program();
    let before = state(&repo);
    // Passed without evidence (E0502), and implemented → not-implemented under a passed test.
    let file = edited_csv(&repo, |rows| set(rows, "iso-2026", "mfa", "Test status", "passed"));
    let run = repo.run(&["import", "actions", &file]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("E0502"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert_eq!(state(&repo), before);
}

#[test]
fn two_rows_of_a_group_that_disagree_are_refused() {
    let repo = program();
    let file = edited_csv(&repo, |rows| {
        set(rows, "gdpr-2026", "mfa", "Test status", "in-progress");
        set(rows, "ccpa-2026", "mfa", "Test status", "not-assessed");
    });
    let run = refused(&repo, &file);
    assert!(
        run.stderr.contains("error[E0808]: ")
            && run.stderr.contains(r#"row 4, column "Test status": rows 2 and 4 set `mfa` in group `privacy` to different values: "not-assessed" and "in-progress""#),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_cells_are_all_reported_with_row_and_column() {
    let repo = program();
    let file = edited_csv(&repo, |rows| {
        set(rows, "gdpr-2026", "logs", "Test status", "pased");
        set(rows, "gdpr-2026", "logs", "Test date", "03/04/2026");
        set(rows, "gdpr-2026", "mfa", "Implementation date", "25/12/2025");
        set(rows, "iso-2026", "mfa", "Owner", "ana");
        set(rows, "iso-2026", "backup", "Implementation status", "");
    });
    let run = refused(&repo, &file);
    let lines = [
        r#"actions.csv: row 3, column "Test status": unknown test status "pased""#,
        r#"help: did you mean "passed"?"#,
        r#"actions.csv: row 3, column "Test date": `03/04/2026` is ambiguous: is it day/month/year or month/day/year?"#,
        "help: write it as YYYY-MM-DD: 2026-04-03 (day first) or 2026-03-04 (month first)",
        r#"row 4 (line 5), column "Implementation date": `25/12/2025` is ambiguous"#,
        "help: write it as YYYY-MM-DD: did you mean 2025-12-25?",
        r#"row 6 (line 7), column "Owner": `ana` is not an e-mail address"#,
        r#"row 5 (line 6), column "Implementation status": the status is blank"#,
        "error: 5 problems in",
    ];
    for line in lines {
        assert!(run.stderr.contains(line), "missing {line:?} in:\n{}", run.stderr);
    }
    assert!(run.stderr.contains("`--format json` lists every problem"), "{}", run.stderr);
    let json = repo.run(&["import", "actions", &file, "--format", "json"]);
    assert_eq!(json.code, 2);
    // The tip to use `--format json` is not given to what already uses it.
    assert!(!json.stderr.contains("--format json"), "{}", json.stderr);
    crate::output_schemas::assert_conforms("import-actions", &json.json());
    // The same formats as every other command: `human`, and the old `text`.
    for format in ["human", "text"] {
        let run = repo.run(&["import", "actions", &file, "--format", format]);
        assert_eq!(run.stderr, refused(&repo, &file).stderr, "{format}");
    }
    let problems = json.json()["problems"].as_array().unwrap().clone();
    assert_eq!(problems.len(), 5);
    assert_eq!(problems[0]["code"], "E0804");
    assert_eq!(problems[0]["row"], 3);
    assert_eq!(problems[0]["column"], "Test status");
}

#[test]
fn unknown_and_duplicate_rows_are_refused() {
    let repo = program();
    let file = edited_csv(&repo, |rows| {
        let copy = rows[1].clone();
        rows.push(copy);
        let mut unknown = rows[2].clone();
        unknown[0] = "gdpr-2025".into();
        rows.push(unknown);
        let mut action = rows[2].clone();
        action[4] = "mfaa".into();
        rows.push(action);
        let mut unlisted = rows[2].clone();
        unlisted[0] = "ccpa-2026".into();
        rows.push(unlisted);
    });
    let run = refused(&repo, &file);
    for line in [
        "row 7 (line 8): `mfa` in `ccpa-2026` is also in row 2",
        "help: keep one row per assessment and action",
        r#"row 8 (line 9), column "Assessment": no assessment `gdpr-2025`"#,
        "help: did you mean `gdpr-2026`?",
        r#"row 9 (line 11), column "Action": no action `mfaa`"#,
        "help: did you mean `mfa`?",
        r#"row 10 (line 13), column "Action": assessment `ccpa-2026` (template `ccpa`) does not list action `logs`"#,
    ] {
        assert!(run.stderr.contains(line), "missing {line:?} in:\n{}", run.stderr);
    }
}

#[test]
fn wrong_columns_are_refused_naming_the_expected_ones() {
    let repo = program();
    let file = edited_csv(&repo, |rows| {
        for r in rows.iter_mut() {
            r.remove(col("Test notes"));
        }
        rows[0][col("Owner")] = "Onwer".into();
    });
    let run = refused(&repo, &file);
    assert!(run.stderr.contains(r#"row 1, column "Onwer": unknown column "Onwer""#), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `Owner`?"), "{}", run.stderr);
    assert!(run.stderr.contains(r#"missing columns "Owner", "Test notes""#), "{}", run.stderr);
    assert!(run.stderr.contains(r#"the columns are: "Assessment", "Group","#), "{}", run.stderr);

    repo.write("empty.csv", "");
    let run = refused(&repo, repo.path().join("empty.csv").to_str().unwrap());
    assert!(run.stderr.contains("the file has no header row"), "{}", run.stderr);

    repo.write("actions.txt", "x");
    let run = repo.run(&["import", "actions", repo.path().join("actions.txt").to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is neither a .csv nor an .xlsx file"), "{}", run.stderr);
}

/// A workbook with the export's header and the given rows, written with
/// `write` so that cells can be dates, numbers, formulas or merged.
fn workbook(repo: &TestRepo, write: impl FnOnce(&mut rust_xlsxwriter::Worksheet, &[Vec<String>])) -> String {
    let run = repo.run(&["export", "actions", "--format", "csv"]);
    let rows = parse_csv(&run.stdout);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Actions").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(r as u32, c as u16, value).unwrap();
            }
        }
    }
    write(sheet, &rows);
    let path = repo.path().join("actions.xlsx");
    book.save(&path).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn xlsx_dates_as_date_cells_serial_numbers_and_text() {
    let repo = program();
    let file = workbook(&repo, |sheet, rows| {
        let date = Format::new().set_num_format("dd/mm/yyyy");
        let r = |a: &str, b: &str| find(rows, a, b) as u32;
        let c = |name: &str| col(name) as u16;
        // A real date cell, shown day-first: the cell is a date, not text.
        sheet
            .write_datetime_with_format(
                r("gdpr-2026", "mfa"),
                c("Implementation date"),
                ExcelDateTime::from_ymd(2026, 1, 5).unwrap(),
                &date,
            )
            .unwrap();
        // A date that lost its format: 46027 is 2026-01-05.
        sheet.write_number(r("ccpa-2026", "mfa"), c("Implementation date"), 46027).unwrap();
        sheet.write_string(r("iso-2026", "backup"), c("Implementation status"), "Implemented").unwrap();
        sheet.write_string(r("iso-2026", "backup"), c("Implementation date"), "2026-02-01").unwrap();
    });
    let run = repo.run(&["import", "actions", &file]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(repo.read("assessments/gdpr-2026/mfa.toml").contains("date = 2026-01-05"));
    assert!(repo.read("assessments/ccpa-2026/mfa.toml").contains("date = 2026-01-05"));
    assert!(repo.read("assessments/iso-2026/backup.toml").contains("date = 2026-02-01"));
}

#[test]
fn xlsx_formulas_and_merged_cells_are_refused() {
    let repo = program();
    let file = workbook(&repo, |sheet, _| {
        sheet.write_formula(2, col("Owner") as u16, "=LOWER(\"BOB@EXAMPLE.COM\")").unwrap();
        sheet
            .merge_range(4, col("Test status") as u16, 5, col("Test status") as u16, "none", &Format::new())
            .unwrap();
    });
    let run = refused(&repo, &file);
    assert!(
        run.stderr.contains(r#"error[E0806]: "#)
            && run.stderr.contains(r#"actions.xlsx: sheet "Actions", row 3, column "Owner": the cell holds a formula (`=LOWER("BOB@EXAMPLE.COM")`)"#),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Paste Values"), "{}", run.stderr);
    assert!(run.stderr.contains(r#"sheet "Actions", row 5: cells R5:R6 are merged"#), "{}", run.stderr);
    // In JSON, each problem is a diagnostic at its sheet, row and column.
    let json = repo.run(&["import", "actions", &file, "--format", "json"]);
    assert_eq!(json.code, 2, "{}", json.all());
    let problems = json.json()["problems"].as_array().unwrap().clone();
    let formula = problems.iter().find(|p| p["code"] == "E0806").unwrap_or_else(|| panic!("{problems:#?}"));
    assert_eq!(formula["rule"], "import-formula");
    assert_eq!(formula["severity"], "error");
    assert_eq!(formula["sheet"], "Actions");
    assert_eq!(formula["row"], 3);
    assert_eq!(formula["column"], "Owner");
    assert!(formula["file"].as_str().unwrap().ends_with("actions.xlsx"), "{formula:#}");
}

#[test]
fn a_workbook_without_an_actions_sheet_is_refused() {
    let repo = program();
    let mut book = Workbook::new();
    book.add_worksheet().set_name("One").unwrap();
    book.add_worksheet().set_name("Two").unwrap();
    let path = repo.path().join("book.xlsx");
    book.save(&path).unwrap();
    let run = repo.run(&["import", "actions", path.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains(r#"has no sheet "Actions""#), "{}", run.stderr);
    assert!(run.stderr.contains(r#"its sheets: "One", "Two""#), "{}", run.stderr);
}

// Export → import changes nothing, whatever the states. The status rules are
// off so that any combination is a valid repository.
fn arb_state() -> impl Strategy<Value = Option<String>> {
    let owner = prop::option::of(prop::sample::select(vec![ANA, BOB]));
    let implementation = prop::sample::select(vec![
        "not-implemented",
        "implemented",
        "alternative",
        "planned",
        "out-of-scope",
    ]);
    let test = prop::sample::select(vec![
        "none",
        "not-assessed",
        "passed",
        "failed-low",
        "failed-high",
        "out-of-scope",
        "partially-tested",
        "in-progress",
    ]);
    let date = prop::option::of(
        (2020i16..2027, 1i8..13, 1i8..29).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
    );
    let notes = prop::option::of(prop::sample::select(vec![
        "plain",
        "a, b",
        "\"quoted\"",
        "two\nlines",
        " padded ",
        "=1+1",
        "=HYPERLINK(\"https://evil.example\", \"x\")",
        "+1",
        "-5",
        "@SUM(A1)",
        "\tTAB",
        "'=quoted formula",
        "''-two quotes",
        "'just quoted'",
        "0042",
        "2026-01-01",
        "TRUE",
        "ünïcødé ✓",
    ]));
    prop::option::of((owner, implementation, date.clone(), notes.clone(), test, date, notes)).prop_map(|s| {
        s.map(|(owner, i, idate, inotes, t, tdate, tnotes)| {
            let mut text = String::new();
            if let Some(o) = owner {
                text.push_str(&format!("owner = \"{o}\"\n"));
            }
            let table = |name: &str, status: &str, date: Option<String>, notes: Option<&str>| {
                let mut s = format!("\n[{name}]\nstatus = \"{status}\"\n");
                if let Some(d) = date {
                    s.push_str(&format!("date = {d}\n"));
                }
                if let Some(n) = notes {
                    s.push_str(&format!("notes = {}\n", toml::Value::String(n.into())));
                }
                s
            };
            text.push_str(&table("implementation", i, idate, inotes));
            text.push_str(&table("test", t, tdate, tnotes));
            text
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn export_then_import_is_no_change(states in prop::collection::vec(arb_state(), 5), xlsx in any::<bool>()) {
        let repo = program();
        let mut config = repo.read("evident.toml");
        config.push_str("\n[rules]\n");
        for rule in ["passed-needs-implementation", "passed-needs-evidence", "justification-required", "date-required", "test-before-implementation", "future-date", "group-out-of-sync"] {
            config.push_str(&format!("{rule} = \"off\"\n"));
        }
        repo.write("evident.toml", config);
        let files = ["ccpa-2026/mfa", "gdpr-2026/logs", "gdpr-2026/mfa", "iso-2026/backup", "iso-2026/mfa"];
        for (file, state) in files.iter().zip(&states) {
            let path = format!("assessments/{file}.toml");
            match state {
                Some(text) => repo.write(&path, text),
                None if repo.path().join(&path).exists() => repo.remove(&path),
                None => {}
            }
        }
        let before = state(&repo);
        let format = if xlsx { "xlsx" } else { "csv" };
        let out = repo.path().join(format!("actions.{format}"));
        let export = repo.run(&["export", "actions", "--format", format, "-o", out.to_str().unwrap()]);
        prop_assert_eq!(export.code, 0, "{}", export.all());
        let import = repo.run(&["import", "actions", out.to_str().unwrap()]);
        prop_assert_eq!(import.code, 0, "{}", import.all());
        prop_assert!(import.stderr.contains("No change"), "{}", import.all());
        prop_assert_eq!(state(&repo), before);
    }
}

#[test]
fn edits_of_read_only_columns_are_not_imported_and_said_so() {
    let repo = program();
    let before = state(&repo);
    let file = edited_csv(&repo, |rows| {
        set(rows, "gdpr-2026", "mfa", "Title", "Multi-factor everywhere");
        set(rows, "iso-2026", "mfa", "Title", "MFA");
        set(rows, "iso-2026", "backup", "Points earned", "3");
    });
    let run = repo.run(&["import", "actions", &file]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stderr.contains(
            r#"warning[E0852]: column "Title" is not imported: 2 rows differ from the repository (first: row 4)"#
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(r#"warning[E0852]: column "Points earned" is not imported: 1 row differs from the repository (first: row 5)"#), "{}", run.stderr);
    assert!(run.stderr.contains("No change"), "{}", run.stderr);
    assert_eq!(state(&repo), before);
}

/// A bulk update writes more files than a process may hold open at once
/// (regression: every staged file used to stay open until all were written).
#[test]
fn a_bulk_update_of_many_files_stays_within_the_open_file_limit() {
    let repo = TestRepo::new();
    repo.write("evident.toml", "[people]\n\"ana@example.com\" = \"Ana\"\n");
    let ids: Vec<String> = (0..150).map(|i| format!("a{i:03}")).collect();
    for id in &ids {
        repo.write(&format!("actions/{id}.toml"), action_toml(id, "control-access", "detective", false));
    }
    let list: Vec<&str> = ids.iter().map(String::as_str).collect();
    repo.add_template("big", &[("c1", &list)]);
    repo.add_assessment("big-2026", "big", None);
    let file = edited_csv(&repo, |rows| {
        for r in rows.iter_mut().skip(1) {
            r[col("Owner")] = ANA.into();
        }
    });
    let bin = assert_cmd::cargo::cargo_bin("evident");
    let mut cmd = std::process::Command::new("sh");
    cmd.args(["-c", "ulimit -n 64 && exec \"$0\" \"$@\""])
        .arg(&bin)
        .args(["--repo", repo.path().to_str().unwrap(), "import", "actions", &file])
        .env("NO_COLOR", "1")
        .env("EVIDENT_TODAY", "2026-11-23");
    let run = crate::support::run(cmd);
    assert_eq!(run.code, 0, "{}", run.all());
    for id in &ids {
        assert!(repo.read(&format!("assessments/big-2026/{id}.toml")).contains(ANA));
    }
}
