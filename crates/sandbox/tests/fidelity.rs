//! The answers PostHog's code gives that its docs do not tell, over real HTTP: each refusal is
//! checked for the whole error envelope (`type`, `code`, `detail`, `attr`) and for a store left
//! as it was. The source each one follows is named in crates/sandbox/README.md ("Fidelity").

mod common;
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

const M: &str = "1/groups_types/0/metrics/";
const UPDATE: &str = "1/groups_types/update_metadata/";
const NO_PERSONAL_KEY: &str = "This action does not support Personal API Key access";

/// One request: method, key, path under `/api/projects/` (or a whole URL) and body.
struct Req {
    method: Method,
    key: Option<&'static str>,
    path: String,
    body: Option<Value>,
}

fn req(method: Method, key: &'static str, path: &str, body: Option<Value>) -> Req {
    Req {
        method,
        key: Some(key),
        path: path.to_string(),
        body,
    }
}

fn post(key: &'static str, path: &str, body: Value) -> Req {
    req(Method::POST, key, path, Some(body))
}

/// An expected envelope: status, type, code, detail, attr.
type Expect = (u16, &'static str, String, String, Option<&'static str>);

fn denied(detail: impl Into<String>) -> Expect {
    (
        403,
        "authentication_error",
        "permission_denied".into(),
        detail.into(),
        None,
    )
}

fn invalid(code: &str, detail: impl Into<String>, attr: Option<&'static str>) -> Expect {
    (400, "validation_error", code.into(), detail.into(), attr)
}

fn not_found(detail: &str) -> Expect {
    (
        404,
        "invalid_request",
        "not_found".into(),
        detail.into(),
        None,
    )
}

/// Each request refused with exactly its envelope, and the store as it was after each.
async fn refused(sb: &Sb, cases: Vec<(Req, Expect)>) {
    for (r, (status, kind, code, detail, attr)) in cases {
        let before = sb.state().await;
        let url = match r.path.starts_with("http") {
            true => r.path.clone(),
            false => sb.api(&r.path),
        };
        let a = sb
            .send(r.method.clone(), &url, r.key, r.body.as_ref())
            .await;
        assert_error(&a, status, kind, &code, &detail, attr);
        assert_eq!(
            sb.state().await,
            before,
            "nothing stored ({} {url})",
            r.method
        );
    }
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
    let one = format!("{M}{}/", first_metric_id(&sb).await);
    let mut cases = Vec::new();
    for (body, kind) in [(json!([1]), "list"), (json!("x"), "str"), (json!(5), "int")] {
        let detail = format!("Invalid data. Expected a dictionary, but got {kind}.");
        for (method, path) in [
            (Method::POST, M),
            (Method::PATCH, &one),
            (Method::PUT, &one),
        ] {
            let expect = invalid("invalid_input", detail.clone(), None);
            cases.push((req(method, FULL, path, Some(body.clone())), expect));
        }
    }
    // JSON null: DRF's Serializer.errors turns "may not be null" into "No data provided".
    let expect = invalid("null", "No data provided", None);
    cases.push((post(FULL, M, Value::Null), expect));
    refused(&sb, cases).await;
}

#[tokio::test]
async fn field_errors_come_before_object_rules_in_field_order() {
    let sb = start().await;
    refused(
        &sb,
        vec![
            // An unknown source (object-level) loses to a bad math (field-level), which loses
            // to a bad display (an earlier field).
            (
                post(
                    FULL,
                    M,
                    json!({"name": "X", "display": "big", "math": "avg",
                                     "filters": {"source": "x"}}),
                ),
                invalid(
                    "invalid_choice",
                    "\"big\" is not a valid choice.",
                    Some("display"),
                ),
            ),
            (
                post(
                    FULL,
                    M,
                    json!({"name": "X", "math": "avg",
                                     "filters": {"source": "data_warehouse"}}),
                ),
                invalid(
                    "invalid_choice",
                    "\"avg\" is not a valid choice.",
                    Some("math"),
                ),
            ),
            // Python's repr of the source.
            (
                post(FULL, M, json!({"name": "X", "filters": {"source": 7}})),
                invalid("invalid_input", "Unknown source: 7", Some("filters")),
            ),
            (
                post(FULL, M, json!({"name": "X", "filters": {"source": "it's"}})),
                invalid("invalid_input", "Unknown source: \"it's\"", Some("filters")),
            ),
        ],
    )
    .await;
    // "source": null is the events shape, as PostHog's `source in (None, "events")`.
    let body = json!({"name": "Null source", "filters": {"source": null}});
    let a = sb.post(FULL, M, body).await;
    assert_eq!(a.status, 201, "{}", a.text);
}

#[tokio::test]
async fn data_warehouse_rules_in_posthogs_order() {
    let sb = start().await;
    let require = "Data warehouse metrics require table_name, timestamp_field, key_field.";
    let missing = |table: &str| format!("Data warehouse table '{table}' does not exist.");
    let sum = |table: &str| {
        let mut body = warehouse(table);
        body["math"] = json!("sum");
        body
    };
    refused(
        &sb,
        vec![
            // The fields first (even with a sum that has no column), then the math, then the
            // table.
            (
                post(FULL, M, sum("")),
                invalid("invalid_input", require, Some("filters")),
            ),
            (
                post(FULL, M, sum("no_such_table")),
                invalid(
                    "invalid_input",
                    "math_property (column to sum) is required when math is 'sum'.",
                    Some("math_property"),
                ),
            ),
            (
                post(FULL, M, warehouse("no_such_table")),
                invalid("invalid_input", missing("no_such_table"), Some("filters")),
            ),
            // Names match exactly.
            (
                post(FULL, M, warehouse("Stripe_Charges")),
                invalid("invalid_input", missing("Stripe_Charges"), Some("filters")),
            ),
            // A project's tables are its own: project 2 has none.
            (
                post(
                    FULL,
                    "2/groups_types/0/metrics/",
                    warehouse("stripe_charges"),
                ),
                invalid("invalid_input", missing("stripe_charges"), Some("filters")),
            ),
        ],
    )
    .await;
    let a = sb.post(FULL, M, warehouse("stripe_charges")).await;
    assert_eq!(a.status, 201, "{}", a.text);
    // An update re-checks the merged filters: a PATCH may not point it at a missing table.
    let path = format!("{M}{}/", a.json["id"].as_str().unwrap());
    let filters = json!({"source": "data_warehouse", "table_name": "gone",
                         "timestamp_field": "created", "key_field": "customer_id"});
    let body = json!({ "filters": filters });
    refused(
        &sb,
        vec![(
            req(Method::PATCH, FULL, &path, Some(body)),
            invalid("invalid_input", missing("gone"), Some("filters")),
        )],
    )
    .await;
}

#[tokio::test]
async fn put_is_a_full_update_with_defaults() {
    let sb = start().await;
    // "Paid bills" is a currency sparkline summing amount over 30 days.
    let paid = sb.stored_metrics(1, 0).await[0].clone();
    assert_eq!(paid["math"], "sum");
    let path = format!("{M}{}/", paid["id"].as_str().unwrap());
    let filters = paid["filters"].clone();
    refused(
        &sb,
        vec![
            // Without math, math goes back to count while math_property stays: refused.
            (
                req(
                    Method::PUT,
                    FULL,
                    &path,
                    Some(json!({"name": "Paid bills", "filters": filters})),
                ),
                invalid(
                    "invalid_input",
                    "math_property must be empty when math is 'count'.",
                    Some("math_property"),
                ),
            ),
            (
                req(
                    Method::PUT,
                    FULL,
                    &path,
                    Some(json!({"name": "Paid bills"})),
                ),
                invalid("required", "This field is required.", Some("filters")),
            ),
        ],
    )
    .await;
    let body = json!({"name": "Paid bills", "filters": filters, "math": "sum"});
    let a = sb.put(FULL, &path, body).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let got = [
        &a.json["format"],
        &a.json["interval"],
        &a.json["display"],
        &a.json["math_property"],
    ];
    assert_eq!(
        got,
        [
            &json!("numeric"),
            &json!(7),
            &json!("number"),
            &json!("amount")
        ]
    );
}

#[tokio::test]
async fn what_the_database_refuses_is_a_500_with_nothing_stored() {
    let sb = start().await;
    let mut too_long = metric("Too long ago");
    too_long["interval"] = json!(2_147_483_648_i64);
    let before = sb.state().await;
    assert_server_error(&sb.post(FULL, M, too_long).await);
    // A group type index that is no number fails only at the save, after validation.
    let abc = "1/groups_types/abc/metrics/";
    assert_server_error(&sb.post(FULL, abc, metric("Lost")).await);
    assert_eq!(sb.state().await, before);
    refused(
        &sb,
        vec![
            (
                post(FULL, abc, json!({"filters": {}})),
                invalid("required", "This field is required.", Some("name")),
            ),
            // Reading there is the queryset filter's ValueError, which PostHog makes a 404.
            (req(Method::GET, FULL, abc, None), not_found("Not found.")),
        ],
    )
    .await;
    // The largest interval Postgres holds is stored; -1 is an index like any other.
    let mut longest = metric("Long ago");
    longest["interval"] = json!(2_147_483_647_i64);
    assert_eq!(sb.post(FULL, M, longest).await.status, 201);
    let minus = "1/groups_types/-1/metrics/";
    assert_eq!(sb.post(FULL, minus, metric("Minus one")).await.status, 201);
    assert_eq!(sb.get(FULL, minus).await.json["count"], 1);
}

#[tokio::test]
async fn update_metadata_validates_each_row_before_saving_it() {
    let sb = start().await;
    let row = |row: Value| req(Method::PATCH, FULL, UPDATE, Some(json!([row])));
    let datetime = "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";
    refused(
        &sb,
        vec![
            (
                row(json!({"group_type_index": 0, "name_singular": "Org", "detail_dashboard": 7})),
                invalid(
                    "does_not_exist",
                    "Invalid pk \"7\" - object does not exist.",
                    Some("detail_dashboard"),
                ),
            ),
            (
                row(json!({"group_type_index": 0, "detail_dashboard": "seven"})),
                invalid(
                    "incorrect_type",
                    "Incorrect type. Expected pk value, received str.",
                    Some("detail_dashboard"),
                ),
            ),
            (
                row(json!({"group_type_index": 0, "default_columns": "name"})),
                invalid(
                    "not_a_list",
                    "Expected a list of items but got type \"str\".",
                    Some("default_columns"),
                ),
            ),
            (
                row(json!({"group_type_index": 0, "created_at": "yesterday"})),
                invalid("invalid_input", datetime, Some("created_at")),
            ),
            (
                row(json!({"group_type_index": 0, "name_singular": ["Org"]})),
                invalid(
                    "invalid_input",
                    "Not a valid string.",
                    Some("name_singular"),
                ),
            ),
            // Field order: a bad name is reported before a bad dashboard.
            (
                row(json!({"group_type_index": 1, "detail_dashboard": 7,
                           "name_plural": "x".repeat(401)})),
                invalid(
                    "max_length",
                    "Ensure this field has no more than 400 characters.",
                    Some("name_plural"),
                ),
            ),
        ],
    )
    .await;
    // Earlier rows stay saved; the failing row is not.
    let body = json!([{"group_type_index": 1, "name_singular": "Company"},
                      {"group_type_index": 2, "name_singular": "Never", "detail_dashboard": 7}]);
    assert_eq!(
        sb.patch(FULL, UPDATE, body).await.json["code"],
        "does_not_exist"
    );
    let list = sb.get(FULL, "1/groups_types/").await.json;
    assert_eq!(list[1]["name_singular"], "Company");
    assert_eq!(list[2]["name_singular"], "Workspace");
    // A dashboard of the project passes (43 belongs to no group type; it is not stored).
    let body = json!([{"group_type_index": 2, "name_singular": "Space", "detail_dashboard": "43"}]);
    let a = sb.patch(FULL, UPDATE, body).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json[2]["name_singular"], "Space");
    assert_eq!(a.json[2]["detail_dashboard"], Value::Null);
}

#[tokio::test]
async fn update_metadata_needs_group_write_where_personal_keys_may_rename() {
    let sb = start().await;
    let mut cases = Vec::new();
    for body in [
        json!([]),
        json!([{"group_type_index": 0, "name_singular": "X"}]),
    ] {
        let patch = |key| req(Method::PATCH, key, UPDATE, Some(body.clone()));
        let scope = denied("API key missing required scope 'group:write'");
        cases.push((patch(READ_ONLY), scope));
        let project = denied("API key does not have access to the requested project: ID 1.");
        cases.push((patch(PROJECT_2), project));
    }
    refused(&sb, cases).await;
    // The groups-only key has group:write.
    let body = json!([{"group_type_index": 0, "name_singular": "Org"}]);
    assert_eq!(sb.patch(GROUPS_ONLY, UPDATE, body).await.status, 200);
}

#[tokio::test]
async fn actions_without_a_scope_refuse_every_personal_key() {
    let sb = start().await;
    let mut cases = Vec::new();
    let body = json!({"group_type_index": 0, "default_columns": ["name"]});
    for action in ["set_default_columns", "create_detail_dashboard"] {
        let path = format!("1/groups_types/{action}/");
        for key in [FULL, READ_ONLY] {
            let put = req(Method::PUT, key, &path, Some(body.clone()));
            cases.push((put, denied(NO_PERSONAL_KEY)));
        }
        // Authentication still comes first: 403 (groups_types) without a key.
        let anonymous = Req {
            key: None,
            ..req(Method::PUT, FULL, &path, None)
        };
        let not_authenticated = (
            403,
            "authentication_error",
            "not_authenticated".to_string(),
            "Authentication credentials were not provided.".to_string(),
            None,
        );
        cases.push((anonymous, not_authenticated));
        // The project is never looked up for an action without a scope.
        let elsewhere = req(
            Method::PUT,
            FULL,
            &format!("99/groups_types/{action}/"),
            None,
        );
        cases.push((elsewhere, denied(NO_PERSONAL_KEY)));
    }
    // Methods a metrics route does not map: 403 too, except PATCH on the list, the action
    // "patch", which needs usage_metric:write and then meets the 405.
    let one = format!("{M}{}/", first_metric_id(&sb).await);
    cases.push((post(FULL, &one, json!({})), denied(NO_PERSONAL_KEY)));
    cases.push((req(Method::DELETE, FULL, M, None), denied(NO_PERSONAL_KEY)));
    let patch = |key| req(Method::PATCH, key, M, Some(json!({})));
    let not_allowed = (
        405,
        "invalid_request",
        "method_not_allowed".to_string(),
        "Method \"PATCH\" not allowed.".to_string(),
        None,
    );
    cases.push((patch(FULL), not_allowed));
    let scope = denied("API key missing required scope 'usage_metric:write'");
    cases.push((patch(READ_ONLY), scope));
    refused(&sb, cases).await;
}

#[tokio::test]
async fn the_two_access_denied_answers() {
    let sb = start().await;
    let get = |key, path: &str| req(Method::GET, key, path, None);
    let mut cases = Vec::new();
    // Project 3 belongs to an organization the demo user is not a member of; a key limited
    // to project 2 is refused by its projects first.
    for path in ["3/groups_types/", "3/groups_types/0/metrics/"] {
        cases.push((
            get(FULL, path),
            denied("You don't have access to the project."),
        ));
        let limited = denied("API key does not have access to the requested project: ID 3.");
        cases.push((get(PROJECT_2, path), limited));
    }
    // Scopes are checked before membership.
    let write = post(READ_ONLY, "3/groups_types/0/metrics/", metric("Elsewhere"));
    let scope = denied("API key missing required scope 'usage_metric:write'");
    cases.push((write, scope));
    let delete = req(Method::DELETE, FULL, "3/groups_types/0/", None);
    cases.push((delete, denied("You don't have access to the project.")));
    // A project that does not exist, numeric or not.
    for path in ["99/groups_types/", "abc/groups_types/0/metrics/"] {
        cases.push((get(FULL, path), not_found("Project not found.")));
    }
    refused(&sb, cases).await;
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
    let detail = "Organization 'Demo organization' does not allow using personal API keys. Contact an admin to enable personal API keys for this organization.";
    let list = req(Method::GET, FULL, "1/groups_types/", None);
    refused(&sb, vec![(list, denied(detail))]).await;
}

#[tokio::test]
async fn where_the_key_may_come_from() {
    let sb = start().await;
    let list = sb.api("1/groups_types/");
    let failed = |status, detail: &str| {
        (
            status,
            "authentication_error",
            "authentication_failed".to_string(),
            detail.to_string(),
            None,
        )
    };
    // The query string (never used by the app): accepted, and kept out of the request log.
    let by_query = format!("{list}?personal_api_key={FULL}");
    let a = answer(sb.client.get(by_query).send().await.unwrap()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let log = sb.control(Method::GET, "requests", None).await;
    assert!(!log.text.contains(FULL), "{}", log.text);
    assert!(log.text.contains("personal_api_key=********"));
    let mut body = metric("By body");
    body["personal_api_key"] = json!(FULL);
    let a = sb.send(Method::POST, &sb.api(M), None, Some(&body)).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let log = sb.control(Method::GET, "requests", None).await;
    assert!(!log.text.contains(FULL));
    let anonymous = |method, url: String, body| Req {
        method,
        key: None,
        path: url,
        body,
    };
    let wrong_body = json!({"personal_api_key": "phx_wrong", "name": "X", "filters": {}});
    refused(
        &sb,
        vec![
            (
                anonymous(
                    Method::GET,
                    format!("{list}?personal_api_key=phx_wrong"),
                    None,
                ),
                failed(
                    403,
                    "Personal API key found in request query string is invalid.",
                ),
            ),
            (
                anonymous(Method::POST, sb.api(M), Some(wrong_body)),
                failed(401, "Personal API key found in request body is invalid."),
            ),
            // A pha_ token is OAuth's, and this one was never issued.
            (
                req(Method::GET, "pha_not_issued", M, None),
                failed(401, "Invalid access token."),
            ),
        ],
    )
    .await;
    let a = sb
        .send(Method::GET, &sb.api(M), Some("pha_not_issued"), None)
        .await;
    assert_eq!(a.headers["www-authenticate"], "Bearer");
    // "Bearer" as PostHog's regex writes it: another case is no key at all.
    let lower = format!("bearer {FULL}");
    let a = answer(
        sb.client
            .get(&list)
            .header("authorization", lower)
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
}
