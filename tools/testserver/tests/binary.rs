//! The binary prints its URL first and serves it; bad flags exit with status 2.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_inferlab-testserver");

/// Kills the child even when an assertion fails.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn first_line(child: &mut Child) -> String {
    let out = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(out)
        .read_line(&mut line)
        .expect("first line");
    line.trim().to_string()
}

#[test]
fn prints_url_then_serves() {
    let child = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--addr",
            "127.0.0.1",
            "--ttft-ms",
            "1",
            "--threads",
            "1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut g = Guard(child);
    let url = first_line(&mut g.0);
    let hostport = url.strip_prefix("http://").expect("http url");
    let mut tcp = TcpStream::connect(hostport).expect("connect");
    tcp.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let body = r#"{"prompt":"hi","max_tokens":2}"#;
    write!(
        tcp,
        "POST /v1/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut resp = String::new();
    tcp.read_to_string(&mut resp).expect("read");
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains("\"completion_tokens\":2"), "{resp}");
}

#[test]
fn tls_writes_the_certificate_before_the_url() {
    let path = std::env::temp_dir().join(format!("inferlab-testserver-{}.pem", std::process::id()));
    let child = Command::new(BIN)
        .args(["--tls", "--cert-out"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut g = Guard(child);
    let url = first_line(&mut g.0);
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let pem = std::fs::read_to_string(&path).expect("cert written");
    assert!(pem.contains("BEGIN CERTIFICATE"));
    let _ = std::fs::remove_file(&path);
}

#[test]
fn bad_flag_exits_2() {
    let out = Command::new(BIN).arg("--bogus").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown flag"));
}

#[test]
fn prints_one_url_per_extra_listener() {
    let child = Command::new(BIN)
        .args(["--port", "0", "--extra-listeners", "2", "--threads", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut g = Guard(child);
    let out = g.0.stdout.take().expect("stdout");
    let mut lines = BufReader::new(out).lines();
    let urls: Vec<String> = (0..3)
        .map(|_| lines.next().expect("a line").expect("utf-8"))
        .collect();
    let mut ports: Vec<&str> = urls
        .iter()
        .map(|u| u.rsplit(':').next().expect("port"))
        .collect();
    ports.sort_unstable();
    ports.dedup();
    assert_eq!(ports.len(), 3, "{urls:?}");
    for u in &urls {
        let hostport = u.strip_prefix("http://").expect("http url");
        TcpStream::connect(hostport).expect("every listener accepts");
    }
}
