//! Webhook delivery: one JSON POST over HTTP or HTTPS (rustls, Mozilla's
//! roots), with connect and overall timeouts.

use std::time::Duration;

use super::retry::Failure;

/// How long to wait for a connection, and for the whole request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timeouts {
    pub connect: Duration,
    pub total: Duration,
}

impl Timeouts {
    /// `total` for a whole try, and at most the default's 10 s of it to connect.
    pub(crate) fn within(total: Duration) -> Self {
        Timeouts { connect: total.min(Timeouts::default().connect), total }
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { connect: Duration::from_secs(10), total: Duration::from_secs(30) }
    }
}

/// Sends `body` (JSON) to `url` once. A 2xx answer is a delivery; a 5xx, 408 or 429 answer or
/// a network failure may pass on a later try; any other answer will not.
pub(crate) fn post(url: &str, body: &[u8], timeouts: Timeouts) -> Result<u16, Failure> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(timeouts.connect))
        .timeout_global(Some(timeouts.total))
        .http_status_as_error(false)
        // A redirect is not followed: ureq would turn the POST into a GET (a 301/302/303), and
        // that GET's 200 would read as a delivery of an alert nobody received.
        .max_redirects(0)
        .user_agent(format!("evident/{}", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut response = agent
        .post(url)
        .header("Content-Type", "application/json; charset=utf-8")
        .send(body)
        .map_err(|e| classify(&e))?;
    let status = response.status();
    if status.is_success() {
        return Ok(status.as_u16());
    }
    if status.is_redirection() {
        let to = response.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default();
        return Err(Failure::permanent(format!(
            "HTTP {}: the webhook redirects to {}, which evident does not follow; set the channel's URL to where the webhook is",
            status.as_u16(),
            url::Url::parse(url)
                .and_then(|u| u.join(to))
                .map_or_else(|_| "(not a URL)".to_owned(), |u| super::target::redact(u.as_str()))
        )));
    }
    // The start of the answer often says why (Slack: "invalid_payload", "no_service").
    let text = response.body_mut().with_config().limit(4096).read_to_string().unwrap_or_default();
    let said = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let said: String = said.chars().take(200).collect();
    let reason = match (status.canonical_reason(), said.is_empty()) {
        (Some(name), true) => format!("HTTP {} {name}", status.as_u16()),
        (Some(name), false) => format!("HTTP {} {name}: {said}", status.as_u16()),
        (None, _) => format!("HTTP {}", status.as_u16()),
    };
    let code = status.as_u16();
    Err(if status.is_server_error() || code == 408 || code == 429 {
        Failure::transient(reason)
    } else {
        Failure::permanent(reason)
    })
}

fn classify(e: &ureq::Error) -> Failure {
    use ureq::{Error as E, Timeout};
    match e {
        // No connection at all: the server's trouble, not this request's.
        E::ConnectionFailed | E::HostNotFound | E::Timeout(Timeout::Connect | Timeout::Resolve) => {
            Failure::unreachable(e.to_string())
        }
        E::Io(io) if refused(io.kind()) => Failure::unreachable(e.to_string()),
        // Trouble after the connection was made (a dropped payload) may be this request's.
        E::Io(_) | E::Timeout(_) | E::Protocol(_) => Failure::transient(e.to_string()),
        _ => Failure::permanent(e.to_string()),
    }
}

/// Whether an I/O error means that no connection could be made.
fn refused(kind: std::io::ErrorKind) -> bool {
    use std::io::ErrorKind as K;
    matches!(kind, K::ConnectionRefused | K::HostUnreachable | K::NetworkUnreachable | K::AddrNotAvailable)
}
