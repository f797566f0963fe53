//! Every response and error example of the contract (../shared/posthog-groups-api.md),
//! decoded from its literal JSON.

use posthog_groups::{decode, ApiError, FilterSource, MetricDisplay, MetricFormat, MetricMath};

const GROUP_TYPE: &str = r#"{"group_type": "organization", "group_type_index": 0, "name_singular": null, "name_plural": null,
 "detail_dashboard": null, "default_columns": null, "created_at": "2019-08-24T14:15:22Z"}"#;

const METRIC: &str = r#"{"id": "497f6eca-6276-4993-bfeb-53cbbbba6f08", "name": "Paid bills", "format": "currency",
 "interval": 30, "display": "sparkline", "math": "sum", "math_property": "amount",
 "filters": {"events": [{"id": "paid_bill", "name": "paid_bill", "type": "events", "order": 0}],
             "actions": [], "properties": [], "filter_test_accounts": false}}"#;

#[test]
fn group_type_list_decodes_and_sorts_by_index() {
    let body = format!(
        r#"[{{"group_type":"company","group_type_index":1,"name_singular":"Company","name_plural":"Companies","detail_dashboard":7,"default_columns":["name"],"created_at":null}},{GROUP_TYPE}]"#
    );
    let list = decode::group_types(200, &body).expect("list");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].group_type, "organization");
    assert_eq!(list[0].created_at.as_deref(), Some("2019-08-24T14:15:22Z"));
    assert_eq!(list[0].shown_singular(), "organization");
    assert_eq!(list[0].shown_plural(), "organization(s)");
    assert_eq!(list[1].shown_plural(), "Companies");
    assert_eq!(list[1].detail_dashboard, Some(7));
    assert_eq!(list[1].default_columns, Some(vec!["name".to_string()]));
}

#[test]
fn delete_answers_204_without_body() {
    assert_eq!(decode::no_content(204, ""), Ok(()));
}

#[test]
fn metric_decodes_every_field() {
    let m = decode::metric(200, METRIC).expect("metric");
    assert_eq!(m.id, "497f6eca-6276-4993-bfeb-53cbbbba6f08");
    assert_eq!(m.name, "Paid bills");
    assert_eq!(m.format, MetricFormat::Currency);
    assert_eq!(m.interval, 30);
    assert_eq!(m.display, MetricDisplay::Sparkline);
    assert_eq!(m.math, MetricMath::Sum);
    assert_eq!(m.math_property.as_deref(), Some("amount"));
    assert_eq!(m.filters.source(), FilterSource::Events);
    assert_eq!(m.filters.event_names(), vec!["paid_bill"]);
    assert!(!m.filters.filter_test_accounts());
    assert_eq!(
        decode::metric(201, METRIC).map(|m| m.name),
        Ok("Paid bills".into())
    );
}

#[test]
fn metric_page_decodes_count_links_and_results() {
    let body = format!(
        r#"{{"count": 123, "next": "http://api.example.org/accounts/?offset=400&limit=100", "previous": null, "results": [{METRIC}]}}"#
    );
    let page = decode::metric_page(200, &body).expect("page");
    assert_eq!(page.count, 123);
    assert_eq!(page.results.len(), 1);
    assert_eq!(page.previous, None);
    let next = posthog_groups::model::page_window(page.next.as_deref().unwrap_or_default());
    assert_eq!(
        next,
        Some(posthog_groups::model::PageWindow {
            limit: Some(100),
            offset: 400
        })
    );
}

#[test]
fn page_window_without_offset_is_the_first_page() {
    let w = posthog_groups::model::page_window("https://h/api/x/?limit=25");
    assert_eq!(
        w,
        Some(posthog_groups::model::PageWindow {
            limit: Some(25),
            offset: 0
        })
    );
    assert_eq!(
        posthog_groups::model::page_window("https://h/?offset=x"),
        None
    );
}

#[test]
fn warehouse_filters_are_recognised() {
    let body = r#"{"id":"a","name":"Rows","filters":{"source":"data_warehouse","table_name":"bills","timestamp_field":"ts","key_field":"org_id"}}"#;
    let m = decode::metric(200, body).expect("metric");
    assert_eq!(m.filters.source(), FilterSource::DataWarehouse);
    assert_eq!(m.filters.str_field("table_name"), Some("bills"));
    // Missing optional fields take PostHog's defaults.
    assert_eq!(m.interval, 7);
    assert_eq!(m.math, MetricMath::Count);
    assert_eq!(m.display, MetricDisplay::Number);
    assert_eq!(m.format, MetricFormat::Numeric);
}

#[test]
fn update_metadata_accepts_the_full_list() {
    let body = format!("[{GROUP_TYPE}]");
    let list = decode::update_metadata(200, &body).expect("ok");
    assert_eq!(list.map(|l| l.len()), Some(1));
}

#[test]
fn update_metadata_accepts_an_empty_body_as_the_docs_say() {
    assert_eq!(decode::update_metadata(200, ""), Ok(None));
    assert_eq!(decode::update_metadata(204, "  "), Ok(None));
}

fn err(status: u16, body: &str) -> ApiError {
    decode::group_types(status, body).expect_err("an error")
}

#[test]
fn long_name_is_a_validation_error_on_its_field() {
    let e = err(
        400,
        r#"{"type":"validation_error","code":"max_length","detail":"Ensure this
      field has no more than 400 characters.","attr":"name_singular"}"#
            .replace('\n', " ")
            .as_str(),
    );
    match e {
        ApiError::Validation { attr, detail, body } => {
            assert_eq!(attr.as_deref(), Some("name_singular"));
            assert!(detail.starts_with("Ensure this"));
            assert_eq!(body.code.as_deref(), Some("max_length"));
        }
        other => panic!("got {other:?}"),
    }
}

#[test]
fn admin_only_is_a_validation_error() {
    let e = err(
        400,
        r#"{"type":"validation_error","code":"invalid_input","detail":"You need admin access to project to modify this field.","attr":null}"#,
    );
    assert!(
        matches!(e, ApiError::Validation { attr: None, ref detail, .. } if detail.contains("admin access"))
    );
}

#[test]
fn cloud_refuses_personal_keys_on_update_metadata() {
    // The contract's words, and PostHog's APIScopePermission's (capitals as its code has them).
    for detail in [
        "This action does not support personal API key access",
        "This action does not support Personal API Key access",
    ] {
        let body = format!(
            r#"{{"type":"authentication_error","code":"permission_denied","detail":"{detail}","attr":null}}"#
        );
        let e = decode::update_metadata(403, &body);
        assert_eq!(e, Err(ApiError::PersonalKeyNotAllowed), "{detail}");
    }
}

#[test]
fn unknown_group_type_is_not_found() {
    let e = decode::no_content(404, r#"{"type":"invalid_request","code":"not_found","detail":"Group type not found","attr":null}"#)
        .expect_err("404");
    assert!(
        matches!(e, ApiError::NotFound { ref body } if body.detail.as_deref() == Some("Group type not found"))
    );
}

#[test]
fn metric_validation_errors_keep_their_attr() {
    let cases = [
        (
            r#"{"type":"validation_error","code":"required","detail":"This field is required.","attr":"name"}"#,
            "name",
        ),
        (
            r#"{"type":"validation_error","code":"invalid_choice","detail":"\"foo\" is not a valid choice.","attr":"format"}"#,
            "format",
        ),
        (
            r#"{"type":"validation_error","code":"invalid_input","detail":"math_property is required when math is 'sum'.","attr":"math_property"}"#,
            "math_property",
        ),
        (
            r#"{"type":"validation_error","code":"invalid_input","detail":"math_property must be empty when math is 'count'.","attr":"math_property"}"#,
            "math_property",
        ),
        (
            r#"{"type":"validation_error","code":"invalid_input","detail":"Unknown source: 'x'","attr":"filters"}"#,
            "filters",
        ),
        (
            r#"{"type":"validation_error","code":"invalid_input","detail":"Data warehouse metrics require table_name, timestamp_field, key_field.","attr":"filters"}"#,
            "filters",
        ),
    ];
    for (body, field) in cases {
        match decode::metric(400, body) {
            Err(ApiError::Validation { attr, .. }) => {
                assert_eq!(attr.as_deref(), Some(field), "{body}")
            }
            other => panic!("{body}: {other:?}"),
        }
    }
}

#[test]
fn duplicate_name_is_a_server_error() {
    let e = decode::metric(
        500,
        r#"{"type":"server_error","code":"error","detail":"A server error occurred.","attr":null}"#,
    );
    assert!(matches!(
        e,
        Err(ApiError::Server {
            status: 500,
            body: Some(_)
        })
    ));
}

#[test]
fn unknown_metric_is_not_found() {
    let e = decode::metric(
        404,
        r#"{"type":"invalid_request","code":"not_found","detail":"Not found.","attr":null}"#,
    );
    assert!(matches!(e, Err(ApiError::NotFound { .. })));
}

#[test]
fn bad_key_is_decided_by_code_not_status() {
    let body = r#"{"type":"authentication_error","code":"authentication_failed","detail":"Personal API key found in request Authorization header is invalid.","attr":null}"#;
    assert_eq!(
        decode::metric_page(401, body).err(),
        Some(ApiError::InvalidKey)
    );
    assert_eq!(
        decode::group_types(403, body).err(),
        Some(ApiError::InvalidKey)
    );
}

#[test]
fn no_key_is_missing_key() {
    let body = r#"{"type":"authentication_error","code":"not_authenticated","detail":"Authentication credentials were not provided.","attr":null}"#;
    assert_eq!(
        decode::group_types(401, body).err(),
        Some(ApiError::MissingKey)
    );
    assert_eq!(
        decode::group_types(403, body).err(),
        Some(ApiError::MissingKey)
    );
}

#[test]
fn missing_scope_names_the_scope() {
    let body = r#"{"type":"authentication_error","code":"permission_denied","detail":"API key missing required scope 'usage_metric:write'","attr":null}"#;
    match decode::metric(403, body) {
        Err(ApiError::MissingScope { scope, .. }) => {
            assert_eq!(scope.as_deref(), Some("usage_metric:write"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn key_limited_to_other_projects() {
    let body = r#"{"type":"authentication_error","code":"permission_denied","detail":"API key does not have access to the requested project: ID 123.","attr":null}"#;
    assert!(matches!(
        decode::group_types(403, body),
        Err(ApiError::NoProjectAccess { .. })
    ));
}

#[test]
fn throttled_reads_seconds_from_the_detail() {
    let body = r#"{"type":"throttled_error","code":"throttled","detail":"Request was throttled. Expected available in 12 seconds."}"#;
    assert_eq!(
        decode::group_types(429, body).err(),
        Some(ApiError::Throttled {
            retry_after: Some(12)
        })
    );
}

#[test]
fn throttled_messages_say_how_long_in_plain_words() {
    let say = |retry_after| ApiError::Throttled { retry_after }.to_string();
    assert!(say(Some(12)).ends_with("Try again in 12 seconds."));
    assert!(say(Some(1)).ends_with("Try again in a second."));
    assert!(say(None).ends_with("Try again in a minute."));
}

#[test]
fn server_and_unavailable_errors() {
    let body =
        r#"{"type":"server_error","code":"error","detail":"A server error occurred.","attr":null}"#;
    assert!(matches!(
        decode::group_types(500, body),
        Err(ApiError::Server { status: 500, .. })
    ));
    assert!(matches!(
        decode::group_types(503, body),
        Err(ApiError::Server { status: 503, .. })
    ));
    let e = decode::group_types(503, body).expect_err("503");
    assert!(e.is_transient());
}

#[test]
fn an_html_error_page_falls_back_to_the_status() {
    assert!(matches!(
        decode::group_types(502, "<html>Bad gateway</html>"),
        Err(ApiError::Server {
            status: 502,
            body: None
        })
    ));
    assert!(matches!(
        decode::group_types(418, "<html>teapot</html>"),
        Err(ApiError::Unexpected { status: 418, .. })
    ));
}

#[test]
fn decode_errors_name_the_json_path() {
    let body = format!(
        r#"{{"count":1,"next":null,"previous":null,"results":[{METRIC},{{"id":"x","name":"n","interval":"soon"}}]}}"#
    );
    match decode::metric_page(200, &body) {
        Err(ApiError::Decode { path, .. }) => assert_eq!(path, "results[1].interval"),
        other => panic!("{other:?}"),
    }
    match decode::group_types(200, "") {
        Err(ApiError::Decode { path, message }) => {
            assert_eq!(path, "");
            assert!(message.contains("empty"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        decode::group_types(200, "[] trailing"),
        Err(ApiError::Decode { .. })
    ));
}

#[test]
fn messages_say_what_to_do() {
    let e = ApiError::MissingScope {
        scope: Some("usage_metric:read".into()),
        body: Default::default(),
    };
    assert!(e.to_string().contains("grant"));
    let e = ApiError::Network {
        host: "https://ph.example.com".into(),
        host_reachable: Some(true),
    };
    assert!(e.to_string().contains("CORS_ALLOWED_ORIGINS"));
}

/// The contract's `@current` example, whole.
const CURRENT_KEY: &str = r#"{"id": "0190…", "label": "Groups console", "value": null, "mask_value": "phx_…Xy7Q",
 "created_at": "2026-01-05T10:00:00Z", "last_used_at": "2026-11-28T09:12:00Z", "user_id": 17,
 "scopes": ["group:read", "group:write", "usage_metric:read", "usage_metric:write"],
 "scoped_teams": [12345], "scoped_organizations": [], "last_rolled_at": null}"#;

#[test]
fn current_key_decodes_scopes_and_limits() {
    let k = decode::current_key(200, CURRENT_KEY).expect("record");
    assert_eq!(k.label.as_deref(), Some("Groups console"));
    assert_eq!(k.mask_value.as_deref(), Some("phx_…Xy7Q"));
    assert_eq!(k.scopes.len(), 4);
    assert_eq!(k.scoped_teams, Some(vec![12345]));
    assert_eq!(k.scoped_organizations, Some(vec![]));
    // Null limits and unknown fields are fine.
    let k = decode::current_key(
        200,
        r#"{"scopes": ["*"], "scoped_teams": null, "scoped_organizations": null, "new_field": 1}"#,
    )
    .expect("record");
    assert_eq!(k.scopes, vec!["*".to_string()]);
    assert_eq!(k.scoped_teams, None);
}

#[test]
fn a_malformed_key_record_is_a_decode_error_not_a_guess() {
    for body in [
        "",
        "<html>Not found</html>",
        r#"{"label": "no scopes"}"#,
        r#"{"scopes": "*"}"#,
        r#"{"scopes": ["*"], "scoped_teams": ["two"]}"#,
    ] {
        assert!(
            matches!(decode::current_key(200, body), Err(ApiError::Decode { .. })),
            "{body}"
        );
    }
    // An older instance without the route, and a bad key.
    assert!(matches!(
        decode::current_key(
            404,
            r#"{"type":"invalid_request","code":"not_found","detail":"Not found.","attr":null}"#
        ),
        Err(ApiError::NotFound { .. })
    ));
    assert_eq!(
        decode::current_key(
            401,
            r#"{"type":"authentication_error","code":"authentication_failed","detail":"Personal API key found in request Authorization header is invalid.","attr":null}"#
        ),
        Err(ApiError::InvalidKey)
    );
}

#[test]
fn groups_page_decodes_the_contract_example_and_its_cursor() {
    let body = r#"{"next": "http://localhost:8000/api/projects/1/groups/?cursor=cD0yMDI2&group_type_index=0", "previous": null, "results": [{"group_type_index": 0,
"group_key": "acme", "group_properties": {"name": "Acme Inc"}, "created_at": "2026-01-05T10:00:00Z"}]}"#;
    let page = decode::groups_page(200, body).expect("page");
    assert_eq!(page.results.len(), 1);
    assert_eq!(page.results[0].group_key, "acme");
    assert_eq!(page.results[0].shown_name(), "Acme Inc");
    assert_eq!(page.next_cursor().as_deref(), Some("cD0yMDI2"));
    let last = decode::groups_page(200, r#"{"next": null, "previous": null, "results": []}"#)
        .expect("page");
    assert_eq!(last.next_cursor(), None);
    // Without group_type_index PostHog answers 400 on that attribute.
    let e = decode::groups_page(
        400,
        r#"{"type":"validation_error","code":"invalid_input","detail":"This field is required.","attr":"group_type_index"}"#,
    )
    .expect_err("400");
    assert!(matches!(e, ApiError::Validation { attr: Some(a), .. } if a == "group_type_index"));
}

#[test]
fn usage_metrics_decode_values_series_and_extra_keys() {
    let body = r#"{"results": [
      {"id": "497f6eca-6276-4993-bfeb-53cbbbba6f08", "name": "Paid bills", "format": "currency", "display": "sparkline",
       "interval": 2, "value": 30.5, "previous": 0.0, "change_from_previous_pct": null,
       "timeseries": [10.5, 0.0, 20.0], "timeseries_labels": ["2026-11-25", "2026-11-26", "2026-11-27"]},
      {"id": "m2", "name": "Logins", "format": "numeric", "display": "number", "interval": 7,
       "value": 12.0, "previous": 10.0, "change_from_previous_pct": 20.0, "timeseries": null, "timeseries_labels": null}],
      "hogql": "SELECT …", "timings": [], "is_cached": false, "last_refresh": "2026-11-27T10:00:00Z"}"#;
    let answer = decode::usage_metrics(200, body).expect("answer");
    assert_eq!(answer.results.len(), 2);
    let paid = answer
        .of("497f6eca-6276-4993-bfeb-53cbbbba6f08")
        .expect("paid");
    assert_eq!(paid.format, MetricFormat::Currency);
    assert_eq!(paid.value, Some(30.5));
    assert_eq!(paid.change_from_previous_pct, None);
    assert_eq!(paid.series().map(|(v, _)| v.len()), Some(3));
    let logins = answer.of("m2").expect("logins");
    assert_eq!(logins.series(), None);
    assert_eq!(logins.change_from_previous_pct, Some(20.0));
    assert_eq!(
        answer.of("absent"),
        None,
        "a metric PostHog skipped is not there"
    );
}

#[test]
fn a_key_without_query_read_is_told_the_scope() {
    let e = decode::usage_metrics(
        403,
        r#"{"type":"authentication_error","code":"permission_denied","detail":"API key missing required scope 'query:read'","attr":null}"#,
    )
    .expect_err("403");
    assert!(matches!(e, ApiError::MissingScope { scope: Some(s), .. } if s == "query:read"));
}
