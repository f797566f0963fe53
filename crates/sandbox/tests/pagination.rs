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
async fn bad_limit_or_offset_means_the_default() {
    // DRF's LimitOffsetPagination reads both with `_positive_int` and falls back on a
    // ValueError: a limit that is not a positive integer is the default 100, a bad offset 0.
    let sb = start().await;
    let whole = sb.get(FULL, M).await.json;
    for query in [
        "limit=abc",
        "limit=2.5",
        "limit=-1",
        "limit=0",
        "limit=",
        "offset=x",
        "offset=-5",
        "limit=abc&offset=-5",
    ] {
        let a = sb.get(FULL, &format!("{M}?{query}")).await;
        assert_eq!(a.status, 200, "{query}: {}", a.text);
        assert_eq!(a.json["results"], whole["results"], "{query}");
        assert_eq!(a.json["count"], 61, "{query}");
    }
    // What Python's int() reads counts: spaces, a sign, underscores between digits.
    let a = sb
        .get(FULL, &format!("{M}?limit=%2B1_0&offset=%205"))
        .await
        .json;
    assert_eq!(a["results"].as_array().unwrap().len(), 10);
    assert_eq!(a["results"][0], whole["results"][5]);
}

#[tokio::test]
async fn links_keep_other_parameters_sorted_by_name() {
    // replace_query_param re-encodes the request's own query with its names sorted.
    let sb = start().await;
    let host = sb.url.trim_start_matches("http://").to_string();
    let a = sb
        .get(FULL, &format!("{M}?zeta=1&offset=10&limit=10&alpha=a%20b"))
        .await
        .json;
    let base = format!("http://{host}/api/projects/1/groups_types/0/metrics/");
    assert_eq!(
        a["next"],
        format!("{base}?alpha=a+b&limit=10&offset=20&zeta=1")
    );
    assert_eq!(a["previous"], format!("{base}?alpha=a+b&limit=10&zeta=1"));
    // The path is kept as requested: without the trailing slash, links have none either.
    let a = sb.get(FULL, "1/groups_types/0/metrics?limit=60").await.json;
    assert_eq!(
        a["next"],
        format!("http://{host}/api/projects/1/groups_types/0/metrics?limit=60&offset=60")
    );
}
