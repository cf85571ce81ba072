//! A minimal HTTP/1.1 client and a `dorasim serve` process for the serve tests and the load
//! test: enough for JSON requests and server-sent events on loopback, with no dependency.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `dorasim serve`, stopped when dropped.
pub struct Server {
    /// The process.
    pub child: Child,
    /// `127.0.0.1:PORT`.
    pub address: String,
}

impl Server {
    /// Starts `binary serve --port 0 ARGS` and waits for its address.
    pub fn start(binary: &str, args: &[&str]) -> Server {
        let child = Command::new(binary)
            .args(["serve", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start dorasim serve");
        // Owned by the `Server` at once, so that it is stopped whatever happens next.
        let mut server = Server {
            child,
            address: String::new(),
        };
        let stdout = server.child.stdout.take().expect("stdout");
        let mut line = String::new();
        let mut reader = BufReader::new(stdout);
        loop {
            line.clear();
            let n = reader.read_line(&mut line).expect("read the address");
            assert!(n > 0, "dorasim serve exited before printing its address");
            if let Some(rest) = line.split("http://").nth(1) {
                server.address = rest.split('/').next().expect("address").to_string();
                return server;
            }
        }
    }

    /// The page's URL.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// The server's peak resident memory (VmHWM), in KiB, from /proc (Linux only).
    pub fn peak_memory_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response: status, headers (lower-case names) and body.
#[derive(Debug)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body (chunked encoding decoded).
    pub body: String,
}

impl Response {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn connect(address: &str) -> TcpStream {
    let stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .expect("timeout");
    stream
}

fn send(stream: &mut TcpStream, method: &str, path: &str, body: Option<&[u8]>) {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    if let Some(body) = body {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("send");
    if let Some(body) = body {
        // A server may answer (413) and close before reading a large body: not an error here.
        let _ = stream.write_all(body);
    }
}

fn read_head(reader: &mut impl BufRead) -> (u16, Vec<(String, String)>) {
    let mut line = String::new();
    reader.read_line(&mut line).expect("status line");
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {line:?}"));
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).expect("header");
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((n, v)) = l.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    (status, headers)
}

/// Sends a request and reads the whole response.
pub fn request(address: &str, method: &str, path: &str, body: Option<&[u8]>) -> Response {
    let mut stream = connect(address);
    send(&mut stream, method, path, body);
    let mut reader = BufReader::new(stream);
    let (status, headers) = read_head(&mut reader);
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    let mut raw = Vec::new();
    let _ = reader.read_to_end(&mut raw);
    let body = if chunked { dechunk(&raw) } else { raw };
    Response {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// `GET path`.
pub fn get(address: &str, path: &str) -> Response {
    request(address, "GET", path, None)
}

/// `POST path` with a JSON body.
pub fn post(address: &str, path: &str, body: &str) -> Response {
    request(address, "POST", path, Some(body.as_bytes()))
}

fn dechunk(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = raw;
    while let Some(end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&rest[..end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = end + 2;
        let stop = (start + size).min(rest.len());
        out.extend_from_slice(&rest[start..stop]);
        rest = &rest[(stop + 2).min(rest.len())..];
    }
    out
}

/// One server-sent event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    /// Event name.
    pub name: String,
    /// Its data, as JSON.
    pub data: serde_json::Value,
}

/// A stream of server-sent events, read as they arrive.
pub struct Events {
    reader: BufReader<TcpStream>,
    chunked: bool,
    pending: Vec<u8>,
}

impl Events {
    /// Opens `GET path` as an event stream.
    pub fn open(address: &str, path: &str) -> Events {
        let mut stream = connect(address);
        send(&mut stream, "GET", path, None);
        let mut reader = BufReader::new(stream);
        let (status, headers) = read_head(&mut reader);
        assert_eq!(status, 200, "event stream {path}");
        let chunked = headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
        Events {
            reader,
            chunked,
            pending: Vec::new(),
        }
    }

    /// More bytes of the body, or `None` at its end.
    fn more(&mut self) -> Option<()> {
        if self.chunked {
            let mut line = String::new();
            self.reader.read_line(&mut line).ok()?;
            let size = usize::from_str_radix(line.trim(), 16).ok()?;
            if size == 0 {
                return None;
            }
            let mut chunk = vec![0; size + 2];
            self.reader.read_exact(&mut chunk).ok()?;
            self.pending.extend_from_slice(&chunk[..size]);
        } else {
            let mut buf = [0u8; 8192];
            let n = self.reader.read(&mut buf).ok()?;
            if n == 0 {
                return None;
            }
            self.pending.extend_from_slice(&buf[..n]);
        }
        Some(())
    }

    /// The next event (keep-alive comments skipped), or `None` when the stream ends.
    pub fn next_event(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(end) = self.pending.windows(2).position(|w| w == b"\n\n") {
                let block: Vec<u8> = self.pending.drain(..end + 2).collect();
                let text = String::from_utf8_lossy(&block);
                let mut name = "message".to_string();
                let mut data = String::new();
                for line in text.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.strip_prefix(' ').unwrap_or(v));
                    }
                }
                if data.is_empty() {
                    continue;
                }
                let data = serde_json::from_str(&data).expect("event data is JSON");
                return Some(SseEvent { name, data });
            }
            self.more()?;
        }
    }
}

/// `binary run FILE --json --threads 2`, which must succeed: its summary JSON.
pub fn run_json(binary: &str, file: &std::path::Path) -> serde_json::Value {
    let run = Command::new(binary)
        .arg("run")
        .arg(file)
        .args(["--json", "--threads", "2"])
        .output()
        .expect("dorasim run");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).expect("summary JSON")
}
