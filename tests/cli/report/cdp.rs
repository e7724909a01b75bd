//! A small Chrome DevTools Protocol client for the browser tests: headless
//! Chromium driven over `--remote-debugging-pipe` (the transport Playwright
//! uses), so it needs no port, no WebSocket and no extra crate. Messages are
//! JSON, each followed by a NUL byte; Chromium reads commands on its fd 3 and
//! writes replies and events on its fd 4, which `sh` connects to our pipes.
//!
//! Every page event that reports a problem (console errors, uncaught
//! exceptions, log entries of level error, dialogs) and every request that
//! does not go to a `file:` URL is recorded for the tests to check.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(30);

/// Finds Chromium: `$CHROMIUM`, or `chromium`, `chromium-browser` or `google-chrome` on the PATH.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let paths = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&paths) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// A running headless browser with one page.
pub struct Browser {
    child: Child,
    input: ChildStdin,
    messages: Receiver<Value>,
    next_id: u64,
    session: String,
    _profile: tempfile::TempDir,
    /// Problems the page reported, as text.
    pub errors: Vec<String>,
    /// URLs requested that are not `file:` URLs.
    pub external_requests: Vec<String>,
    load_fired: bool,
}

impl Browser {
    /// Starts Chromium with a page of the given viewport size.
    pub fn start(chromium: &Path, width: u32, height: u32, mobile: bool) -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>/dev/null"#)
            .arg(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--mute-audio",
                "--remote-debugging-pipe",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium");
        let input = child.stdin.take().expect("stdin");
        let output = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(output);
            loop {
                let mut buf = Vec::new();
                match reader.read_until(0, &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        buf.pop();
                        if let Ok(v) = serde_json::from_slice::<Value>(&buf)
                            && tx.send(v).is_err()
                        {
                            break;
                        }
                    }
                }
            }
        });
        let mut browser = Browser {
            child,
            input,
            messages: rx,
            next_id: 0,
            session: String::new(),
            _profile: profile,
            errors: Vec::new(),
            external_requests: Vec::new(),
            load_fired: false,
        };
        let target = browser.call("Target.createTarget", json!({"url": "about:blank"}));
        let target_id = target["targetId"].as_str().expect("target id").to_owned();
        let attached = browser.call("Target.attachToTarget", json!({"targetId": target_id, "flatten": true}));
        browser.session = attached["sessionId"].as_str().expect("session id").to_owned();
        for domain in ["Page.enable", "Runtime.enable", "Log.enable", "Network.enable"] {
            browser.call(domain, json!({}));
        }
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        );
        browser
    }

    /// Sends a command (to the page once attached) and waits for its result.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        let mut bytes = serde_json::to_vec(&message).expect("json");
        bytes.push(0);
        self.input.write_all(&bytes).expect("write to chromium");
        self.input.flush().expect("flush");
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let m = self.receive(deadline).unwrap_or_else(|| panic!("no answer to {method}"));
            if m["id"].as_u64() == Some(id) {
                if let Some(error) = m.get("error") {
                    panic!("{method} failed: {error}");
                }
                return m["result"].clone();
            }
            self.event(&m);
        }
    }

    fn receive(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        self.messages.recv_timeout(left).ok()
    }

    /// Records what an event says about problems and requests.
    fn event(&mut self, m: &Value) {
        let params = &m["params"];
        match m["method"].as_str().unwrap_or("") {
            "Page.loadEventFired" => self.load_fired = true,
            "Runtime.consoleAPICalled" if params["type"] == "error" || params["type"] == "assert" => {
                self.errors.push(format!("console.{}: {}", params["type"], params["args"]))
            }
            "Runtime.exceptionThrown" => {
                self.errors.push(format!("exception: {}", params["exceptionDetails"]))
            }
            "Log.entryAdded" if params["entry"]["level"] == "error" => {
                self.errors.push(format!("log: {}", params["entry"]))
            }
            "Page.javascriptDialogOpening" => {
                self.errors.push(format!("dialog: {}", params["message"]));
            }
            "Network.requestWillBeSent" => {
                let url = params["request"]["url"].as_str().unwrap_or("");
                if !url.starts_with("file:") && !url.starts_with("data:") && url != "about:blank" {
                    self.external_requests.push(url.to_owned());
                }
            }
            _ => {}
        }
    }

    /// Opens a URL and waits for its load event.
    pub fn open(&mut self, url: &str) {
        self.load_fired = false;
        let navigated = self.call("Page.navigate", json!({"url": url}));
        // A change of the fragment only is a same-document navigation: no load event.
        let same_document = navigated.get("loaderId").is_none();
        let deadline = Instant::now() + TIMEOUT;
        while !self.load_fired && !same_document {
            let m = self.receive(deadline).unwrap_or_else(|| panic!("{url} did not load"));
            self.event(&m);
        }
        // Let deferred scripts and their first effects settle.
        self.eval("new Promise(r => requestAnimationFrame(() => setTimeout(() => r(true), 0)))");
    }

    /// Evaluates JavaScript in the page and returns its value.
    pub fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        if let Some(e) = r.get("exceptionDetails") {
            panic!("`{expression}` threw: {e}");
        }
        r["result"]["value"].clone()
    }

    /// A PNG of the whole page.
    pub fn screenshot(&mut self) -> Vec<u8> {
        let r = self.call("Page.captureScreenshot", json!({"format": "png", "captureBeyondViewport": true}));
        decode_base64(r["data"].as_str().expect("screenshot data"))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.session.clear();
        let mut bytes = serde_json::to_vec(&json!({"id": 0, "method": "Browser.close"})).unwrap_or_default();
        bytes.push(0);
        let _ = self.input.write_all(&bytes);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn decode_base64(text: &str) -> Vec<u8> {
    data_encoding::BASE64.decode(text.as_bytes()).expect("base64 screenshot data")
}

#[test]
fn base64() {
    assert_eq!(decode_base64("aGVsbG8="), b"hello");
    assert_eq!(decode_base64("aGk="), b"hi");
}
