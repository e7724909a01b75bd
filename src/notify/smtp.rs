//! Mail delivery over SMTP (lettre, rustls with Mozilla's roots): `smtps://`
//! starts with TLS; `smtp://` upgrades with STARTTLS whenever the server
//! offers it. Credentials are never sent over an unencrypted connection.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::message::{Mailbox, Message, header::ContentType};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;

use super::retry::Failure;
use super::target::SmtpServer;

/// A mail, ready to be sent: sender, recipients, subject and plain-text body.
#[derive(Clone, Debug)]
pub(crate) struct Mail {
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub subject: String,
    pub text: String,
}

impl Mail {
    /// The envelope and the message's bytes (headers and body, as sent after DATA).
    pub fn build(&self) -> Result<(Envelope, Vec<u8>), Failure> {
        // A Message-ID in the sender's domain (mail without one looks like spam).
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let id = format!("<evident.{nanos}.{}@{}>", std::process::id(), self.from.email.domain());
        let mut builder =
            Message::builder().from(self.from.clone()).subject(self.subject.clone()).message_id(Some(id));
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        let message = builder
            .header(ContentType::TEXT_PLAIN)
            .body(self.text.clone())
            .map_err(|e| Failure::permanent(format!("could not write the mail: {e}")))?;
        Ok((message.envelope().clone(), message.formatted()))
    }
}

/// `EVIDENT_SMTP_USER` and `EVIDENT_SMTP_PASSWORD`.
#[derive(Clone)]
pub(crate) struct Login {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login").field("user", &self.user).finish_non_exhaustive()
    }
}

/// Sends one mail, once, within `timeout` in all: a server that keeps talking without ever
/// finishing its answer (each read arriving within the per-read timeout) is given up on too.
/// The session then goes on in a thread of its own until its socket times out or the
/// process ends.
pub(crate) fn send(
    server: &SmtpServer,
    login: Option<&Login>,
    mail: &Mail,
    timeout: Duration,
) -> Result<(), Failure> {
    let (tx, rx) = std::sync::mpsc::channel();
    let (server, login, mail) = (server.clone(), login.cloned(), mail.clone());
    let greeted = Arc::new(AtomicBool::new(false));
    let greeted_in = Arc::clone(&greeted);
    std::thread::spawn(move || {
        let _ = tx.send(session(&server, login.as_ref(), &mail, timeout, &greeted_in));
    });
    rx.recv_timeout(timeout).unwrap_or_else(|_| {
        let failure =
            Failure::unreachable(format!("the mail server did not finish within {}", seconds(timeout)));
        Err(after_greeting(failure, greeted.load(Ordering::SeqCst)))
    })
}

/// Once the server has greeted and answered EHLO it was reached: what fails later (a dropped
/// connection at RCPT, a slow answer to DATA) may concern this mail or recipient alone, and
/// must not keep the other mails from being tried.
fn after_greeting(failure: Failure, greeted: bool) -> Failure {
    Failure { unreachable: failure.unreachable && !greeted, ..failure }
}

/// `timeout` as a person would say it: whole seconds, rounded up.
fn seconds(timeout: Duration) -> String {
    format!("{} s", timeout.as_secs_f64().ceil())
}

/// One SMTP session; `timeout` bounds the connection and every read and write.
fn session(
    server: &SmtpServer,
    login: Option<&Login>,
    mail: &Mail,
    timeout: Duration,
    greeted: &AtomicBool,
) -> Result<(), Failure> {
    let (envelope, bytes) = mail.build()?;
    let tls = TlsParameters::new(server.host.clone())
        .map_err(|e| Failure::permanent(format!("could not set up TLS for {}: {e}", server.host)))?;
    let hello = ClientId::default();
    let conn = SmtpConnection::connect(
        (server.host.as_str(), server.port),
        Some(timeout),
        &hello,
        server.implicit_tls.then_some(&tls),
        None,
    )
    .map_err(|e| classify(&e, timeout, "could not connect"))?;
    greeted.store(true, Ordering::SeqCst);
    session_after_greeting(server, login, conn, &tls, &hello, (&envelope, &bytes), timeout)
        .map_err(|failure| after_greeting(failure, true))
}

/// The session once the server has greeted: STARTTLS, the login, the mail.
fn session_after_greeting(
    server: &SmtpServer,
    login: Option<&Login>,
    mut conn: SmtpConnection,
    tls: &TlsParameters,
    hello: &ClientId,
    (envelope, bytes): (&Envelope, &[u8]),
    timeout: Duration,
) -> Result<(), Failure> {
    if conn.can_starttls() {
        conn.starttls(tls, hello).map_err(|e| classify(&e, timeout, "STARTTLS failed"))?;
    }
    if let Some(login) = login {
        if !conn.is_encrypted() {
            conn.abort();
            return Err(Failure::permanent(format!(
                "{server} does not offer STARTTLS: refusing to send the SMTP credentials \
                 (EVIDENT_SMTP_USER) in plain text"
            )));
        }
        conn.auth(
            &[Mechanism::Plain, Mechanism::Login],
            &Credentials::new(login.user.clone(), login.password.clone()),
        )
        .map_err(|e| {
            classify(&e, timeout, "the server refused the login (EVIDENT_SMTP_USER, EVIDENT_SMTP_PASSWORD)")
        })?;
    }
    let sent = conn.send(envelope, bytes).map_err(|e| classify(&e, timeout, "the server refused the mail"));
    if sent.is_ok() {
        let _ = conn.quit();
    } else {
        conn.abort();
    }
    sent.map(|_| ())
}

/// SMTP 4xx answers and network trouble may pass; 5xx answers and TLS failures will not.
/// Network trouble and timeouts are the server's, not the mail's ([`Failure::unreachable`]).
fn classify(e: &lettre::transport::smtp::Error, timeout: Duration, context: &str) -> Failure {
    if timed_out(e) {
        // A socket timeout shows as "Resource temporarily unavailable": say what happened.
        return Failure::unreachable(format!("the mail server did not answer within {}", seconds(timeout)));
    }
    let reason = format!("{context}: {e}");
    if e.is_permanent() || e.is_tls() || e.is_client() {
        Failure::permanent(reason)
    } else if e.is_transient() {
        // A 4xx answer: this mail, or this recipient, may pass later.
        Failure::transient(reason)
    } else {
        // No connection, a broken or garbled answer: the server, not this mail.
        Failure::unreachable(reason)
    }
}

/// Whether a read, write or connect ran out of time (Linux reports a socket timeout as
/// `WouldBlock`, other systems as `TimedOut`).
fn timed_out(e: &lettre::transport::smtp::Error) -> bool {
    use std::error::Error as _;
    let mut source = e.source();
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return matches!(io.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock);
        }
        source = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_that_never_greets_is_said_to_not_answer() {
        // The session alone, without `send`'s overall bound, so its own read timeout fires.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hold = std::thread::spawn(move || listener.accept().map(|(stream, _)| stream));
        let server = SmtpServer { host: "127.0.0.1".into(), port, implicit_tls: false };
        let mail = Mail {
            from: "evident <evident@example.org>".parse().unwrap(),
            to: vec!["bob@example.org".parse().unwrap()],
            subject: "s".into(),
            text: "t".into(),
        };
        let failure =
            session(&server, None, &mail, Duration::from_millis(200), &AtomicBool::new(false)).unwrap_err();
        assert_eq!(failure.reason, "the mail server did not answer within 1 s");
        assert!(failure.retry && failure.unreachable);
        drop(hold.join());
    }
}
