//! Fix-it hints: a command a hint suggests works as shown, and hints name the
//! commands that do what they ask.

use sha2::Digest;

use crate::support::{Run, TestRepo};

/// The commands (`evident …`) quoted in a run's hints, as arguments.
fn suggested(run: &Run) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for line in run.stderr.lines().filter(|l| l.trim_start().starts_with("= help:")) {
        let mut rest = line;
        while let Some(start) = rest.find("`evident ") {
            let after = &rest[start + "`evident ".len()..];
            let Some(end) = after.find('`') else { break };
            out.push(after[..end].split_whitespace().map(str::to_owned).collect());
            rest = &after[end + 1..];
        }
    }
    out
}

/// The one suggested command that starts with `prefix`, with `<file>` filled in.
fn command(run: &Run, prefix: &[&str], file: &str) -> Vec<String> {
    let found: Vec<Vec<String>> =
        suggested(run).into_iter().filter(|c| c.iter().zip(prefix).all(|(a, b)| a == b)).collect();
    assert_eq!(found.len(), 1, "one `evident {}` hint in:\n{}", prefix.join(" "), run.all());
    found[0].iter().map(|a| if a == "<file>" { file.to_owned() } else { a.clone() }).collect()
}

fn run_suggested(repo: &TestRepo, args: &[String]) -> Run {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    repo.run_in(&args)
}

// `network-segmentation` and `mfa-admins` are in `gdpr-2026` and `hipaa-2026`,
// which are not in one group: a command about them must name the assessment.

#[test]
fn evidence_hint_of_a_refused_pass_works_as_shown() {
    let repo = TestRepo::example();
    let pass = ["set", "network-segmentation", "-a", "hipaa-2026", "--implementation", "implemented"];
    let pass = [&pass[..], &["--test", "passed", "--date", "2026-11-02"]].concat();
    let refused = repo.run(&pass);
    assert_eq!(refused.code, 1, "{}", refused.all());
    repo.write("evidence/segmentation.md", "# Segmentation review\n");
    let add = command(&refused, &["evidence", "add"], "evidence/segmentation.md");
    let added = run_suggested(&repo, &add);
    assert_eq!(added.code, 0, "`evident {}`: {}", add.join(" "), added.all());
    let passed = repo.run(&pass);
    assert_eq!(passed.code, 0, "{}", passed.all());
}

#[test]
fn evidence_hint_of_check_works_as_shown() {
    let repo = TestRepo::example();
    let file = "assessments/hipaa-2026/network-segmentation.toml";
    repo.write(file, "[implementation]\nstatus = \"implemented\"\ndate = 2026-11-01\n\n[test]\nstatus = \"passed\"\ndate = 2026-11-02\n");
    let check = repo.run(&["check"]);
    assert!(check.stderr.contains("E0502"), "{}", check.all());
    repo.write("evidence/segmentation.md", "# Segmentation review\n");
    let add = command(&check, &["evidence", "add"], "evidence/segmentation.md");
    let added = run_suggested(&repo, &add);
    assert_eq!(added.code, 0, "`evident {}`: {}", add.join(" "), added.all());
    assert!(repo.read(file).contains("segmentation.md"), "{}", repo.read(file));
}

#[test]
fn status_hint_of_a_refused_evidence_removal_works_as_shown() {
    let repo = TestRepo::example();
    let name = "Conditional Access policy export (March 2026)";
    let refused = repo.run(&["evidence", "remove", "mfa-admins", name, "--assessment", "hipaa-2026"]);
    assert_eq!(refused.code, 1, "{}", refused.all());
    let set = command(&refused, &["set"], "");
    let moved = run_suggested(&repo, &set);
    assert_eq!(moved.code, 0, "`evident {}`: {}", set.join(" "), moved.all());
}

#[test]
fn hints_leave_out_the_assessment_when_the_action_says_where() {
    let repo = TestRepo::new();
    repo.add_action("mfa", "control-access", "preventative", true);
    repo.add_template("gdpr", &[("art-32", &["mfa"])]);
    repo.add_assessment("gdpr-2026", "gdpr", None);
    repo.write("assessments/gdpr-2026/mfa.toml", "[test]\nstatus = \"passed\"\ndate = 2026-11-02\n");
    let check = repo.run(&["check"]);
    assert_eq!(
        command(&check, &["evidence", "add"], "x.md"),
        ["evidence", "add", "mfa", "x.md"],
        "{}",
        check.all()
    );
}

/// `mfa` in `gdpr-2026` and `hipaa-2026` (not one group).
fn two_assessments() -> TestRepo {
    let repo = TestRepo::new();
    repo.add_action("mfa", "control-access", "preventative", true);
    repo.add_template("gdpr", &[("art-32", &["mfa"])]);
    repo.add_template("hipaa", &[("164.312", &["mfa"])]);
    repo.add_assessment("gdpr-2026", "gdpr", None);
    repo.add_assessment("hipaa-2026", "hipaa", None);
    repo
}

#[test]
fn pending_update_hint_names_updates_and_accept() {
    let repo = two_assessments();
    for a in ["gdpr-2026", "hipaa-2026"] {
        repo.write(&format!("assessments/{a}/mfa.toml"), "accepted_version = 1\n");
    }
    let action = repo.read("actions/mfa.toml").replace("version = 1", "version = 2");
    repo.write("actions/mfa.toml", &action);
    let check = repo.run(&["validate"]);
    assert!(check.stderr.contains("E0312"), "{}", check.all());
    let updates: Vec<Vec<String>> = suggested(&check).into_iter().filter(|c| c[0] == "updates").collect();
    assert_eq!(updates.len(), 2, "{}", check.all());
    assert_eq!(run_suggested(&repo, &updates[0]).code, 0);
    let accepts: Vec<Vec<String>> = suggested(&check).into_iter().filter(|c| c[0] == "accept").collect();
    assert_eq!(accepts.len(), 2, "{}", check.all());
    let accepted = run_suggested(&repo, &accepts[0]);
    assert_eq!(accepted.code, 0, "`evident {}`: {}", accepts[0].join(" "), accepted.all());
    let explain = repo.run(&["explain", "E0312"]);
    assert!(
        explain.stdout.contains("`evident updates`") && explain.stdout.contains("`evident accept"),
        "{}",
        explain.stdout
    );
}

#[test]
fn evidence_hints_say_how_to_fix_them() {
    let repo = two_assessments();
    repo.write("evidence/review.csv", "a,b\n");
    let recorded = "0000000000000000000000000000000000000000000000000000000000000000";
    let state =
        |path: &str| format!("[[evidence]]\nname = \"review\"\npath = \"{path}\"\nsha256 = \"{recorded}\"\n");
    repo.write("assessments/gdpr-2026/mfa.toml", state("evidence/review.csv"));
    repo.write("assessments/hipaa-2026/mfa.toml", state("evidence/gone.pdf"));
    let run = repo.run(&["validate", "--format", "json"]);
    let diagnostics = run.json()["diagnostics"].as_array().unwrap().clone();
    let hint = |code: &str| {
        let d =
            diagnostics.iter().find(|d| d["code"] == code).unwrap_or_else(|| panic!("{code}: {}", run.all()));
        d["hint"].as_str().unwrap_or_else(|| panic!("{code} has a hint: {d}")).to_owned()
    };
    // E0403: the new hash is in the hint, as `explain` says.
    let sha: String = sha2::Sha256::digest(b"a,b\n").iter().map(|b| format!("{b:02x}")).collect();
    assert!(hint("E0403").contains(&format!("`sha256 = \"{sha}\"`")), "{}", hint("E0403"));
    let explain = repo.run(&["explain", "E0403"]);
    assert!(explain.stdout.contains("shown in the hint"), "{}", explain.stdout);
    // E0402 says what to do.
    assert!(hint("E0402").contains("restore the file"), "{}", hint("E0402"));
}

/// `review.csv` of `mfa` in `gdpr-2026` changed since its hash was recorded, under `test`.
fn changed_review(test: &str, name: &str) -> TestRepo {
    let repo = two_assessments();
    repo.write("evidence/review.csv", "a,b\nc,d\n");
    let date = if test == "passed" { "date = 2026-11-02\n" } else { "" };
    let old: String = sha2::Sha256::digest(b"a,b\n").iter().map(|b| format!("{b:02x}")).collect();
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        format!("[implementation]\nstatus = \"implemented\"\ndate = 2026-11-01\n\n[test]\nstatus = \"{test}\"\n{date}\n[[evidence]]\nname = \"{name}\"\npath = \"evidence/review.csv\"\nsha256 = \"{old}\"\n"),
    );
    repo
}

#[test]
fn rehash_hint_of_check_works_as_shown() {
    let repo = changed_review("in-progress", "review");
    let check = repo.run(&["check"]);
    assert!(check.stderr.contains("E0403"), "{}", check.all());
    let rehash = command(&check, &["evidence", "rehash"], "");
    assert_eq!(rehash, ["evidence", "rehash", "mfa", "-a", "gdpr-2026", "review"], "{}", check.all());
    let run = run_suggested(&repo, &rehash);
    assert_eq!(run.code, 0, "`evident {}`: {}", rehash.join(" "), run.all());
    let check = repo.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.all());
    // A name a shell would split or read as an option is quoted, and put after `--`.
    for (name, word) in [("CA export", "'CA export'"), ("-x", "-- -x")] {
        let check = changed_review("in-progress", name).run(&["check"]);
        let shown = format!("`evident evidence rehash mfa -a gdpr-2026 {word}`");
        assert!(check.stderr.contains(&shown), "{shown}: {}", check.all());
    }
}

#[test]
fn rehash_hint_under_a_verdict_moves_the_test_back_first() {
    let repo = changed_review("passed", "review");
    let check = repo.run(&["check"]);
    assert!(
        check.stderr.contains("the evidence a verdict rests on may not change (E0701)"),
        "{}",
        check.all()
    );
    let rehash = command(&check, &["evidence", "rehash"], "");
    assert_eq!(run_suggested(&repo, &rehash).code, 1, "refused while the test is `passed`");
    let set = command(&check, &["set"], "");
    let moved = run_suggested(&repo, &set);
    assert_eq!(moved.code, 0, "`evident {}`: {}", set.join(" "), moved.all());
    let run = run_suggested(&repo, &rehash);
    assert_eq!(run.code, 0, "`evident {}`: {}", rehash.join(" "), run.all());
    let check = repo.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.all());
    // With the rule a warning, the command works at once, so the hint offers it at once.
    let repo = changed_review("passed", "review");
    repo.write("evident.toml", "[rules]\nevidence-frozen = \"warning\"\n");
    let check = repo.run(&["check"]);
    assert!(
        check
            .stderr
            .contains("or, if the change is intended, record its new hash with `evident evidence rehash"),
        "{}",
        check.all()
    );
}

#[test]
fn mistyped_revisions_and_templates_get_a_suggestion() {
    let repo = TestRepo::example();
    repo.git_init();
    repo.commit("ana@example.com", "Start");
    repo.git(&["branch", "-M", "main"]);
    repo.git(&["tag", "v1.0"]);
    for (args, hint) in [
        (&["check", "--base", "mainn"][..], "did you mean `main`?"),
        (&["diff", "man~1"][..], "did you mean `main~1`?"),
        (&["diff", "v1.1"][..], "did you mean `v1.0`?"),
        (&["list", "controls", "--template", "gdp"][..], "did you mean `gdpr`?"),
    ] {
        let run = repo.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.all());
        assert!(run.stderr.contains(hint), "{args:?}: {}", run.all());
    }
}

/// Hints that print a command quote what the repository put in it: a path, a
/// directory or a branch name copied into a shell runs nothing else.
#[test]
fn commands_in_hints_are_shell_safe() {
    let repo = two_assessments();
    repo.git_init();
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        "[[evidence]]\nname = \"x\"\npath = \"evidence/x;touch PWNED;#.pdf\"\n",
    );
    std::fs::create_dir_all(repo.path().join("assessments/$(touch PWNED)")).unwrap();
    let run = repo.run(&["validate"]);
    assert!(
        run.stderr.contains("`git log -- 'evidence/x;touch PWNED;#.pdf'`"),
        "the path is one quoted word: {}",
        run.all()
    );
    assert!(
        !run.stderr.contains("evident new assessment $("),
        "no command for a name that is no id: {}",
        run.all()
    );
    repo.commit("ana@example.com", "Start");
    repo.git(&["branch", "-M", "main"]);
    repo.git(&["branch", "mai$(id)n"]);
    let run = repo.run(&["check", "--base", "mai$(id)"]);
    assert!(run.stderr.contains("(in a shell: 'mai$(id)n')"), "{}", run.all());
    assert!(run.stderr.contains("`git fetch origin 'mai$(id)'`"), "{}", run.all());
    // A name far longer than any branch: not compared with each (that costs the product of the lengths).
    let long = "b".repeat(200);
    repo.git(&["branch", &long]);
    let run = repo.run(&["check", "--base", &format!("{long}x")]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(!run.stderr.contains("did you mean"), "{}", run.all());
}
