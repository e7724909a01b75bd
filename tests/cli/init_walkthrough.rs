//! The "Next:" steps `evident init` prints, run as printed, end in a valid repository without
//! warnings.

use crate::support::*;

/// Splits a command line like a shell does for the steps: words, and "double-quoted" words.
fn words(line: &str) -> Vec<String> {
    let (mut out, mut word, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for c in line.chars() {
        match c {
            '"' => (quoted, any) = (!quoted, true),
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}

/// The steps after "Next:", continuation lines joined.
fn steps(stderr: &str) -> Vec<String> {
    let next = stderr.split("Next:\n").nth(1).expect("a Next: block");
    next.replace("\\\n", " ").lines().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect()
}

#[test]
fn the_next_steps_of_init_end_in_a_valid_assessment_without_warnings() {
    let repo = TestRepo::bare();
    let run = repo.run_in(&["init", "."]);
    assert_eq!(run.code, 0, "{}", run.all());
    let steps = steps(&run.stderr);
    assert!(steps.iter().any(|s| s.starts_with('#')), "a step says how to link the action: {steps:?}");
    for step in &steps {
        if let Some(comment) = step.strip_prefix('#') {
            // The one step done by hand: uncomment the example `new template` wrote.
            assert!(comment.contains("uncomment the [[controls]] example"), "{comment}");
            let template = repo.read("templates/gdpr.toml");
            assert!(template.contains("# actions = [\"mfa-admins\"]"), "{template}");
            let uncommented: Vec<&str> = template
                .lines()
                .map(|l| match l.strip_prefix("# ") {
                    Some(rest)
                        if ["[[controls]]", "id =", "title =", "actions ="]
                            .iter()
                            .any(|k| rest.starts_with(k)) =>
                    {
                        rest
                    }
                    _ => l,
                })
                .collect();
            repo.write("templates/gdpr.toml", uncommented.join("\n") + "\n");
            continue;
        }
        let words = words(step);
        assert_eq!(words[0], "evident", "{step}");
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        let run = repo.run_in(&args);
        assert_eq!(run.code, 0, "{step}\n{}", run.all());
        assert!(!run.stderr.contains("warning"), "{step}\n{}", run.all());
    }
    let run = repo.run_in(&["validate"]);
    assert!(run.stderr.contains("no problems"), "{}", run.all());
    assert!(repo.path().join("assessments/gdpr-2026/mfa-admins.toml").is_file());
}
