//! The runtime switches and the control API under /_sandbox/.

mod common;
use common::*;
use reqwest::Method;
use serde_json::json;
use std::time::{Duration, Instant};

const UPDATE: &str = "1/groups_types/update_metadata/";
// APIScopePermission's words, capitals as PostHog's code writes them (the contract's
// update_metadata line has them in lower case).
const CLOUD_DETAIL: &str = "This action does not support Personal API Key access";

#[tokio::test]
async fn switches_read_and_partial_update() {
    let sb = start().await;
    let a = sb.control(Method::GET, "switches", None).await;
    assert_eq!(
        a.json,
        json!({"cloud_update_metadata": false, "latency_ms": 0, "failure_rate": 0.0,
               "failure_methods": null, "rate_limit_per_minute": null, "cors_allowed_origins": null, "csp": null,
               "corrupt": null, "fail_write": null, "current_key_route": true,
               "oauth_access_seconds": 3600, "oauth_refresh_seconds": 2592000})
    );
    let a = sb.set_switches(json!({"latency_ms": 5})).await;
    assert_eq!(a.json["latency_ms"], 5);
    assert_eq!(a.json["cloud_update_metadata"], false);
    let a = sb.set_switches(json!({"rate_limit_per_minute": 0})).await;
    assert_eq!(a.json["rate_limit_per_minute"], json!(null));
    for bad in [
        json!({"failure_rate": 1.5}),
        json!({"failure_methods": ["delete"]}),
        json!({"failure_methods": "DELETE"}),
        json!({"latency": 1}),
        json!({"cloud_update_metadata": "yes"}),
        json!({"current_key_route": null}),
        json!({"oauth_access_seconds": 0}),
        json!({"oauth_refresh_seconds": "1"}),
        json!({"cors_allowed_origins": "http://127.0.0.1:5000"}),
        json!({"cors_allowed_origins": ["http://127.0.0.1:5000/"]}),
        json!({"cors_allowed_origins": ["127.0.0.1:5000"]}),
        json!({"cors_allowed_origins": [5000]}),
        json!({"fail_write": {"number": 0, "status": 500}}),
        json!({"fail_write": {"number": 1, "status": 404}}),
        json!({"fail_write": 3}),
        json!([]),
    ] {
        let a = sb
            .control(Method::POST, "switches", Some(bad.clone()))
            .await;
        assert_eq!(a.status, 400, "{bad}");
        assert_eq!(a.json["type"], "validation_error");
    }
    assert_eq!(
        sb.control(Method::GET, "switches/", None).await.json["latency_ms"],
        5
    );
}

#[tokio::test]
async fn cloud_mode_refuses_personal_keys_on_update_metadata_before_reading_the_body() {
    let sb = start().await;
    sb.set_switches(json!({"cloud_update_metadata": true}))
        .await;
    for body in [
        json!([]),
        json!([{"group_type_index": 0, "name_singular": "X"}]),
        json!("not even a list"),
    ] {
        let a = sb.patch(FULL, UPDATE, body).await;
        assert_error(
            &a,
            403,
            "authentication_error",
            "permission_denied",
            CLOUD_DETAIL,
            None,
        );
    }
    assert_eq!(
        sb.get(FULL, "1/groups_types/").await.json[0]["name_singular"],
        "Organization"
    );
    // Other endpoints are unaffected, and a missing key is still not_authenticated.
    assert_eq!(sb.get(FULL, "1/groups_types/").await.status, 200);
    let a = sb
        .send(Method::PATCH, &sb.api(UPDATE), None, Some(&json!([])))
        .await;
    assert_eq!(a.json["code"], "not_authenticated");
    // Off again: the `[]` probe answers 200 with the list.
    sb.set_switches(json!({"cloud_update_metadata": false}))
        .await;
    let a = sb.patch(FULL, UPDATE, json!([])).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json.as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn cloud_mode_from_config() {
    let mut config = config();
    config.switches.cloud_update_metadata = true;
    let sb = start_with(config).await;
    assert_eq!(sb.patch(FULL, UPDATE, json!([])).await.status, 403);
}

#[tokio::test]
async fn latency_delays_api_answers_but_not_control_routes() {
    let sb = start().await;
    sb.set_switches(json!({"latency_ms": 300})).await;
    let started = Instant::now();
    assert_eq!(sb.get(FULL, "1/groups_types/").await.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    let started = Instant::now();
    sb.control(Method::GET, "state", None).await;
    assert!(started.elapsed() < Duration::from_millis(300));
}

/// The move into index 0 creates, then deletes: a test fails the delete alone.
#[tokio::test]
async fn failure_methods_limit_the_failures_to_those_methods() {
    let sb = start().await;
    let before = sb.state().await;
    sb.set_switches(json!({"failure_rate": 1.0, "failure_methods": ["DELETE"]}))
        .await;
    let id = before["projects"][0]["metrics"]["0"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(sb.get(FULL, "1/groups_types/").await.status, 200);
    assert_eq!(
        sb.post(FULL, "1/groups_types/0/metrics/", metric("Stored"))
            .await
            .status,
        201
    );
    let refused = sb
        .delete(FULL, &format!("1/groups_types/0/metrics/{id}/"))
        .await;
    assert_eq!(refused.status, 500);
    let after = sb.state().await;
    assert!(after["projects"][0]["metrics"]["0"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["id"] == id.as_str()));
}

/// The apply of a plan is tested against one chosen write failing (the third, say): reads
/// do not count, the write fails with no change, and the switch clears itself.
#[tokio::test]
async fn fail_write_fails_the_chosen_write_once() {
    let sb = start().await;
    let a = sb
        .set_switches(json!({"fail_write": {"number": 3, "status": 500}}))
        .await;
    assert_eq!(a.json["fail_write"], json!({"number": 3, "status": 500}));
    for name in ["First", "Second"] {
        assert_eq!(sb.get(FULL, "1/groups_types/").await.status, 200);
        let made = sb
            .post(FULL, "1/groups_types/0/metrics/", metric(name))
            .await;
        assert_eq!(made.status, 201, "{name}");
    }
    let third = sb
        .post(FULL, "1/groups_types/0/metrics/", metric("Third"))
        .await;
    assert_eq!(third.status, 500);
    let names = |state: &serde_json::Value| -> Vec<String> {
        state["projects"][0]["metrics"]["0"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!names(&sb.state().await).contains(&"Third".to_string()));
    assert_eq!(
        sb.control(Method::GET, "switches", None).await.json["fail_write"],
        json!(null)
    );
    let again = sb
        .post(FULL, "1/groups_types/0/metrics/", metric("Third"))
        .await;
    assert_eq!(again.status, 201);

    sb.set_switches(json!({"fail_write": {"number": 1, "status": 429}}))
        .await;
    let throttled = sb
        .post(FULL, "1/groups_types/0/metrics/", metric("Fourth"))
        .await;
    assert_eq!(throttled.status, 429);
    assert_eq!(throttled.headers["retry-after"], "1");
    assert!(throttled.json["detail"]
        .as_str()
        .unwrap()
        .contains("1 seconds"));
    assert!(!names(&sb.state().await).contains(&"Fourth".to_string()));
}

#[tokio::test]
async fn failure_rate_one_fails_everything_and_changes_nothing() {
    let sb = start().await;
    let before = sb.state().await;
    sb.set_switches(json!({"failure_rate": 1.0})).await;
    let id = before["projects"][0]["metrics"]["0"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let answers = [
        sb.get(FULL, "1/groups_types/").await,
        sb.post(FULL, "1/groups_types/0/metrics/", metric("Never stored"))
            .await,
        sb.patch(
            FULL,
            &format!("1/groups_types/0/metrics/{id}/"),
            json!({"name": "Never renamed"}),
        )
        .await,
        sb.delete(FULL, &format!("1/groups_types/0/metrics/{id}/"))
            .await,
        sb.delete(FULL, "1/groups_types/0/").await,
        sb.patch(
            FULL,
            UPDATE,
            json!([{"group_type_index": 0, "name_singular": "Never"}]),
        )
        .await,
    ];
    for a in &answers {
        assert_error(
            a,
            500,
            "server_error",
            "error",
            "A server error occurred.",
            None,
        );
    }
    assert_eq!(sb.state().await, before);
    sb.set_switches(json!({"failure_rate": 0.0})).await;
    assert_eq!(sb.get(FULL, "1/groups_types/").await.status, 200);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after_per_key() {
    let sb = start().await;
    sb.set_switches(json!({"rate_limit_per_minute": 3})).await;
    for _ in 0..3 {
        assert_eq!(sb.get(FULL, "1/groups_types/").await.status, 200);
    }
    let a = sb.get(FULL, "1/groups_types/").await;
    assert_eq!(a.status, 429);
    assert_eq!(
        (a.json["type"].as_str(), a.json["code"].as_str()),
        (Some("throttled_error"), Some("throttled"))
    );
    let retry: u64 = a.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(
        a.json["detail"],
        format!("Request was throttled. Expected available in {retry} seconds.")
    );
    assert_eq!(a.json["attr"], json!(null));
    // Another key has its own window; control routes are never limited.
    assert_eq!(sb.get(READ_ONLY, "1/groups_types/").await.status, 200);
    assert_eq!(sb.control(Method::GET, "state", None).await.status, 200);
    // Turning it off lets the key through again.
    sb.set_switches(json!({"rate_limit_per_minute": null}))
        .await;
    assert_eq!(sb.get(FULL, "1/groups_types/").await.status, 200);
}

#[tokio::test]
async fn state_reset_and_request_log() {
    let sb = start().await;
    let seed_state = sb.state().await;
    let projects = seed_state["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 3);
    assert_eq!(
        keys(&projects[0]),
        [
            "id",
            "name",
            "organization",
            "dashboards",
            "warehouse_tables",
            "groups",
            "actions",
            "test_account_filters",
            "group_types",
            "metrics"
        ]
    );
    assert_eq!(
        keys(&projects[1]),
        ["id", "name", "organization", "group_types", "metrics"]
    );
    assert_eq!(keys(&seed_state), ["organizations", "projects"]);
    assert_eq!(projects[0]["metrics"]["0"].as_array().unwrap().len(), 61);
    assert_eq!(keys(&projects[0]["metrics"]["0"][0]), METRIC_FIELDS);

    sb.control(Method::DELETE, "requests", None).await;
    sb.post(FULL, "1/groups_types/0/metrics/?x=1", metric("Logged"))
        .await;
    sb.send(Method::GET, &sb.api("1/groups_types/"), None, None)
        .await;
    let log = sb.control(Method::GET, "requests", None).await.json;
    assert_eq!(
        log,
        json!([
            {"method": "POST", "path": "/api/projects/1/groups_types/0/metrics/", "query": "x=1",
             "body": metric("Logged"), "authorization": true, "origin": null, "status": 201},
            {"method": "GET", "path": "/api/projects/1/groups_types/", "query": null,
             "body": null, "authorization": false, "origin": null, "status": 403},
        ])
    );
    assert_ne!(sb.state().await, seed_state);
    let reset = sb.control(Method::POST, "reset", None).await;
    assert_eq!((reset.status, &reset.json), (200, &seed_state));
    assert_eq!(sb.state().await, seed_state);
    assert_eq!(
        sb.control(Method::DELETE, "requests", None).await.status,
        204
    );
    assert_eq!(
        sb.control(Method::GET, "requests", None).await.json,
        json!([])
    );
    assert_eq!(sb.control(Method::GET, "nope", None).await.status, 404);
}

#[tokio::test]
async fn request_log_keeps_the_last_500() {
    let sb = start().await;
    for i in 0..505 {
        sb.get(FULL, &format!("1/groups_types/?n={i}")).await;
    }
    let log = sb.control(Method::GET, "requests", None).await.json;
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 500);
    assert_eq!(log[0]["query"], "n=5");
    assert_eq!(log[499]["query"], "n=504");
}

const PAGE: &str = "http://127.0.0.1:5000";
const OTHER: &str = "http://localhost:5000";

/// A browser's preflight for a PATCH with a key, from `origin`.
async fn preflight(sb: &Sb, origin: &str) -> reqwest::Response {
    sb.client
        .request(Method::OPTIONS, sb.api(UPDATE))
        .header("origin", origin)
        .header("access-control-request-method", "PATCH")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap()
}

/// A keyed GET from `origin`.
async fn get_from(sb: &Sb, origin: &str) -> reqwest::Response {
    sb.client
        .get(sb.api("1/groups_types/"))
        .bearer_auth(FULL)
        .header("origin", origin)
        .send()
        .await
        .unwrap()
}

/// Every `Access-Control-*` header of an answer.
fn cors_headers(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .keys()
        .map(|name| name.as_str().to_string())
        .filter(|name| name.starts_with("access-control-"))
        .collect()
}

#[tokio::test]
async fn cors_allowed_origins_limit_the_api_to_listed_origins() {
    let sb = start().await;
    let a = sb
        .set_switches(json!({"cors_allowed_origins": [PAGE, "https://app.example"]}))
        .await;
    assert_eq!(
        a.json["cors_allowed_origins"],
        json!([PAGE, "https://app.example"])
    );
    assert_eq!(
        sb.control(Method::GET, "switches", None).await.json["cors_allowed_origins"],
        json!([PAGE, "https://app.example"])
    );

    // A listed origin: its preflight succeeds and answers echo it.
    let r = preflight(&sb, PAGE).await;
    assert!(r.status().is_success());
    assert_eq!(r.headers()["access-control-allow-origin"], PAGE);
    let methods = r.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap();
    assert!(methods.contains("PATCH"), "{methods}");
    let allowed = r.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allowed.contains("authorization"), "{allowed}");
    let r = get_from(&sb, PAGE).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], PAGE);
    assert!(r.headers()["vary"].to_str().unwrap().contains("origin"));

    // Another origin: no CORS headers at all, so the browser blocks the answer.
    let r = preflight(&sb, OTHER).await;
    assert_eq!(cors_headers(&r), Vec::<String>::new());
    let r = get_from(&sb, OTHER).await;
    assert_eq!(r.status(), 200, "simple requests are still processed");
    assert_eq!(cors_headers(&r), Vec::<String>::new());
    // Nor for errors, nor without an Origin (not a browser).
    let r = sb
        .client
        .get(sb.api("1/groups_types/"))
        .header("origin", OTHER)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(cors_headers(&r), Vec::<String>::new());
    let a = sb.get(FULL, "1/groups_types/").await;
    assert!(!a.headers.contains_key("access-control-allow-origin"));
    // Preflights stay out of the request log; the two keyed GETs are in it.
    let log = sb.control(Method::GET, "requests", None).await.json;
    assert!(log
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["method"] != "OPTIONS"));

    // The control API answers any origin regardless.
    let r = sb
        .client
        .get(format!("{}/_sandbox/switches", sb.url))
        .header("origin", OTHER)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "*");

    // An empty list allows nobody.
    sb.set_switches(json!({"cors_allowed_origins": []})).await;
    assert_eq!(
        cors_headers(&preflight(&sb, PAGE).await),
        Vec::<String>::new()
    );

    // Back to null: any origin again, as `*`.
    let a = sb.set_switches(json!({"cors_allowed_origins": null})).await;
    assert_eq!(a.json["cors_allowed_origins"], json!(null));
    for origin in [PAGE, OTHER] {
        assert_eq!(
            preflight(&sb, origin).await.headers()["access-control-allow-origin"],
            "*"
        );
        assert_eq!(
            get_from(&sb, origin).await.headers()["access-control-allow-origin"],
            "*"
        );
    }
}

#[tokio::test]
async fn cors_allowed_origins_from_config() {
    let mut config = config();
    config.switches.cors_allowed_origins = Some(vec![PAGE.into()]);
    let sb = start_with(config).await;
    assert_eq!(
        get_from(&sb, PAGE).await.headers()["access-control-allow-origin"],
        PAGE
    );
    assert_eq!(
        cors_headers(&preflight(&sb, OTHER).await),
        Vec::<String>::new()
    );
    let mut config = self::config();
    config.switches.cors_allowed_origins = Some(vec!["http://127.0.0.1:5000/".into()]);
    assert_eq!(sandbox::serve(config).await.unwrap_err().exit_code(), 2);
}
