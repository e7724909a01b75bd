//! `evident alerts --send` against local servers: a webhook gets the alerts'
//! JSON with a `text`, a mail server gets the mail (and the new owner theirs),
//! failures are retried and then named with exit 2, credentials never travel
//! in plain text, and `--dry-run` connects to nothing.
//!
//! The story: at the base, mfa in gdpr-2026 is Ana's, implemented, not
//! tested; one commit by Cy records a failed-low test and gives it to Bob.

use serde_json::Value;

use crate::check::{ANA, BOB, CY};
use crate::servers::{HttpServer, SmtpScript, SmtpServer, dead_port};
use crate::support::{Run, TestRepo, evident, minimal, run, state_toml};

const FAILED: &str = r#"
[[alerts]]
id = "failed-tests"
on = "test-status"
to = ["failed-low", "failed-medium", "failed-high"]
"#;

/// `[[channels]]` for a webhook and a mail server (either may be left out), and the policies:
/// failed tests go to every channel, owner changes to the mail channel.
fn config(webhook: Option<&str>, smtp: Option<&str>) -> String {
    let mut s = String::new();
    let mut ids = Vec::new();
    if let Some(url) = webhook {
        s.push_str(&format!("[[channels]]\nid = \"chat\"\nwebhook = \"{url}\"\n\n"));
        ids.push("\"chat\"");
    }
    if let Some(url) = smtp {
        s.push_str(&format!(
            "[[channels]]\nid = \"mail\"\nsmtp = \"{url}\"\nfrom = \"Compliance <compliance@example.com>\"\nto = [\"security@example.com\"]\n\n"
        ));
        ids.push("\"mail\"");
    }
    s.push_str(FAILED);
    s.push_str(&format!("channels = [{}]\n", ids.join(", ")));
    if smtp.is_some() {
        s.push_str("\n[[alerts]]\nid = \"new-owner\"\non = \"owner-change\"\nchannels = [\"mail\"]\n");
    }
    s
}

/// The repository with `config` as its evident.toml; returns it and the base commit.
fn story(config: &str) -> (TestRepo, String) {
    let repo = minimal();
    repo.git_init();
    repo.write("evident.toml", config);
    let base = repo.commit(ANA, "Start");
    repo.write("assessments/gdpr-2026/mfa.toml", state_toml(Some(BOB), "implemented", "failed-low", &[]));
    repo.commit(CY, "MFA test failed; Bob takes it over");
    (repo, base)
}

/// `evident alerts --base BASE --send ARGS` with a short retry delay and `env` set.
fn send(repo: &TestRepo, base: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = evident();
    cmd.arg("--repo").arg(repo.path()).args(["alerts", "--base", base, "--send"]).args(args);
    cmd.env("EVIDENT_RETRY_DELAY_MS", "10");
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(cmd)
}

fn send_json(repo: &TestRepo, base: &str, args: &[&str], env: &[(&str, &str)]) -> (Run, Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = send(repo, base, &all, env);
    let json = out.json();
    crate::output_schemas::assert_conforms("alerts-send", &json);
    (out, json)
}

#[test]
fn a_webhook_gets_the_alerts_json_and_a_text() {
    let server = HttpServer::start(&[200]);
    let (repo, base) = story(&config(Some(&server.url("/hook/T0/secret")), None));
    let (out, json) = send_json(&repo, &base, &[], &[]);
    assert_eq!(out.code, 0, "{}", out.all());
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/hook/T0/secret"));
    assert!(request.header("content-type").unwrap().starts_with("application/json"));
    let body = request.json();
    // The body is the object of `alerts --format json`, plus `text`.
    assert_eq!(body["base"], base.as_str());
    assert_eq!(body["commits"], 1);
    assert_eq!(body["alerts"][0]["id"], "failed-tests");
    assert_eq!(body["alerts"][0]["channels"], serde_json::json!(["chat"]));
    assert_eq!(body["alerts"][0]["events"][0]["after"], "failed-low");
    let text = body["text"].as_str().unwrap();
    assert!(text.starts_with("evident: 1 alert fired in "), "{text}");
    assert!(text.contains("• gdpr-2026 mfa: test none → failed-low (cy, "), "{text}");
    let mut alerts = body.clone();
    alerts.as_object_mut().unwrap().remove("text");
    crate::output_schemas::assert_conforms("alerts", &alerts);
    // The summary says it was delivered, and does not print the webhook's secret path.
    let d = &json["deliveries"][0];
    assert_eq!(
        (d["channel"].as_str(), d["status"].as_str(), d["attempts"].as_u64()),
        (Some("chat"), Some("delivered"), Some(1))
    );
    assert_eq!(d["destination"], format!("{}/…", server.url("")));
    assert!(!out.stdout.contains("secret"), "{}", out.stdout);
}

#[test]
fn a_server_error_is_retried() {
    let server = HttpServer::start(&[500, 200]);
    let (repo, base) = story(&config(Some(&server.url("/hook")), None));
    let out = send(&repo, &base, &[], &[]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(server.requests().len(), 2);
    assert_eq!(server.requests()[0].body, server.requests()[1].body);
    assert!(out.stdout.contains("delivered after 2 attempts"), "{}", out.stdout);
}

#[test]
fn a_server_error_on_every_try_fails_with_exit_2() {
    let server = HttpServer::start(&[500]);
    let (repo, base) = story(&config(Some(&server.url("/hook")), None));
    let out = send(&repo, &base, &[], &[]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert_eq!(server.requests().len(), 3);
    assert!(
        out.stderr.contains("could not deliver to channel `chat`: HTTP 500 Internal Server Error"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("failed after 3 attempts"), "{}", out.stdout);
}

/// Each delivery of `alerts --send --format json` as (channel, status, attempts).
fn delivery_rows(json: &Value) -> Vec<(&str, &str, u64)> {
    json["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (d["channel"].as_str().unwrap(), d["status"].as_str().unwrap(), d["attempts"].as_u64().unwrap())
        })
        .collect()
}

#[test]
fn a_dead_port_fails_with_exit_2_and_the_other_channels_are_still_served() {
    let mail = SmtpServer::start(SmtpScript::default());
    let hook = format!("http://127.0.0.1:{}/hook", dead_port());
    let (repo, base) = story(&config(Some(&hook), Some(&mail.url())));
    let (out, json) = send_json(&repo, &base, &[], &[]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("could not deliver to channel `chat`: "), "{}", out.stderr);
    assert!(!out.stderr.contains("`mail`"), "{}", out.stderr);
    assert_eq!(
        delivery_rows(&json),
        [("chat", "failed", 3), ("mail", "delivered", 1), ("mail", "delivered", 1)]
    );
    assert_eq!(mail.transcripts().len(), 2);
}

/// The mail in a transcript (the lines from `DATA` to the final `.`), with folded headers
/// unfolded and the quoted-printable body decoded.
fn data(transcript: &[String]) -> String {
    let start = transcript.iter().position(|l| l == "DATA").expect("DATA") + 1;
    let end = transcript.iter().rposition(|l| l == ".").expect("end of data");
    let text = transcript[start..end].join("\n").replace("\n ", " ").replace("=\n", "");
    let mut bytes = Vec::new();
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        match (b, tail.get(..2).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok())) {
            (b'=', Some(decoded)) => {
                bytes.push(decoded);
                rest = &tail[2..];
            }
            _ => {
                bytes.push(b);
                rest = tail;
            }
        }
    }
    String::from_utf8(bytes).expect("UTF-8 mail")
}

#[test]
fn a_mail_server_gets_the_alert_and_the_new_owner_their_mail() {
    let mail = SmtpServer::start(SmtpScript::default());
    let (repo, base) = story(&config(None, Some(&mail.url())));
    let out = send(&repo, &base, &[], &[]);
    assert_eq!(out.code, 0, "{}", out.all());
    let transcripts = mail.transcripts();
    assert_eq!(transcripts.len(), 2, "{transcripts:#?}");
    // The alert, to the channel's `to`.
    let alert = &transcripts[0];
    assert!(alert[0].starts_with("EHLO "), "{alert:?}");
    assert!(alert.contains(&"MAIL FROM:<compliance@example.com>".to_owned()), "{alert:?}");
    assert!(alert.contains(&"RCPT TO:<security@example.com>".to_owned()), "{alert:?}");
    assert!(!alert.iter().any(|l| l.starts_with("AUTH")), "no credentials, no AUTH: {alert:?}");
    let text = data(alert);
    assert!(text.contains("Subject: evident: 1 alert fired in "), "{text}");
    assert!(
        text.contains("From: \"Compliance\" <compliance@example.com>")
            || text.contains("From: Compliance <compliance@example.com>"),
        "{text}"
    );
    assert!(text.contains("To: security@example.com"), "{text}");
    assert!(text.contains("Message-ID: <evident.") && text.contains("@example.com>"), "{text}");
    assert!(text.contains("• gdpr-2026 mfa: test none → failed-low"), "{text}");
    // The owner change, to the new owner only.
    let owner = &transcripts[1];
    assert!(owner.contains(&format!("RCPT TO:<{BOB}>")), "{owner:?}");
    assert_eq!(owner.iter().filter(|l| l.starts_with("RCPT TO")).count(), 1);
    let text = data(owner);
    assert!(text.contains("Subject: evident: you now own 1 action"), "{text}");
    assert!(text.contains("gdpr-2026 mfa (Action mfa): assigned by cy on "), "{text}");
    assert!(text.contains(&format!("was {ANA}")), "{text}");
    assert!(out.stdout.contains("Sending: 2 messages delivered"), "{}", out.stdout);
}

#[test]
fn credentials_are_never_sent_in_plain_text() {
    let mail = SmtpServer::start(SmtpScript::default());
    let (repo, base) = story(&config(None, Some(&mail.url())));
    let env = [("EVIDENT_SMTP_USER", "alerts"), ("EVIDENT_SMTP_PASSWORD", "hunter2")];
    let out = send(&repo, &base, &[], &env);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("could not deliver to channel `mail`: smtp://127.0.0.1:")
            && out.stderr.contains("does not offer STARTTLS: refusing to send the SMTP credentials (EVIDENT_SMTP_USER) in plain text"),
        "{}",
        out.stderr
    );
    // Refused once per mail, without trying again; the server saw neither a login nor a mail.
    let transcripts = mail.transcripts();
    assert_eq!(transcripts.len(), 2);
    for t in &transcripts {
        assert!(t.iter().all(|l| !l.starts_with("AUTH") && !l.starts_with("MAIL")), "{t:?}");
    }
    assert!(!out.all().contains("hunter2"));
}

#[test]
fn a_server_that_takes_mail_only_over_tls_is_a_failure() {
    let mail = SmtpServer::start(SmtpScript { require_tls: true, ..SmtpScript::default() });
    let (repo, base) = story(&config(None, Some(&mail.url())));
    let (out, json) = send_json(&repo, &base, &[], &[]);
    assert_eq!(out.code, 2, "{}", out.all());
    let d = &json["deliveries"][0];
    assert_eq!(d["attempts"], 1, "a 5xx answer is not tried again");
    assert!(d["reason"].as_str().unwrap().contains("530"), "{d}");
    assert!(out.stderr.contains("could not deliver to channel `mail`"), "{}", out.stderr);
}

#[test]
fn a_dry_run_connects_to_nothing() {
    let hook = HttpServer::start(&[200]);
    let mail = SmtpServer::start(SmtpScript::default());
    let (repo, base) = story(&config(Some(&hook.url("/hook")), Some(&mail.url())));
    let out = send(&repo, &base, &["--dry-run"], &[]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("dry run: 3 messages would be sent, nothing was"), "{}", out.stdout);
    assert!(out.stdout.contains("\"text\": \"evident: 1 alert fired"), "{}", out.stdout);
    assert!(out.stdout.contains("Subject: evident: you now own 1 action"), "{}", out.stdout);
    let (out, json) = send_json(&repo, &base, &["--dry-run"], &[]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(json["dry_run"], true);
    assert_eq!(json["deliveries"][0]["status"], "would-send");
    assert_eq!(json["deliveries"][0]["message"]["alerts"][0]["id"], "failed-tests");
    assert_eq!(json["deliveries"][2]["message"]["to"][0], BOB);
    assert_eq!((hook.connections(), mail.connections()), (0, 0));
}

#[test]
fn env_urls_are_read_when_sending() {
    let server = HttpServer::start(&[200]);
    let (repo, base) = story(&config(Some("env:EVIDENT_TEST_HOOK"), None));
    let out = send(&repo, &base, &[], &[("EVIDENT_TEST_HOOK", &server.url("/from-env"))]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(server.requests()[0].path, "/from-env");
    assert!(out.stdout.contains("env:EVIDENT_TEST_HOOK"), "{}", out.stdout);
    // Without the variable: exit 2, naming the channel and the variable.
    let out = send(&repo, &base, &[], &[]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains(
            "could not deliver to channel `chat`: the environment variable `EVIDENT_TEST_HOOK` is not set"
        ),
        "{}",
        out.stderr
    );
    // A dry run says so, and still succeeds.
    let out = send(&repo, &base, &["--dry-run"], &[]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("`EVIDENT_TEST_HOOK` is not set here"), "{}", out.stdout);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn nothing_fired_nothing_sent() {
    let server = HttpServer::start(&[200]);
    let (repo, _) = story(&config(Some(&server.url("/hook")), None));
    let out = send(&repo, "HEAD", &[], &[]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("Sending: nothing to send"), "{}", out.stdout);
    assert_eq!(server.connections(), 0);
}

/// An owner-change alert naming two mail channels mails the new owner once,
/// through the first; each channel's `to` still gets the status alerts.
#[test]
fn a_new_owner_is_mailed_once_however_many_mail_channels_the_alert_names() {
    let (first, second) =
        (SmtpServer::start(SmtpScript::default()), SmtpServer::start(SmtpScript::default()));
    let channel = |id: &str, url: String| {
        format!(
            "[[channels]]\nid = \"{id}\"\nsmtp = \"{url}\"\nfrom = \"c@example.com\"\nto = [\"{id}@example.com\"]\n\n"
        )
    };
    let config = format!(
        "{}{}{FAILED}channels = [\"one\", \"two\"]\n\n[[alerts]]\nid = \"new-owner\"\non = \"owner-change\"\nchannels = [\"one\", \"two\"]\n",
        channel("one", first.url()),
        channel("two", second.url()),
    );
    let (repo, base) = story(&config);
    let out = send(&repo, &base, &[], &[]);
    assert_eq!(out.code, 0, "{}", out.all());
    let rcpt = |server: &SmtpServer| -> Vec<String> {
        server.transcripts().iter().flatten().filter(|l| l.starts_with("RCPT TO")).cloned().collect()
    };
    assert_eq!(rcpt(&first), ["RCPT TO:<one@example.com>".to_owned(), format!("RCPT TO:<{BOB}>")]);
    assert_eq!(rcpt(&second), ["RCPT TO:<two@example.com>"]);
}

#[test]
fn owners_without_an_address_are_named_in_the_summary() {
    let mail = SmtpServer::start(SmtpScript::default());
    let (repo, base) = story(&config(None, Some(&mail.url())));
    // Bob hands mfa to a team without a mail address, then it is left without an owner.
    repo.write(
        "assessments/gdpr-2026/mfa.toml",
        state_toml(Some("ops@team..example"), "implemented", "failed-low", &[]),
    );
    repo.commit(BOB, "Ops takes it");
    repo.write("assessments/gdpr-2026/mfa.toml", state_toml(None, "implemented", "failed-low", &[]));
    repo.commit(BOB, "Nobody has it");
    let (out, json) = send_json(&repo, &base, &[], &[]);
    assert_eq!(out.code, 0, "{}", out.all());
    let skipped: Vec<&str> = json["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["status"] == "skipped")
        .map(|d| d["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        skipped,
        [
            "gdpr-2026 mfa has no owner any more: nobody to mail",
            "owner `ops@team..example` has no e-mail address: not mailed"
        ]
    );
}

#[test]
fn channels_that_cannot_work_are_refused_with_their_position() {
    let repo = minimal();
    repo.write(
        "evident.toml",
        r#"[[channels]]
id = "chat"
webhook = "ftp://hooks.example.com/x"

[[channels]]
id = "chat"
smtp = "smtp://user:pw@mail.example.com:587"
to = ["not an address"]

[[channels]]
id = "both"
webhook = "env:HOOK"
smtp = "smtp://mail.example.com"
from = "a@example.com"

[[alerts]]
id = "failed-tests"
on = "test-status"
channels = ["chta", "nowhere"]

[[alerts]]
id = "owners"
on = "owner-change"
to = ["passed"]
channels = ["both"]
"#,
    );
    let out = repo.run(&["validate"]);
    assert_eq!(out.code, 1, "{}", out.all());
    for expected in [
        "error[E0950]: channel `chat`: a webhook is an `http://` or `https://` URL, not `ftp:`",
        "┌─ evident.toml:3:11",
        "error[E0950]: channel `chat` is defined twice",
        "┌─ evident.toml:6:6",
        "error[E0950]: channel `chat`: credentials do not belong in the URL",
        "error[E0950]: channel `chat`: a mail channel needs `from`",
        "error[E0950]: channel `chat`: `not an address` is not an e-mail address",
        "error[E0950]: channel `both`: both `webhook` and `smtp`",
        "error[E0951]: alert `failed-tests`: no channel `chta`",
        "did you mean `chat`?",
        "error[E0951]: alert `failed-tests`: no channel `nowhere`",
        "error[E0314]: alert `owners`: `to` is for status alerts, not `owner-change`",
    ] {
        assert!(out.stderr.contains(expected), "missing {expected:?} in\n{}", out.stderr);
    }
}

#[test]
fn an_owner_change_alert_without_a_mail_channel_is_a_warning() {
    let repo = minimal();
    repo.write(
        "evident.toml",
        "[[channels]]\nid = \"chat\"\nwebhook = \"https://hooks.example.com/x\"\n\n[[alerts]]\nid = \"owners\"\non = \"owner-change\"\nchannels = [\"chat\"]\n",
    );
    let out = repo.run(&["validate"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stderr.contains("warning[E0952]: alert `owners` mails new owners, but names no mail channel"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_bundled_workflow_sends_the_alerts_on_push_to_main() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/github-workflow.yml");
    let workflow: serde_json::Value =
        serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).expect("the workflow is YAML");
    let steps = workflow["jobs"]["evident"]["steps"].as_array().unwrap();
    let send = steps
        .iter()
        .find(|s| s["run"].as_str().is_some_and(|r| r.contains("evident alerts") && r.contains("--send")))
        .expect("a step that sends the alerts");
    assert!(send["run"].as_str().unwrap().contains("--base \"${{ steps.base.outputs.base }}\""));
    let when = send["if"].as_str().unwrap();
    assert!(
        when.contains("github.event_name == 'push'") && when.contains("github.ref == 'refs/heads/main'"),
        "{when}"
    );
    for var in ["EVIDENT_SMTP_USER", "EVIDENT_SMTP_PASSWORD"] {
        assert_eq!(send["env"][var], format!("${{{{ secrets.{var} }}}}"), "{var}");
    }
}

#[test]
fn a_webhook_that_redirects_is_not_a_delivery() {
    // Following the redirect would turn the POST into a GET, whose 200 read as delivered.
    let server = HttpServer::start(&[302, 200]);
    let (repo, base) = story(&config(Some(&server.url("/hook/T0/secret")), None));
    let (out, json) = send_json(&repo, &base, &[], &[]);
    assert_eq!(out.code, 2, "{}", out.all());
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    let d = &json["deliveries"][0];
    assert_eq!((d["status"].as_str(), d["attempts"].as_u64()), (Some("failed"), Some(1)));
    let reason = d["reason"].as_str().unwrap();
    assert!(reason.contains("HTTP 302: the webhook redirects to http://127.0.0.1:"), "{reason}");
    assert!(!out.all().contains("elsewhere") && !out.all().contains("secret"), "{}", out.all());
}

#[test]
fn a_mail_server_that_never_finishes_its_answer_is_given_up_on() {
    let mail = SmtpServer::start(SmtpScript { endless_greeting: true, ..SmtpScript::default() });
    let (repo, base) = story(&config(None, Some(&mail.url())));
    let started = std::time::Instant::now();
    let (out, json) = send_json(&repo, &base, &[], &[("EVIDENT_SEND_TIMEOUT_MS", "500")]);
    assert_eq!(out.code, 2, "{}", out.all());
    // Two mails, 3 tries of 0.5 s each: well under the minute the server would talk for.
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
    let d = &json["deliveries"][0];
    assert_eq!(d["status"], "failed");
    // On a loaded machine the server's next line may come later than the per-read timeout,
    // which ends the session first: either way the reason says what happened.
    let reason = d["reason"].as_str().unwrap();
    assert!(
        ["the mail server did not finish within 1 s", "the mail server did not answer within 1 s"]
            .contains(&reason),
        "{reason}"
    );
}

#[test]
fn a_mail_server_that_never_answers_is_named_as_such() {
    let mail = SmtpServer::start(SmtpScript { silent: true, ..SmtpScript::default() });
    let (repo, base) = story(&config(None, Some(&mail.url())));
    let (out, json) = send_json(&repo, &base, &[], &[("EVIDENT_SEND_TIMEOUT_MS", "300")]);
    assert_eq!(out.code, 2, "{}", out.all());
    let d = &json["deliveries"][0];
    assert_eq!((d["status"].as_str(), d["attempts"].as_u64()), (Some("failed"), Some(3)));
    // Not "Resource temporarily unavailable (os error 11)", which is how Linux says it.
    let reason = d["reason"].as_str().unwrap();
    assert!(reason.starts_with("the mail server did not "), "{reason}");
    assert!(!out.all().contains("os error"), "{}", out.all());
    // The owner's mail goes to the same server: it is not tried again in this run.
    let owner = &json["deliveries"][1];
    assert_eq!((owner["status"].as_str(), owner["attempts"].as_u64()), (Some("failed"), Some(0)));
    let port = mail.url().rsplit(':').next().unwrap().to_owned();
    assert_eq!(
        owner["reason"],
        format!("not tried: smtp://127.0.0.1:{port} could not be reached for an earlier delivery")
    );
    assert_eq!(mail.connections(), 3);
}

#[test]
fn a_mail_server_that_hangs_up_on_one_recipient_still_gets_the_other_mails() {
    // It greets and takes the sender, then drops the connection at the alert's recipient: the
    // server was reached, so the owner's mail is still tried (and delivered).
    let mail =
        SmtpServer::start(SmtpScript { hang_up_on: Some("security@example.com"), ..SmtpScript::default() });
    let (repo, base) = story(&config(None, Some(&mail.url())));
    let (out, json) = send_json(&repo, &base, &[], &[]);
    assert_eq!(out.code, 2, "{}", out.all());
    let alert = &json["deliveries"][0];
    assert_eq!((alert["status"].as_str(), alert["attempts"].as_u64()), (Some("failed"), Some(3)), "{json}");
    let owner = &json["deliveries"][1];
    assert_eq!(
        (owner["status"].as_str(), owner["attempts"].as_u64()),
        (Some("delivered"), Some(1)),
        "{json}"
    );
    assert_eq!(mail.connections(), 4);
}

#[test]
fn a_webhook_host_that_is_down_is_not_tried_for_the_next_channel() {
    // Two channels on one dead host; the mail server is another host and is served.
    let mail = SmtpServer::start(SmtpScript::default());
    let port = dead_port();
    let mut config = config(Some(&format!("http://127.0.0.1:{port}/hook/one")), Some(&mail.url()));
    config = config.replacen(
        "[[channels]]\nid = \"mail\"",
        &format!("[[channels]]\nid = \"chat2\"\nwebhook = \"http://127.0.0.1:{port}/hook/two\"\n\n[[channels]]\nid = \"mail\""),
        1,
    );
    config =
        config.replacen("channels = [\"chat\", \"mail\"]", "channels = [\"chat\", \"chat2\", \"mail\"]", 1);
    let (repo, base) = story(&config);
    let (out, json) = send_json(&repo, &base, &[], &[]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert_eq!(
        delivery_rows(&json),
        [("chat", "failed", 3), ("chat2", "failed", 0), ("mail", "delivered", 1), ("mail", "delivered", 1)]
    );
    let reason = json["deliveries"][1]["reason"].as_str().unwrap();
    assert_eq!(
        reason,
        format!("not tried: http://127.0.0.1:{port} could not be reached for an earlier delivery")
    );
    assert!(!out.all().contains("/hook/"), "{}", out.all());
}

#[test]
fn a_name_with_a_line_break_does_not_break_the_owner_mail() {
    let mail = SmtpServer::start(SmtpScript::default());
    let people = format!("\n[people]\n\"{BOB}\" = \"Bob\\r\\nBcc: evil@attacker.example\"\n");
    let (repo, base) = story(&(config(None, Some(&mail.url())) + &people));
    for args in [&["--dry-run"][..], &[]] {
        let (out, json) = send_json(&repo, &base, args, &[]);
        assert_eq!(out.code, 0, "{}", out.all());
        assert_eq!(
            json["deliveries"][1]["recipients"][0],
            format!("\"Bob Bcc: evil@attacker.example\" <{BOB}>")
        );
    }
    let owner = &mail.transcripts()[1];
    assert_eq!(owner.iter().filter(|l| l.starts_with("RCPT TO")).count(), 1, "{owner:?}");
    assert!(!owner.iter().any(|l| l.starts_with("Bcc:")), "{owner:?}");
    assert!(owner.contains(&"Hello Bob Bcc: evil@attacker.example,".to_owned()), "{owner:?}");
}
