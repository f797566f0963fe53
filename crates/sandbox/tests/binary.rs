//! The `sandbox` binary: the listening line, exit codes, graceful shutdown on SIGTERM.

mod common;
use common::{spawn_binary, wait_with_timeout};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_sandbox");

#[tokio::test]
async fn prints_the_listening_line_serves_and_stops_on_sigterm() {
    let (mut child, url) = spawn_binary([
        "--latency-ms",
        "1",
        "--cors-allowed-origin",
        "http://127.0.0.1:5000",
        "--cors-allowed-origin",
        "https://app.example",
    ]);
    let url = url
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected address {url:?}"));
    let port: u16 = url.parse().unwrap();
    let body = reqwest::Client::new()
        .get(format!(
            "http://127.0.0.1:{port}/api/projects/1/groups_types/"
        ))
        .bearer_auth("phx_sandbox_demo_full_access")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("\"organization\""));
    let switches = reqwest::get(format!("http://127.0.0.1:{port}/_sandbox/switches"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(switches.contains("\"latency_ms\":1"), "{switches}");
    assert!(
        switches.contains(
            "\"cors_allowed_origins\":[\"http://127.0.0.1:5000\",\"https://app.example\"]"
        ),
        "{switches}"
    );
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(wait_with_timeout(&mut child).code(), Some(0));
}

#[test]
fn bad_seed_exits_2_naming_the_file() {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), "{\"keys\": [], \"projects\": [}").unwrap();
    let out = Command::new(BIN)
        .args(["--port", "0", "--seed"])
        .arg(file.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&file.path().display().to_string()),
        "{stderr}"
    );
    assert!(stderr.contains("invalid seed JSON"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_cors_origin_exits_2() {
    let out = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--cors-allowed-origin",
            "http://127.0.0.1:5000/",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cors_allowed_origins"), "{stderr}");
}

#[test]
fn port_in_use_exits_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let out = Command::new(BIN)
        .args(["--port", &port.to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("port {port} is already in use")),
        "{stderr}"
    );
}
