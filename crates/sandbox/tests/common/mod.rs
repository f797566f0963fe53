//! Shared helpers: start a sandbox in-process on port 0 and talk to it over real HTTP.
#![allow(dead_code)]

use reqwest::header::HeaderMap;
use reqwest::Method;
use sandbox::{serve, Config, RunningServer};
use serde_json::Value;

pub const FULL: &str = "phx_sandbox_demo_full_access";
pub const READ_ONLY: &str = "phx_sandbox_read_only";
pub const GROUPS_ONLY: &str = "phx_sandbox_groups_only";
pub const PROJECT_2: &str = "phx_sandbox_project_2_only";

/// A running sandbox plus a client.
pub struct Sb {
    pub server: RunningServer,
    pub url: String,
    pub client: reqwest::Client,
}

/// An answer: status, headers and the body parsed as JSON (null when empty, string when not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

pub fn config() -> Config {
    Config {
        port: 0,
        ..Config::default()
    }
}

pub async fn start() -> Sb {
    start_with(config()).await
}

pub async fn start_with(config: Config) -> Sb {
    let server = serve(config).await.expect("sandbox starts");
    let url = server.url();
    Sb {
        server,
        url,
        client: reqwest::Client::new(),
    }
}

impl Sb {
    /// `path` relative to `/api/projects/`.
    pub fn api(&self, path: &str) -> String {
        format!("{}/api/projects/{path}", self.url)
    }

    pub async fn send(
        &self,
        method: Method,
        url: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        let mut request = self.client.request(method, url);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        answer(request.send().await.expect("request sent")).await
    }

    pub async fn get(&self, key: &str, path: &str) -> Answer {
        self.send(Method::GET, &self.api(path), Some(key), None)
            .await
    }

    pub async fn post(&self, key: &str, path: &str, body: Value) -> Answer {
        self.send(Method::POST, &self.api(path), Some(key), Some(&body))
            .await
    }

    pub async fn patch(&self, key: &str, path: &str, body: Value) -> Answer {
        self.send(Method::PATCH, &self.api(path), Some(key), Some(&body))
            .await
    }

    pub async fn put(&self, key: &str, path: &str, body: Value) -> Answer {
        self.send(Method::PUT, &self.api(path), Some(key), Some(&body))
            .await
    }

    pub async fn delete(&self, key: &str, path: &str) -> Answer {
        self.send(Method::DELETE, &self.api(path), Some(key), None)
            .await
    }

    /// A control route (`/_sandbox/...`).
    pub async fn control(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let url = format!("{}/_sandbox/{path}", self.url);
        self.send(method, &url, None, body.as_ref()).await
    }

    pub async fn set_switches(&self, switches: Value) -> Answer {
        let a = self.control(Method::POST, "switches", Some(switches)).await;
        assert_eq!(a.status, 200, "{}", a.text);
        a
    }

    pub async fn state(&self) -> Value {
        self.control(Method::GET, "state", None).await.json
    }

    /// Stored metrics of project 1 at `index`, from the control API.
    pub async fn stored_metrics(&self, project: i64, index: i64) -> Vec<Value> {
        let state = self.state().await;
        let project = state["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == project)
            .unwrap()
            .clone();
        project["metrics"][index.to_string()]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body read");
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text.clone()))
    };
    Answer {
        status,
        headers,
        text,
        json,
    }
}

/// Assert a PostHog error envelope, exactly.
#[track_caller]
pub fn assert_error(
    a: &Answer,
    status: u16,
    kind: &str,
    code: &str,
    detail: &str,
    attr: Option<&str>,
) {
    assert_eq!(a.status, status, "status of {}", a.text);
    assert_eq!(
        a.json,
        serde_json::json!({"type": kind, "code": code, "detail": detail, "attr": attr}),
        "envelope"
    );
}

/// PostHog's plain 500: `server_error` / `error`, "A server error occurred.".
pub fn assert_server_error(a: &Answer) {
    assert_error(
        a,
        500,
        "server_error",
        "error",
        "A server error occurred.",
        None,
    );
}

/// A valid metric body with the given name.
pub fn metric(name: &str) -> Value {
    serde_json::json!({
        "name": name,
        "filters": {"events": [{"id": "signed_up", "name": "signed_up", "type": "events", "order": 0}],
                    "actions": [], "properties": [], "filter_test_accounts": false}
    })
}

/// Keys of a JSON object, in order.
pub fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect()
}

/// `GroupUsageMetricSerializer.Meta.fields`, in its order.
pub const METRIC_FIELDS: [&str; 8] = [
    "id",
    "name",
    "format",
    "interval",
    "display",
    "filters",
    "math",
    "math_property",
];

pub const GROUP_TYPE_FIELDS: [&str; 7] = [
    "group_type",
    "group_type_index",
    "name_singular",
    "name_plural",
    "detail_dashboard",
    "default_columns",
    "created_at",
];

/// Starts the sandbox binary with `args` (after `--port 0`) and returns it with the URL its
/// first line announces. The caller kills it.
pub fn spawn_binary<I, S>(args: I) -> (std::process::Child, String)
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim_end()
        .strip_prefix("sandbox listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (child, url)
}

/// Waits up to 20 s for `child` to exit; kills it and fails the test after that.
pub fn wait_with_timeout(child: &mut std::process::Child) -> std::process::ExitStatus {
    use std::time::{Duration, Instant};
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("sandbox did not exit in time");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
