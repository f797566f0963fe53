//! Groups of a type (`GET groups/`) and metric values (`POST query/` with a UsageMetricsQuery)
//! over real HTTP. The values are checked against this test's own count of the synthetic
//! events the sandbox exposes (`/_sandbox/events`), not against the sandbox's computation.

mod common;
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

const NO_QUERY: &str = "phx_sandbox_no_query";
const DAY: i64 = 86_400;

fn usage_query(index: i64, key: &str) -> Value {
    json!({"query": {"kind": "UsageMetricsQuery", "group_type_index": index, "group_key": key}})
}

/// The synthetic events of the organization `acme`, as the sandbox exposes them for counting.
async fn acme_events(sb: &Sb) -> Vec<Value> {
    let path = "events?project=1&group_type_index=0&group_key=acme";
    let answer = sb.control(Method::GET, path, None).await;
    answer.json["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn query(sb: &Sb, key: &str, body: Value) -> Answer {
    sb.post(key, "1/query/", body).await
}

/// Unix seconds of `2026-12-02T07:58:03.922368Z` (the fraction dropped, as the server does).
fn unix(iso: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| iso[r].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    days * DAY + n(11..13) * 3600 + n(14..16) * 60 + n(17..19)
}

#[tokio::test]
async fn groups_of_a_type_with_search() {
    let sb = start().await;
    let a = sb.get(FULL, "1/groups/?group_type_index=0").await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(keys(&a.json), ["next", "previous", "results"]);
    let results = a.json["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    assert_eq!(
        keys(&results[0]),
        [
            "group_type_index",
            "group_key",
            "group_properties",
            "created_at"
        ]
    );
    // Newest first.
    assert_eq!(results[0]["group_key"], "stark");
    assert_eq!(results[5]["group_key"], "acme");
    // Search matches the name property or the key, case-insensitively.
    let found = |a: &Answer| -> Vec<String> {
        a.json["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["group_key"].as_str().unwrap().to_string())
            .collect()
    };
    let a = sb
        .get(FULL, "1/groups/?group_type_index=0&search=CORP")
        .await;
    assert_eq!(found(&a), ["umbrella", "globex"]);
    let a = sb
        .get(FULL, "1/groups/?group_type_index=0&search=hoo")
        .await;
    assert_eq!(found(&a), ["hooli"]);
    let a = sb.get(FULL, "1/groups/?group_type_index=3").await;
    assert_eq!(a.json["results"], json!([]));
    // The group type index is required, and a number.
    let a = sb.get(FULL, "1/groups/").await;
    assert_error(
        &a,
        400,
        "validation_error",
        "invalid_input",
        "You must pass ?group_type_index= in this URL. To get a list of valid group types, call /api/:project_id/groups_types/.",
        Some("group_type_index"),
    );
    let a = sb.get(FULL, "1/groups/?group_type_index=x").await;
    assert_error(
        &a,
        400,
        "validation_error",
        "invalid_input",
        "A valid integer is required.",
        Some("group_type_index"),
    );
    // group:read, and the key's projects.
    assert_eq!(
        sb.get(READ_ONLY, "1/groups/?group_type_index=0")
            .await
            .status,
        200
    );
    let a = sb.get(PROJECT_2, "1/groups/?group_type_index=0").await;
    assert_error(
        &a,
        403,
        "authentication_error",
        "permission_denied",
        "API key does not have access to the requested project: ID 1.",
        None,
    );
}

#[tokio::test]
async fn groups_pages_follow_the_cursor() {
    let mut seed: Value = serde_json::from_str(sandbox::seed::DEMO_SEED).unwrap();
    let many: Vec<Value> = (0..230)
        .map(|i| {
            json!({"group_key": format!("org-{i:03}"), "group_properties": {"name": format!("Org {i}")},
                   "created_at": format!("2024-01-{:02}T10:00:00Z", 1 + i % 28)})
        })
        .collect();
    seed["projects"][0]["groups"]["0"] = json!(many);
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), seed.to_string()).unwrap();
    let mut config = config();
    config.seed = Some(file.path().to_path_buf());
    let sb = start_with(config).await;
    let mut url = sb.api("1/groups/?group_type_index=0&search=org");
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    loop {
        let page = sb.send(Method::GET, &url, Some(FULL), None).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert_eq!(page.json["previous"], Value::Null);
        let results = page.json["results"].as_array().unwrap();
        sizes.push(results.len());
        seen.extend(results.iter().map(|g| g["group_key"].clone()));
        match page.json["next"].as_str() {
            Some(next) => {
                assert!(next.contains("search=org"), "{next}");
                url = next.to_string();
            }
            None => break,
        }
    }
    assert_eq!(sizes, [100, 100, 30]);
    let mut unique = seen.clone();
    unique.sort_by_key(|v| v.as_str().unwrap().to_string());
    unique.dedup();
    assert_eq!(unique.len(), 230, "every group once");
    // An unreadable cursor starts again from the first page.
    let a = sb
        .get(FULL, "1/groups/?group_type_index=0&cursor=nonsense")
        .await;
    assert_eq!(a.json["results"].as_array().unwrap().len(), 100);
}

/// The test's own count: events of the group inside the runner's windows.
fn expected(
    events: &[Value],
    now: i64,
    interval: i64,
    event: &str,
    sum: Option<&str>,
) -> (f64, f64) {
    let from = now - interval * DAY;
    let prev_from = now - 2 * interval * DAY;
    let mut value = 0.0;
    let mut previous = 0.0;
    for e in events.iter().filter(|e| e["event"] == event) {
        let ts = unix(e["timestamp"].as_str().unwrap());
        let amount = match sum {
            Some(p) => match e["properties"][p].as_f64() {
                Some(v) => v,
                None => continue,
            },
            None => 1.0,
        };
        if ts >= from && ts <= now {
            value += amount;
        } else if ts >= prev_from && ts < from {
            previous += amount;
        }
    }
    (value, previous)
}

#[tokio::test]
async fn values_match_an_independent_count_of_the_seeds_events() {
    let sb = start().await;
    let events = acme_events(&sb).await;
    assert!(events.len() > 1000, "{} events", events.len());
    assert!(events.iter().all(|e| e["$group_0"] == "acme"));
    let a = query(&sb, FULL, usage_query(0, "acme")).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let now = unix(a.json["last_refresh"].as_str().unwrap());
    let results = a.json["results"].as_array().unwrap();
    // Sorted by name, descending.
    let names: Vec<&str> = results
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(names, sorted);
    // Every metric made of one event and nothing else, counted or summed by this test.
    let mut stored: Vec<Value> = Vec::new();
    for index in 0..4 {
        stored.extend(sb.stored_metrics(1, index).await);
    }
    let mut checked = 0;
    for m in &stored {
        let f = &m["filters"];
        let simple = f["events"].as_array().is_some_and(|e| {
            e.len() == 1
                && e[0]["type"] == "events"
                && e[0]["properties"].as_array().is_none_or(Vec::is_empty)
        }) && f["actions"].as_array().is_none_or(Vec::is_empty)
            && f["properties"].as_array().is_none_or(Vec::is_empty)
            && f["filter_test_accounts"] != true;
        if !simple {
            continue;
        }
        let event = f["events"][0]["id"].as_str().unwrap();
        let sum = (m["math"] == "sum").then(|| m["math_property"].as_str().unwrap());
        let interval = m["interval"].as_i64().unwrap();
        let (value, previous) = expected(&events, now, interval, event, sum);
        let got = results
            .iter()
            .find(|r| r["id"] == m["id"])
            .unwrap_or_else(|| panic!("{} computed", m["name"]));
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
        assert!(
            close(got["value"].as_f64().unwrap(), value),
            "{}: {} vs {value}",
            m["name"],
            got["value"]
        );
        assert!(
            close(got["previous"].as_f64().unwrap(), previous),
            "{}: previous",
            m["name"]
        );
        match previous > 0.0 {
            true => assert!(close(
                got["change_from_previous_pct"].as_f64().unwrap(),
                (value - previous) / previous * 100.0
            )),
            false => assert_eq!(got["change_from_previous_pct"], Value::Null),
        }
        if m["display"] == "sparkline" {
            let series = got["timeseries"].as_array().unwrap();
            let labels = got["timeseries_labels"].as_array().unwrap();
            assert_eq!(series.len(), labels.len());
            let total: f64 = series.iter().map(|v| v.as_f64().unwrap()).sum();
            assert!(close(total, value));
        } else {
            assert_eq!(got["timeseries"], Value::Null);
            assert_eq!(got["timeseries_labels"], Value::Null);
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} metrics checked");
}

#[tokio::test]
async fn every_computable_metric_whatever_its_group_type_and_none_other() {
    let sb = start().await;
    // Filed under group type 2, matching every event, and a copy of a real metric under 1.
    let everything =
        json!({"name": "Everything", "filters": {"events": [], "actions": [], "properties": []}});
    assert_eq!(
        sb.post(FULL, "1/groups_types/2/metrics/", everything)
            .await
            .status,
        201
    );
    let all_events =
        json!({"name": "All events", "filters": {"events": [{"id": null, "type": "events"}]}});
    assert_eq!(
        sb.post(FULL, "1/groups_types/2/metrics/", all_events)
            .await
            .status,
        201
    );
    let filtered = json!({"name": "Pro plan events", "filters": {"properties": [{"key": "plan", "value": ["pro"], "operator": "exact", "type": "event"}]}});
    assert_eq!(
        sb.post(FULL, "1/groups_types/2/metrics/", filtered)
            .await
            .status,
        201
    );
    let mut copy = sb.stored_metrics(1, 0).await[0].clone();
    copy.as_object_mut().unwrap().remove("id");
    assert_eq!(
        sb.post(FULL, "1/groups_types/1/metrics/", copy)
            .await
            .status,
        201
    );
    let a = query(&sb, FULL, usage_query(1, "contoso")).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let names: Vec<&str> = a.json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(
        !names.contains(&"Everything"),
        "skipped: no event, action or property"
    );
    assert!(
        !names.contains(&"All events"),
        "skipped: one all-events entry is constant true"
    );
    assert!(
        names.contains(&"Pro plan events"),
        "property filters alone count"
    );
    assert_eq!(
        names.iter().filter(|n| **n == "Paid bills").count(),
        2,
        "the copy shows twice"
    );
    let stored: usize = {
        let mut n = 0;
        for index in 0..4 {
            n += sb.stored_metrics(1, index).await.len();
        }
        n
    };
    assert_eq!(names.len(), stored - 2, "every metric but the two skipped");
    // Data-warehouse metrics show on group pages only.
    let warehouse = |results: &Value| {
        results
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| {
                [
                    "Warehouse rows synced",
                    "Stripe charges",
                    "Open opportunities",
                ]
                .contains(&r["name"].as_str().unwrap())
            })
            .count()
    };
    assert_eq!(warehouse(&a.json["results"]), 3);
    let events = acme_events(&sb).await;
    let person = events[0]["person_id"].as_str().unwrap().to_string();
    let a = query(
        &sb,
        FULL,
        json!({"query": {"kind": "UsageMetricsQuery", "person_id": person}}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(warehouse(&a.json["results"]), 0);
    assert!(!a.json["results"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn data_warehouse_values_come_from_the_tables_rows() {
    let sb = start().await;
    let charges = || async {
        let a = query(&sb, FULL, usage_query(0, "globex")).await;
        let results = a.json["results"].as_array().unwrap().clone();
        results
            .into_iter()
            .find(|r| r["name"] == "Stripe charges")
            .unwrap()
    };
    let first = charges().await;
    // A 30-day sum of amount over about half the days: well above zero.
    assert!(first["value"].as_f64().unwrap() > 0.0, "{first}");
    assert_eq!(
        charges().await["value"],
        first["value"],
        "the store does not move"
    );
}

#[tokio::test]
async fn query_scope_and_refusals() {
    let sb = start().await;
    let a = query(&sb, NO_QUERY, usage_query(0, "acme")).await;
    assert_error(
        &a,
        403,
        "authentication_error",
        "permission_denied",
        "API key missing required scope 'query:read'",
        None,
    );
    // Without a key: not_authenticated, a 403 on this viewset (its first authenticator is the
    // sharing one).
    let a = sb
        .send(
            Method::POST,
            &sb.api("1/query/"),
            None,
            Some(&usage_query(0, "acme")),
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
    for (body, detail) in [
        (
            json!({"query": {"kind": "UsageMetricsQuery"}}),
            "UsageMetricsQuery must have either group_key or person_id",
        ),
        (
            json!({"query": {"kind": "UsageMetricsQuery", "group_type_index": 0, "group_key": "acme", "person_id": "p"}}),
            "UsageMetricsQuery must have either group_key or person_id, not both",
        ),
        (
            json!({"query": {"kind": "HogQLQuery", "query": "select 1"}}),
            "The sandbox runs only UsageMetricsQuery, not HogQLQuery.",
        ),
        (
            json!({"kind": "UsageMetricsQuery"}),
            "The request needs a \"query\" object.",
        ),
    ] {
        let a = query(&sb, FULL, body).await;
        assert_error(&a, 400, "validation_error", "invalid_input", detail, None);
    }
    // The failure switch applies as to every API route.
    sb.set_switches(json!({"failure_rate": 1.0})).await;
    assert_server_error(&query(&sb, FULL, usage_query(0, "acme")).await);
}

#[tokio::test]
async fn a_metric_on_an_event_never_seen_counts_nothing() {
    let sb = start().await;
    for (name, event) in [("Typo", "paid_bil"), ("Real", "paid_bill")] {
        let body = json!({"name": name, "interval": 400, "filters": {"events": [{"id": event, "type": "events", "order": 0}]}});
        assert_eq!(
            sb.post(FULL, "1/groups_types/0/metrics/", body)
                .await
                .status,
            201
        );
    }
    let a = query(
        &sb,
        FULL,
        json!({"query": {"kind": "UsageMetricsQuery", "group_type_index": 0, "group_key": "acme"}}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let value = |name: &str| {
        a.json["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .map(|r| r["value"].as_f64().unwrap())
            .unwrap()
    };
    assert_eq!(value("Typo"), 0.0);
    assert!(value("Real") > 0.0);
    // And the event store has none of them.
    assert!(acme_events(&sb)
        .await
        .iter()
        .all(|e| e["event"] != "paid_bil"));
}
