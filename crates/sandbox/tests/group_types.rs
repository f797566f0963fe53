//! Endpoints 1, 2 and 8 over real HTTP: shapes, errors, and update_metadata's odd semantics.

mod common;
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn list_returns_sorted_array_with_exact_fields() {
    let sb = start().await;
    let a = sb.get(FULL, "1/groups_types/").await;
    assert_eq!(a.status, 200);
    let list = a.json.as_array().expect("a bare array, not a page");
    assert_eq!(list.len(), 4);
    for (i, gt) in list.iter().enumerate() {
        assert_eq!(keys(gt), GROUP_TYPE_FIELDS);
        assert_eq!(gt["group_type_index"], i);
    }
    assert_eq!(
        list[0],
        json!({"group_type": "organization", "group_type_index": 0, "name_singular": "Organization",
               "name_plural": "Organizations", "detail_dashboard": null, "default_columns": null,
               "created_at": "2023-03-14T09:26:53Z"})
    );
    assert_eq!(list[2]["name_singular"], "Workspace");
    assert_eq!(list[2]["name_plural"], Value::Null);
    assert_eq!(list[3]["detail_dashboard"], 42);
    assert!(list[3]["default_columns"].is_array());
}

#[tokio::test]
async fn list_without_trailing_slash_and_for_empty_project() {
    let sb = start().await;
    assert_eq!(
        sb.get(FULL, "1/groups_types")
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let empty = sb.get(FULL, "2/groups_types/").await;
    assert_eq!((empty.status, empty.json), (200, json!([])));
}

#[tokio::test]
async fn delete_removes_mapping_but_keeps_metrics() {
    let sb = start().await;
    let before = sb.stored_metrics(1, 1).await.len();
    let a = sb.delete(FULL, "1/groups_types/1/").await;
    assert_eq!(a.status, 204);
    assert!(a.text.is_empty());
    let list = sb.get(FULL, "1/groups_types/").await.json;
    let indexes: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group_type_index"].clone())
        .collect();
    assert_eq!(indexes, [json!(0), json!(2), json!(3)]);
    assert_eq!(sb.stored_metrics(1, 1).await.len(), before);
    // Metrics at a deleted index are still served: the server does not check the group type.
    assert_eq!(
        sb.get(FULL, "1/groups_types/1/metrics/").await.json["count"],
        before
    );
}

#[tokio::test]
async fn delete_unknown_group_type_is_404_with_its_own_detail() {
    let sb = start().await;
    for path in [
        "1/groups_types/4/",
        "1/groups_types/9",
        "1/groups_types/-1/",
    ] {
        let a = sb.delete(FULL, path).await;
        assert_error(
            &a,
            404,
            "invalid_request",
            "not_found",
            "Group type not found",
            None,
        );
    }
    // PostHog's destroy calls int() on the index without catching the ValueError.
    let before = sb.state().await;
    assert_server_error(&sb.delete(FULL, "1/groups_types/abc/").await);
    assert_eq!(sb.state().await, before);
}

#[tokio::test]
async fn update_metadata_renames_and_answers_the_full_list() {
    let sb = start().await;
    let body = json!([
        {"group_type_index": 1, "name_singular": "Company", "name_plural": "Companies"},
        {"group_type_index": 2, "name_plural": "Workspaces"},
    ]);
    let a = sb
        .patch(FULL, "1/groups_types/update_metadata/", body)
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let list = a.json.as_array().unwrap();
    assert_eq!(list.len(), 4);
    assert_eq!(keys(&list[1]), GROUP_TYPE_FIELDS);
    assert_eq!(
        (&list[1]["name_singular"], &list[1]["name_plural"]),
        (&json!("Company"), &json!("Companies"))
    );
    // A row that gives one name keeps the other.
    assert_eq!(
        (&list[2]["name_singular"], &list[2]["name_plural"]),
        (&json!("Workspace"), &json!("Workspaces"))
    );
    assert_eq!(sb.get(FULL, "1/groups_types").await.json, a.json);
}

#[tokio::test]
async fn update_metadata_null_clears_and_other_fields_are_ignored() {
    let sb = start().await;
    // Other fields are validated (42 is a dashboard of the project) but not stored.
    let body = json!([{"group_type_index": 0, "name_singular": null, "group_type": "renamed",
                        "detail_dashboard": 42, "default_columns": ["name"],
                        "created_at": "2000-01-01T00:00:00Z"}]);
    let a = sb.patch(FULL, "1/groups_types/update_metadata", body).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let org = &a.json[0];
    assert_eq!(org["name_singular"], Value::Null);
    assert_eq!(org["name_plural"], "Organizations");
    assert_eq!(org["group_type"], "organization");
    assert_eq!(org["detail_dashboard"], Value::Null);
    assert_eq!(org["default_columns"], Value::Null);
    assert_eq!(org["created_at"], "2023-03-14T09:26:53Z");
}

#[tokio::test]
async fn update_metadata_empty_array_changes_nothing() {
    let sb = start().await;
    let before = sb.get(FULL, "1/groups_types/").await.json;
    let a = sb
        .patch(FULL, "1/groups_types/update_metadata/", json!([]))
        .await;
    assert_eq!((a.status, &a.json), (200, &before));
}

#[tokio::test]
async fn update_metadata_unknown_index_is_500_and_earlier_rows_stay_saved() {
    let sb = start().await;
    let body = json!([
        {"group_type_index": 0, "name_singular": "Org"},
        {"group_type_index": 4, "name_singular": "Ghost"},
        {"group_type_index": 1, "name_singular": "Never"},
    ]);
    let a = sb
        .patch(FULL, "1/groups_types/update_metadata/", body)
        .await;
    assert_server_error(&a);
    let list = sb.get(FULL, "1/groups_types/").await.json;
    assert_eq!(list[0]["name_singular"], "Org");
    assert_eq!(list[1]["name_singular"], Value::Null);
}

#[tokio::test]
async fn update_metadata_missing_index_or_non_object_row_is_500() {
    let sb = start().await;
    for body in [
        json!([{"name_singular": "X"}]),
        json!([5]),
        json!([{"group_type_index": "x"}]),
    ] {
        let a = sb
            .patch(FULL, "1/groups_types/update_metadata/", body)
            .await;
        assert_server_error(&a);
    }
}

#[tokio::test]
async fn update_metadata_long_names_are_400_and_400_chars_pass() {
    let sb = start().await;
    let long = "x".repeat(401);
    for attr in ["name_singular", "name_plural"] {
        let a = sb
            .patch(
                FULL,
                "1/groups_types/update_metadata/",
                json!([{"group_type_index": 0, attr: long}]),
            )
            .await;
        assert_error(
            &a,
            400,
            "validation_error",
            "max_length",
            "Ensure this field has no more than 400 characters.",
            Some(attr),
        );
    }
    let ok = "y".repeat(400);
    let a = sb
        .patch(
            FULL,
            "1/groups_types/update_metadata/",
            json!([{"group_type_index": 0, "name_plural": ok}]),
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json[0]["name_plural"], ok);
}

#[tokio::test]
async fn update_metadata_earlier_rows_stay_saved_when_a_later_row_is_invalid() {
    let sb = start().await;
    let body = json!([
        {"group_type_index": 1, "name_singular": "Company"},
        {"group_type_index": 2, "name_singular": "z".repeat(401)},
    ]);
    let a = sb
        .patch(FULL, "1/groups_types/update_metadata/", body)
        .await;
    assert_eq!(a.status, 400);
    assert_eq!(
        sb.get(FULL, "1/groups_types/").await.json[1]["name_singular"],
        "Company"
    );
}

#[tokio::test]
async fn update_metadata_body_that_is_not_an_array() {
    let sb = start().await;
    let before = sb.state().await;
    // PostHog iterates request.data: an object's keys are strings, and "x"["group_type_index"]
    // is an unhandled TypeError; a number or null is not iterable at all.
    for body in [
        json!({"group_type_index": 0, "name_singular": "X"}),
        json!("abc"),
        json!(5),
        Value::Null,
    ] {
        let a = sb
            .patch(FULL, "1/groups_types/update_metadata/", body)
            .await;
        assert_server_error(&a);
    }
    assert_eq!(sb.state().await, before, "nothing renamed");
    // An empty object has nothing to iterate: the list, unchanged.
    let a = sb
        .patch(FULL, "1/groups_types/update_metadata/", json!({}))
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json, sb.get(FULL, "1/groups_types/").await.json);
}

#[tokio::test]
async fn update_metadata_bad_json_and_wrong_content_type() {
    let sb = start().await;
    let url = sb.api("1/groups_types/update_metadata/");
    let bad = sb
        .client
        .patch(&url)
        .bearer_auth(FULL)
        .header("content-type", "application/json")
        .body("[{")
        .send()
        .await
        .unwrap();
    let a = answer(bad).await;
    assert_eq!(
        (a.status, a.json["type"].as_str(), a.json["code"].as_str()),
        (400, Some("invalid_request"), Some("parse_error"))
    );
    let plain = sb
        .client
        .patch(&url)
        .bearer_auth(FULL)
        .body("[]")
        .send()
        .await
        .unwrap();
    let a = answer(plain).await;
    assert_error(
        &a,
        415,
        "invalid_request",
        "unsupported_media_type",
        "Unsupported media type \"\" in request.",
        None,
    );
}

#[tokio::test]
async fn other_methods_on_group_type_paths() {
    let sb = start().await;
    // A method a route does not map has no action, so no scope: a personal key is refused
    // before DRF would answer 405.
    for (method, path) in [
        (Method::POST, "1/groups_types/"),
        (Method::GET, "1/groups_types/update_metadata/"),
        (Method::GET, "1/groups_types/0/"),
        (Method::PATCH, "1/groups_types/0/"),
        (Method::PUT, "1/groups_types/0/"),
    ] {
        let a = sb
            .send(method.clone(), &sb.api(path), Some(FULL), None)
            .await;
        assert_error(
            &a,
            403,
            "authentication_error",
            "permission_denied",
            "This action does not support Personal API Key access",
            None,
        );
    }
    // PATCH on a route that is not one object is the action "patch" (group:write), then 405.
    let a = sb.patch(FULL, "1/groups_types/", json!([])).await;
    assert_error(
        &a,
        405,
        "invalid_request",
        "method_not_allowed",
        "Method \"PATCH\" not allowed.",
        None,
    );
    let a = sb.patch(READ_ONLY, "1/groups_types/", json!([])).await;
    assert_error(
        &a,
        403,
        "authentication_error",
        "permission_denied",
        "API key missing required scope 'group:write'",
        None,
    );
}

#[tokio::test]
async fn unknown_api_path_is_json_404() {
    let sb = start().await;
    let a = sb.get(FULL, "1/cohorts/").await;
    assert_error(&a, 404, "invalid_request", "not_found", "Not found.", None);
}
