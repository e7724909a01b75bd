//! Signed verdicts (`[trust]`): keys generated with `ssh-keygen` at run time,
//! commits signed by git itself (`gpg.format=ssh`).
//!
//! People: ana (admin), cy and dan (assessors), bob (neither). The allowed
//! signers file lists ana's and cy's keys, and bob's.

use std::path::PathBuf;

use crate::check::{ANA, BOB, CY};
use crate::support::{Run, TestRepo, action_toml, assessment_toml, state_toml, template_toml};

const DAN: &str = "dan@example.com";
const SIGNERS: &str = ".evident/allowed_signers";

/// SSH keys in a temporary directory.
struct Keys {
    dir: tempfile::TempDir,
}

impl Keys {
    fn new() -> Self {
        let keys = Keys { dir: tempfile::tempdir().expect("temp dir") };
        for name in ["ana", "bob", "cy", "dan", "zed"] {
            let out = std::process::Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
                .arg(keys.private(name))
                .output()
                .expect("ssh-keygen must be installed (Debian: apt-get install openssh-client)");
            assert!(out.status.success(), "ssh-keygen: {}", String::from_utf8_lossy(&out.stderr));
        }
        keys
    }

    fn private(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn public(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("{name}.pub"))
    }

    /// `<email> <key>` lines for an allowed signers file.
    fn line(&self, email: &str, name: &str) -> String {
        let key = std::fs::read_to_string(self.public(name)).expect("public key");
        format!("{email} {}\n", key.trim())
    }
}

/// The git options that sign a commit with `name`'s key.
fn signing(keys: &Keys, name: &str) -> Vec<String> {
    vec![
        "-c".to_owned(),
        "gpg.format=ssh".to_owned(),
        "-c".to_owned(),
        format!("user.signingkey={}", keys.private(name).display()),
    ]
}

/// Commits as `email`, signed with `key` (a name of [`Keys`]) when given.
fn commit(repo: &TestRepo, keys: &Keys, email: &str, key: Option<&str>, message: &str) -> String {
    match key {
        Some(name) => {
            let options = signing(keys, name);
            let options: Vec<&str> = options.iter().map(String::as_str).collect();
            repo.commit_with(email, message, &options, &["-S"])
        }
        None => repo.commit(email, message),
    }
}

fn config_text(extra: &str) -> String {
    format!(
        "[people]\n\"{ANA}\" = \"Ana\"\n\"{BOB}\" = \"Bob\"\n\"{CY}\" = \"Cy\"\n\"{DAN}\" = \"Dan\"\n\n[roles]\nadmins = [\"{ANA}\"]\nassessors = [\"{CY}\", \"{DAN}\"]\n\n[trust]\nallowed-signers = \"{SIGNERS}\"\nrequire-signed = [\"verdicts\", \"automation\", \"admin\"]\n{extra}"
    )
}

/// A repository under `[trust]`, first commit by Ana (signed): `mfa` is
/// implemented and not tested yet.
fn trusted(keys: &Keys) -> (TestRepo, String) {
    let repo = TestRepo::new();
    repo.git_init();
    repo.write("evident.toml", config_text(""));
    repo.write(SIGNERS, keys.line(ANA, "ana") + &keys.line(CY, "cy") + &keys.line(BOB, "bob"));
    repo.write("actions/mfa.toml", action_toml("mfa", "control-access", "preventative", true));
    repo.write("actions/logs.toml", action_toml("logs", "discover-and-respond", "detective", false));
    repo.write("templates/gdpr.toml", template_toml("gdpr", &[("art-32", &["mfa", "logs"])]));
    repo.write("assessments/gdpr-2026/assessment.toml", assessment_toml("gdpr-2026", "gdpr", None));
    repo.write("assessments/gdpr-2026/mfa.toml", state_toml(Some(ANA), "implemented", "none", &[]));
    repo.write("assessments/gdpr-2026/logs.toml", state_toml(Some(ANA), "implemented", "none", &[]));
    let base = commit(&repo, keys, ANA, Some("ana"), "Start the program");
    (repo, base)
}

/// Cy's verdict on `mfa`: passed.
fn pass_mfa(repo: &TestRepo) {
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        state_toml(Some(ANA), "implemented", "passed", &["ca-policy"]),
    );
}

fn diagnostics(run: &Run) -> Vec<(String, String)> {
    run.json()["diagnostics"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", run.all()))
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_owned(), d["message"].as_str().unwrap().to_owned()))
        .collect()
}

fn codes(run: &Run) -> Vec<String> {
    diagnostics(run).into_iter().map(|(c, _)| c).collect()
}

fn check(repo: &TestRepo, base: &str) -> Run {
    repo.run(&["check", "--base", base, "--format", "json"])
}

fn audit(repo: &TestRepo) -> Run {
    repo.run(&["audit", "--format", "json"])
}

fn full(run: &Run) -> String {
    run.json()["diagnostics"].to_string()
}

#[test]
fn a_verdict_signed_by_the_assessor_passes() {
    let keys = Keys::new();
    let (repo, base) = trusted(&keys);
    pass_mfa(&repo);
    commit(&repo, &keys, CY, Some("cy"), "MFA passed");
    let run = check(&repo, &base);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.all());
    assert_eq!(run.code, 0);
    let run = audit(&repo);
    assert_eq!(
        codes(&run),
        Vec::<String>::new(),
        "the first commit is judged by its own file: {}",
        run.all()
    );
    assert_eq!(run.code, 0);
    // git agrees: the allowed signers file is git's own format.
    let log = repo.git(&[
        "-c",
        &format!("gpg.ssh.allowedSignersFile={}", repo.path().join(SIGNERS).display()),
        "log",
        "-1",
        "--format=%G? %GS",
    ]);
    assert_eq!(log, format!("G {CY}"));
}

#[test]
fn an_unsigned_verdict_is_refused_and_says_what_was_expected() {
    let keys = Keys::new();
    let (repo, base) = trusted(&keys);
    pass_mfa(&repo);
    // Anyone can commit as Cy.
    commit(&repo, &keys, CY, None, "MFA passed");
    let run = check(&repo, &base);
    assert_eq!(codes(&run), ["E0710"], "{}", run.all());
    assert_eq!(run.code, 1);
    let d = &run.json()["diagnostics"][0];
    assert_eq!(d["file"], "assessments/gdpr-2026/mfa.toml");
    let message = d["message"].as_str().unwrap();
    assert!(message.starts_with("test status set to `passed` in "), "{message}");
    assert!(message.ends_with("is not signed"), "{message}");
    let notes = d["notes"].to_string();
    assert!(notes.contains(&format!("`{SIGNERS}` lists for {CY}")), "{notes}");
    assert!(notes.contains("found: no signature"), "{notes}");
    assert_eq!(codes(&audit(&repo)), ["E0710"]);
    // The human output names the commit, the file and the finding.
    let run = repo.run(&["check", "--base", &base]);
    assert!(run.stderr.contains("error[E0710]"), "{}", run.all());
    assert!(run.stderr.contains("assessments/gdpr-2026/mfa.toml"), "{}", run.all());
}

#[test]
fn a_verdict_signed_with_a_key_not_the_authors_is_refused() {
    let keys = Keys::new();
    let (repo, base) = trusted(&keys);
    pass_mfa(&repo);
    // Bob's key is trusted, but for Bob.
    commit(&repo, &keys, CY, Some("bob"), "MFA passed");
    let run = check(&repo, &base);
    let found = diagnostics(&run);
    assert_eq!(found.len(), 1, "{}", run.all());
    assert_eq!(found[0].0, "E0712");
    assert!(found[0].1.ends_with(&format!("is signed with the key of {BOB}")), "{}", found[0].1);

    // A key nobody listed.
    let (repo, base) = trusted(&keys);
    pass_mfa(&repo);
    commit(&repo, &keys, CY, Some("zed"), "MFA passed");
    let run = check(&repo, &base);
    assert_eq!(codes(&run), ["E0711"], "{}", run.all());
    assert!(full(&run).contains("a key the allowed signers file does not list"), "{}", run.all());
}

#[test]
fn a_key_removed_in_the_base_no_longer_signs() {
    let keys = Keys::new();
    let (repo, _) = trusted(&keys);
    // Ana revokes Cy's key, in a commit she signs.
    repo.write(SIGNERS, keys.line(ANA, "ana") + &keys.line(BOB, "bob"));
    let base = commit(&repo, &keys, ANA, Some("ana"), "Revoke Cy's key");
    pass_mfa(&repo);
    commit(&repo, &keys, CY, Some("cy"), "MFA passed");
    let run = check(&repo, &base);
    assert_eq!(codes(&run), ["E0711"], "{}", run.all());
    assert!(full(&run).contains("it lists none"), "{}", run.all());
    assert_eq!(codes(&audit(&repo)), ["E0711"]);
}

#[test]
fn a_commit_altered_after_signing_has_a_bad_signature() {
    let keys = Keys::new();
    let (repo, base) = trusted(&keys);
    pass_mfa(&repo);
    commit(&repo, &keys, CY, Some("cy"), "MFA passed");
    // Rewrite the signed commit's message, keeping its signature.
    let raw = repo.git(&["cat-file", "commit", "HEAD"]) + "\n";
    let tampered = raw.replace("MFA passed", "MFA passed (sampled 20 sign-ins)");
    repo.write(".git/tampered", tampered);
    let id = repo.git(&["hash-object", "-t", "commit", "-w", ".git/tampered"]);
    repo.git(&["reset", "-q", "--hard", &id]);
    let run = check(&repo, &base);
    assert_eq!(codes(&run), ["E0713"], "{}", run.all());
    assert!(full(&run).contains("found: a bad signature"), "{}", run.all());
    assert_eq!(codes(&audit(&repo)), ["E0713"]);
}

#[test]
fn a_change_cannot_add_its_own_key() {
    let keys = Keys::new();
    let (repo, base) = trusted(&keys);
    // Dan is an assessor with no key: he adds one and signs his verdict with it.
    repo.write(SIGNERS, repo.read(SIGNERS) + &keys.line(DAN, "dan"));
    pass_mfa(&repo);
    commit(&repo, &keys, DAN, Some("dan"), "My key, and MFA passed");
    let run = check(&repo, &base);
    let mut found = codes(&run);
    found.sort();
    assert_eq!(found, ["E0705", "E0711"], "{}", run.all());
    assert!(full(&run).contains(&format!("`{SIGNERS}` changed in")), "{}", run.all());

    // In two commits: the key is still not trusted, since a non-admin added it.
    let (repo, base) = trusted(&keys);
    repo.write(SIGNERS, repo.read(SIGNERS) + &keys.line(DAN, "dan"));
    commit(&repo, &keys, DAN, Some("dan"), "My key");
    pass_mfa(&repo);
    commit(&repo, &keys, DAN, Some("dan"), "MFA passed");
    let run = check(&repo, &base);
    assert_eq!(codes(&run), ["E0705", "E0711"], "{}", run.all());
    assert_eq!(codes(&audit(&repo)), ["E0705", "E0711"]);

    // An admin adds it, signed: from the next commit on, Dan's key signs.
    let (repo, base) = trusted(&keys);
    repo.write(SIGNERS, repo.read(SIGNERS) + &keys.line(DAN, "dan"));
    commit(&repo, &keys, ANA, Some("ana"), "Trust Dan's key");
    pass_mfa(&repo);
    commit(&repo, &keys, DAN, Some("dan"), "MFA passed");
    let run = check(&repo, &base);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.all());
}

#[test]
fn unsigned_changes_that_record_no_verdict_pass() {
    let keys = Keys::new();
    let (repo, base) = trusted(&keys);
    repo.write("assessments/gdpr-2026/logs.toml", state_toml(Some(BOB), "planned", "in-progress", &[]));
    commit(&repo, &keys, BOB, None, "Logs: Bob takes over");
    let run = check(&repo, &base);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.all());
    assert_eq!(run.code, 0);
}

#[test]
fn an_unsigned_admin_change_is_refused_and_not_applied() {
    let keys = Keys::new();
    let (repo, base) = trusted(&keys);
    // Someone commits as Ana to switch the signature rule off.
    repo.write("evident.toml", config_text("\n[rules]\nsignature-missing = \"off\"\n"));
    commit(&repo, &keys, ANA, None, "Quieter rules");
    pass_mfa(&repo);
    commit(&repo, &keys, CY, None, "MFA passed");
    let run = check(&repo, &base);
    let found = diagnostics(&run);
    assert_eq!(
        found.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(),
        ["E0710", "E0710"],
        "{}",
        run.all()
    );
    assert!(
        found.iter().any(|(_, m)| m.starts_with("admin settings changed in `evident.toml` in ")),
        "{}",
        run.all()
    );
    assert_eq!(codes(&audit(&repo)), ["E0710", "E0710"]);
    // Signed by Ana, the change applies.
    let (repo, base) = trusted(&keys);
    repo.write("evident.toml", config_text("\n[rules]\nsignature-missing = \"off\"\n"));
    commit(&repo, &keys, ANA, Some("ana"), "Quieter rules");
    pass_mfa(&repo);
    commit(&repo, &keys, CY, None, "MFA passed");
    let run = check(&repo, &base);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.all());
}

#[test]
fn the_first_commit_is_judged_by_its_own_trust() {
    let keys = Keys::new();
    for (key, expected) in [(None, vec!["E0710"]), (Some("cy"), vec![])] {
        let repo = TestRepo::new();
        repo.git_init();
        repo.write("evident.toml", config_text(""));
        repo.write(SIGNERS, keys.line(CY, "cy"));
        repo.write("actions/mfa.toml", action_toml("mfa", "control-access", "preventative", true));
        repo.write("templates/gdpr.toml", template_toml("gdpr", &[("art-32", &["mfa"])]));
        repo.write("assessments/gdpr-2026/assessment.toml", assessment_toml("gdpr-2026", "gdpr", None));
        pass_mfa(&repo);
        commit(&repo, &keys, CY, key, "Start, with MFA passed");
        let run = audit(&repo);
        assert_eq!(codes(&run), expected, "{}", run.all());
    }
}

/// Every history finding but the score gate's, as (code, the commit its message names).
fn findings(run: &Run) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = diagnostics(run)
        .into_iter()
        .filter(|(c, _)| c.starts_with("E07") && c != "E0703")
        .map(|(c, m)| (c, short_id_in(&m)))
        .collect();
    out.sort();
    out
}

/// The first word of 7 hex digits in a message: the commit it names.
fn short_id_in(message: &str) -> String {
    message.split(|c: char| !c.is_ascii_hexdigit()).find(|w| w.len() == 7).unwrap_or_default().to_owned()
}

#[test]
fn check_commit_by_commit_and_audit_agree() {
    let keys = Keys::new();
    let (repo, _) = trusted(&keys);
    let mut ids = vec![repo.git(&["rev-parse", "HEAD"])];
    // A signed verdict; an unsigned one; one with someone else's key; an
    // unsigned admin change; a non-admin adding his own key to sign his
    // verdict; a signed revocation; a verdict with the revoked key; a
    // verdict with the key the admin trusted; an unsigned edit.
    pass_mfa(&repo);
    ids.push(commit(&repo, &keys, CY, Some("cy"), "MFA passed"));
    let logs = |test: &str, evidence: &[&str]| {
        repo.write("assessments/gdpr-2026/logs.toml", state_toml(Some(ANA), "implemented", test, evidence))
    };
    logs("failed-low", &[]);
    ids.push(commit(&repo, &keys, CY, None, "Logs failed"));
    logs("failed-high", &[]);
    ids.push(commit(&repo, &keys, CY, Some("bob"), "Logs failed badly"));
    repo.write("evident.toml", config_text("\n[check]\nmax-score-drop = 5.0\n"));
    ids.push(commit(&repo, &keys, ANA, None, "Allow drops"));
    repo.write(SIGNERS, repo.read(SIGNERS) + &keys.line(DAN, "dan"));
    logs("failed-medium", &[]);
    ids.push(commit(&repo, &keys, DAN, Some("dan"), "My key; logs: medium"));
    repo.write(SIGNERS, keys.line(ANA, "ana") + &keys.line(BOB, "bob") + &keys.line(DAN, "dan"));
    ids.push(commit(&repo, &keys, ANA, Some("ana"), "Cy's key revoked, Dan's trusted"));
    logs("failed-low", &[]);
    ids.push(commit(&repo, &keys, CY, Some("cy"), "Logs: low"));
    logs("passed", &["siem"]);
    ids.push(commit(&repo, &keys, DAN, Some("dan"), "Logs: passed"));
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        state_toml(Some(BOB), "implemented", "passed", &["ca-policy"]),
    );
    ids.push(commit(&repo, &keys, BOB, None, "MFA: Bob owns it"));

    let audited = findings(&audit(&repo));
    let mut checked = Vec::new();
    for pair in ids.windows(2) {
        repo.git(&["checkout", "-q", "--detach", &pair[1]]);
        checked.extend(findings(&check(&repo, &pair[0])));
    }
    checked.sort();
    let short = |i: usize| ids[i][..7].to_owned();
    let expected: Vec<(String, String)> =
        [("E0710", 2), ("E0712", 3), ("E0710", 4), ("E0705", 5), ("E0711", 5), ("E0711", 7)]
            .iter()
            .map(|(c, i)| (c.to_string(), short(*i)))
            .collect();
    let mut expected = expected;
    expected.sort();
    assert_eq!(audited, expected, "audit");
    assert_eq!(checked, expected, "check --base, commit by commit");
}

#[test]
fn trust_add_and_list() {
    let keys = Keys::new();
    let repo = TestRepo::new();
    let cy = keys.public("cy");
    let cy = cy.to_str().unwrap();
    let run = repo.run(&["trust", "add", CY, cy]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("Created"), "{}", run.all());
    // Without `[trust]` nothing is enforced yet, and the user is told.
    assert!(run.stderr.contains("note: signatures are not required yet: add `[trust]`"), "{}", run.all());
    let text = repo.read(SIGNERS);
    assert_eq!(text, keys.line(CY, "cy"));
    // Idempotent.
    let run = repo.run(&["trust", "add", CY, cy]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("Unchanged"), "{}", run.all());
    assert_eq!(repo.read(SIGNERS), text);
    // A malformed key, a private key, a bad address: refused, nothing written.
    repo.write("bad.pub", "ssh-ed25519 AAAAnotakey cy\n");
    let private = keys.private("cy");
    for (email, file) in
        [(CY, repo.path().join("bad.pub")), (CY, private), ("not an address", keys.public("cy"))]
    {
        let run = repo.run(&["trust", "add", email, file.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{}", run.all());
        assert_eq!(repo.read(SIGNERS), text);
    }
    repo.run(&["trust", "add", ANA, keys.public("ana").to_str().unwrap()]);
    let run = repo.run(&["trust", "list", "--format", "json"]);
    let json = run.json();
    crate::output_schemas::assert_conforms("trust-list", &json);
    assert_eq!(json["file"], SIGNERS);
    assert_eq!(json["keys"][0]["principals"][0], CY);
    assert_eq!(json["keys"][1]["principals"][0], ANA);
    // The fingerprint is ssh-keygen's.
    let out = std::process::Command::new("ssh-keygen").arg("-lf").arg(keys.public("cy")).output().unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains(json["keys"][0]["fingerprint"].as_str().unwrap()), "{printed}");
    let run = repo.run(&["trust", "list"]);
    assert!(run.stdout.contains(CY) && run.stdout.contains("ssh-ed25519"), "{}", run.all());
    // The path comes from `[trust]`; with it, signatures are required and no note is needed.
    repo.write("evident.toml", "[trust]\nallowed-signers = \"keys/signers\"\n");
    let run = repo.run(&["trust", "add", CY, keys.public("cy").to_str().unwrap()]);
    assert_eq!(repo.read("keys/signers"), text);
    assert!(!run.stderr.contains("note:"), "{}", run.all());
    repo.write("evident.toml", "[trust]\nallowed-signers = \"keys/signers\"\nrequire-signed = []\n");
    let run = repo.run(&["trust", "add", CY, keys.public("cy").to_str().unwrap()]);
    assert!(run.stderr.contains("`[trust] require-signed` in `evident.toml` is empty"), "{}", run.all());
}

/// `trust add --format json`: the allowed signers file it writes, as the edits print it;
/// `--dry-run` writes nothing; a line that is not a key is a warning of the JSON.
#[test]
fn trust_add_prints_its_change_as_json() {
    let keys = Keys::new();
    let repo = TestRepo::new();
    let cy = keys.public("cy");
    let args = ["trust", "add", CY, cy.to_str().unwrap(), "--format", "json"];
    let dry = repo.run(&[&args[..], &["--dry-run"]].concat());
    assert_eq!(dry.code, 0, "{}", dry.all());
    let json = dry.json();
    crate::output_schemas::assert_conforms("changes", &json);
    assert_eq!((json["dry_run"].as_bool(), json["written"].as_bool()), (Some(true), Some(false)));
    assert_eq!(json["files"][0]["path"], SIGNERS);
    assert_eq!(json["files"][0]["change"], "created");
    let out = std::process::Command::new("ssh-keygen").arg("-lf").arg(&cy).output().unwrap();
    let fingerprint = String::from_utf8_lossy(&out.stdout).split(' ').nth(1).unwrap().to_owned();
    assert_eq!(json["files"][0]["what"][0], format!("trust {CY} {fingerprint}"));
    assert!(!repo.path().join(SIGNERS).exists(), "a dry run writes nothing");

    repo.write(SIGNERS, "not a key\n");
    let run = repo.run(&args);
    assert_eq!(run.code, 0, "{}", run.all());
    let json = run.json();
    crate::output_schemas::assert_conforms("changes", &json);
    assert_eq!(json["written"], true);
    assert_eq!(json["files"][0]["change"], "updated");
    assert_eq!(json["diagnostics"][0]["code"], "E0715", "{json:#}");
    assert_eq!(json["diagnostics"][0]["severity"], "warning", "{json:#}");
    assert_eq!(repo.read(SIGNERS), format!("not a key\n{}", keys.line(CY, "cy")));
    let again = repo.run(&args).json();
    assert_eq!(again["files"][0]["change"], "unchanged", "{again:#}");
    assert_eq!(again["files"][0]["what"], serde_json::json!([]));
}

#[test]
fn validate_reports_an_unusable_allowed_signers_file() {
    let keys = Keys::new();
    let repo = TestRepo::new();
    repo.write("evident.toml", "[trust]\n");
    let run = repo.run(&["validate", "--format", "json"]);
    assert!(codes(&run).contains(&"E0715".to_owned()), "missing: {}", run.all());
    assert!(codes(&run).contains(&"E0716".to_owned()), "no admins: {}", run.all());
    repo.write(SIGNERS, keys.line(CY, "cy") + "# a comment\nbob@example.com ssh-ed25519 AAAA-broken\n");
    let run = repo.run(&["validate", "--format", "json"]);
    let found: Vec<_> = diagnostics(&run).into_iter().filter(|(c, _)| c == "E0715").collect();
    assert_eq!(found.len(), 1, "{}", run.all());
    assert!(found[0].1.starts_with("line 3 of `.evident/allowed_signers` is not a key"), "{}", run.all());
    repo.write("evident.toml", "[trust]\nallowed-signers = \"../keys\"\n");
    let run = repo.run(&["validate", "--format", "json"]);
    assert!(full(&run).contains("leaves the repository"), "{}", run.all());
}

#[test]
fn history_and_report_show_who_signed_each_verdict() {
    let keys = Keys::new();
    let (repo, _) = trusted(&keys);
    pass_mfa(&repo);
    commit(&repo, &keys, CY, Some("cy"), "MFA passed");
    repo.write("assessments/gdpr-2026/logs.toml", state_toml(Some(ANA), "implemented", "failed-low", &[]));
    commit(&repo, &keys, CY, None, "Logs failed");
    repo.write("assessments/gdpr-2026/logs.toml", state_toml(Some(BOB), "implemented", "failed-low", &[]));
    commit(&repo, &keys, BOB, None, "Logs: Bob owns it");

    let run = repo.run(&["history", "--format", "json"]);
    let events = run.json();
    let signature = |action: &str, summary: &str| {
        events
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == action && e["summary"] == summary)
            .map(|e| e["signature"].clone())
            .unwrap_or_else(|| panic!("no event {action} {summary}: {}", run.all()))
    };
    assert_eq!(signature("mfa", "MFA passed")["status"], "good");
    assert_eq!(signature("mfa", "MFA passed")["signer"], CY);
    assert_eq!(signature("logs", "Logs failed")["status"], "unsigned");
    // Only test changes carry it.
    assert!(signature("logs", "Logs: Bob owns it").is_null());

    let run = repo.run(&["history"]);
    assert!(run.stdout.contains("Signed"), "{}", run.all());
    assert!(run.stdout.contains(&format!("signed by {CY}")), "{}", run.all());
    assert!(run.stdout.contains("not signed"), "{}", run.all());

    let out = repo.path().join("site");
    let run = repo.run(&["report", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    let page = std::fs::read_to_string(out.join("actions/mfa.html")).unwrap();
    assert!(page.contains(&format!("title=\"signed by {CY}\">✔ signed")), "{page}");
    let page = std::fs::read_to_string(out.join("actions/logs.html")).unwrap();
    assert!(page.contains("⚠ not signed"), "{page}");
}

#[test]
fn without_trust_history_has_no_signature_column() {
    let repo = crate::support::minimal();
    repo.git_init();
    repo.commit(ANA, "Start");
    let run = repo.run(&["history"]);
    assert!(!run.stdout.contains("Signed"), "{}", run.all());
}

#[test]
fn the_repositorys_git_config_cannot_change_verification() {
    let keys = Keys::new();
    let (repo, base) = trusted(&keys);
    pass_mfa(&repo);
    commit(&repo, &keys, CY, Some("zed"), "MFA passed");
    // A "signing program" that vouches for anything, and a file that trusts Zed's key for Cy.
    repo.write(
        ".git/yes-keygen",
        "#!/bin/sh\necho cy@example.com\necho 'Good \"git\" signature for cy@example.com'\nexit 0\n",
    );
    repo.write(".git/trusting", keys.line(CY, "zed"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let script = repo.path().join(".git/yes-keygen");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for (key, value) in [
        ("gpg.ssh.program", repo.path().join(".git/yes-keygen")),
        ("gpg.ssh.allowedSignersFile", repo.path().join(".git/trusting")),
    ] {
        repo.git(&["config", key, value.to_str().unwrap()]);
    }
    let run = check(&repo, &base);
    assert_eq!(codes(&run), ["E0711"], "{}", run.all());
}

/// `[trust]` requiring signed verdicts only: a configuration whose admin changes need no signature.
fn verdicts_only(keys: &Keys) -> (TestRepo, String) {
    let (repo, _) = trusted(keys);
    repo.write(
        "evident.toml",
        config_text("").replace("\"verdicts\", \"automation\", \"admin\"", "\"verdicts\""),
    );
    let base = commit(&repo, keys, ANA, Some("ana"), "Signed verdicts only");
    (repo, base)
}

#[test]
fn a_forged_admin_cannot_add_a_key_even_when_admin_changes_need_no_signature() {
    let keys = Keys::new();
    let (repo, base) = verdicts_only(&keys);
    // Bob forges Ana's e-mail (unsigned) to list his own key for Cy, then signs Cy's verdict with it.
    let text = std::fs::read_to_string(repo.path().join(SIGNERS)).unwrap() + &keys.line(CY, "zed");
    repo.write(SIGNERS, text);
    commit(&repo, &keys, ANA, None, "Rotate keys");
    pass_mfa(&repo);
    commit(&repo, &keys, CY, Some("zed"), "MFA passed");
    for run in [check(&repo, &base), audit(&repo)] {
        assert_eq!(codes(&run), ["E0710", "E0711"], "{}", run.all());
        assert_eq!(run.code, 1);
    }
    // Signed by Ana, the key is hers to add.
    let (repo, base) = verdicts_only(&keys);
    let text = std::fs::read_to_string(repo.path().join(SIGNERS)).unwrap() + &keys.line(DAN, "dan");
    repo.write(SIGNERS, text);
    commit(&repo, &keys, ANA, Some("ana"), "Dan's key");
    pass_mfa(&repo);
    commit(&repo, &keys, DAN, Some("dan"), "MFA passed");
    assert_eq!(codes(&audit(&repo)), Vec::<String>::new());
    let run = repo.run(&["check", "--base", &base, "--format", "json"]);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.all());
}

#[test]
fn a_forged_admin_cannot_relax_require_signed() {
    let keys = Keys::new();
    let (repo, base) = verdicts_only(&keys);
    repo.write("evident.toml", config_text("").replace("\"verdicts\", \"automation\", \"admin\"", ""));
    commit(&repo, &keys, ANA, None, "Relax");
    pass_mfa(&repo);
    commit(&repo, &keys, CY, None, "MFA passed");
    for run in [check(&repo, &base), audit(&repo)] {
        assert_eq!(codes(&run), ["E0710", "E0710"], "{}", run.all());
    }
    // Nor remove `[trust]`, nor make Bob (whose key is listed) an assessor.
    let (repo, base) = verdicts_only(&keys);
    let text = config_text("");
    let cut = text.find("[trust]").unwrap();
    repo.write("evident.toml", text[..cut].replace(&format!("\"{CY}\", \"{DAN}\""), &format!("\"{BOB}\"")));
    commit(&repo, &keys, ANA, None, "Bob assesses");
    pass_mfa(&repo);
    commit(&repo, &keys, BOB, Some("bob"), "MFA passed");
    for run in [check(&repo, &base), audit(&repo)] {
        let mut found = codes(&run);
        found.sort();
        assert_eq!(found, ["E0702", "E0710"], "the change is refused and not applied: {}", run.all());
        assert_eq!(run.code, 1);
    }
}

#[test]
fn history_and_report_do_not_show_a_self_added_key_as_signed() {
    let keys = Keys::new();
    let (repo, base) = trusted(&keys);
    // Bob lists his own key for Cy and signs Cy's verdict with it, in one commit.
    let text = std::fs::read_to_string(repo.path().join(SIGNERS)).unwrap() + &keys.line(CY, "zed");
    repo.write(SIGNERS, text);
    pass_mfa(&repo);
    commit(&repo, &keys, CY, Some("zed"), "MFA passed");
    assert!(codes(&check(&repo, &base)).contains(&"E0711".to_owned()));
    // The working tree's file lists the key; the commit's parent's did not.
    let run = repo.run(&["history", "--format", "json"]);
    let event = run.json().as_array().unwrap().iter().find(|e| e["summary"] == "MFA passed").cloned();
    let event = event.unwrap_or_else(|| panic!("{}", run.all()));
    assert_eq!(event["signature"]["status"], "unknown-key", "{}", run.all());
    let run = repo.run(&["history"]);
    assert!(!run.stdout.contains(&format!("signed by {CY}")), "{}", run.all());
    let out = repo.path().join("site");
    repo.run(&["report", "--out", out.to_str().unwrap()]);
    let page = std::fs::read_to_string(out.join("actions/mfa.html")).unwrap();
    assert!(!page.contains("✔ signed"), "{page}");
}

/// Runs `evident --repo REPO ARGS` with only `tools` (looked up on the real
/// PATH) reachable: a machine without ssh-keygen, or without git.
fn run_with_only(repo: &TestRepo, tools: &[&str], args: &[&str]) -> Run {
    let bin = tempfile::tempdir().expect("tempdir");
    for tool in tools {
        let real = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("{tool} is not installed"));
        std::os::unix::fs::symlink(real, bin.path().join(tool)).expect("symlink");
    }
    let mut cmd = crate::support::evident();
    cmd.env("PATH", bin.path()).arg("--repo").arg(repo.path()).args(args);
    crate::support::run(cmd)
}

#[test]
fn without_ssh_keygen_signatures_cannot_be_judged_and_the_run_stops() {
    let keys = Keys::new();
    let (repo, base) = trusted(&keys);
    pass_mfa(&repo);
    commit(&repo, &keys, CY, Some("cy"), "MFA passed");
    for args in
        [&["check", "--base", base.as_str()][..], &["audit"], &["history"], &["report", "--out", "site"]]
    {
        let run = run_with_only(&repo, &["git"], args);
        assert_eq!(run.code, 2, "{args:?} must not judge a good signature as bad: {}", run.all());
        assert!(run.stderr.contains("ssh-keygen") && run.stderr.contains("install"), "{}", run.all());
        assert!(!run.stdout.contains("bad signature"), "{}", run.all());
    }
    let run = run_with_only(&repo, &[], &["check", "--base", &base]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("git could not be run"), "{}", run.all());
}

/// Runs evident with git and a fake `ssh-keygen` (a shell script) as the only programs.
fn run_with_fake_ssh_keygen(repo: &TestRepo, script: &str, args: &[&str]) -> Run {
    use std::os::unix::fs::PermissionsExt;
    let bin = tempfile::tempdir().expect("tempdir");
    for tool in ["git", "sh"] {
        let real = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("{tool} is not installed"));
        std::os::unix::fs::symlink(real, bin.path().join(tool)).expect("symlink");
    }
    let fake = bin.path().join("ssh-keygen");
    std::fs::write(&fake, format!("#!/bin/sh\n{script}\n")).expect("write");
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    // A child forked by another test while the script was open for writing keeps it busy
    // (ETXTBSY) until it execs: wait until the script runs.
    for _ in 0..100 {
        match std::process::Command::new(&fake).output() {
            Err(e) if e.raw_os_error() == Some(26) => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            _ => break,
        }
    }
    let mut cmd = crate::support::evident();
    cmd.env("PATH", bin.path()).arg("--repo").arg(repo.path()).args(args);
    crate::support::run(cmd)
}

#[test]
fn an_ssh_keygen_that_cannot_verify_stops_the_run_rather_than_judge_signatures_bad() {
    let keys = Keys::new();
    let (repo, base) = trusted(&keys);
    pass_mfa(&repo);
    commit(&repo, &keys, CY, Some("cy"), "MFA passed");
    // OpenSSH before 8.2 has no `-Y`; a broken install fails every call.
    for script in [
        "echo 'usage: ssh-keygen [-q] [-b bits] [-t dsa | ecdsa | ed25519 | rsa]' >&2; exit 1",
        "echo 'ssh-keygen: error while loading shared libraries: libcrypto.so.3' >&2; exit 127",
    ] {
        let run = run_with_fake_ssh_keygen(&repo, script, &["check", "--base", &base]);
        assert_eq!(run.code, 2, "{script}: must not judge a good signature as bad: {}", run.all());
        assert!(!run.all().contains("bad signature") && !run.all().contains("not signed"), "{}", run.all());
        assert!(run.stderr.contains("ssh-keygen") && run.stderr.contains("install"), "{}", run.all());
    }
}
