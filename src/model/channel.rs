//! Notification channels (`[[channels]]` in `evident.toml`): where
//! `evident alerts --send` delivers the alerts that fired.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A place to deliver alerts (`[[channels]]`): a webhook (chat) or a mail server.
///
/// Exactly one of `webhook` and `smtp`. Any URL may be written `env:NAME` to read it from the
/// environment variable `NAME` when sending, so that a secret (a Slack or Teams webhook URL)
/// stays out of git.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Channel {
    /// The name `[[alerts]] channels = [...]` refers to.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9._-]*$"))]
    pub id: String,
    /// An `http://` or `https://` URL (or `env:NAME`): the alerts are POSTed there as the JSON
    /// object of `evident alerts --format json` plus a `text` field that Slack and Teams display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
    /// A mail server, `smtp://host:port` (STARTTLS when the server offers it) or
    /// `smtps://host:port` (TLS from the start), or `env:NAME`. Credentials come from the
    /// environment variables `EVIDENT_SMTP_USER` and `EVIDENT_SMTP_PASSWORD`, and are never
    /// sent over an unencrypted connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp: Option<String>,
    /// Mail channels: the sender's address (`alerts@example.com` or `Compliance <alerts@example.com>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Mail channels: the recipients' addresses. Owner-change alerts go to the new owner instead.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<String>,
}

/// The two kinds of channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ChannelKind {
    Webhook,
    Smtp,
}

impl ChannelKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Webhook => "webhook",
            ChannelKind::Smtp => "smtp",
        }
    }
}

impl Channel {
    /// The channel's kind and URL as written, when it has exactly one of `webhook` and `smtp`.
    pub(crate) fn target(&self) -> Option<(ChannelKind, &str)> {
        match (&self.webhook, &self.smtp) {
            (Some(url), None) => Some((ChannelKind::Webhook, url)),
            (None, Some(url)) => Some((ChannelKind::Smtp, url)),
            _ => None,
        }
    }
}
