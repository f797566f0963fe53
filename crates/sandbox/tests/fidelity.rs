//! The answers PostHog's code gives that its docs do not tell, over real HTTP: each test asserts
//! the whole error envelope (`type`, `code`, `detail`, `attr`) and that nothing was stored.
//! The source each one follows is named in crates/sandbox/README.md ("Fidelity").

mod common;
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

const M: &str = "1/groups_types/0/metrics/";
const UPDATE: &str = "1/groups_types/update_metadata/";
const NO_PERSONAL_KEY: &str = "This action does not support Personal API Key access";

/// A refused request: the exact envelope, and the store as it was.
async fn refused(
    sb: &Sb,
    method: Method,
    url: &str,
    key: Option<&str>,
    body: Option<Value>,
    expect: (u16, &str, &str, &str, Option<&str>),
) {
    let before = sb.state().await;
    let a = sb.send(method, url, key, body.as_ref()).await;
    let (status, kind, code, detail, attr) = expect;
    assert_error(&a, status, kind, code, detail, attr);
    assert_eq!(sb.state().await, before, "nothing stored ({url})");
}

fn denied(detail: &str) -> (u16, &'static str, &'static str, &str, Option<&'static str>) {
    (
        403,
        "authentication_error",
        "permission_denied",
        detail,
        None,
    )
}

fn invalid<'a>(
    code: &'a str,
    detail: &'a str,
    attr: Option<&'a str>,
) -> (u16, &'static str, &'a str, &'a str, Option<&'a str>) {
    (400, "validation_error", code, detail, attr)
}

fn warehouse(table: &str) -> Value {
    json!({"name": "Warehouse", "filters": {"source": "data_warehouse", "table_name": table,
           "timestamp_field": "created", "key_field": "customer_id"}})
}

async fn first_metric_id(sb: &Sb) -> String {
    sb.stored_metrics(1, 0).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_body_that_is_not_an_object() {
    let sb = start().await;
    let id = first_metric_id(&sb).await;
    for (body, kind) in [(json!([1]), "list"), (json!("x"), "str"), (json!(5), "int")] {
        let detail = format!("Invalid data. Expected a dictionary, but got {kind}.");
        for (method, url) in [
            (Method::POST, sb.api(M)),
            (Method::PATCH, sb.api(&format!("{M}{id}/"))),
            (Method::PUT, sb.api(&format!("{M}{id}/"))),
        ] {
            refused(
                &sb,
                method,
                &url,
                Some(FULL),
                Some(body.clone()),
                invalid("invalid_input", &detail, None),
            )
            .await;
        }
    }
    // JSON null: DRF's Serializer.errors turns "may not be null" into "No data provided".
    refused(
        &sb,
        Method::POST,
        &sb.api(M),
        Some(FULL),
        Some(Value::Null),
        invalid("null", "No data provided", None),
    )
    .await;
}

#[tokio::test]
async fn field_errors_come_before_object_rules_in_field_order() {
    let sb = start().await;
    // An unknown source (object-level) loses to a bad math (field-level), which loses to a
    // bad display (earlier field).
    let body = json!({"name": "X", "display": "big", "math": "avg", "filters": {"source": "x"}});
    refused(
        &sb,
        Method::POST,
        &sb.api(M),
        Some(FULL),
        Some(body),
        invalid(
            "invalid_choice",
            "\"big\" is not a valid choice.",
            Some("display"),
        ),
    )
    .await;
    let body = json!({"name": "X", "math": "avg", "filters": {"source": "data_warehouse"}});
    refused(
        &sb,
        Method::POST,
        &sb.api(M),
        Some(FULL),
        Some(body),
        invalid(
            "invalid_choice",
            "\"avg\" is not a valid choice.",
            Some("math"),
        ),
    )
    .await;
    let body = json!({"name": "X", "filters": {"source": 7}});
    refused(
        &sb,
        Method::POST,
        &sb.api(M),
        Some(FULL),
        Some(body),
        invalid("invalid_input", "Unknown source: 7", Some("filters")),
    )
    .await;
    let body = json!({"name": "X", "filters": {"source": "it's"}});
    refused(
        &sb,
        Method::POST,
        &sb.api(M),
        Some(FULL),
        Some(body),
        invalid("invalid_input", "Unknown source: \"it's\"", Some("filters")),
    )
    .await;
    // "source": null is the events shape, as PostHog's `source in (None, "events")`.
    let a = sb
        .post(
            FULL,
            M,
            json!({"name": "Null source", "filters": {"source": null}}),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.text);
}

#[tokio::test]
async fn data_warehouse_rules_in_posthogs_order() {
    let sb = start().await;
    let url = sb.api(M);
    let require = "Data warehouse metrics require table_name, timestamp_field, key_field.";
    // Fields first (even with a sum that has no column), then the math, then the table.
    let mut body = warehouse("");
    body["math"] = json!("sum");
    refused(
        &sb,
        Method::POST,
        &url,
        Some(FULL),
        Some(body),
        invalid("invalid_input", require, Some("filters")),
    )
    .await;
    let mut body = warehouse("no_such_table");
    body["math"] = json!("sum");
    refused(
        &sb,
        Method::POST,
        &url,
        Some(FULL),
        Some(body),
        invalid(
            "invalid_input",
            "math_property (column to sum) is required when math is 'sum'.",
            Some("math_property"),
        ),
    )
    .await;
    refused(
        &sb,
        Method::POST,
        &url,
        Some(FULL),
        Some(warehouse("no_such_table")),
        invalid(
            "invalid_input",
            "Data warehouse table 'no_such_table' does not exist.",
            Some("filters"),
        ),
    )
    .await;
    // Names match exactly: another project's table, or another case, is not this one.
    refused(
        &sb,
        Method::POST,
        &url,
        Some(FULL),
        Some(warehouse("Stripe_Charges")),
        invalid(
            "invalid_input",
            "Data warehouse table 'Stripe_Charges' does not exist.",
            Some("filters"),
        ),
    )
    .await;
    let a = sb.post(FULL, M, warehouse("stripe_charges")).await;
    assert_eq!(a.status, 201, "{}", a.text);
    // An update re-checks the merged filters: a PATCH may not point it at a missing table.
    let id = a.json["id"].as_str().unwrap().to_string();
    let filters = json!({"source": "data_warehouse", "table_name": "gone",
                         "timestamp_field": "created", "key_field": "customer_id"});
    refused(
        &sb,
        Method::PATCH,
        &sb.api(&format!("{M}{id}/")),
        Some(FULL),
        Some(json!({ "filters": filters })),
        invalid(
            "invalid_input",
            "Data warehouse table 'gone' does not exist.",
            Some("filters"),
        ),
    )
    .await;
    // A project's tables are its own: project 2 has none.
    refused(
        &sb,
        Method::POST,
        &sb.api("2/groups_types/0/metrics/"),
        Some(FULL),
        Some(warehouse("stripe_charges")),
        invalid(
            "invalid_input",
            "Data warehouse table 'stripe_charges' does not exist.",
            Some("filters"),
        ),
    )
    .await;
}

#[tokio::test]
async fn put_is_a_full_update_with_defaults() {
    let sb = start().await;
    // "Paid bills" is a currency sparkline summing amount over 30 days.
    let paid = sb.stored_metrics(1, 0).await[0].clone();
    assert_eq!(paid["math"], "sum");
    let url = sb.api(&format!("{M}{}/", paid["id"].as_str().unwrap()));
    // Without math, math goes back to count while math_property stays: refused.
    refused(
        &sb,
        Method::PUT,
        &url,
        Some(FULL),
        Some(json!({"name": "Paid bills", "filters": paid["filters"].clone()})),
        invalid(
            "invalid_input",
            "math_property must be empty when math is 'count'.",
            Some("math_property"),
        ),
    )
    .await;
    refused(
        &sb,
        Method::PUT,
        &url,
        Some(FULL),
        Some(json!({"name": "Paid bills"})),
        invalid("required", "This field is required.", Some("filters")),
    )
    .await;
    let a = sb
        .put(
            FULL,
            &url[sb.api("").len()..],
            json!({"name": "Paid bills", "filters": paid["filters"].clone(),
                   "math": "sum"}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(
        (
            &a.json["format"],
            &a.json["interval"],
            &a.json["display"],
            &a.json["math_property"]
        ),
        (
            &json!("numeric"),
            &json!(7),
            &json!("number"),
            &json!("amount")
        )
    );
}

#[tokio::test]
async fn what_the_database_refuses_is_a_500_with_nothing_stored() {
    let sb = start().await;
    let mut body = metric("Too long ago");
    body["interval"] = json!(2_147_483_648_i64);
    let before = sb.state().await;
    assert_server_error(&sb.post(FULL, M, body).await);
    // A group type index that is no number fails only at the save, after validation.
    assert_server_error(
        &sb.post(FULL, "1/groups_types/abc/metrics/", metric("Lost"))
            .await,
    );
    assert_eq!(sb.state().await, before);
    refused(
        &sb,
        Method::POST,
        &sb.api("1/groups_types/abc/metrics/"),
        Some(FULL),
        Some(json!({"filters": {}})),
        invalid("required", "This field is required.", Some("name")),
    )
    .await;
    // Reading there is the queryset filter's ValueError, which PostHog turns into a 404.
    let a = sb.get(FULL, "1/groups_types/abc/metrics/").await;
    assert_error(&a, 404, "invalid_request", "not_found", "Not found.", None);
    // The largest interval Postgres holds is stored; -1 is an index like any other.
    let mut body = metric("Long ago");
    body["interval"] = json!(2_147_483_647_i64);
    assert_eq!(sb.post(FULL, M, body).await.status, 201);
    assert_eq!(
        sb.post(FULL, "1/groups_types/-1/metrics/", metric("Minus one"))
            .await
            .status,
        201
    );
    assert_eq!(
        sb.get(FULL, "1/groups_types/-1/metrics/").await.json["count"],
        1
    );
}

#[tokio::test]
async fn update_metadata_validates_each_row_before_saving_it() {
    let sb = start().await;
    let url = sb.api(UPDATE);
    for (row, expect) in [
        (
            json!({"group_type_index": 0, "name_singular": "Org", "detail_dashboard": 7}),
            invalid(
                "does_not_exist",
                "Invalid pk \"7\" - object does not exist.",
                Some("detail_dashboard"),
            ),
        ),
        (
            json!({"group_type_index": 0, "detail_dashboard": "seven"}),
            invalid(
                "incorrect_type",
                "Incorrect type. Expected pk value, received str.",
                Some("detail_dashboard"),
            ),
        ),
        (
            json!({"group_type_index": 0, "default_columns": "name"}),
            invalid(
                "not_a_list",
                "Expected a list of items but got type \"str\".",
                Some("default_columns"),
            ),
        ),
        (
            json!({"group_type_index": 0, "created_at": "yesterday"}),
            invalid(
                "invalid_input",
                "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
                Some("created_at"),
            ),
        ),
        (
            json!({"group_type_index": 0, "name_singular": ["Org"]}),
            invalid(
                "invalid_input",
                "Not a valid string.",
                Some("name_singular"),
            ),
        ),
    ] {
        refused(
            &sb,
            Method::PATCH,
            &url,
            Some(FULL),
            Some(json!([row])),
            expect,
        )
        .await;
    }
    // Field order: a bad name is reported before a bad dashboard.
    refused(
        &sb,
        Method::PATCH,
        &url,
        Some(FULL),
        Some(
            json!([{"group_type_index": 1, "detail_dashboard": 7, "name_plural": "x".repeat(401)}]),
        ),
        invalid(
            "max_length",
            "Ensure this field has no more than 400 characters.",
            Some("name_plural"),
        ),
    )
    .await;
    // Earlier rows stay saved; the failing row is not.
    let a = sb
        .patch(
            FULL,
            UPDATE,
            json!([{"group_type_index": 1, "name_singular": "Company"},
                   {"group_type_index": 2, "name_singular": "Never", "detail_dashboard": 7}]),
        )
        .await;
    assert_eq!(a.json["code"], "does_not_exist");
    let list = sb.get(FULL, "1/groups_types/").await.json;
    assert_eq!(list[1]["name_singular"], "Company");
    assert_eq!(list[2]["name_singular"], "Workspace");
    // A dashboard of the project passes (43 belongs to no group type; it is not stored).
    let a = sb
        .patch(
            FULL,
            UPDATE,
            json!([{"group_type_index": 2, "name_singular": "Space", "detail_dashboard": "43"}]),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json[2]["name_singular"], "Space");
    assert_eq!(a.json[2]["detail_dashboard"], Value::Null);
}

#[tokio::test]
async fn update_metadata_needs_group_write_where_personal_keys_may_rename() {
    let sb = start().await;
    for key in [READ_ONLY, PROJECT_2] {
        let expect = if key == READ_ONLY {
            "API key missing required scope 'group:write'".to_string()
        } else {
            "API key does not have access to the requested project: ID 1.".to_string()
        };
        for body in [
            json!([]),
            json!([{"group_type_index": 0, "name_singular": "X"}]),
        ] {
            refused(
                &sb,
                Method::PATCH,
                &sb.api(UPDATE),
                Some(key),
                Some(body),
                denied(&expect),
            )
            .await;
        }
    }
    // The groups-only key has group:write.
    let a = sb
        .patch(
            GROUPS_ONLY,
            UPDATE,
            json!([{"group_type_index": 0, "name_singular": "Org"}]),
        )
        .await;
    assert_eq!(a.status, 200);
}

#[tokio::test]
async fn actions_without_a_scope_refuse_every_personal_key() {
    let sb = start().await;
    for action in ["set_default_columns", "create_detail_dashboard"] {
        let url = sb.api(&format!("1/groups_types/{action}/"));
        for key in [FULL, READ_ONLY] {
            refused(
                &sb,
                Method::PUT,
                &url,
                Some(key),
                Some(json!({"group_type_index": 0, "default_columns": ["name"]})),
                denied(NO_PERSONAL_KEY),
            )
            .await;
        }
        // Authentication still comes first: 403 (groups_types) with no key.
        refused(
            &sb,
            Method::PUT,
            &url,
            None,
            None,
            (
                403,
                "authentication_error",
                "not_authenticated",
                "Authentication credentials were not provided.",
                None,
            ),
        )
        .await;
        // A project that does not exist is never looked up for an action without a scope.
        refused(
            &sb,
            Method::PUT,
            &sb.api(&format!("99/groups_types/{action}/")),
            Some(FULL),
            None,
            denied(NO_PERSONAL_KEY),
        )
        .await;
    }
    // Methods a metrics route does not map: 403 too, except PATCH on the list (405 once the
    // key has usage_metric:write).
    let id = first_metric_id(&sb).await;
    refused(
        &sb,
        Method::POST,
        &sb.api(&format!("{M}{id}/")),
        Some(FULL),
        Some(json!({})),
        denied(NO_PERSONAL_KEY),
    )
    .await;
    refused(
        &sb,
        Method::DELETE,
        &sb.api(M),
        Some(FULL),
        None,
        denied(NO_PERSONAL_KEY),
    )
    .await;
    refused(
        &sb,
        Method::PATCH,
        &sb.api(M),
        Some(FULL),
        Some(json!({})),
        (
            405,
            "invalid_request",
            "method_not_allowed",
            "Method \"PATCH\" not allowed.",
            None,
        ),
    )
    .await;
    refused(
        &sb,
        Method::PATCH,
        &sb.api(M),
        Some(READ_ONLY),
        Some(json!({})),
        denied("API key missing required scope 'usage_metric:write'"),
    )
    .await;
}

#[tokio::test]
async fn the_two_access_denied_answers() {
    let sb = start().await;
    // Project 3 belongs to an organization the demo user is not a member of.
    for path in ["3/groups_types/", "3/groups_types/0/metrics/"] {
        refused(
            &sb,
            Method::GET,
            &sb.api(path),
            Some(FULL),
            None,
            denied("You don't have access to the project."),
        )
        .await;
        // A key limited to project 2 is refused by its projects first.
        refused(
            &sb,
            Method::GET,
            &sb.api(path),
            Some(PROJECT_2),
            None,
            denied("API key does not have access to the requested project: ID 3."),
        )
        .await;
    }
    // Scopes are checked before membership.
    refused(
        &sb,
        Method::POST,
        &sb.api("3/groups_types/0/metrics/"),
        Some(READ_ONLY),
        Some(metric("Elsewhere")),
        denied("API key missing required scope 'usage_metric:write'"),
    )
    .await;
    refused(
        &sb,
        Method::DELETE,
        &sb.api("3/groups_types/0/"),
        Some(FULL),
        None,
        denied("You don't have access to the project."),
    )
    .await;
    // A project that does not exist, numeric or not.
    for project in ["99", "abc"] {
        refused(
            &sb,
            Method::GET,
            &sb.api(&format!("{project}/groups_types/")),
            Some(FULL),
            None,
            (
                404,
                "invalid_request",
                "not_found",
                "Project not found.",
                None,
            ),
        )
        .await;
    }
}

#[tokio::test]
async fn an_organization_may_forbid_personal_keys_to_members() {
    let mut seed: Value = serde_json::from_str(sandbox::seed::DEMO_SEED).unwrap();
    seed["organizations"][0]["membership"] = json!("member");
    seed["organizations"][0]["members_can_use_personal_api_keys"] = json!(false);
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), seed.to_string()).unwrap();
    let mut config = config();
    config.seed = Some(file.path().to_path_buf());
    let sb = start_with(config).await;
    refused(
        &sb,
        Method::GET,
        &sb.api("1/groups_types/"),
        Some(FULL),
        None,
        denied("Organization 'Demo organization' does not allow using personal API keys. Contact an admin to enable personal API keys for this organization."),
    )
    .await;
}

#[tokio::test]
async fn where_the_key_may_come_from() {
    let sb = start().await;
    let list = sb.api("1/groups_types/");
    // The query string (never used by the app): accepted, and kept out of the request log.
    let a = answer(
        sb.client
            .get(format!("{list}?personal_api_key={FULL}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let log = sb.control(Method::GET, "requests", None).await;
    assert!(!log.text.contains(FULL), "{}", log.text);
    assert!(log.text.contains("personal_api_key=********"));
    refused(
        &sb,
        Method::GET,
        &format!("{list}?personal_api_key=phx_wrong"),
        None,
        None,
        (
            403,
            "authentication_error",
            "authentication_failed",
            "Personal API key found in request query string is invalid.",
            None,
        ),
    )
    .await;
    // The body, for a write.
    refused(
        &sb,
        Method::POST,
        &sb.api(M),
        None,
        Some(json!({"personal_api_key": "phx_wrong", "name": "X", "filters": {}})),
        (
            401,
            "authentication_error",
            "authentication_failed",
            "Personal API key found in request body is invalid.",
            None,
        ),
    )
    .await;
    let mut body = metric("By body");
    body["personal_api_key"] = json!(FULL);
    let a = sb.send(Method::POST, &sb.api(M), None, Some(&body)).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let log = sb.control(Method::GET, "requests", None).await;
    assert!(!log.text.contains(FULL));
    // "Bearer" as PostHog's regex writes it: another case is no key at all.
    let a = answer(
        sb.client
            .get(&list)
            .header("authorization", format!("bearer {FULL}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(
        &a,
        403,
        "authentication_error",
        "not_authenticated",
        "Authentication credentials were not provided.",
        None,
    );
    // A pha_ token is OAuth's, and the sandbox has issued none.
    let a = sb
        .send(Method::GET, &sb.api(M), Some("pha_not_issued"), None)
        .await;
    assert_error(
        &a,
        401,
        "authentication_error",
        "authentication_failed",
        "Invalid access token.",
        None,
    );
    assert_eq!(a.headers["www-authenticate"], "Bearer");
}
