//! Local servers for delivery tests: a scripted HTTP server and a scripted
//! SMTP server, each on 127.0.0.1 in a thread of the test, recording what
//! they receive. They answer one request per connection and stop when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A request the HTTP server received.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }
}

/// What a server saw; shared with its thread.
struct Shared<T> {
    seen: Mutex<Vec<T>>,
    connections: Mutex<usize>,
    stop: AtomicBool,
}

/// A listener thread that hands each connection to `serve` until the server is dropped.
struct Listener<T> {
    port: u16,
    shared: Arc<Shared<T>>,
    thread: Option<JoinHandle<()>>,
}

impl<T: Send + 'static> Listener<T> {
    fn start(serve: impl Fn(TcpStream, usize, &Mutex<Vec<T>>) + Send + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("address").port();
        let shared = Arc::new(Shared {
            seen: Mutex::new(Vec::new()),
            connections: Mutex::new(0),
            stop: AtomicBool::new(false),
        });
        let inner = Arc::clone(&shared);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if inner.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let n = {
                    let mut count = inner.connections.lock().unwrap();
                    *count += 1;
                    *count
                };
                serve(stream, n, &inner.seen);
            }
        });
        Listener { port, shared, thread: Some(thread) }
    }

    fn seen(&self) -> Vec<T>
    where
        T: Clone,
    {
        self.shared.seen.lock().unwrap().clone()
    }

    fn connections(&self) -> usize {
        *self.shared.connections.lock().unwrap()
    }
}

impl<T> Drop for Listener<T> {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accepting thread so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// An HTTP server that answers the n-th request with the n-th status of its script (the last
/// one for every request after).
pub struct HttpServer(Listener<Request>);

impl HttpServer {
    pub fn start(statuses: &[u16]) -> Self {
        let statuses = statuses.to_vec();
        HttpServer(Listener::start(move |stream, n, seen| {
            let status = statuses[(n - 1).min(statuses.len() - 1)];
            if let Some(request) = read_request(&stream) {
                seen.lock().unwrap().push(request);
                let body = if status < 300 { "ok" } else { "server trouble" };
                let reason = match status {
                    ..300 => "OK",
                    300..400 => "Found",
                    _ => "Internal Server Error",
                };
                // A redirect sends the client to another path of this server.
                let location = if (300..400).contains(&status) { "Location: /elsewhere\r\n" } else { "" };
                let _ = write!(
                    &stream,
                    "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\n{location}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        }))
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.0.port)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.0.seen()
    }

    pub fn connections(&self) -> usize {
        self.0.connections()
    }
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':')?;
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request { method, path, headers, body: String::from_utf8_lossy(&body).into_owned() })
}

/// How the SMTP server behaves.
#[derive(Clone, Copy, Debug, Default)]
pub struct SmtpScript {
    /// Refuse `MAIL FROM` with `530 Must issue a STARTTLS command first` (a server that only
    /// takes mail over TLS, and offers no STARTTLS this client could use).
    pub require_tls: bool,
    /// Greet with an endless multi-line answer (`220-` lines, one every 100 ms): a server that
    /// keeps talking but never lets the client speak.
    pub endless_greeting: bool,
    /// Accept the connection and never say a word.
    pub silent: bool,
    /// Hang up, without an answer, on `RCPT TO` for this address (some servers drop a client
    /// over one recipient).
    pub hang_up_on: Option<&'static str>,
}

/// A mail server that offers `AUTH PLAIN LOGIN` but no STARTTLS, and records every line a
/// client sends it (one transcript per connection).
pub struct SmtpServer(Listener<Vec<String>>);

impl SmtpServer {
    pub fn start(script: SmtpScript) -> Self {
        SmtpServer(Listener::start(move |stream, _, seen| {
            let transcript = smtp_session(&stream, script);
            seen.lock().unwrap().push(transcript);
        }))
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.0.port)
    }

    /// The lines received, per connection.
    pub fn transcripts(&self) -> Vec<Vec<String>> {
        self.0.seen()
    }

    pub fn connections(&self) -> usize {
        self.0.connections()
    }
}

fn smtp_session(stream: &TcpStream, script: SmtpScript) -> Vec<String> {
    let mut lines = Vec::new();
    let mut reader = BufReader::new(stream);
    let mut out = stream;
    let say = |mut out: &TcpStream, text: &str| {
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    };
    if script.silent {
        // Wait for the client to hang up.
        let _ = reader.read_line(&mut String::new());
        return lines;
    }
    if script.endless_greeting {
        for _ in 0..600 {
            if (&mut out).write_all(b"220-still here\r\n").is_err() {
                return lines;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    say(out, "220 localhost ESMTP test server\r\n");
    let mut in_data = false;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        lines.push(line.clone());
        if in_data {
            if line == "." {
                in_data = false;
                say(out, "250 2.0.0 queued\r\n");
            }
            continue;
        }
        let verb = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
        if verb == "RCPT" && script.hang_up_on.is_some_and(|to| line.contains(to)) {
            break;
        }
        match verb.as_str() {
            "EHLO" | "HELO" => say(out, "250-localhost\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN\r\n"),
            "MAIL" if script.require_tls => say(out, "530 5.7.0 Must issue a STARTTLS command first\r\n"),
            "MAIL" | "RCPT" | "RSET" | "NOOP" => say(out, "250 2.1.0 ok\r\n"),
            "AUTH" => say(out, "235 2.7.0 authenticated\r\n"),
            "DATA" => {
                in_data = true;
                say(out, "354 end data with <CR><LF>.<CR><LF>\r\n");
            }
            "QUIT" => {
                say(out, "221 2.0.0 bye\r\n");
                break;
            }
            _ => say(out, "502 5.5.2 not implemented\r\n"),
        }
    }
    let _ = (&mut out).flush();
    lines
}

/// A port on 127.0.0.1 that nothing listens on.
pub fn dead_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}
