//! The `corrupt` switch: successful API GET answers replaced with malformed ones, as a broken
//! proxy, a newer or older PostHog, or a huge project would send them, so that tests can check
//! the app shows a clear message (or the data) and never a blank page or a panic.

use axum::body::{to_bytes, Body};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// The body of the `html` mode's 502, as a proxy in front of PostHog would answer.
pub const HTML_BODY: &str = "<html><body><h1>Bad gateway</h1></body></html>";
/// The body of the `garbage` mode: JSON cut short.
pub const GARBAGE_BODY: &str = "{\"results\": [tru";
/// How many metrics the `huge` mode puts on the metrics list page.
pub const HUGE_COUNT: usize = 10_000;
/// The unknown field the `unknown` mode adds to every object.
pub const UNKNOWN_FIELD: &str = "sandbox_unknown_field";

/// How to corrupt successful API GET answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorruptMode {
    /// 502 with an HTML page.
    Html,
    /// 200 with an empty body.
    Empty,
    /// 200 with JSON cut short.
    Garbage,
    /// 200, every `interval` the string `"soon"`, every `group_type_index` a string.
    WrongTypes,
    /// 200, unknown fields in every object and unknown `format`/`display`/`math` values.
    Unknown,
    /// 200, the metrics list page with 10,000 valid metrics; other GETs unchanged.
    Huge,
}

impl CorruptMode {
    /// The modes' names, as the switch and the flag spell them.
    pub const NAMES: [&'static str; 6] =
        ["html", "empty", "garbage", "wrong_types", "unknown", "huge"];

    /// Parse a mode name (`html`, `empty`, …).
    pub fn parse(name: &str) -> Option<CorruptMode> {
        serde_json::from_value(Value::String(name.to_string())).ok()
    }
}

/// Whether `path` is the metrics list (`/api/projects/{p}/groups_types/{i}/metrics[/]`).
fn is_metrics_list(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    matches!(
        parts.as_slice(),
        ["", "api", "projects", _, "groups_types", _, "metrics"]
    )
}

/// Replace a successful answer's body as `mode` says (other answers are returned unchanged).
pub async fn apply(mode: CorruptMode, path: &str, response: Response) -> Response {
    if !response.status().is_success() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let text = |parts: axum::http::response::Parts, status: StatusCode, body: &'static str| {
        let mut response = Response::from_parts(parts, Body::from(body));
        *response.status_mut() = status;
        response
    };
    match mode {
        CorruptMode::Html => {
            parts.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            text(parts, StatusCode::BAD_GATEWAY, HTML_BODY)
        }
        CorruptMode::Empty => text(parts, StatusCode::OK, ""),
        CorruptMode::Garbage => text(parts, StatusCode::OK, GARBAGE_BODY),
        CorruptMode::WrongTypes | CorruptMode::Unknown | CorruptMode::Huge => {
            let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
            let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
                return Response::from_parts(parts, Body::from(bytes));
            };
            match mode {
                CorruptMode::WrongTypes => wrong_types(&mut value),
                CorruptMode::Unknown => unknown(&mut value),
                _ if is_metrics_list(path) => huge(&mut value),
                _ => {}
            }
            let body = serde_json::to_vec(&value).unwrap_or_default();
            Response::from_parts(parts, Body::from(body))
        }
    }
}

/// Every numeric `interval` becomes `"soon"`, every numeric `group_type_index` a string.
fn wrong_types(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(wrong_types),
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match (key.as_str(), &*v) {
                    ("interval", Value::Number(_)) => *v = json!("soon"),
                    ("group_type_index", Value::Number(n)) => *v = json!(n.to_string()),
                    _ => wrong_types(v),
                }
            }
        }
        _ => {}
    }
}

/// An unknown field in every object; metrics get unknown `format`, `display` and `math`.
fn unknown(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(unknown),
        Value::Object(map) => {
            map.values_mut().for_each(unknown);
            let is_metric = ["format", "display", "math", "interval"]
                .iter()
                .all(|k| map.contains_key(*k));
            if is_metric {
                map.insert("format".into(), json!("percentage"));
                map.insert("display".into(), json!("gauge"));
                map.insert("math".into(), json!("median"));
            }
            map.insert(
                UNKNOWN_FIELD.into(),
                json!({"added_by": "a newer PostHog", "level": 2}),
            );
        }
        _ => {}
    }
}

/// The page becomes 10,000 valid metrics with distinct names and ids, all in one page.
fn huge(value: &mut Value) {
    let Some(page) = value.as_object_mut() else {
        return;
    };
    let results: Vec<Value> = (0..HUGE_COUNT)
        .map(|i| {
            json!({
                "id": format!("00000000-0000-4000-8000-{i:012}"),
                "name": format!("Generated metric {:05}", i + 1),
                "format": "numeric",
                "interval": 7,
                "display": "number",
                "math": "count",
                "math_property": null,
                "filters": {"events": [{"id": "$pageview", "name": "$pageview",
                                        "type": "events", "order": 0}],
                            "actions": [], "properties": [],
                            "filter_test_accounts": false},
            })
        })
        .collect();
    let mut next = Map::new();
    next.insert("count".into(), json!(HUGE_COUNT));
    next.insert("next".into(), Value::Null);
    next.insert("previous".into(), Value::Null);
    next.insert("results".into(), Value::Array(results));
    *page = next;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_paths_match() {
        for name in CorruptMode::NAMES {
            assert!(CorruptMode::parse(name).is_some(), "{name}");
        }
        assert_eq!(CorruptMode::parse("nope"), None);
        assert!(is_metrics_list("/api/projects/1/groups_types/0/metrics/"));
        assert!(is_metrics_list(
            "/api/projects/@current/groups_types/0/metrics"
        ));
        assert!(!is_metrics_list(
            "/api/projects/1/groups_types/0/metrics/x/"
        ));
        assert!(!is_metrics_list("/api/projects/1/groups_types/"));
    }
}
