//! Planned implementations carry a target date, normally in the future; a
//! plan past its target date is overdue, and `list` and the report say so.
//! Today is pinned to 2026-11-23.

use crate::support::{TestRepo, minimal};

const ANA: &str = "ana@example.com";

fn planned(date: &str) -> String {
    format!(
        "owner = \"{ANA}\"\n\n[implementation]\nstatus = \"planned\"\ndate = {date}\nnotes = \"Roll out with the next baseline.\"\n\n[test]\nstatus = \"none\"\n"
    )
}

fn with_plan(date: &str) -> TestRepo {
    let repo = minimal();
    repo.write("assessments/gdpr-2026/mfa.toml", planned(date));
    repo
}

#[test]
fn a_planned_target_date_may_be_in_the_future() {
    let repo = with_plan("2027-03-31");
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.all());
    // Not overdue: no marker.
    let list = repo.run(&["list", "actions"]);
    assert!(list.stdout.contains("planned"), "{}", list.all());
    assert!(!list.stdout.contains("overdue"), "{}", list.all());
}

#[test]
fn other_dates_in_the_future_are_still_refused() {
    let repo = minimal();
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        "[implementation]\nstatus = \"implemented\"\ndate = 2027-03-31\n\n[test]\nstatus = \"none\"\n",
    );
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.all().contains("error[E0506]: 2027-03-31 is in the future (today is 2026-11-23)"),
        "{}",
        run.all()
    );
    assert!(run.all().contains("only a `planned` implementation may carry a future date"), "{}", run.all());
    assert!(run.all().contains("assessments/gdpr-2026/mfa.toml:3:8"), "{}", run.all());
}

#[test]
fn a_test_may_be_dated_before_the_target_date() {
    // A partial test of a pilot before the plan's target date: no E0505.
    let repo = minimal();
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        "[implementation]\nstatus = \"planned\"\ndate = 2027-03-31\n\n[test]\nstatus = \"partially-tested\"\ndate = 2026-11-02\n",
    );
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn an_overdue_plan_is_shown_by_list() {
    let repo = with_plan("2026-10-31");
    assert_eq!(repo.run(&["check"]).code, 0);
    let list = repo.run(&["list", "actions"]);
    assert_eq!(list.code, 0, "{}", list.all());
    assert!(list.stdout.contains("planned (overdue)"), "{}", list.all());
    let json = repo.run(&["list", "actions", "--format", "json"]).json();
    let pair = &json[0]["assessments"][0];
    assert_eq!(pair["overdue"], true);
    assert_eq!(pair["implementation_date"], "2026-10-31");
    crate::output_schemas::assert_conforms("list", &json);
    // The day of the target date itself is not overdue yet.
    let repo = with_plan("2026-11-23");
    assert_eq!(
        repo.run(&["list", "actions", "--format", "json"]).json()[0]["assessments"][0]["overdue"],
        false
    );
}

#[test]
fn the_report_lists_overdue_plans_under_what_to_do_next() {
    let repo = with_plan("2026-10-31");
    repo.git_init();
    repo.commit(ANA, "Plan MFA");
    let out = tempfile::tempdir().unwrap();
    let md = out.path().join("md");
    let run = repo.run(&["report", "--format", "markdown", "--out", md.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    let text = std::fs::read_to_string(md.join("report.md")).unwrap();
    let next = &text[text.find("## What to do next").unwrap()..text.find("## Score over time").unwrap()];
    assert!(next.contains("### Overdue plans"), "{next}");
    assert!(
        next.contains("| Action mfa (`mfa`) | gdpr-2026 | 2026-10-31 **overdue** | ana@example.com |"),
        "{next}"
    );

    let html = out.path().join("html");
    let run = repo.run(&["report", "--out", html.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    let index = std::fs::read_to_string(html.join("index.html")).unwrap();
    assert!(index.contains("Overdue plans"), "{index}");

    // Once the target date moves out, nothing is overdue.
    repo.write("assessments/gdpr-2026/mfa.toml", planned("2027-01-15"));
    let run = repo.run(&["report", "--format", "markdown", "--out", md.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(!std::fs::read_to_string(md.join("report.md")).unwrap().contains("Overdue plans"));
}

#[test]
fn set_planned_takes_a_target_date_and_never_defaults_it_to_today() {
    let repo = minimal();
    // The state is `implemented` on 2026-02-01; planning again without a date drops that date.
    let run = repo.run(&["set", "mfa", "--implementation", "planned"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let text = repo.read("assessments/gdpr-2026/mfa.toml");
    assert!(text.contains("status = \"planned\"") && !text.contains("date ="), "{text}");
    // With a target date in the future.
    let run = repo.run(&["set", "mfa", "--implementation", "planned", "--date", "2027-02-01"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(repo.read("assessments/gdpr-2026/mfa.toml").contains("date = 2027-02-01"));
    assert_eq!(repo.run(&["check"]).code, 0);
}
