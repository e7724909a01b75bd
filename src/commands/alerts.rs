//! `evident alerts`: the `[[alerts]]` policies a range of commits fires.

use std::time::Duration;

use crate::alerts::{self, Fired, Range};
use crate::commands::args::OutputFormat;
use crate::commands::context::Context;
use crate::commands::output::{require_clean, to_json_text};
use crate::diag::{Code, Diagnostic};
use crate::error::{Error, Outcome, Result};
use crate::history::events::{self, BlobCache};
use crate::history::{GitRepo, snapshot_at};
use crate::model::Config;
use crate::notify::{self, SendOutput, retry::Backoff, webhook::Timeouts};
use crate::render::alerts::{self as render, Header};
use crate::render::notify as send_render;

const AFTER_HELP: &str = r##"Policies in evident.toml:
  [[alerts]]
  id = "failed-tests"
  on = "test-status"
  to = ["failed-low", "failed-medium", "failed-high"]
  notify = ["#compliance", "security@example.com"]

  [[alerts]]
  id = "privacy-score-drop"
  on = "score-decrease"
  threshold = 1.0
  assessments = ["gdpr-2026", "ccpa-2026"]
  channels = ["chat", "mail"]

  [[alerts]]
  id = "new-owner"
  on = "owner-change"        # mails the new owner
  channels = ["mail"]

Channels, for --send:
  [[channels]]
  id = "chat"
  webhook = "env:SLACK_WEBHOOK_URL"     # or "https://…"

  [[channels]]
  id = "mail"
  smtp = "smtp://mail.example.com:587"  # STARTTLS when offered; smtps:// for TLS
  from = "compliance@example.com"
  to = ["security@example.com"]
  # login: EVIDENT_SMTP_USER, EVIDENT_SMTP_PASSWORD (never sent unencrypted)

Examples:
  evident alerts --base origin/main
  evident alerts --base v2026-q3 --format md > alerts.md
  evident alerts --base HEAD~20 --format json --exit-code
  evident alerts --base "$BEFORE" --send --dry-run
  evident alerts --base "$BEFORE" --send --format json"##;

/// List the alerts a range of commits fires, ready for CI to post to chat or mail
///
/// Alert policies are `[[alerts]]` tables in evident.toml (the working tree's,
/// checked as `evident validate` does). A status alert (`on =
/// "implementation-status"` or `"test-status"`) fires for each change of that
/// status in a commit of BASE..HEAD that passes its filters (`to` statuses,
/// `assessments`, `categories`, `owners`, `actions`); merged branches' commits
/// count with their own authors. A score alert (`on = "score-increase"` or
/// `"score-decrease"`) compares the scores at BASE and HEAD: the overall score,
/// or the score of each assessment, category or owner it names, and fires when
/// one moves by more than `threshold` percentage points (default 0: any move).
/// A stale alert (`on = "stale"`) lists test results past their `valid-for`; an
/// owner-change alert (`on = "owner-change"`) each action given to a new owner.
/// `notify` is passed on as it is, for CI to route the alert.
///
/// With `--send`, each alert is delivered to the `[[channels]]` its `channels`
/// name: a webhook gets one JSON POST (this command's `--format json` object
/// plus a `text` summary that Slack and Teams show), a mail channel one mail
/// to its `to`, and each new owner of an owner-change alert their own mail.
/// Failures that may pass (network, HTTP 5xx, SMTP 4xx) are tried 3 times with
/// growing waits. The summary says what was delivered; a channel that still
/// fails makes the exit code 2, after every other channel was tried.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Args {
    /// The start of the range (exclusive): a branch, tag or commit.
    #[arg(long, value_name = "REV")]
    pub base: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Exit with 1 when an alert fired (for CI steps that notify only then).
    #[arg(long)]
    pub exit_code: bool,
    /// Deliver the alerts that fired to the `[[channels]]` their policies name, and say what
    /// was delivered; exit 2 when a channel still fails after retries.
    #[arg(long)]
    pub send: bool,
    /// With `--send`: show what would be sent to each channel, and send nothing.
    #[arg(long, requires = "send")]
    pub dry_run: bool,
    /// The wait after a failed delivery, in milliseconds; it doubles at each of the 3 tries.
    #[arg(long, hide = true, env = "EVIDENT_RETRY_DELAY_MS", default_value_t = 1000, value_name = "MS")]
    pub retry_delay_ms: u64,
    /// How long one delivery try may take in all, in milliseconds (connecting: at most 10 s).
    #[arg(long, hide = true, env = "EVIDENT_SEND_TIMEOUT_MS", default_value_t = 30_000, value_name = "MS")]
    pub send_timeout_ms: u64,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let loaded = ctx.load()?;
    if !require_clean(ui, &loaded.report, args.format.is_json()) {
        return Ok(Outcome::Failed);
    }
    let policies = &loaded.workspace.config.alerts;
    let git = GitRepo::open(&loaded.repo.root)?;
    let head = git.committed_head()?;
    let named = git.resolve(&args.base)?;
    // A base that is not an ancestor (main moved on since the branch left it):
    // compare with where they meet, so the branch's own changes are judged.
    let base = match git.repo.merge_base(named, head) {
        Ok(meet) if meet != named => {
            ui.diagnostic(&Diagnostic::new(
                Code::BaseNotAncestor,
                format!(
                    "`{}` is not an ancestor of HEAD; comparing with their merge base {}",
                    args.base,
                    crate::history::short_id(meet)
                ),
            ));
            meet
        }
        _ => named,
    };
    let (mut before, _) = snapshot_at(&git, base)?;
    let (mut after, unreadable) = snapshot_at(&git, head)?;
    // Assessments with pending updates are scored on the accepted definitions.
    crate::updates::apply_deferred_at(&mut before, &git, Some(base));
    for w in crate::updates::apply_deferred_at(&mut after, &git, Some(head)) {
        ui.diagnostic(&w);
    }
    if !unreadable.is_empty() {
        ui.diagnostic(&Diagnostic::new(
            Code::FilesLeftOut,
            format!("left out of the scores at HEAD, as they do not parse: {}", unreadable.join(", ")),
        ));
    }
    let ids = events::commits(&git, Some(base), head, false)?;
    git.require_complete(&ids, &format!("the alerts of `{}..HEAD`", args.base))?;
    let bar = ui.progress(ids.len() as u64, "Reading");
    let mut commits = Vec::new();
    let mut cache = BlobCache::default();
    events::walk(&git, &ids, events::Parents::All, &mut cache, |c, _| {
        bar.inc(1);
        if !c.states.is_empty() {
            commits.push(c);
        }
    })?;
    bar.finish_and_clear();
    if policies.is_empty() {
        ui.diagnostic(&Diagnostic::new(
            Code::NoAlertPolicies,
            "evident.toml has no `[[alerts]]` policies; `evident alerts --help` shows how to write one",
        ));
    }
    let (scores_before, scores_after) = (crate::score::compute(&before), crate::score::compute(&after));
    let range = Range {
        commits: &commits,
        before: &before,
        after: &after,
        scores_before: &scores_before,
        scores_after: &scores_after,
    };
    let fired = alerts::evaluate(policies, &range);
    let header =
        Header { base: &args.base, base_id: base.to_string(), head_id: head.to_string(), commits: ids.len() };
    let outcome = if args.exit_code && !fired.is_empty() { Outcome::Failed } else { Outcome::Success };
    if args.send {
        send(ctx, &loaded.workspace.config, &header, &fired, &args)?;
        return Ok(outcome);
    }
    ui.out(&match args.format {
        OutputFormat::Human => render::human(&header, &fired, ui.color_stdout),
        OutputFormat::Markdown => render::markdown(&header, &fired),
        OutputFormat::Json => to_json_text(&render::json(&header, &fired)),
    });
    Ok(outcome)
}

/// `--send`: delivers (or, with `--dry-run`, shows) what fired, prints what became of each
/// delivery, and fails naming the channels that could not be reached.
fn send(ctx: &Context, config: &Config, header: &Header<'_>, fired: &[Fired], args: &Args) -> Result<()> {
    let ui = ctx.ui();
    let (planned, unrouted) = notify::plan(config, header, fired);
    let env = |name: &str| std::env::var(name).ok();
    let settings = notify::Settings {
        env: &env,
        backoff: Backoff { attempts: 3, base: Duration::from_millis(args.retry_delay_ms) },
        timeouts: Timeouts::within(Duration::from_millis(args.send_timeout_ms.max(1))),
        sleep: &std::thread::sleep,
        dry_run: args.dry_run,
    };
    let deliveries = notify::deliver(planned, &settings);
    let output = SendOutput {
        base: header.base.to_owned(),
        base_commit: header.base_id.clone(),
        head_commit: header.head_id.clone(),
        dry_run: args.dry_run,
        unrouted,
        deliveries,
    };
    ui.out(&match args.format {
        OutputFormat::Human => {
            render::human(header, fired, ui.color_stdout) + &send_render::human(&output, ui.color_stdout)
        }
        OutputFormat::Markdown => render::markdown(header, fired) + &send_render::markdown(&output),
        OutputFormat::Json => to_json_text(&send_render::json(&output)),
    });
    // Each failing channel once, with its reasons (a mail channel may carry several mails).
    let mut failed: Vec<(&str, Vec<&str>)> = Vec::new();
    for d in output.failed() {
        let reason = d.reason.as_deref().unwrap_or("failed");
        match failed.iter_mut().find(|(c, _)| *c == d.channel) {
            Some((_, reasons)) if !reasons.contains(&reason) => reasons.push(reason),
            Some(_) => {}
            None => failed.push((&d.channel, vec![reason])),
        }
    }
    if failed.is_empty() {
        return Ok(());
    }
    let named: Vec<String> =
        failed.iter().map(|(c, reasons)| format!("channel `{c}`: {}", reasons.join("; "))).collect();
    let mut error = Error::new(format!("could not deliver to {}", named.join(", and to ")));
    if output.failed().any(|d| d.reason.as_deref().is_some_and(|r| r.contains("environment variable"))) {
        error = error.hint(
            "set the variable where evident runs; in GitHub Actions, pass the secret in the step's `env`",
        );
    }
    Err(error.hint("the other channels were still tried; `--send --dry-run` shows what each would be sent"))
}
