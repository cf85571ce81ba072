//! The workshop page end to end in a real browser: headless Chromium (Debian's `chromium`,
//! installed by `.ci/run`), driven over the DevTools protocol, loads the page of a running
//! `dorasim serve`, moves the reviewers slider with the keyboard and sees the numbers update;
//! opens the share link in a new page and gets identical numbers; downloads the scenario TOML
//! and runs it with `dorasim run` to the same summary; pins a baseline and sees paired
//! differences (A/B mode).
//!
//! Without Chromium the test is skipped with a message, except under CI (`CI` set), where it
//! fails. Screenshots go to the test's scratch directory; with `DORASIM_SCREENSHOTS=1` they
//! replace the README's in `docs/screenshots/`.

#[path = "common/chromium.rs"]
mod chromium;
#[path = "common/http.rs"]
mod http;

use chromium::chromium;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

const BIN: &str = env!("CARGO_BIN_EXE_dorasim");

/// Headless Chromium with its DevTools socket, stopped when dropped.
struct Browser {
    child: Child,
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    fn start(path: &Path) -> Browser {
        let profile = tempfile::tempdir().expect("profile");
        let mut child = Command::new(path)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        let stderr = child.stderr.take().expect("stderr");
        let mut reader = BufReader::new(stderr);
        let mut line = String::new();
        let url = loop {
            line.clear();
            let n = reader.read_line(&mut line).expect("chromium's log");
            assert!(n > 0, "chromium exited before opening its DevTools socket");
            if let Some(rest) = line.split("DevTools listening on ").nth(1) {
                break rest.trim().to_string();
            }
        };
        // Keep draining the log so that Chromium never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while reader.read_line(&mut sink).is_ok_and(|n| n > 0) {
                sink.clear();
            }
        });
        let (socket, _) = tungstenite::connect(url.as_str()).expect("DevTools socket");
        if let MaybeTlsStream::Plain(stream) = socket.get_ref() {
            stream
                .set_read_timeout(Some(Duration::from_secs(60)))
                .expect("timeout");
        }
        Browser {
            child,
            socket,
            next_id: 1,
            _profile: profile,
        }
    }

    /// Sends a DevTools command (to a page's session, when given) and waits for its result.
    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            message["sessionId"] = json!(s);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .expect("send to chromium");
        loop {
            let reply = self.socket.read().expect("read from chromium");
            let Message::Text(text) = reply else { continue };
            let value: Value = serde_json::from_str(text.as_str()).expect("DevTools JSON");
            if value["id"] == id {
                assert!(value["error"].is_null(), "{method}: {}", value["error"]);
                return value["result"].clone();
            }
        }
    }

    /// Opens `url` in a new page; returns its session.
    fn open(&mut self, url: &str) -> String {
        let target = self.call(None, "Target.createTarget", json!({"url": "about:blank"}));
        let session = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        )["sessionId"]
            .as_str()
            .expect("session")
            .to_string();
        self.call(
            Some(&session),
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 1400, "height": 1900, "deviceScaleFactor": 1, "mobile": false}),
        );
        self.call(Some(&session), "Page.navigate", json!({"url": url}));
        session
    }

    /// Evaluates `expression` in the page and returns its value.
    fn eval(&mut self, session: &str, expression: &str) -> Value {
        let result = self.call(
            Some(session),
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(
            result["exceptionDetails"].is_null(),
            "{expression}: {}",
            result["exceptionDetails"]
        );
        result["result"]["value"].clone()
    }

    /// Waits until the page's run is done; returns the headline means shown on its cards.
    fn wait_done(&mut self, session: &str) -> Vec<(String, f64)> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let state = self.eval(
                session,
                "(() => { const s = document.getElementById('status'); return s ? s.dataset.state : ''; })()",
            );
            if state == "done" {
                break;
            }
            assert!(state != "failed" && state != "refused", "the run failed");
            assert!(
                Instant::now() < deadline,
                "the page did not finish: {state}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let cards = self.eval(
            session,
            "JSON.stringify([...document.querySelectorAll('#cards .card')].map(c => [c.dataset.key, c.dataset.mean]))",
        );
        let cards: Vec<(String, String)> =
            serde_json::from_str(cards.as_str().expect("cards")).expect("cards JSON");
        assert!(cards.len() >= 6, "{cards:?}");
        cards
            .into_iter()
            .map(|(k, v)| (k, v.parse().expect("a mean")))
            .collect()
    }

    /// Presses a key in the page (real input events, as a user's keyboard).
    fn press(&mut self, session: &str, key: &str, code: u32) {
        for kind in ["keyDown", "keyUp"] {
            self.call(
                Some(session),
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code}),
            );
        }
    }

    fn screenshot(&mut self, session: &str, path: &Path) {
        let shot = self.call(
            Some(session),
            "Page.captureScreenshot",
            json!({"format": "png"}),
        );
        let data = decode_base64(shot["data"].as_str().expect("png"));
        std::fs::write(path, data).expect("write screenshot");
    }
}

/// Standard base64 (Chromium's screenshots).
fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let digits: Vec<u32> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, d)| acc | (d << (18 - 6 * i)));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    out
}

fn screenshot_dir(scratch: &Path) -> PathBuf {
    if std::env::var_os("DORASIM_SCREENSHOTS").is_some() {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots")
    } else {
        scratch.to_path_buf()
    }
}

#[test]
fn the_workshop_page_updates_shares_and_downloads() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed, and CI is set: install Debian's `chromium` package"
        );
        eprintln!(
            "SKIPPED: serve_browser needs Chromium (apt-get install chromium, or set CHROMIUM)"
        );
        return;
    };
    let started = Instant::now();
    let scratch = tempfile::tempdir().expect("scratch");
    let shots = screenshot_dir(scratch.path());
    let server = http::Server::start(BIN, &[]);
    let mut browser = Browser::start(&chromium);

    // Load the page: a run of 64 replications starts at once.
    let page = browser.open(&server.url("/?runs=64"));
    let before = browser.wait_done(&page);

    // Move the reviewers slider two steps (6 → 4) with the keyboard: the page reruns.
    browser.eval(
        &page,
        "document.querySelector('input[type=range][data-key=\"review.reviewers\"]').focus()",
    );
    browser.press(&page, "ArrowLeft", 37);
    browser.press(&page, "ArrowLeft", 37);
    std::thread::sleep(Duration::from_millis(300));
    let after = browser.wait_done(&page);
    let link = browser.eval(&page, "location.href");
    let link = link.as_str().expect("the page's URL").to_string();
    assert!(link.contains("set=review.reviewers%3D4"), "{link}");
    assert_ne!(before, after, "the numbers did not change");
    let lead = |m: &[(String, f64)]| {
        m.iter()
            .find(|(k, _)| k == "lead_time_p50_hours")
            .map(|(_, v)| *v)
            .expect("lead time")
    };
    assert!(
        lead(&after) > lead(&before),
        "fewer reviewers, longer lead time"
    );
    browser.screenshot(&page, &shots.join("serve.png"));

    // The share link in a new page: identical numbers.
    let shared = browser.open(&link);
    let again = browser.wait_done(&shared);
    assert_eq!(again, after, "the share link reproduced different numbers");

    // Download the scenario TOML from the page and run it with `dorasim run`.
    let downloads = scratch.path().join("downloads");
    std::fs::create_dir_all(&downloads).expect("downloads dir");
    browser.call(
        None,
        "Browser.setDownloadBehavior",
        json!({"behavior": "allow", "downloadPath": downloads.display().to_string()}),
    );
    browser.eval(&shared, "document.getElementById('download-toml').click()");
    let file = downloads.join("dorasim-scenario.toml");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !file.exists() {
        assert!(Instant::now() < deadline, "no download");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(100));
    let summary: Value = http::run_json(BIN, &file);
    assert_eq!(summary["runs"], 64);
    for (key, mean) in &after {
        assert_eq!(
            summary["metrics"][key]["mean"].as_f64(),
            Some(*mean),
            "{key}: the TOML ran to a different summary"
        );
    }

    // A/B mode: pin this state as the baseline, move the slider back, see paired differences.
    browser.eval(&shared, "document.getElementById('pin').click()");
    browser.wait_done(&shared);
    browser.eval(
        &shared,
        "document.querySelector('input[type=range][data-key=\"review.reviewers\"]').focus()",
    );
    browser.press(&shared, "ArrowRight", 39);
    browser.press(&shared, "ArrowRight", 39);
    std::thread::sleep(Duration::from_millis(300));
    let b = browser.wait_done(&shared);
    assert_eq!(b, before, "B is the scenario as first loaded");
    let diffs = browser.eval(&shared, "document.querySelectorAll('#cards .diff').length");
    assert!(diffs.as_u64().is_some_and(|n| n >= 6), "{diffs}");
    browser.screenshot(&shared, &shots.join("serve-ab.png"));
    eprintln!(
        "serve_browser: {:.1} s, screenshots in {}",
        started.elapsed().as_secs_f64(),
        shots.display()
    );
}
