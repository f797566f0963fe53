//! Authentication (401 on metrics, 403 on groups_types), scopes and project-limited keys.

mod common;
use common::*;
use reqwest::Method;
use serde_json::json;

const NOT_AUTH: &str = "Authentication credentials were not provided.";
const BAD_KEY: &str = "Personal API key found in request Authorization header is invalid.";

/// (method, path, family status for auth failures) for every endpoint.
fn endpoints() -> Vec<(Method, &'static str, u16)> {
    let id = "/00000000-0000-4000-8000-000000000000/";
    let metric: &'static str = Box::leak(format!("1/groups_types/0/metrics{id}").into_boxed_str());
    vec![
        (Method::GET, "1/groups_types/", 403),
        (Method::DELETE, "1/groups_types/0/", 403),
        (Method::PATCH, "1/groups_types/update_metadata/", 403),
        (Method::GET, "1/groups_types/0/metrics/", 401),
        (Method::POST, "1/groups_types/0/metrics/", 401),
        (Method::GET, metric, 401),
        (Method::PATCH, metric, 401),
        (Method::PUT, metric, 401),
        (Method::DELETE, metric, 401),
    ]
}

#[tokio::test]
async fn no_key_is_not_authenticated_with_the_family_status() {
    let sb = start().await;
    for (method, path, status) in endpoints() {
        let a = sb
            .send(method.clone(), &sb.api(path), None, Some(&json!([])))
            .await;
        assert_error(
            &a,
            status,
            "authentication_error",
            "not_authenticated",
            NOT_AUTH,
            None,
        );
        assert_eq!(
            a.headers.contains_key("www-authenticate"),
            status == 401,
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn unknown_key_is_authentication_failed_with_the_family_status() {
    let sb = start().await;
    for (method, path, status) in endpoints() {
        let a = sb
            .send(method, &sb.api(path), Some("phx_revoked"), Some(&json!([])))
            .await;
        assert_error(
            &a,
            status,
            "authentication_error",
            "authentication_failed",
            BAD_KEY,
            None,
        );
    }
}

#[tokio::test]
async fn non_bearer_authorization_is_not_authenticated() {
    let sb = start().await;
    let a = answer(
        sb.client
            .get(sb.api("1/groups_types/0/metrics/"))
            .header("authorization", "Basic abc")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(
        &a,
        401,
        "authentication_error",
        "not_authenticated",
        NOT_AUTH,
        None,
    );
}

#[tokio::test]
async fn scopes_per_endpoint() {
    let sb = start().await;
    let denied = |scope: &str| format!("API key missing required scope '{scope}'");
    // Read-only key: reads pass, writes need the write scope.
    assert_eq!(sb.get(READ_ONLY, "1/groups_types/").await.status, 200);
    assert_eq!(
        sb.get(READ_ONLY, "1/groups_types/0/metrics/").await.status,
        200
    );
    let a = sb
        .post(READ_ONLY, "1/groups_types/0/metrics/", metric("Nope"))
        .await;
    assert_error(
        &a,
        403,
        "authentication_error",
        "permission_denied",
        &denied("usage_metric:write"),
        None,
    );
    let a = sb.delete(READ_ONLY, "1/groups_types/0/").await;
    assert_error(
        &a,
        403,
        "authentication_error",
        "permission_denied",
        &denied("group:write"),
        None,
    );
    // Groups-only key: no metrics at all.
    let a = sb.get(GROUPS_ONLY, "1/groups_types/0/metrics/").await;
    assert_error(
        &a,
        403,
        "authentication_error",
        "permission_denied",
        &denied("usage_metric:read"),
        None,
    );
    assert_eq!(sb.get(GROUPS_ONLY, "1/groups_types/").await.status, 200);
    // Where personal keys may rename (the default mode), update_metadata needs group:write.
    let before = sb.state().await;
    let a = sb
        .patch(
            READ_ONLY,
            "1/groups_types/update_metadata/",
            json!([{"group_type_index": 1, "name_singular": "Co"}]),
        )
        .await;
    assert_error(
        &a,
        403,
        "authentication_error",
        "permission_denied",
        &denied("group:write"),
        None,
    );
    assert_eq!(sb.state().await, before, "nothing renamed");
}

#[tokio::test]
async fn write_implies_read() {
    let seed = tempfile::NamedTempFile::new().unwrap();
    let mut value: serde_json::Value = serde_json::from_str(sandbox::seed::DEMO_SEED).unwrap();
    let key = &mut value["keys"][2];
    assert_eq!(key["key"], GROUPS_ONLY);
    key["scopes"] = json!(["group:write", "usage_metric:write"]);
    let text = value.to_string();
    std::fs::write(seed.path(), text).unwrap();
    let mut config = config();
    config.seed = Some(seed.path().to_path_buf());
    let sb = start_with(config).await;
    assert_eq!(sb.get(GROUPS_ONLY, "1/groups_types/").await.status, 200);
    assert_eq!(
        sb.get(GROUPS_ONLY, "1/groups_types/0/metrics/")
            .await
            .status,
        200
    );
    assert_eq!(
        sb.post(GROUPS_ONLY, "1/groups_types/0/metrics/", metric("Writer"))
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn star_scope_has_everything() {
    let sb = start().await;
    assert_eq!(sb.get(FULL, "1/groups_types/").await.status, 200);
    let created = sb
        .post(FULL, "1/groups_types/0/metrics/", metric("Star"))
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(sb.delete(FULL, "1/groups_types/3/").await.status, 204);
}

#[tokio::test]
async fn project_limited_key() {
    let sb = start().await;
    for (path, id) in [("1/groups_types/", 1), ("1/groups_types/0/metrics/", 1)] {
        let a = sb.get(PROJECT_2, path).await;
        let detail = format!("API key does not have access to the requested project: ID {id}.");
        assert_error(
            &a,
            403,
            "authentication_error",
            "permission_denied",
            &detail,
            None,
        );
    }
    assert_eq!(sb.get(PROJECT_2, "2/groups_types/").await.json, json!([]));
    // @current is the user's current project (1), whatever projects the key may reach.
    assert_error(
        &sb.get(PROJECT_2, "@current/groups_types/").await,
        403,
        "authentication_error",
        "permission_denied",
        "API key does not have access to the requested project: ID 1.",
        None,
    );
    assert_eq!(
        sb.get(FULL, "@current/groups_types/")
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[tokio::test]
async fn unknown_project_is_404() {
    let sb = start().await;
    for path in [
        "99/groups_types/",
        "99/groups_types/0/metrics/",
        "abc/groups_types/",
    ] {
        let a = sb.get(FULL, path).await;
        assert_error(
            &a,
            404,
            "invalid_request",
            "not_found",
            "Project not found.",
            None,
        );
    }
}

#[tokio::test]
async fn request_log_never_holds_the_key() {
    let sb = start().await;
    sb.get(FULL, "1/groups_types/").await;
    let log = sb.control(Method::GET, "requests", None).await;
    assert!(!log.text.contains(FULL));
    assert_eq!(log.json[0]["authorization"], true);
}
