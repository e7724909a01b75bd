//! `[[channels]]` of `evident.toml` and the `channels` that `[[alerts]]`
//! policies name: unique ids, one well-formed URL each, addresses for mail.

use std::collections::HashMap;

use crate::diag::{Code, Diagnostic, Report, did_you_mean};
use crate::load::span_of;
use crate::model::{AlertTrigger, Channel, ChannelKind, Workspace};
use crate::notify::target::{self, Written};
use crate::repo::layout::CONFIG_FILE;

pub(crate) fn check(ws: &Workspace, report: &mut Report) {
    let mut out = Vec::new();
    let at =
        |pointer: &str| report.sources.get(CONFIG_FILE).and_then(|t| span_of(t, pointer)).unwrap_or(0..0);
    let config = &ws.config;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, channel) in config.channels.iter().enumerate() {
        let invalid = |message: String, key: &str| {
            Diagnostic::new(Code::InvalidChannel, format!("channel `{}`: {message}", channel.id))
                .at(CONFIG_FILE, at(&format!("/channels/{i}/{key}")))
        };
        if let Some(&first) = seen.get(channel.id.as_str()) {
            out.push(
                Diagnostic::new(Code::InvalidChannel, format!("channel `{}` is defined twice", channel.id))
                    .at(CONFIG_FILE, at(&format!("/channels/{i}/id")))
                    .label("defined again here")
                    .related(CONFIG_FILE, at(&format!("/channels/{first}/id")), "first defined here")
                    .hint("give each `[[channels]]` its own `id`"),
            );
        } else {
            seen.insert(channel.id.as_str(), i);
        }
        match (&channel.webhook, &channel.smtp) {
            (None, None) => out.push(
                invalid("no `webhook` or `smtp`".to_owned(), "id")
                    .hint("add `webhook = \"https://…\"` (chat) or `smtp = \"smtp://host:587\"` (mail)"),
            ),
            (Some(_), Some(_)) => out.push(
                invalid("both `webhook` and `smtp`".to_owned(), "smtp")
                    .hint("a channel delivers one way: split it into two `[[channels]]`"),
            ),
            (Some(url), None) => {
                if let Some(problem) = url_problem(url, ChannelKind::Webhook) {
                    out.push(invalid(problem, "webhook").hint(
                        "write `webhook = \"https://…\"`, or `webhook = \"env:NAME\"` to read it from a variable",
                    ));
                }
                for key in ["from", "to"] {
                    let set = if key == "from" { channel.from.is_some() } else { !channel.to.is_empty() };
                    if set {
                        out.push(
                            invalid(format!("`{key}` is for mail channels"), key)
                                .hint(format!("remove `{key}`, or use `smtp` instead of `webhook`")),
                        );
                    }
                }
            }
            (None, Some(url)) => {
                if let Some(problem) = url_problem(url, ChannelKind::Smtp) {
                    out.push(invalid(problem, "smtp").hint(
                        "write `smtp = \"smtp://host:587\"` (STARTTLS) or `smtps://host:465` (TLS), or `env:NAME`",
                    ));
                }
                mail_addresses(ws, i, channel, &at, &mut out);
            }
        }
    }
    for (i, alert) in config.alerts.iter().enumerate() {
        for (j, id) in alert.channels.iter().enumerate() {
            if !seen.contains_key(id.as_str()) {
                out.push(
                    Diagnostic::new(Code::UnknownChannel, format!("alert `{}`: no channel `{id}`", alert.id))
                        .at(CONFIG_FILE, at(&format!("/alerts/{i}/channels/{j}")))
                        .maybe_hint(
                            did_you_mean(id, config.channels.iter().map(|c| c.id.as_str()))
                                .or_else(|| Some(format!("add a `[[channels]]` entry with `id = \"{id}\"`"))),
                        ),
                );
            }
        }
        let mails = |c: &&Channel| alert.channels.contains(&c.id) && c.smtp.is_some();
        if alert.on == AlertTrigger::OwnerChange
            && !alert.channels.is_empty()
            && !config.channels.iter().any(|c| mails(&c))
        {
            out.push(
                Diagnostic::new(
                    Code::OwnerChangeWithoutMail,
                    format!("alert `{}` mails new owners, but names no mail channel", alert.id),
                )
                .at(CONFIG_FILE, at(&format!("/alerts/{i}/channels")))
                .hint("add an `smtp` channel to `channels`"),
            );
        }
    }
    report.diagnostics.extend(out);
}

/// What is wrong with a channel URL as written, if anything.
fn url_problem(url: &str, kind: ChannelKind) -> Option<String> {
    match target::written(url) {
        Written::Env(name) if target::is_env_name(name) => None,
        Written::Env(name) => Some(format!("`{name}` is not the name of an environment variable")),
        Written::Url(url) => match kind {
            ChannelKind::Webhook => target::parse_webhook(url).err(),
            ChannelKind::Smtp => target::parse_smtp(url).err(),
        },
    }
}

/// A mail channel's `from` and `to`: present and e-mail addresses. `to` may be left out when
/// only owner-change alerts (which mail the new owner) use the channel.
fn mail_addresses(
    ws: &Workspace,
    i: usize,
    channel: &Channel,
    at: &dyn Fn(&str) -> std::ops::Range<usize>,
    out: &mut Vec<Diagnostic>,
) {
    let invalid = |message: String, key: &str| {
        Diagnostic::new(Code::InvalidChannel, format!("channel `{}`: {message}", channel.id))
            .at(CONFIG_FILE, at(&format!("/channels/{i}/{key}")))
    };
    match &channel.from {
        None => out.push(
            invalid("a mail channel needs `from`".to_owned(), "id")
                .hint("add `from = \"compliance@example.com\"`"),
        ),
        Some(from) if from.parse::<lettre::message::Mailbox>().is_err() => {
            out.push(invalid(format!("`{from}` is not an e-mail address"), "from").hint(
                "write `from = \"compliance@example.com\"` or `\"Compliance <compliance@example.com>\"`",
            ))
        }
        Some(_) => {}
    }
    for (j, to) in channel.to.iter().enumerate() {
        if to.parse::<lettre::message::Mailbox>().is_err() {
            out.push(invalid(format!("`{to}` is not an e-mail address"), &format!("to/{j}")));
        }
    }
    let needs_to = ws
        .config
        .alerts
        .iter()
        .any(|a| a.on != AlertTrigger::OwnerChange && a.channels.contains(&channel.id));
    if channel.to.is_empty() && needs_to {
        out.push(
            invalid("a mail channel needs `to`".to_owned(), "id")
                .hint("add `to = [\"security@example.com\"]`")
                .note("only owner-change alerts, which mail the new owner, can do without"),
        );
    }
}
