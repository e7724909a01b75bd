//! `evident export soa`: the Statement of Applicability of an assessment, in
//! each format, on a small repository with a control that does not apply
//! (its one action out of scope, with notes), a control with one action out
//! of scope and one in scope, and a control without actions.
//!
//! Points (mandatory preventative 27, detective discretionary 1, mandatory
//! corrective 3): mfa earns 27 of 27 (implemented, passed); logs and backup
//! are out of scope (no maximum); keys is planned, 0 of 27.

use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::support::{TestRepo, action_toml, assessment_toml, settings_for};

const ANA: &str = "ana@example.com";
const BOB: &str = "bob@example.com";

/// Why logs and backup do not apply (notes with a comma, quotes and a line break for CSV).
pub const LOGS_WHY: &str = "No servers: the service is SaaS only, \"no hosts\"";
pub const BACKUP_WHY: &str = "Backups are the provider's (see the SOC 2 report)";

pub fn soa_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("actions/mfa.toml", action_toml("mfa", "control-access", "preventative", true));
    repo.write("actions/logs.toml", action_toml("logs", "discover-and-respond", "detective", false));
    repo.write("actions/backup.toml", action_toml("backup", "protect-information", "corrective", true));
    repo.write("actions/keys.toml", action_toml("keys", "protect-information", "preventative", true));
    repo.write(
        "templates/iso.toml",
        r#"id = "iso"
name = "ISO/IEC 27001:2022 Annex A"
regulation = "ISO 27001"
version = 1

[[controls]]
id = "A.5.15"
title = "Access control"
family = "Organizational"
actions = ["mfa", "logs"]

[[controls]]
id = "A.8.13"
title = "Information backup"
family = "Technological"
actions = ["backup"]

[[controls]]
id = "A.8.24"
title = "Use of cryptography"
family = "Technological"
actions = ["keys", "mfa"]

[[controls]]
id = "A.6.3"
title = "Awareness training"
family = "People"
actions = []
"#,
    );
    repo.write("assessments/iso-2026/assessment.toml", assessment_toml("iso-2026", "iso", None));
    repo.write(
        "assessments/iso-2026/mfa.toml",
        format!(
            "owner = \"{ANA}\"\n\n[implementation]\nstatus = \"implemented\"\ndate = 2026-01-01\n\n[test]\nstatus = \"passed\"\ndate = 2026-01-02\n\n[[evidence]]\nname = \"CA policy\"\nurl = \"https://evidence.example.com/ca\"\n"
        ),
    );
    repo.write(
        "assessments/iso-2026/logs.toml",
        format!(
            "owner = \"{BOB}\"\n\n[implementation]\nstatus = \"out-of-scope\"\ndate = 2026-01-01\nnotes = {}\n\n[test]\nstatus = \"none\"\n",
            toml::Value::String(LOGS_WHY.into())
        ),
    );
    repo.write(
        "assessments/iso-2026/backup.toml",
        format!(
            "owner = \"{BOB}\"\n\n[implementation]\nstatus = \"out-of-scope\"\ndate = 2026-01-01\nnotes = \"{BACKUP_WHY}\"\n\n[test]\nstatus = \"out-of-scope\"\ndate = 2026-01-02\nnotes = \"{BACKUP_WHY}\"\n"
        ),
    );
    repo.write(
        "assessments/iso-2026/keys.toml",
        format!("owner = \"{BOB}\"\n\n[implementation]\nstatus = \"planned\"\n\n[test]\nstatus = \"none\"\n"),
    );
    repo
}

#[test]
fn the_fixture_is_valid() {
    let repo = soa_repo();
    let run = repo.run(&["validate"]);
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn soa_as_csv_and_markdown() {
    let repo = soa_repo();
    for (format, name) in [("csv", "soa_csv"), ("md", "soa_markdown")] {
        let run = repo.run(&["export", "soa", "-a", "iso-2026", "--format", format]);
        assert_eq!(run.code, 0, "{}", run.all());
        settings_for(&repo).bind(|| insta::assert_snapshot!(name, run.stdout));
    }
}

#[test]
fn soa_as_xlsx() {
    let repo = soa_repo();
    let out = repo.path().join("soa.xlsx");
    let run = repo.run_in(&["export", "soa", "-a", "iso-2026", "--format", "xlsx", "--out", "soa.xlsx"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("soa.xlsx (4 rows)"), "{}", run.all());
    let mut book: Xlsx<_> = open_workbook(&out).expect("open xlsx");
    let range = book.worksheet_range("Statement of Applicability").expect("sheet");
    // The cells as text, one row a line, `|` between cells (numbers as Excel keeps them).
    let mut text = String::new();
    for row in range.rows() {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Data::Empty => String::new(),
                Data::String(s) => s.replace('\n', "⏎"),
                Data::Float(f) => format!("{f}"),
                other => format!("{other:?}"),
            })
            .collect();
        text.push_str(&cells.join(" | "));
        text.push('\n');
    }
    insta::assert_snapshot!("soa_xlsx", text);
}

#[test]
fn soa_needs_a_known_assessment_and_a_file_for_xlsx() {
    let repo = soa_repo();
    let run = repo.run(&["export", "soa", "-a", "iso-2025", "--format", "csv"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("no assessment `iso-2025`"), "{}", run.all());
    assert!(run.stderr.contains("iso-2026"), "did you mean: {}", run.all());
    let run = repo.run(&["export", "soa", "-a", "iso-2026", "--format", "xlsx"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("--out FILE.xlsx"), "{}", run.all());
    // Markdown to a file, replaced atomically.
    let run = repo.run_in(&["export", "soa", "-a", "iso-2026", "--format", "markdown", "-o", "soa.md"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(repo.read("soa.md").starts_with("# Statement of Applicability: Assessment iso-2026\n"));
}

/// A hostile or careless repository: titles, notes, owners and evidence names that start
/// like spreadsheet formulas, Markdown pipes and line breaks, and an evidence link with a
/// pipe and a trailing backslash. CSV cells are defused; every Markdown row keeps its
/// eight cells (a `|` in a link's address ended the cell, a trailing `\` escaped the
/// link's closing `>`).
#[test]
fn soa_keeps_hostile_text_in_its_cells() {
    let repo = soa_repo();
    let text = repo.read("templates/iso.toml").replace("title = \"Access control\"", "title = \"=1+1 | x\"");
    repo.write("templates/iso.toml", text);
    repo.write(
        "assessments/iso-2026/mfa.toml",
        format!(
            "owner = \"{ANA}\"\n\n[implementation]\nstatus = \"implemented\"\ndate = 2026-01-01\n\n[test]\nstatus = \"passed\"\ndate = 2026-01-02\n\n[[evidence]]\nname = \"@SUM(A1)\"\nurl = 'https://evidence.example.com/a|b\\'\n"
        ),
    );
    repo.write(
        "assessments/iso-2026/backup.toml",
        "[implementation]\nstatus = \"out-of-scope\"\ndate = 2026-01-01\nnotes = \"-2+3\\n| a | b |\"\n\n[test]\nstatus = \"none\"\n",
    );
    let run = repo.run(&["validate"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let run = repo.run(&["export", "soa", "-a", "iso-2026", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let mut csv = csv::Reader::from_reader(run.stdout.as_bytes());
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][1], "'=1+1 | x");
    assert!(rows[0][12].starts_with("'@SUM(A1): "), "{:?}", &rows[0]);
    assert!(rows[1][4].starts_with("'-2+3\n"), "{:?}", &rows[1]);
    let run = repo.run(&["export", "soa", "-a", "iso-2026", "--format", "md"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let table: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(table.len(), 5, "{}", run.stdout);
    for row in table {
        let cells = row.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 9, "a row with other than 8 cells: {row}");
    }
    assert!(run.stdout.contains("(<https://evidence.example.com/a%7Cb%5C>)"), "{}", run.stdout);
}

/// `--out` naming a repository file replaced it with the export (`--out evident.toml`), and a
/// folder that does not exist was reported as "outside the repository"; now it is created, as
/// `report --out` does.
#[test]
fn soa_out_refuses_repository_files_and_creates_a_missing_folder() {
    let repo = soa_repo();
    for format in ["csv", "md"] {
        let before = repo.read("actions/mfa.toml");
        let run = repo.run_in(&[
            "export",
            "soa",
            "-a",
            "iso-2026",
            "--format",
            format,
            "--out",
            "actions/mfa.toml",
        ]);
        assert_eq!(run.code, 2, "{}", run.all());
        assert!(
            run.stderr.contains("refusing to replace `actions/mfa.toml`: it is a TOML file"),
            "{}",
            run.all()
        );
        assert_eq!(repo.read("actions/mfa.toml"), before);
        let out = format!("nope-{format}/deeper/soa.out");
        let run = repo.run_in(&["export", "soa", "-a", "iso-2026", "--format", format, "--out", &out]);
        assert_eq!(run.code, 0, "{}", run.all());
        assert!(repo.path().join(&out).is_file(), "{}", run.all());
        // A missing folder inside `.git` is not created.
        let run =
            repo.run_in(&["export", "soa", "-a", "iso-2026", "--format", format, "--out", ".git/x/soa.out"]);
        assert_eq!(run.code, 2, "{}", run.all());
        assert!(run.stderr.contains("inside a `.git` folder"), "{}", run.all());
        assert!(!repo.path().join(".git/x").exists());
        // Nor git's own files.
        repo.write("vendor/.git/config", "[core]\n");
        let run = repo.run_in(&[
            "export",
            "soa",
            "-a",
            "iso-2026",
            "--format",
            format,
            "--out",
            "vendor/.git/config",
        ]);
        assert_eq!(run.code, 2, "{}", run.all());
        assert!(run.stderr.contains("inside a `.git` folder"), "{}", run.all());
        assert_eq!(repo.read("vendor/.git/config"), "[core]\n");
    }
}
