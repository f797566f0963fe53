//! Every endpoint's request: exact method, path, query and JSON body.

use posthog_groups::request::{self, Method, ProjectId};
use posthog_groups::{Filters, GroupTypeNames, MetricDraft, MetricMath, MetricPatch};
use serde_json::json;

fn project() -> ProjectId {
    ProjectId::parse("123").expect("numeric id")
}

#[test]
fn list_group_types_is_a_get_without_body() {
    let r = request::list_group_types(&project());
    assert_eq!(r.method, Method::Get);
    assert_eq!(r.path_and_query(), "/api/projects/123/groups_types/");
    assert_eq!(r.body, None);
}

#[test]
fn delete_group_type_names_the_index() {
    let r = request::delete_group_type(&project(), 3);
    assert_eq!(r.method, Method::Delete);
    assert_eq!(r.path_and_query(), "/api/projects/123/groups_types/3/");
    assert_eq!(r.body, None);
}

#[test]
fn list_metrics_sends_limit_and_offset() {
    let r = request::list_metrics(&project(), 0, 25, 50);
    assert_eq!(r.method, Method::Get);
    assert_eq!(
        r.path_and_query(),
        "/api/projects/123/groups_types/0/metrics/?limit=25&offset=50"
    );
    assert_eq!(r.body, None);
}

fn paid_bills() -> MetricDraft {
    let filters: Filters = serde_json::from_value(json!({
        "events": [{"id": "paid_bill", "name": "paid_bill", "type": "events", "order": 0}],
        "actions": [], "properties": [], "filter_test_accounts": false
    }))
    .expect("filters");
    MetricDraft {
        name: "Paid bills".into(),
        format: posthog_groups::MetricFormat::Currency,
        interval: 30,
        display: posthog_groups::MetricDisplay::Sparkline,
        filters,
        math: MetricMath::Sum,
        math_property: Some("amount".into()),
    }
}

fn paid_bills_json() -> serde_json::Value {
    json!({
        "name": "Paid bills", "format": "currency", "interval": 30, "display": "sparkline",
        "filters": {"events": [{"id": "paid_bill", "name": "paid_bill", "type": "events", "order": 0}],
                    "actions": [], "properties": [], "filter_test_accounts": false},
        "math": "sum", "math_property": "amount"
    })
}

#[test]
fn create_metric_posts_every_writable_field() {
    let r = request::create_metric(&project(), 1, &paid_bills());
    assert_eq!(r.method, Method::Post);
    assert_eq!(
        r.path_and_query(),
        "/api/projects/123/groups_types/1/metrics/"
    );
    assert_eq!(r.body, Some(paid_bills_json()));
}

#[test]
fn get_metric_names_the_id() {
    let r = request::get_metric(&project(), 0, "497f6eca-6276-4993-bfeb-53cbbbba6f08");
    assert_eq!(r.method, Method::Get);
    assert_eq!(
        r.path_and_query(),
        "/api/projects/123/groups_types/0/metrics/497f6eca-6276-4993-bfeb-53cbbbba6f08/"
    );
    assert_eq!(r.body, None);
}

#[test]
fn update_metric_patches_only_given_fields() {
    let patch = MetricPatch {
        interval: Some(90),
        math_property: Some(None),
        ..MetricPatch::default()
    };
    let r = request::update_metric(&project(), 0, "abc", &patch);
    assert_eq!(r.method, Method::Patch);
    assert_eq!(
        r.path_and_query(),
        "/api/projects/123/groups_types/0/metrics/abc/"
    );
    assert_eq!(r.body, Some(json!({"interval": 90, "math_property": null})));
}

#[test]
fn replace_metric_puts_every_field() {
    let r = request::replace_metric(&project(), 2, "abc", &paid_bills());
    assert_eq!(r.method, Method::Put);
    assert_eq!(
        r.path_and_query(),
        "/api/projects/123/groups_types/2/metrics/abc/"
    );
    assert_eq!(r.body, Some(paid_bills_json()));
}

#[test]
fn delete_metric_names_the_id() {
    let r = request::delete_metric(&project(), 0, "abc");
    assert_eq!(r.method, Method::Delete);
    assert_eq!(
        r.path_and_query(),
        "/api/projects/123/groups_types/0/metrics/abc/"
    );
    assert_eq!(r.body, None);
}

#[test]
fn update_metadata_sends_an_array_of_index_and_names_only() {
    let rows = [
        GroupTypeNames {
            group_type_index: 0,
            name_singular: Some("Organization".into()),
            name_plural: Some("Organizations".into()),
        },
        GroupTypeNames {
            group_type_index: 2,
            name_singular: None,
            name_plural: Some("Workspaces".into()),
        },
    ];
    let r = request::update_metadata(&project(), &rows);
    assert_eq!(r.method, Method::Patch);
    assert_eq!(
        r.path_and_query(),
        "/api/projects/123/groups_types/update_metadata/"
    );
    assert_eq!(
        r.body,
        Some(json!([
            {"group_type_index": 0, "name_singular": "Organization", "name_plural": "Organizations"},
            {"group_type_index": 2, "name_singular": null, "name_plural": "Workspaces"}
        ]))
    );
}

#[test]
fn update_metadata_probe_is_an_empty_array() {
    let r = request::update_metadata(&project(), &[]);
    assert_eq!(r.body, Some(json!([])));
}

#[test]
fn metric_ids_cannot_escape_their_path_segment() {
    let r = request::get_metric(&project(), 0, "../../1/?x=#");
    assert_eq!(
        r.path_and_query(),
        "/api/projects/123/groups_types/0/metrics/..%2F..%2F1%2F%3Fx%3D%23/"
    );
}

#[test]
fn project_ids_are_numbers_or_current() {
    assert_eq!(
        ProjectId::parse(" 42 ").map(|p| p.to_string()),
        Ok("42".into())
    );
    assert!(ProjectId::parse("@current").is_ok());
    assert!(ProjectId::parse("").is_err());
    assert!(ProjectId::parse("12a").is_err());
    assert!(ProjectId::parse("1/../2").is_err());
}

#[test]
fn current_key_is_a_get_outside_any_project() {
    let r = request::current_key();
    assert_eq!(r.method, Method::Get);
    assert_eq!(r.path_and_query(), "/api/personal_api_keys/@current/");
    assert_eq!(r.body, None);
}

#[test]
fn list_groups_sends_the_type_and_only_a_search_or_cursor_that_is_there() {
    let r = request::list_groups(&project(), 0, "", None);
    assert_eq!(r.method, Method::Get);
    assert_eq!(
        r.path_and_query(),
        "/api/projects/123/groups/?group_type_index=0"
    );
    assert_eq!(r.body, None);
    let r = request::list_groups(&project(), 2, " Acme Inc ", Some("cD0y+/="));
    assert_eq!(
        r.path_and_query(),
        "/api/projects/123/groups/?group_type_index=2&search=Acme%20Inc&cursor=cD0y%2B%2F%3D"
    );
}

#[test]
fn the_usage_metrics_query_names_the_group_in_its_body() {
    let group = posthog_groups::GroupRef {
        index: 1,
        key: "team:7".into(),
    };
    let r = request::usage_metrics(&project(), &group);
    assert_eq!(r.method, Method::Post);
    assert_eq!(r.path_and_query(), "/api/projects/123/query/");
    assert_eq!(
        r.body,
        Some(
            json!({"query": {"kind": "UsageMetricsQuery", "group_type_index": 1, "group_key": "team:7"}})
        )
    );
    assert!(request::is_usage_metrics_query(&r));
    assert!(!request::is_usage_metrics_query(
        &request::list_group_types(&project())
    ));
}

#[test]
fn only_the_group_type_list_is_the_group_type_list() {
    use posthog_groups::request::{self, is_group_type_list};
    let p = posthog_groups::ProjectId::parse("12").expect("project");
    assert!(is_group_type_list(&request::list_group_types(&p)));
    assert!(!is_group_type_list(&request::list_metrics(&p, 0, 100, 0)));
    assert!(!is_group_type_list(&request::get_metric(&p, 0, "x")));
    assert!(!is_group_type_list(&request::delete_group_type(&p, 0)));
    assert!(!is_group_type_list(&request::current_key()));
}
