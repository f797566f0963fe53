//! Endpoint 3's page: count, absolute next/previous links, bad limit/offset.

mod common;
use common::*;
use serde_json::json;

const M: &str = "1/groups_types/0/metrics/";

#[tokio::test]
async fn default_page_holds_everything_with_null_links() {
    let sb = start().await;
    let a = sb.get(FULL, M).await;
    assert_eq!(a.status, 200);
    assert_eq!(keys(&a.json), ["count", "next", "previous", "results"]);
    assert_eq!(a.json["count"], 61);
    assert_eq!(a.json["next"], json!(null));
    assert_eq!(a.json["previous"], json!(null));
    let results = a.json["results"].as_array().unwrap();
    assert_eq!(results.len(), 61);
    assert_eq!(keys(&results[0]), METRIC_FIELDS);
    assert_eq!(results[0]["name"], "Paid bills");
}

#[tokio::test]
async fn pages_link_with_absolute_urls_from_the_host_header() {
    let sb = start().await;
    let host = sb.url.trim_start_matches("http://").to_string();
    let base = format!("http://{host}/api/projects/1/groups_types/0/metrics/");
    let first = sb.get(FULL, &format!("{M}?limit=25")).await.json;
    assert_eq!(first["count"], 61);
    assert_eq!(first["results"].as_array().unwrap().len(), 25);
    assert_eq!(first["next"], format!("{base}?limit=25&offset=25"));
    assert_eq!(first["previous"], json!(null));
    let second = sb.get(FULL, &format!("{M}?limit=25&offset=25")).await.json;
    assert_eq!(second["next"], format!("{base}?limit=25&offset=50"));
    assert_eq!(second["previous"], format!("{base}?limit=25"));
    let last = sb.get(FULL, &format!("{M}?limit=25&offset=50")).await.json;
    assert_eq!(last["results"].as_array().unwrap().len(), 11);
    assert_eq!(last["next"], json!(null));
    assert_eq!(last["previous"], format!("{base}?limit=25&offset=25"));
    // Following the links walks the pages in a stable order without overlap.
    let mut names = Vec::new();
    let mut url = Some(format!("{base}?limit=25"));
    while let Some(u) = url {
        let page = answer(sb.client.get(&u).bearer_auth(FULL).send().await.unwrap())
            .await
            .json;
        names.extend(
            page["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["name"].clone()),
        );
        url = page["next"].as_str().map(str::to_string);
    }
    let all: Vec<_> = sb.get(FULL, M).await.json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].clone())
        .collect();
    assert_eq!(names, all);
}

#[tokio::test]
async fn links_use_the_host_the_client_used() {
    let sb = start().await;
    let a = answer(
        sb.client
            .get(sb.api(&format!("{M}?limit=10&offset=10")))
            .bearer_auth(FULL)
            .header("host", "sandbox.example:1234")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        a.json["next"],
        "http://sandbox.example:1234/api/projects/1/groups_types/0/metrics/?limit=10&offset=20"
    );
    assert_eq!(
        a.json["previous"],
        "http://sandbox.example:1234/api/projects/1/groups_types/0/metrics/?limit=10"
    );
}

#[tokio::test]
async fn offset_past_the_end_gives_empty_results() {
    let sb = start().await;
    let a = sb.get(FULL, &format!("{M}?limit=50&offset=100")).await.json;
    assert_eq!(a["count"], 61);
    assert_eq!(a["results"], json!([]));
    assert_eq!(a["next"], json!(null));
    assert!(a["previous"]
        .as_str()
        .unwrap()
        .ends_with("?limit=50&offset=50"));
}

#[tokio::test]
async fn new_metrics_come_last() {
    let sb = start().await;
    sb.post(FULL, M, metric("Newest")).await;
    let a = sb.get(FULL, &format!("{M}?limit=1&offset=61")).await.json;
    assert_eq!(a["count"], 62);
    assert_eq!(a["results"][0]["name"], "Newest");
}

#[tokio::test]
async fn bad_limit_or_offset_is_400_naming_it() {
    let sb = start().await;
    for (query, attr, code, detail) in [
        (
            "limit=abc",
            "limit",
            "invalid",
            "A valid integer is required.",
        ),
        (
            "limit=2.5",
            "limit",
            "invalid",
            "A valid integer is required.",
        ),
        (
            "limit=-1",
            "limit",
            "min_value",
            "Ensure this value is greater than or equal to 1.",
        ),
        (
            "limit=0",
            "limit",
            "min_value",
            "Ensure this value is greater than or equal to 1.",
        ),
        (
            "offset=x",
            "offset",
            "invalid",
            "A valid integer is required.",
        ),
        (
            "offset=-5",
            "offset",
            "min_value",
            "Ensure this value is greater than or equal to 0.",
        ),
    ] {
        let a = sb.get(FULL, &format!("{M}?{query}")).await;
        assert_error(&a, 400, "validation_error", code, detail, Some(attr));
    }
}
