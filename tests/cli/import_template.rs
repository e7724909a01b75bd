//! `evident export template` and `evident import template`: one row per
//! control, the next version with what changed, a new template, bad rows
//! refused. Helpers and the program are the ones of [`super::import`].

use super::import::{parse_csv, program, refused_as, row, state, to_csv};
use crate::support::TestRepo;

fn template_rows(repo: &TestRepo, id: &str) -> Vec<Vec<String>> {
    let run = repo.run(&["export", "template", id, "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.all());
    parse_csv(&run.stdout)
}

fn write_rows(repo: &TestRepo, name: &str, rows: &[Vec<String>]) -> String {
    let path = repo.path().join(name);
    std::fs::write(&path, to_csv(rows)).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn export_template_has_one_row_per_control() {
    let repo = program();
    let rows = template_rows(&repo, "iso");
    let header = [
        "Template",
        "Name",
        "Regulation",
        "Version",
        "Source",
        "Description",
        "Control",
        "Control title",
        "Family",
        "Control description",
        "Actions",
    ];
    assert_eq!(rows[0], header);
    assert_eq!(
        rows[1],
        row(&["iso", "Template iso", "ISO", "1", "", "", "a.9", "Control a.9", "", "", "mfa"])
    );
    assert_eq!(
        rows[2],
        row(&["iso", "Template iso", "ISO", "1", "", "", "a.12", "Control a.12", "", "", "backup\nmfa"])
    );
    assert_eq!(rows.len(), 3);
    let typo = repo.run(&["export", "template", "isoo", "--format", "csv"]);
    assert_eq!(typo.code, 2);
    assert!(
        typo.stderr.contains("no template `isoo`") && typo.stderr.contains("did you mean `iso`?"),
        "{}",
        typo.stderr
    );
}

#[test]
fn import_template_makes_the_next_version_and_says_what_changed() {
    let repo = program();
    let before = state(&repo);
    // Unchanged: no change, nothing written.
    let rows = template_rows(&repo, "iso");
    let file = write_rows(&repo, "actions.template.csv", &rows);
    let run = repo.run(&["import", "template", &file]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("No change"), "{}", run.stderr);
    assert_eq!(state(&repo), before);

    let mut rows = rows;
    rows[1][7] = "Access control".into();
    rows[2][10] = "backup".into();
    let mut added = rows[2].clone();
    added[6] = "a.13".into();
    added[7] = "Logging".into();
    added[10] = "logs".into();
    rows.push(added);
    let file = write_rows(&repo, "actions.template.csv", &rows);
    let dry = repo.run(&["import", "template", &file, "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.all());
    assert!(dry.stderr.contains("Would update templates/iso.toml (version 1 → 2)"), "{}", dry.stderr);
    assert_eq!(state(&repo), before);
    let json = repo.run(&["import", "template", &file, "--format", "json"]).json();
    crate::output_schemas::assert_conforms("import-template", &json);
    assert_eq!(
        json,
        serde_json::json!({
            "template": "iso", "previous_version": 1, "version": 2, "written": true,
            "changes": [
                "control `a.9` changed: title",
                "control `a.12` changed: −mfa",
                "control `a.13` added (`logs`)",
                "action `logs` added to the template",
            ],
        })
    );
    let written: toml::Value = toml::from_str(&repo.read("templates/iso.toml")).unwrap();
    assert_eq!(written["version"].as_integer(), Some(2));
    assert_eq!(
        written["controls"][2]["actions"],
        toml::Value::Array(vec![toml::Value::String("logs".into())])
    );
    // The repository stays valid; the assessment now has an update to accept.
    let validate = repo.run(&["validate"]);
    assert_eq!(validate.code, 0, "{}", validate.all());
    assert!(validate.stderr.contains("E0306"), "{}", validate.stderr);
    // Imported again: nothing left to change.
    let again = repo.run(&["import", "template", &file]);
    assert!(again.stderr.contains("No change") && again.stderr.contains("(version 2)"), "{}", again.all());
}

#[test]
fn import_template_creates_a_new_template() {
    let repo = program();
    let mut rows = template_rows(&repo, "iso");
    for r in rows.iter_mut().skip(1) {
        r[0] = "soc2".into();
        r[1] = "SOC 2".into();
        r[2] = "SOC 2".into();
    }
    let file = write_rows(&repo, "soc2.csv", &rows);
    let run = repo.run(&["import", "template", &file]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("Created templates/soc2.toml (version 1)"), "{}", run.stderr);
    assert!(run.stderr.contains("new template with 2 controls"), "{}", run.stderr);
    let export = template_rows(&repo, "soc2");
    assert_eq!(export[1..], rows[1..]);
}

#[test]
fn import_template_refuses_bad_rows() {
    let repo = program();
    let mut rows = template_rows(&repo, "iso");
    rows[1][10] = "mfaa\nbackup".into();
    rows[2][1] = "Another name".into();
    let mut dup = rows[1].clone();
    dup[10] = "mfa".into();
    rows.push(dup);
    let file = write_rows(&repo, "bad.csv", &rows);
    let run = refused_as(&repo, "template", &file);
    for line in [
        r#"row 2, column "Actions": no action `mfaa`"#,
        "help: did you mean `mfa`?",
        r#"column "Name": "Another name" differs from row 2 ("Template iso")"#,
        r#"column "Control": control `a.9` is also in row 2"#,
    ] {
        assert!(run.stderr.contains(line), "missing {line:?} in:\n{}", run.stderr);
    }
}
