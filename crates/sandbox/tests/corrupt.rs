//! The `corrupt` switch: successful API GET answers replaced with malformed ones.

mod common;
use common::*;
use reqwest::Method;
use sandbox::corrupt::CorruptMode;
use sandbox::{Config, Switches};
use serde_json::{json, Value};

const GT: &str = "1/groups_types/";
const METRICS: &str = "1/groups_types/0/metrics/?limit=25&offset=0";

async fn with(mode: &str) -> Sb {
    let sb = start().await;
    let a = sb.set_switches(json!({ "corrupt": mode })).await;
    assert_eq!(a.json["corrupt"], mode);
    sb
}

#[tokio::test]
async fn switch_is_validated_reset_and_set_by_config() {
    let sb = start().await;
    for bad in [json!({"corrupt": "nope"}), json!({"corrupt": true})] {
        let a = sb.control(Method::POST, "switches", Some(bad)).await;
        assert_eq!(a.status, 400);
        assert_eq!(a.json["attr"], "corrupt");
    }
    sb.set_switches(json!({"corrupt": "garbage"})).await;
    assert_eq!(
        sb.set_switches(json!({"corrupt": null})).await.json["corrupt"],
        json!(null)
    );
    assert_eq!(sb.get(FULL, GT).await.json[0]["group_type_index"], 0);
    let sb = start_with(Config {
        switches: Switches {
            corrupt: Some(CorruptMode::Empty),
            ..Switches::default()
        },
        ..config()
    })
    .await;
    assert_eq!(sb.get(FULL, GT).await.text, "");
}

#[tokio::test]
async fn html_answers_502_with_a_page_but_leaves_errors_writes_and_control_alone() {
    let sb = with("html").await;
    let a = sb.get(FULL, GT).await;
    assert_eq!(a.status, 502);
    assert_eq!(a.text, "<html><body><h1>Bad gateway</h1></body></html>");
    assert!(a.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    // Errors, writes and the control API keep their answers; the log shows what was sent.
    assert_eq!(
        sb.send(Method::GET, &sb.api(GT), None, None).await.status,
        403
    );
    let a = sb
        .patch(FULL, "1/groups_types/update_metadata/", json!([]))
        .await;
    assert_eq!(a.status, 200);
    assert!(a.json.is_array());
    assert!(sb.state().await["projects"].is_array());
    let log = sb.control(Method::GET, "requests", None).await.json;
    assert_eq!(log[0]["status"], 502);
}

#[tokio::test]
async fn empty_answers_200_with_no_body() {
    let sb = with("empty").await;
    let a = sb.get(FULL, METRICS).await;
    assert_eq!((a.status, a.text.as_str()), (200, ""));
}

#[tokio::test]
async fn garbage_answers_json_cut_short() {
    let sb = with("garbage").await;
    let a = sb.get(FULL, GT).await;
    assert_eq!((a.status, a.text.as_str()), (200, "{\"results\": [tru"));
}

#[tokio::test]
async fn wrong_types_turns_intervals_and_indexes_into_strings() {
    let sb = with("wrong_types").await;
    let a = sb.get(FULL, GT).await;
    assert_eq!(a.json[0]["group_type_index"], "0");
    assert_eq!(a.json[1]["group_type_index"], "1");
    let a = sb.get(FULL, METRICS).await;
    assert_eq!(a.status, 200);
    let results = a.json["results"].as_array().unwrap();
    assert_eq!(results.len(), 25);
    assert!(results.iter().all(|m| m["interval"] == "soon"));
    assert_eq!(a.json["count"], 61);
}

#[tokio::test]
async fn unknown_adds_fields_and_enum_values() {
    let sb = with("unknown").await;
    let a = sb.get(FULL, METRICS).await;
    assert!(a.json[sandbox::corrupt::UNKNOWN_FIELD].is_object());
    let m = &a.json["results"][0];
    assert_eq!(
        (&m["format"], &m["display"], &m["math"]),
        (&json!("percentage"), &json!("gauge"), &json!("median"))
    );
    assert!(m[sandbox::corrupt::UNKNOWN_FIELD].is_object());
    assert!(m["filters"][sandbox::corrupt::UNKNOWN_FIELD].is_object());
    assert_eq!(m["name"], "Paid bills");
    let a = sb.get(FULL, GT).await;
    assert!(a.json[0][sandbox::corrupt::UNKNOWN_FIELD].is_object());
    assert_eq!(a.json[0]["group_type"], "organization");
}

#[tokio::test]
async fn huge_gives_the_metrics_list_10000_distinct_metrics_and_leaves_the_rest() {
    let sb = with("huge").await;
    let a = sb.get(FULL, METRICS).await;
    assert_eq!(a.json["count"], 10_000);
    let results = a.json["results"].as_array().unwrap();
    assert_eq!(results.len(), 10_000);
    let names: std::collections::HashSet<&Value> = results.iter().map(|m| &m["name"]).collect();
    let ids: std::collections::HashSet<&Value> = results.iter().map(|m| &m["id"]).collect();
    assert_eq!((names.len(), ids.len()), (10_000, 10_000));
    assert!(results
        .iter()
        .all(|m| uuid::Uuid::parse_str(m["id"].as_str().unwrap()).is_ok()));
    assert_eq!(sb.get(FULL, GT).await.json[0]["group_type"], "organization");
}
