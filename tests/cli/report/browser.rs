//! The generated site in a real browser (headless Chromium): no console
//! errors and no requests leaving `file://`, the action filters hide exactly
//! the right rows and keep their state in the URL, a `<script>` in a note is
//! shown as text, and pages fit a phone's width.
//!
//! Without Chromium these tests print why and pass, unless
//! `EVIDENT_BROWSER_TESTS=required` (set by `.ci/run`), which makes them fail.
//! `EVIDENT_SCREENSHOTS=DIR` saves screenshots of the pages they open.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::cdp::{Browser, find_chromium};
use super::{XSS_NOTE, add_long_note, program, report};

/// Chromium, or `None` (with a message) when the tests may be skipped.
fn chromium() -> Option<PathBuf> {
    let found = find_chromium();
    let required = std::env::var("EVIDENT_BROWSER_TESTS").is_ok_and(|v| v == "required");
    match found {
        Some(path) => Some(path),
        None if required => {
            panic!("EVIDENT_BROWSER_TESTS=required but Chromium was not found (set CHROMIUM)")
        }
        None => {
            eprintln!(
                "skipping the browser test: Chromium not found (install `chromium` or set CHROMIUM; CI sets EVIDENT_BROWSER_TESTS=required)"
            );
            None
        }
    }
}

fn url(site: &Path, page: &str) -> String {
    let path = std::fs::canonicalize(site.join(page.split('#').next().unwrap_or(page))).expect("page exists");
    let hash = page.find('#').map(|i| &page[i..]).unwrap_or("");
    format!("file://{}{hash}", path.display())
}

fn save_screenshot(browser: &mut Browser, name: &str) {
    if let Some(dir) = std::env::var_os("EVIDENT_SCREENSHOTS") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), browser.screenshot()).expect("write screenshot");
    }
}

/// Ids of the rows of the action list that are displayed.
fn visible_rows(browser: &mut Browser) -> Vec<String> {
    let v = browser.eval(
        "[...document.querySelectorAll('#action-table tbody tr')].filter(r => r.getClientRects().length > 0).map(r => r.id)",
    );
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().trim_start_matches("action-").to_owned())
        .collect()
}

/// Elements that stick out of the page's width (outside scrolling tables), for messages.
fn overflowing(browser: &mut Browser) -> Value {
    browser.eval(
        "(() => { const w = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')].filter(e => !(e.parentElement && e.parentElement.closest('.table-wrap')) && e.getBoundingClientRect().right > w + 1).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)); })()",
    )
}

fn select(browser: &mut Browser, name: &str, value: &str) {
    let js = format!(
        "(() => {{ const s = document.querySelector('#filters select[name={name}]'); s.value = {value:?}; s.dispatchEvent(new Event('change', {{bubbles: true}})); return s.value; }})()"
    );
    assert_eq!(browser.eval(&js), Value::from(value), "option {value} of {name} exists");
}

fn text(browser: &mut Browser, selector: &str) -> String {
    browser
        .eval(&format!("document.querySelector({selector:?}).textContent"))
        .as_str()
        .unwrap_or("")
        .to_owned()
}

#[test]
fn the_site_in_a_browser() {
    let Some(chromium) = chromium() else { return };
    let repo = program();
    let (run, site) = report(&repo, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    let mut browser = Browser::start(&chromium, 1280, 900, false);

    browser.open(&url(&site, "index.html"));
    assert_eq!(browser.eval("document.title"), Value::from("Compliance report"));
    assert!(
        browser.eval("document.querySelectorAll('.chart svg').length").as_u64() >= Some(2),
        "trend charts"
    );
    save_screenshot(&mut browser, "index");

    browser.open(&url(&site, "actions.html"));
    assert_eq!(
        browser.eval("document.getElementById('filters').hidden"),
        Value::from(false),
        "filters shown"
    );
    assert_eq!(visible_rows(&mut browser), ["backup", "logs", "mfa", "xss"]);
    assert_eq!(text(&mut browser, "#filter-count"), "4 actions");
    select(&mut browser, "owner", "bob@example.com");
    assert_eq!(visible_rows(&mut browser), ["logs", "xss"]);
    assert_eq!(text(&mut browser, "#filter-count"), "Showing 2 of 4 actions");
    // One assessment must match every filter: xss is bob's but not passed.
    select(&mut browser, "test", "passed");
    assert_eq!(visible_rows(&mut browser), ["logs"]);
    assert_eq!(browser.eval("location.hash"), Value::from("#test=passed&owner=bob%40example.com"));
    select(&mut browser, "owner", "none");
    assert_eq!(visible_rows(&mut browser), Vec::<String>::new());
    assert_eq!(browser.eval("document.getElementById('filter-empty').hidden"), Value::from(false));
    save_screenshot(&mut browser, "actions-filtered-empty");
    browser.eval("document.querySelector('#filters button[type=reset]').click()");
    browser.eval("new Promise(r => setTimeout(() => r(true), 20))");
    assert_eq!(visible_rows(&mut browser), ["backup", "logs", "mfa", "xss"]);
    assert_eq!(browser.eval("location.hash"), Value::from(""));

    // A shared link opens filtered.
    browser.open(&url(&site, "index.html"));
    browser.open(&url(&site, "actions.html#regulation=ccpa"));
    assert_eq!(visible_rows(&mut browser), ["backup", "mfa"]);
    assert_eq!(browser.eval("document.querySelector('select[name=regulation]').value"), Value::from("ccpa"));
    save_screenshot(&mut browser, "actions-ccpa");

    // The note with a <script> is text on the page, and nothing ran.
    browser.open(&url(&site, "actions/xss.html"));
    let notes = browser.eval("[...document.querySelectorAll('.notes')].map(n => n.textContent)");
    assert!(notes.as_array().unwrap().iter().any(|n| n == XSS_NOTE), "{notes}");
    assert_eq!(browser.eval("document.scripts.length"), Value::from(1), "only app.js");
    assert_eq!(browser.eval("document.querySelectorAll('main img').length"), Value::from(0));
    let heading = text(&mut browser, "h1");
    assert_eq!(heading, super::XSS_TITLE);
    save_screenshot(&mut browser, "action-xss");

    browser.open(&url(&site, "actions/mfa.html"));
    browser.open(&url(&site, "assessments/gdpr-2026.html"));
    save_screenshot(&mut browser, "assessment");

    assert_eq!(browser.errors, Vec::<String>::new(), "console errors");
    assert_eq!(browser.external_requests, Vec::<String>::new(), "requests leaving file://");
}

#[test]
fn pages_fit_a_phone() {
    let Some(chromium) = chromium() else { return };
    let repo = program();
    add_long_note(&repo);
    let (run, site) = report(&repo, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    // The example repository: long names, many owners and regulations.
    let example = crate::support::TestRepo::example();
    example.git_init();
    example.commit("ana.lima@example.com", "Import");
    let (run, example_site) = report(&example, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    let mut browser = Browser::start(&chromium, 390, 844, true);
    let pages = [
        (&site, "index.html"),
        (&site, "actions.html"),
        (&site, "actions/xss.html"),
        (&site, "assessments/ccpa-2026.html"),
        (&example_site, "index.html"),
        (&example_site, "actions.html"),
        (&example_site, "assessments/hipaa-2026.html"),
        (&example_site, "actions/mfa-admins.html"),
        (&example_site, "soa/hipaa-2026.html"),
    ];
    for (i, (dir, page)) in pages.into_iter().enumerate() {
        browser.open(&url(dir, page));
        // A page wider than the phone is zoomed out (a wider layout viewport) or scrolls sideways.
        let width =
            browser.eval("[document.documentElement.clientWidth, document.documentElement.scrollWidth]");
        let culprits = overflowing(&mut browser);
        assert_eq!(width, serde_json::json!([390, 390]), "{page} is wider than the phone: {culprits}");
        save_screenshot(&mut browser, &format!("phone-{i}-{}", page.replace('/', "-").replace(".html", "")));
    }
    assert_eq!(browser.errors, Vec::<String>::new(), "console errors");
    assert_eq!(browser.external_requests, Vec::<String>::new(), "requests leaving file://");
}

/// The action table at 1,400 pixels: every header is on screen and not
/// clipped by the table's scrolling frame, on the example repository (long
/// titles, several owners and regulations). Before, Owner and the columns
/// after it were cut off.
#[test]
fn action_table_fits_1400_pixels() {
    let Some(chromium) = chromium() else { return };
    let example = crate::support::TestRepo::example();
    example.git_init();
    example.commit("ana.lima@example.com", "Import");
    let (run, site) = report(&example, &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    let mut browser = Browser::start(&chromium, 1400, 900, false);
    for page in ["actions.html", "soa/hipaa-2026.html"] {
        browser.open(&url(&site, page));
        save_screenshot(&mut browser, &format!("wide-{}", page.replace('/', "-").replace(".html", "")));
        let table = if page == "actions.html" { "#action-table" } else { "#soa-table" };
        // Each header: [text, left, right, the frame's left, the frame's right, the window's width].
        let headers = browser.eval(&format!(
            "(() => {{ const t = document.querySelector('{table}'); const f = t.closest('.table-wrap').getBoundingClientRect(); return [...t.querySelectorAll('thead th')].map(h => {{ const r = h.getBoundingClientRect(); return [h.textContent, r.left, r.right, f.left, f.right, document.documentElement.clientWidth]; }}); }})()"
        ));
        let headers = headers.as_array().expect("headers");
        assert!(headers.len() >= 8, "{page}: {headers:?}");
        for h in headers {
            let n = |i: usize| h[i].as_f64().unwrap();
            let (left, right, frame_left, frame_right, width) = (n(1), n(2), n(3), n(4), n(5));
            assert!(
                left >= frame_left - 0.5 && right <= frame_right + 0.5 && right <= width,
                "{page}: column {} is cut off: {left}..{right} in a frame {frame_left}..{frame_right}, window {width}",
                h[0]
            );
        }
        // Nothing to scroll sideways: the frame shows the whole table.
        let scroll = browser.eval(&format!(
            "(() => {{ const f = document.querySelector('{table}').closest('.table-wrap'); return [f.scrollWidth, f.clientWidth]; }})()"
        ));
        assert!(scroll[0].as_f64() <= scroll[1].as_f64(), "{page}: the table scrolls sideways: {scroll}");
    }
    assert_eq!(browser.errors, Vec::<String>::new(), "console errors");
}

/// Screenshots of any rendered site, for people to look at:
/// `EVIDENT_SCREENSHOT_SITE=site EVIDENT_SCREENSHOTS=shots cargo test --test cli screenshots_of_a_site -- --ignored`.
#[test]
#[ignore = "manual: needs EVIDENT_SCREENSHOT_SITE and EVIDENT_SCREENSHOTS"]
fn screenshots_of_a_site() {
    let Some(chromium) = chromium() else { return };
    let Some(site) = std::env::var_os("EVIDENT_SCREENSHOT_SITE").map(PathBuf::from) else { return };
    for (width, height, mobile, prefix) in [(1280, 900, false, "desktop"), (390, 844, true, "phone")] {
        let mut browser = Browser::start(&chromium, width, height, mobile);
        for page in ["index.html", "actions.html"] {
            browser.open(&url(&site, page));
            let width =
                browser.eval("[document.documentElement.clientWidth, document.documentElement.scrollWidth]");
            eprintln!("{prefix} {page}: width {width}, sticking out: {}", overflowing(&mut browser));
            save_screenshot(&mut browser, &format!("{prefix}-{}", page.replace(".html", "")));
        }
        let first_action =
            browser.eval("document.querySelector('#action-table tbody a').getAttribute('href')");
        let first_assessment = {
            browser.open(&url(&site, "index.html"));
            browser.eval("document.querySelector('.card h3 a').getAttribute('href')")
        };
        for (name, href) in [("action", first_action), ("assessment", first_assessment)] {
            browser.open(&url(&site, href.as_str().unwrap()));
            save_screenshot(&mut browser, &format!("{prefix}-{name}"));
        }
        assert_eq!(browser.errors, Vec::<String>::new(), "console errors");
    }
}
