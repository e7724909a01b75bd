//! Notifications: `evident alerts --send` delivers the alerts that fired to
//! the `[[channels]]` their policies name — webhooks get the JSON of
//! `alerts --format json` plus a `text` summary, mail servers a plain-text
//! mail — with retries, and says what was delivered.
//!
//! [`plan`] decides what goes where (pure); [`deliver`] sends it.

pub(crate) mod retry;
pub(crate) mod smtp;
pub(crate) mod target;
pub(crate) mod text;
pub(crate) mod webhook;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use lettre::message::Mailbox;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::alerts::{Event, Fired};
use crate::model::{AlertTrigger, ChannelKind, Config};
use crate::render::alerts::Header;
use retry::{Backoff, Failure};
use target::{Written, written};

/// The environment variables that hold the SMTP login.
pub(crate) const SMTP_USER_VAR: &str = "EVIDENT_SMTP_USER";
pub(crate) const SMTP_PASSWORD_VAR: &str = "EVIDENT_SMTP_PASSWORD";

/// `evident alerts --send --format json`: what was delivered where.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub(crate) struct SendOutput {
    /// The base revision as given.
    pub base: String,
    pub base_commit: String,
    pub head_commit: String,
    /// `--dry-run`: nothing was sent; each delivery shows its message.
    pub dry_run: bool,
    /// Alerts that fired but name no channel: listed by `evident alerts`, sent nowhere.
    pub unrouted: Vec<String>,
    pub deliveries: Vec<Delivery>,
}

impl SendOutput {
    /// The deliveries that failed.
    pub(crate) fn failed(&self) -> impl Iterator<Item = &Delivery> {
        self.deliveries.iter().filter(|d| d.status == Status::Failed)
    }
}

/// One message to one channel (a webhook post, or a mail to its recipients).
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub(crate) struct Delivery {
    /// The channel's id.
    pub channel: String,
    pub kind: ChannelKind,
    /// Where: the webhook's scheme and host (its path is a secret and is not shown), the mail
    /// server, or `env:NAME` when the URL is read from the environment.
    pub destination: String,
    /// Mail: the recipients.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recipients: Vec<String>,
    /// The ids of the alerts in the message.
    pub alerts: Vec<String>,
    pub status: Status,
    /// Tries made (0 when nothing was tried).
    pub attempts: u32,
    /// Why it failed or was skipped; with `--dry-run`, what stops it being sent from here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `--dry-run`: the message that would be sent — the webhook's JSON body, or the mail's
    /// `subject` and `text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Value>,
}

/// What became of a delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Status {
    /// The server accepted it.
    Delivered,
    /// Every try failed, or it could not be tried (a missing variable, a refused login).
    Failed,
    /// There was nobody to send it to (a new owner without an e-mail address).
    Skipped,
    /// `--dry-run`: it would be sent.
    WouldSend,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Delivered => "delivered",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::WouldSend => "would send",
        }
    }
}

/// A delivery and what it carries.
#[derive(Clone, Debug)]
pub(crate) struct Planned {
    pub delivery: Delivery,
    /// The URL or server as written in `evident.toml` (`env:NAME` is resolved when sending).
    pub url: String,
    /// `None` for a delivery skipped while planning.
    pub payload: Option<Payload>,
}

#[derive(Clone, Debug)]
pub(crate) enum Payload {
    /// The JSON body of the POST.
    Webhook(Value),
    Mail {
        from: String,
        to: Vec<String>,
        subject: String,
        text: String,
    },
}

impl Payload {
    /// The message as `--dry-run` shows it.
    pub(crate) fn preview(&self) -> Value {
        match self {
            Payload::Webhook(body) => body.clone(),
            Payload::Mail { from, to, subject, text } => {
                serde_json::json!({ "from": from, "to": to, "subject": subject, "text": text })
            }
        }
    }
}

/// What to send where, in the order of `[[channels]]`: per webhook one post with every alert
/// that names it; per mail channel one mail to its `to` with the alerts that name it, and one
/// mail to each new owner of an owner-change alert that names it (and no mail channel before).
pub(crate) fn plan(config: &Config, header: &Header<'_>, fired: &[Fired]) -> (Vec<Planned>, Vec<String>) {
    let unrouted = fired.iter().filter(|f| f.channels.is_empty()).map(|f| f.id.clone()).collect();
    let mut out = Vec::new();
    // Owner-change alerts already mailed: a new owner gets one mail, through
    // the first mail channel the alert names, however many it names.
    let mut owners_mailed = std::collections::BTreeSet::new();
    for channel in &config.channels {
        let Some((kind, url)) = channel.target() else { continue };
        let named: Vec<Fired> = fired.iter().filter(|f| f.channels.contains(&channel.id)).cloned().collect();
        if named.is_empty() {
            continue;
        }
        let delivery = |alerts: &[Fired], recipients: Vec<String>| Delivery {
            channel: channel.id.clone(),
            kind,
            destination: destination(kind, url),
            recipients,
            alerts: alerts.iter().map(|f| f.id.clone()).collect(),
            status: Status::WouldSend,
            attempts: 0,
            reason: None,
            message: None,
        };
        if kind == ChannelKind::Webhook {
            let mut body = crate::render::alerts::json(header, &named);
            if let Value::Object(map) = &mut body {
                map.insert("text".into(), text::summary(header, &named, Some(text::CHAT_EVENTS)).into());
            }
            out.push(Planned {
                delivery: delivery(&named, Vec::new()),
                url: url.to_owned(),
                payload: Some(Payload::Webhook(body)),
            });
            continue;
        }
        let from = channel.from.clone().unwrap_or_default();
        let (mut owners, rest): (Vec<Fired>, Vec<Fired>) =
            named.into_iter().partition(|f| f.on == AlertTrigger::OwnerChange);
        owners.retain(|f| owners_mailed.insert(f.id.clone()));
        if !rest.is_empty() {
            let payload = Payload::Mail {
                from: from.clone(),
                to: channel.to.clone(),
                subject: text::headline(header, &rest),
                text: text::summary(header, &rest, None),
            };
            out.push(Planned {
                delivery: delivery(&rest, channel.to.clone()),
                url: url.to_owned(),
                payload: Some(payload),
            });
        }
        out.extend(owner_mails(config, url, header, &owners, &from, &delivery));
    }
    (out, unrouted)
}

/// One mail per new owner, with the actions that came to them; a skipped delivery for each
/// owner who has no e-mail address and each action left without an owner.
fn owner_mails(
    config: &Config,
    url: &str,
    header: &Header<'_>,
    fired: &[Fired],
    from: &str,
    delivery: &dyn Fn(&[Fired], Vec<String>) -> Delivery,
) -> Vec<Planned> {
    let mut by_owner: BTreeMap<&str, (Vec<&Event>, Vec<Fired>)> = BTreeMap::new();
    let mut out = Vec::new();
    for alert in fired {
        for event in &alert.events {
            let Event::Owner { after, assessment, action, .. } = event else { continue };
            match after {
                Some(owner) => {
                    let entry = by_owner.entry(owner.as_str()).or_default();
                    entry.0.push(event);
                    if !entry.1.iter().any(|f| f.id == alert.id) {
                        entry.1.push(alert.clone());
                    }
                }
                None => {
                    let mut skipped = delivery(std::slice::from_ref(alert), Vec::new());
                    skipped.status = Status::Skipped;
                    skipped.reason =
                        Some(format!("{assessment} {action} has no owner any more: nobody to mail"));
                    out.push(Planned { delivery: skipped, url: url.to_owned(), payload: None });
                }
            }
        }
    }
    for (owner, (events, alerts)) in by_owner {
        let mut d = delivery(&alerts, vec![owner.to_owned()]);
        let Some(mailbox) = owner_mailbox(config, owner) else {
            d.status = Status::Skipped;
            d.reason = Some(format!("owner `{owner}` has no e-mail address: not mailed"));
            out.push(Planned { delivery: d, url: url.to_owned(), payload: None });
            continue;
        };
        d.recipients = vec![mailbox.to_string()];
        let payload = Payload::Mail {
            from: from.to_owned(),
            to: vec![mailbox.to_string()],
            subject: text::owner_subject(events.len()),
            text: text::owner_mail(config, owner, &events, header),
        };
        out.push(Planned { delivery: d, url: url.to_owned(), payload: Some(payload) });
    }
    out
}

/// The owner as a mail recipient, with their name from `[people]`; `None` if the owner is not
/// an e-mail address.
fn owner_mailbox(config: &Config, owner: &str) -> Option<Mailbox> {
    let address: lettre::Address = owner.parse().ok()?;
    Some(Mailbox::new(config.person_name(owner).and_then(display_name), address))
}

/// A name from `[people]` fit for a mail header: control characters (a line break would start
/// a header of its own, and the mail library refuses to write them) become spaces.
pub(crate) fn display_name(name: &str) -> Option<String> {
    let clean = name.split(char::is_control).flat_map(str::split_whitespace).collect::<Vec<_>>().join(" ");
    (!clean.is_empty()).then_some(clean)
}

/// Where a channel delivers, fit to print.
fn destination(kind: ChannelKind, url: &str) -> String {
    match (written(url), kind) {
        (Written::Env(_), _) => url.trim().to_owned(),
        (Written::Url(u), ChannelKind::Webhook) => target::redact(u),
        (Written::Url(u), ChannelKind::Smtp) => {
            target::parse_smtp(u).map(|s| s.to_string()).unwrap_or_else(|_| "(not a URL)".to_owned())
        }
    }
}

/// What sending needs from outside: the environment (for `env:NAME` URLs and the SMTP
/// login), the retry schedule, the timeouts and a way to wait.
pub(crate) struct Settings<'a> {
    pub env: &'a dyn Fn(&str) -> Option<String>,
    pub backoff: Backoff,
    pub timeouts: webhook::Timeouts,
    pub sleep: &'a dyn Fn(Duration),
    pub dry_run: bool,
}

/// Sends each planned delivery (or, with `dry_run`, shows it) and records what became of it.
/// A failure does not stop the others; but once a server could not be reached on every try,
/// later deliveries to it are not tried (a dead mail server and twenty owners would otherwise
/// hold the run for half an hour).
pub(crate) fn deliver(planned: Vec<Planned>, settings: &Settings<'_>) -> Vec<Delivery> {
    let mut down: HashMap<String, String> = HashMap::new();
    planned
        .into_iter()
        .map(|p| {
            let mut d = p.delivery;
            let Some(payload) = p.payload else { return d };
            let url = target::resolve(&p.url, settings.env);
            if settings.dry_run {
                d.status = Status::WouldSend;
                d.reason = url.err().map(|e| format!("{e} here"));
                d.message = Some(payload.preview());
                return d;
            }
            let server = url.as_deref().ok().and_then(|u| server_of(&payload, u));
            let (result, attempts) = match (url, server.as_ref().and_then(|s| down.get(s))) {
                (Err(e), _) => (Err(Failure::permanent(e)), 0),
                (Ok(_), Some(why)) => (Err(Failure::permanent(why.clone())), 0),
                (Ok(url), None) => match &payload {
                    Payload::Webhook(body) => send_webhook(&url, body, settings),
                    Payload::Mail { from, to, subject, text } => {
                        send_mail(&url, from, to, subject, text, settings)
                    }
                },
            };
            d.attempts = attempts;
            match result {
                Ok(()) => d.status = Status::Delivered,
                Err(failure) => {
                    if let (true, Some(server)) = (failure.unreachable, server) {
                        let why = format!("not tried: {server} could not be reached for an earlier delivery");
                        down.entry(server).or_insert(why);
                    }
                    d.status = Status::Failed;
                    d.reason = Some(failure.reason);
                }
            }
            d
        })
        .collect()
}

/// The server a delivery goes to, as printed: `https://host:port`, `smtp://host:port`
/// (never a webhook's path, which may hold its secret).
fn server_of(payload: &Payload, url: &str) -> Option<String> {
    match payload {
        Payload::Webhook(_) => {
            let url = target::parse_webhook(url).ok()?;
            Some(format!("{}://{}:{}", url.scheme(), url.host_str()?, url.port_or_known_default()?))
        }
        // Host names are case-insensitive; `smtp:` URLs keep the case they were written in.
        Payload::Mail { .. } => target::parse_smtp(url).ok().map(|s| s.to_string().to_ascii_lowercase()),
    }
}

fn send_webhook(url: &str, body: &Value, settings: &Settings<'_>) -> (Result<(), Failure>, u32) {
    if let Err(e) = target::parse_webhook(url) {
        return (Err(Failure::permanent(e)), 0);
    }
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let (result, tries) = retry::run(settings.backoff, settings.sleep, || {
        webhook::post(url, &bytes, settings.timeouts).map(|_| ())
    });
    (result, tries)
}

fn send_mail(
    url: &str,
    from: &str,
    to: &[String],
    subject: &str,
    text: &str,
    settings: &Settings<'_>,
) -> (Result<(), Failure>, u32) {
    let prepared = (|| {
        let server = target::parse_smtp(url).map_err(Failure::permanent)?;
        let login = login(settings.env).map_err(Failure::permanent)?;
        let from: Mailbox =
            from.parse().map_err(|e| Failure::permanent(format!("`from` is not an e-mail address: {e}")))?;
        let to = to
            .iter()
            .map(|t| {
                t.parse().map_err(|e| Failure::permanent(format!("`{t}` is not an e-mail address: {e}")))
            })
            .collect::<Result<Vec<Mailbox>, _>>()?;
        let mail = smtp::Mail { from, to, subject: subject.to_owned(), text: text.to_owned() };
        Ok::<_, Failure>((server, login, mail))
    })();
    let (server, login, mail) = match prepared {
        Ok(p) => p,
        Err(e) => return (Err(e), 0),
    };
    retry::run(settings.backoff, settings.sleep, || {
        smtp::send(&server, login.as_ref(), &mail, settings.timeouts.total)
    })
}

/// The SMTP login from the environment: both variables, or neither.
fn login(env: &dyn Fn(&str) -> Option<String>) -> Result<Option<smtp::Login>, String> {
    let get = |name: &str| env(name).filter(|v| !v.is_empty());
    match (get(SMTP_USER_VAR), get(SMTP_PASSWORD_VAR)) {
        (Some(user), Some(password)) => Ok(Some(smtp::Login { user, password })),
        (None, None) => Ok(None),
        (Some(_), None) => Err(format!("`{SMTP_USER_VAR}` is set but `{SMTP_PASSWORD_VAR}` is not")),
        (None, Some(_)) => Err(format!("`{SMTP_PASSWORD_VAR}` is set but `{SMTP_USER_VAR}` is not")),
    }
}
