//! `GET /api/personal_api_keys/@current/`: a key reading its own record (scopes, projects,
//! label, masked value), what the rest of that viewset answers a personal key, the switch and
//! flag that remove the route, CORS, and the `origin` field of the request log.

mod common;
use common::*;
use reqwest::Method;
use sandbox::{Config, Switches};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const CURRENT: &str = "/api/personal_api_keys/@current/";
const NOT_AUTH: &str = "Authentication credentials were not provided.";
const BAD_KEY: &str = "Personal API key found in request Authorization header is invalid.";
const SELF_ONLY: &str = "This action does not support Personal API Key access";
const FIELDS: [&str; 11] = [
    "id",
    "label",
    "value",
    "mask_value",
    "created_at",
    "last_used_at",
    "user_id",
    "scopes",
    "scoped_teams",
    "scoped_organizations",
    "last_rolled_at",
];

/// `path` on the sandbox (not under `/api/projects/` as `Sb::api` is).
fn url(sb: &Sb, path: &str) -> String {
    format!("{}{path}", sb.url)
}

async fn current(sb: &Sb, key: Option<&str>) -> Answer {
    sb.send(Method::GET, &url(sb, CURRENT), key, None).await
}

/// The demo keys' answers, apart from the times (checked on their own below).
fn expected(index: usize) -> (&'static str, Value) {
    let rows = [
        (FULL, "Groups console (all access)", json!(["*"]), json!([])),
        (
            READ_ONLY,
            "Read-only reporting",
            json!(["group:read", "usage_metric:read"]),
            json!([]),
        ),
        (
            GROUPS_ONLY,
            "Group types only, no metrics",
            json!(["group:read", "group:write"]),
            json!([]),
        ),
        (PROJECT_2, "Empty project only", json!(["*"]), json!([2])),
    ];
    let (key, label, scopes, teams) = rows[index].clone();
    let masked = format!("{}...{}", &key[..4], &key[key.len() - 4..]);
    (
        key,
        json!({"id": format!("5eed0000-0000-4000-8000-00000000000{}", index + 1), "label": label,
               "value": null, "mask_value": masked, "user_id": 1, "scopes": scopes,
               "scoped_teams": teams, "scoped_organizations": [], "last_rolled_at": null}),
    )
}

/// The answer without its two times, which depend on the day and the clock.
fn timeless(json: &Value) -> Value {
    let mut json = json.clone();
    let obj = json.as_object_mut().expect("object");
    obj.remove("created_at");
    obj.remove("last_used_at");
    json
}

fn is_iso_utc(value: &Value) -> bool {
    value.as_str().is_some_and(|t| {
        t.len() >= 20 && t.ends_with('Z') && t.as_bytes()[10] == b'T' && t.starts_with("20")
    })
}

#[tokio::test]
async fn each_demo_key_reads_its_own_record() {
    let sb = start().await;
    for index in 0..4 {
        let (key, want) = expected(index);
        let a = current(&sb, Some(key)).await;
        assert_eq!(a.status, 200, "{key}: {}", a.text);
        assert_eq!(keys(&a.json), FIELDS, "{key}");
        assert_eq!(timeless(&a.json), want, "{key}");
        assert_eq!(
            a.json["created_at"],
            format!("2026-01-0{}T10:00:00Z", 5 + index),
            "{key}"
        );
        assert!(is_iso_utc(&a.json["last_used_at"]), "{}", a.text);
        // The secret is never in the answer, nor more of it than the 4 + 4 masked characters.
        let mask = a.json["mask_value"].as_str().unwrap();
        assert!(!a.text.contains(key), "{key}");
        assert_ne!(mask, key);
        assert_eq!(mask.len(), 11, "{mask}");
        assert!(!mask.contains(&key[4..key.len() - 4]), "{mask}");
        // Without the trailing slash, and by the key's own id, the answer is the same record.
        let bare = sb
            .send(
                Method::GET,
                &url(&sb, CURRENT.trim_end_matches('/')),
                Some(key),
                None,
            )
            .await;
        assert_eq!((bare.status, &bare.json), (200, &a.json), "{key}");
        let own = format!("/api/personal_api_keys/{}/", want["id"].as_str().unwrap());
        let by_id = sb.send(Method::GET, &url(&sb, &own), Some(key), None).await;
        assert_eq!((by_id.status, &by_id.json), (200, &a.json), "{key}");
    }
}

#[tokio::test]
async fn head_answers_like_get_without_a_body() {
    let sb = start().await;
    let a = sb
        .send(Method::HEAD, &url(&sb, CURRENT), Some(FULL), None)
        .await;
    assert_eq!((a.status, a.text.as_str()), (200, ""));
}

#[tokio::test]
async fn last_used_at_moves_at_most_hourly_as_posthog_saves_it() {
    let sb = start().await;
    let first = current(&sb, Some(READ_ONLY)).await.json["last_used_at"].clone();
    // Another endpoint's use counts too; within the hour the stored time stays.
    sb.get(READ_ONLY, "1/groups_types/").await;
    let again = current(&sb, Some(READ_ONLY)).await.json["last_used_at"].clone();
    assert!(is_iso_utc(&first), "{first}");
    assert_eq!(first, again);
}

#[tokio::test]
async fn seed_labels_and_ids_default_and_short_keys_mask_entirely() {
    let seed = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        seed.path(),
        json!({"keys": [
            {"key": "phx_short", "scopes": ["group:read"]},
            {"key": "phx_with_a_note_and_an_id", "scopes": ["*"], "projects": [1, 2],
             "note": "from the note", "id": "k2"},
        ], "projects": [{"id": 1, "name": "One"}, {"id": 2, "name": "Two"}]})
        .to_string(),
    )
    .unwrap();
    let sb = start_with(Config {
        seed: Some(seed.path().to_path_buf()),
        ..config()
    })
    .await;
    let a = current(&sb, Some("phx_short")).await;
    assert_eq!(
        timeless(&a.json),
        json!({"id": "5eed0000-0000-4000-8000-000000000001", "label": "Personal API key 1",
               "value": null, "mask_value": "********", "user_id": 1, "scopes": ["group:read"],
               "scoped_teams": [], "scoped_organizations": [], "last_rolled_at": null})
    );
    let a = current(&sb, Some("phx_with_a_note_and_an_id")).await;
    assert_eq!(
        (&a.json["id"], &a.json["label"], &a.json["mask_value"]),
        (&json!("k2"), &json!("from the note"), &json!("phx_...n_id"))
    );
    assert_eq!(a.json["scoped_teams"], json!([1, 2]));
}

#[tokio::test]
async fn no_key_and_bad_key_are_401() {
    let sb = start().await;
    let a = current(&sb, None).await;
    assert_error(
        &a,
        401,
        "authentication_error",
        "not_authenticated",
        NOT_AUTH,
        None,
    );
    assert!(a.headers.contains_key("www-authenticate"));
    let a = answer(
        sb.client
            .get(url(&sb, CURRENT))
            .header("authorization", "Basic abc")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(a.json["code"], "not_authenticated");
    let a = current(&sb, Some("phx_revoked")).await;
    assert_error(
        &a,
        401,
        "authentication_error",
        "authentication_failed",
        BAD_KEY,
        None,
    );
    assert!(a.headers.contains_key("www-authenticate"));
}

#[tokio::test]
async fn a_personal_key_may_do_nothing_else_on_the_viewset() {
    let sb = start().await;
    let other_id = "/api/personal_api_keys/5eed0000-0000-4000-8000-000000000001/";
    let refused = [
        (Method::GET, "/api/personal_api_keys/"),
        (Method::GET, "/api/personal_api_keys"),
        (Method::POST, "/api/personal_api_keys/"),
        (Method::PATCH, CURRENT),
        (Method::PUT, CURRENT),
        (Method::DELETE, CURRENT),
        (Method::POST, CURRENT),
        (Method::POST, "/api/personal_api_keys/@current/roll/"),
        (Method::GET, "/api/personal_api_keys/@current/roll"),
        // Another key of the same user: found, then refused by the object permission.
        (Method::GET, other_id),
        (Method::DELETE, other_id),
    ];
    for (method, path) in refused {
        let body = json!({"label": "renamed", "scopes": ["*"]});
        let a = sb
            .send(
                method.clone(),
                &url(&sb, path),
                Some(READ_ONLY),
                Some(&body),
            )
            .await;
        assert_error(
            &a,
            403,
            "authentication_error",
            "permission_denied",
            SELF_ONLY,
            None,
        );
        // Authentication still comes first.
        let a = sb
            .send(method.clone(), &url(&sb, path), None, Some(&body))
            .await;
        assert_eq!(
            (a.status, &a.json["code"]),
            (401, &json!("not_authenticated")),
            "{method} {path}"
        );
    }
    // An id that is none of the user's keys: 404 (checked before the object permission).
    let a = sb
        .send(
            Method::GET,
            &url(&sb, "/api/personal_api_keys/nope/"),
            Some(READ_ONLY),
            None,
        )
        .await;
    assert_error(&a, 404, "invalid_request", "not_found", "Not found.", None);
    // Nothing changed: the key still reads the same record.
    let a = current(&sb, Some(READ_ONLY)).await;
    assert_eq!(timeless(&a.json), expected(1).1);
    // Deeper paths are unknown API paths.
    let a = sb
        .send(
            Method::GET,
            &url(&sb, "/api/personal_api_keys/@current/roll/x/"),
            Some(READ_ONLY),
            None,
        )
        .await;
    assert_eq!(a.status, 404);
}

const ROUTE_GONE: &str =
    r#"{"type":"invalid_request","code":"not_found","detail":"Not found.","attr":null}"#;

#[tokio::test]
async fn the_switch_removes_the_route_and_the_usual_reset_puts_it_back() {
    let sb = start().await;
    assert_eq!(
        sb.control(Method::GET, "switches", None).await.json["current_key_route"],
        true
    );
    let off = sb.set_switches(json!({"current_key_route": false})).await;
    assert_eq!(off.json["current_key_route"], false);
    for key in [Some(FULL), Some("phx_revoked"), None] {
        let a = current(&sb, key).await;
        assert_eq!((a.status, a.text.as_str()), (404, ROUTE_GONE), "{key:?}");
    }
    for path in [
        "/api/personal_api_keys/@current",
        "/api/personal_api_keys/",
        "/api/personal_api_keys/@current/roll/",
    ] {
        let a = sb
            .send(Method::GET, &url(&sb, path), Some(FULL), None)
            .await;
        assert_eq!((a.status, a.text.as_str()), (404, ROUTE_GONE), "{path}");
    }
    // The rest of the API is unaffected.
    assert_eq!(sb.get(FULL, "1/groups_types/").await.status, 200);
    // The missing route is still an API request: logged with its status.
    let log = sb.control(Method::GET, "requests", None).await.json;
    assert!(log
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["path"] == CURRENT && r["status"] == 404));
    sb.set_switches(json!({"current_key_route": true})).await;
    assert_eq!(current(&sb, Some(FULL)).await.status, 200);

    let sb = start_with(Config {
        switches: Switches {
            current_key_route: false,
            ..Switches::default()
        },
        ..config()
    })
    .await;
    assert_eq!(current(&sb, Some(FULL)).await.status, 404);
}

#[test]
fn the_flag_removes_the_route() {
    let (mut child, base) = spawn_binary(["--no-current-key-route"]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (gone, switches) = runtime.block_on(async {
        let client = reqwest::Client::new();
        let gone = client
            .get(format!("{base}{CURRENT}"))
            .bearer_auth(FULL)
            .send()
            .await
            .unwrap();
        let status = gone.status().as_u16();
        let text = gone.text().await.unwrap();
        let switches: Value = client
            .get(format!("{base}/_sandbox/switches"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ((status, text), switches)
    });
    let _ = child.kill();
    wait_with_timeout(&mut child);
    assert_eq!(gone, (404, ROUTE_GONE.to_string()));
    assert_eq!(switches["current_key_route"], false);
}

#[tokio::test]
async fn cors_preflight_and_answers_like_every_api_route() {
    let sb = start().await;
    let r = sb
        .client
        .request(Method::OPTIONS, url(&sb, CURRENT))
        .header("origin", "https://app.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], "*");
    assert!(h["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("GET"));
    assert!(h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase()
        .contains("authorization"));
    assert!(!h.contains_key("access-control-allow-credentials"));
    // Preflights are not API requests: not in the log.
    assert_eq!(
        sb.control(Method::GET, "requests", None).await.json,
        json!([])
    );
    for key in [Some(FULL), None] {
        let mut request = sb
            .client
            .get(url(&sb, CURRENT))
            .header("origin", "https://app.example");
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        let r = request.send().await.unwrap();
        assert_eq!(r.headers()["access-control-allow-origin"], "*");
    }
    // Restricted origins apply here too.
    sb.set_switches(json!({"cors_allowed_origins": ["http://127.0.0.1:5000"]}))
        .await;
    let r = sb
        .client
        .get(url(&sb, CURRENT))
        .header("origin", "https://app.example")
        .bearer_auth(FULL)
        .send()
        .await
        .unwrap();
    assert!(!r.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn failures_and_rate_limits_apply_as_on_every_api_route() {
    let sb = start().await;
    sb.set_switches(json!({"failure_rate": 1.0})).await;
    let a = current(&sb, Some(FULL)).await;
    assert_server_error(&a);
    sb.set_switches(json!({"failure_rate": 0.0, "rate_limit_per_minute": 1}))
        .await;
    assert_eq!(current(&sb, Some(FULL)).await.status, 200);
    let a = current(&sb, Some(FULL)).await;
    assert_eq!((a.status, &a.json["code"]), (429, &json!("throttled")));
    sb.set_switches(json!({"rate_limit_per_minute": null, "latency_ms": 150}))
        .await;
    let started = Instant::now();
    assert_eq!(current(&sb, Some(FULL)).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn request_log_records_the_origin_header_or_null() {
    let sb = start().await;
    answer(
        sb.client
            .patch(sb.api("1/groups_types/update_metadata/"))
            .header("origin", "http://127.0.0.1:5000")
            .bearer_auth(FULL)
            .json(&json!([]))
            .send()
            .await
            .unwrap(),
    )
    .await;
    current(&sb, Some(FULL)).await;
    answer(
        sb.client
            .get(url(&sb, CURRENT))
            .header("origin", "null")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let log = sb.control(Method::GET, "requests", None).await.json;
    let seen: Vec<(&Value, &Value, &Value)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (&r["path"], &r["origin"], &r["status"]))
        .collect();
    assert_eq!(
        seen,
        [
            (
                &json!("/api/projects/1/groups_types/update_metadata/"),
                &json!("http://127.0.0.1:5000"),
                &json!(200)
            ),
            (&json!(CURRENT), &json!(null), &json!(200)),
            // An opaque origin (sandboxed frame, file page) sends the text "null", as sent.
            (&json!(CURRENT), &json!("null"), &json!(401)),
        ]
    );
    assert!(log.as_array().unwrap().iter().all(|r| keys(r)
        == [
            "method",
            "path",
            "query",
            "body",
            "authorization",
            "origin",
            "status"
        ]));
}
