//! CORS, static files (SPA fallback, base path), persistence, and start-up failures.

mod common;
use common::*;
use reqwest::Method;
use sandbox::{serve, Error};
use serde_json::json;
use std::path::Path;

#[tokio::test]
async fn cors_preflight_allows_any_origin_with_authorization() {
    let sb = start().await;
    let response = sb
        .client
        .request(Method::OPTIONS, sb.api("1/groups_types/update_metadata/"))
        .header("origin", "https://app.example")
        .header("access-control-request-method", "PATCH")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let h = response.headers();
    assert_eq!(h["access-control-allow-origin"], "*");
    let methods = h["access-control-allow-methods"].to_str().unwrap();
    for m in ["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"] {
        assert!(methods.contains(m), "{methods}");
    }
    let headers = h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(headers.contains("authorization") && headers.contains("content-type"));
    assert!(!h.contains_key("access-control-allow-credentials"));
    // Preflights are not API requests: not logged, not delayed.
    assert_eq!(
        sb.control(Method::GET, "requests", None).await.json,
        json!([])
    );
}

#[tokio::test]
async fn cors_headers_on_answers_including_errors() {
    let sb = start().await;
    for key in [Some(FULL), None] {
        let mut request = sb
            .client
            .get(sb.api("1/groups_types/0/metrics/"))
            .header("origin", "https://app.example");
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.headers()["access-control-allow-origin"], "*");
    }
}

/// As the app's build writes it: a base element for `/` that a sub-path deploy rewrites.
const INDEX: &str = "<!doctype html><head><base href=\"/\" /><title>app</title></head>";

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |p: &str, body: &str| {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    };
    write("index.html", INDEX);
    write("config.json", "{\"host\":\"\"}");
    write("app-1a2b.wasm", "\0asm");
    write("app-1a2b.js", "export default 1;");
    write("assets/style.css", "body{}");
    dir
}

async fn start_site(dir: &Path, base: &str) -> Sb {
    let mut config = config();
    config.static_dir = Some(dir.to_path_buf());
    config.base_path = base.into();
    start_with(config).await
}

async fn fetch(sb: &Sb, path: &str) -> Answer {
    let url = format!("{}{path}", sb.url);
    answer(sb.client.get(url).send().await.unwrap()).await
}

#[tokio::test]
async fn static_files_with_spa_fallback_and_cache_headers() {
    let dir = site();
    let sb = start_site(dir.path(), "/").await;
    let index = fetch(&sb, "/").await;
    assert_eq!(index.status, 200);
    assert!(index.text.contains("<title>app</title>"));
    assert_eq!(index.headers["cache-control"], "no-cache");
    assert!(index.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let wasm = fetch(&sb, "/app-1a2b.wasm").await;
    assert_eq!(wasm.headers["content-type"], "application/wasm");
    assert!(!wasm.headers.contains_key("cache-control"));
    assert_eq!(
        fetch(&sb, "/config.json").await.headers["cache-control"],
        "no-cache"
    );
    assert_eq!(fetch(&sb, "/assets/style.css").await.text, "body{}");
    // Deep links fall back to index.html; missing assets and API paths do not.
    let deep = fetch(&sb, "/groups/0/metrics?offset=25").await;
    assert_eq!(deep.status, 200);
    assert!(deep.text.contains("<title>app</title>"));
    assert_eq!(deep.headers["cache-control"], "no-cache");
    assert_eq!(fetch(&sb, "/missing.js").await.status, 404);
    let api = fetch(&sb, "/api/unknown").await;
    assert_eq!(api.json["code"], "not_found");
    assert_eq!(sb.get(FULL, "1/groups_types/").await.status, 200);
}

#[tokio::test]
async fn static_files_under_a_base_path() {
    let dir = site();
    let sb = start_site(dir.path(), "/console").await;
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in ["/", "/console"] {
        let r = no_redirect
            .get(format!("{}{path}", sb.url))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_redirection(), "{path}");
        assert_eq!(r.headers()["location"], "/console/");
    }
    let index = fetch(&sb, "/console/").await;
    assert!(index.text.contains("<title>app</title>"));
    assert_eq!(
        fetch(&sb, "/console/app-1a2b.wasm").await.headers["content-type"],
        "application/wasm"
    );
    assert!(fetch(&sb, "/console/settings")
        .await
        .text
        .contains("<title>app</title>"));
    assert_eq!(fetch(&sb, "/app-1a2b.wasm").await.status, 404);
    let r = no_redirect
        .get(format!("{}/console/assets", sb.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/console/assets/");
    // The API stays at /api/.
    assert_eq!(sb.get(FULL, "1/groups_types/").await.status, 200);
}

/// The page, its type, no-cache and a Content-Length that matches what was sent.
#[track_caller]
fn assert_index(a: &Answer, path: &str, base_href: &str) {
    assert_eq!(a.status, 200, "{path}");
    assert_eq!(
        a.text,
        format!("<!doctype html><head><base href=\"{base_href}\" /><title>app</title></head>"),
        "{path}"
    );
    assert!(
        a.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{path}"
    );
    assert_eq!(a.headers["cache-control"], "no-cache", "{path}");
    assert_eq!(
        a.headers["content-length"],
        a.text.len().to_string().as_str(),
        "{path}"
    );
}

#[tokio::test]
async fn base_href_points_at_the_base_path_wherever_index_html_is_served() {
    let dir = site();
    let sb = start_site(dir.path(), "/console/").await;
    for path in [
        "/console/",
        "/console/index.html",
        "/console/group-types/0",
        "/console/group-types/0/metrics?offset=25",
    ] {
        assert_index(&fetch(&sb, path).await, path, "/console/");
    }
    // HEAD announces the rewritten length, not the file's.
    let head = sb
        .client
        .head(format!("{}/console/group-types/0", sb.url))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    let rewritten = INDEX.replace("href=\"/\"", "href=\"/console/\"");
    assert_eq!(
        head.headers()["content-length"],
        rewritten.len().to_string().as_str()
    );
    // A range request still gets the whole rewritten page.
    let ranged = sb
        .client
        .get(format!("{}/console/", sb.url))
        .header("range", "bytes=0-9")
        .send()
        .await
        .unwrap();
    assert_index(&answer(ranged).await, "range", "/console/");
    // Other files are served as they are.
    assert_eq!(fetch(&sb, "/console/assets/style.css").await.text, "body{}");
    assert_eq!(
        fetch(&sb, "/console/config.json").await.text,
        "{\"host\":\"\"}"
    );

    // The `<base href="/">` spelling, and a deeper base path.
    std::fs::write(
        dir.path().join("index.html"),
        "<head><base href=\"/\"><title>app</title>",
    )
    .unwrap();
    let sb = start_site(dir.path(), "/tools/groups").await;
    let a = fetch(&sb, "/tools/groups/some/deep/link").await;
    assert_eq!(
        a.text,
        "<head><base href=\"/tools/groups/\"><title>app</title>"
    );
    assert_eq!(
        a.headers["content-length"],
        a.text.len().to_string().as_str()
    );
}

#[tokio::test]
async fn base_href_is_left_alone_at_the_root() {
    let dir = site();
    let sb = start_site(dir.path(), "/").await;
    for path in ["/", "/index.html", "/group-types/0"] {
        assert_index(&fetch(&sb, path).await, path, "/");
    }
}

#[tokio::test]
async fn state_persists_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.sandbox.json");
    let mut config = config();
    config.persist = Some(file.clone());
    let sb = start_with(config.clone()).await;
    let created = sb
        .post(
            FULL,
            "1/groups_types/0/metrics/",
            metric("Survives restarts"),
        )
        .await
        .json;
    sb.patch(
        FULL,
        "1/groups_types/update_metadata/",
        json!([{"group_type_index": 1, "name_singular": "Company"}]),
    )
    .await;
    sb.delete(FULL, "1/groups_types/3/").await;
    let before = sb.state().await;
    sb.server.shutdown().await.unwrap();
    assert!(file.exists());

    let sb = start_with(config.clone()).await;
    assert_eq!(sb.state().await, before);
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        sb.get(FULL, &format!("1/groups_types/0/metrics/{id}/"))
            .await
            .json,
        created
    );
    // Reset goes back to the seed and is persisted too.
    sb.control(Method::POST, "reset", None).await;
    sb.server.shutdown().await.unwrap();
    let sb = start_with(config).await;
    assert_eq!(
        sb.get(FULL, "1/groups_types/")
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

fn bad_seed(text: &str) -> (tempfile::NamedTempFile, sandbox::Config) {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), text).unwrap();
    let mut config = config();
    config.seed = Some(file.path().to_path_buf());
    (file, config)
}

#[tokio::test]
async fn bad_seeds_are_refused_naming_the_file_and_problem() {
    let gt = |i: i64| json!({"group_type": format!("g{i}"), "group_type_index": i});
    let key = json!([{"key": "phx_k", "scopes": ["*"]}]);
    let cases = [
        ("{not json".to_string(), "invalid seed JSON"),
        (json!({"keys": key, "projects": [{"id": 1, "name": "P", "group_types": [gt(0), gt(1), gt(2), gt(3), gt(4), gt(4)]}]}).to_string(), "at most 5"),
        (json!({"keys": key, "projects": [{"id": 1, "name": "P", "metrics": {"0": [
            {"name": "Twice", "filters": {}}, {"name": "Twice", "filters": {}}]}}]}).to_string(), "duplicate metric name \"Twice\""),
        (json!({"keys": key, "projects": [{"id": 1, "name": "P", "metrics": {"0": [
            {"name": "Sum", "math": "sum", "filters": {}}]}}]}).to_string(), "math_property is required"),
        (json!({"keys": key, "projects": [{"id": 1, "name": "P", "group_types": [gt(7)]}]}).to_string(), "0 to 4"),
        (json!({"keys": [], "projects": []}).to_string(), "no keys"),
        (json!({"keys": key, "projects": [], "extra": 1}).to_string(), "unknown field `extra`"),
    ];
    for (text, needle) in cases {
        let (file, config) = bad_seed(&text);
        let err = serve(config).await.expect_err(needle);
        let message = err.to_string();
        assert!(matches!(err, Error::BadData { .. }), "{message}");
        assert_eq!(err.exit_code(), 2);
        assert!(
            message.contains(&file.path().display().to_string()),
            "{message}"
        );
        assert!(message.contains(needle), "{message} lacks {needle}");
    }
    let mut config = config();
    config.seed = Some("/nonexistent/seed.json".into());
    let err = serve(config).await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/nonexistent/seed.json: cannot read seed file"),
        "{err}"
    );
}

#[tokio::test]
async fn port_in_use_is_a_clear_error() {
    let sb = start().await;
    let mut config = config();
    config.port = sb.server.local_addr().port();
    let err = serve(config).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("port {} is already in use", sb.server.local_addr().port())
    );
    assert_eq!(err.exit_code(), 1);
}

#[tokio::test]
async fn bad_flags_are_refused() {
    let mut config = config();
    config.static_dir = Some("/nonexistent/dist".into());
    assert_eq!(serve(config).await.unwrap_err().exit_code(), 2);
    let mut config = self::config();
    config.base_path = "/api/".into();
    assert!(serve(config)
        .await
        .unwrap_err()
        .to_string()
        .contains("/api/"));
    let mut config = self::config();
    config.switches.failure_rate = 2.0;
    assert_eq!(serve(config).await.unwrap_err().exit_code(), 2);
}
