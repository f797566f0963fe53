//! The pickers' endpoints over HTTP: event and property definitions, actions, warehouse
//! tables; their search, order, paging, scopes and switches, as PostHog answers them.

mod common;
use common::*;
use serde_json::{json, Value};

const EVENTS: &str = "1/event_definitions/";
const PROPS: &str = "1/property_definitions/";
const ACTIONS: &str = "1/actions/";
const TABLES: &str = "1/warehouse_tables/";

fn names(v: &Value) -> Vec<String> {
    v["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["name"].as_str().expect("name").to_string())
        .collect()
}

/// `?event_names=` as the app sends it: a JSON list, URL-encoded.
fn events_param(list: &[&str]) -> String {
    let text = serde_json::to_string(list).unwrap();
    url_encode(&text)
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn event_definitions_search_every_term_in_any_case() {
    let sb = start().await;
    let a = sb.get(FULL, &format!("{EVENTS}?search=PAID")).await;
    assert_eq!(a.status, 200);
    let found = names(&a.json);
    assert!(found.contains(&"paid_bill".to_string()), "{found:?}");
    assert!(found.iter().all(|n| n.to_lowercase().contains("paid")));
    // Two terms: both must occur, in any order.
    let found = names(
        &sb.get(FULL, &format!("{EVENTS}?search=bill%20paid"))
            .await
            .json,
    );
    assert_eq!(found, ["paid_bill"]);
    let none = sb
        .get(FULL, &format!("{EVENTS}?search=paid%20zebra"))
        .await
        .json;
    assert_eq!(none["count"], 0);
    // A search without `ordering` puts shorter names first.
    let found = names(&sb.get(FULL, &format!("{EVENTS}?search=e")).await.json);
    let lengths: Vec<usize> = found.iter().map(|n| n.chars().count()).collect();
    assert!(lengths.windows(2).all(|w| w[0] <= w[1]), "{found:?}");
}

#[tokio::test]
async fn event_definitions_answer_posthogs_fields_and_default_order() {
    let sb = start().await;
    let a = sb.get(FULL, EVENTS).await;
    assert_eq!(
        keys(&a.json),
        ["count", "next", "previous", "results", "count_is_capped"]
    );
    assert_eq!(a.json["count_is_capped"], false);
    let results = a.json["results"].as_array().unwrap();
    assert!(results.len() > 50, "the demo's events: {}", results.len());
    let paid = results.iter().find(|r| r["name"] == "paid_bill").unwrap();
    for field in ["id", "name", "created_at", "last_seen_at", "tags"] {
        assert!(paid.get(field).is_some(), "{field} in {paid}");
    }
    assert!(paid["last_seen_at"].as_str().unwrap().ends_with('Z'));
    // The day last seen, newest first, then name.
    let day = |r: &Value| r["last_seen_at"].as_str().map(|t| t[..10].to_string());
    for w in results.windows(2) {
        let (a, b) = (day(&w[0]), day(&w[1]));
        assert!(
            a > b || (a == b && w[0]["name"].as_str() < w[1]["name"].as_str()),
            "{} before {}",
            w[0],
            w[1]
        );
    }
}

#[tokio::test]
async fn event_definitions_page_and_check_names() {
    let sb = start().await;
    let all = names(&sb.get(FULL, EVENTS).await.json);
    let first = sb.get(FULL, &format!("{EVENTS}?limit=10")).await.json;
    assert_eq!(names(&first), all[..10]);
    let next = first["next"].as_str().unwrap();
    assert!(next.ends_with("?limit=10&offset=10"), "{next}");
    let second = sb
        .get(FULL, &format!("{EVENTS}?limit=10&offset=10"))
        .await
        .json;
    assert_eq!(names(&second), all[10..20]);
    // `names=` asks for exact names: one seen, one never.
    let checked = sb
        .get(FULL, &format!("{EVENTS}?names=paid_bill,paid_bil"))
        .await
        .json;
    assert_eq!(names(&checked), ["paid_bill"]);
    let repeated = sb
        .get(FULL, &format!("{EVENTS}?names=paid_bill&names=api_call"))
        .await
        .json;
    let mut both = names(&repeated);
    both.sort();
    assert_eq!(both, ["api_call", "paid_bill"]);
    // PostHog's own `$` events are left out on request.
    let custom = names(
        &sb.get(FULL, &format!("{EVENTS}?event_type=event_custom"))
            .await
            .json,
    );
    assert!(!custom.is_empty() && custom.iter().all(|n| !n.starts_with('$')));
    assert!(all.iter().any(|n| n.starts_with('$')));
}

#[tokio::test]
async fn event_definitions_refuse_bad_paging_and_types() {
    let sb = start().await;
    let a = sb.get(FULL, &format!("{EVENTS}?limit=0")).await;
    assert_error(
        &a,
        400,
        "validation_error",
        "min_value",
        "Ensure this value is greater than or equal to 1.",
        Some("limit"),
    );
    let a = sb
        .get(FULL, &format!("{EVENTS}?event_type=everything"))
        .await;
    assert_error(
        &a,
        400,
        "validation_error",
        "invalid_input",
        "Not a valid event type. Use one of: event, event_custom, event_posthog.",
        Some("event_type"),
    );
}

#[tokio::test]
async fn property_definitions_hide_what_posthog_hides() {
    let sb = start().await;
    let all = names(&sb.get(FULL, &format!("{PROPS}?limit=1000")).await.json);
    assert!(all.contains(&"amount".to_string()), "{all:?}");
    for hidden in [
        "distinct_id",
        "$set",
        "$group_0",
        "$groups",
        "$session_entry_url",
    ] {
        assert!(!all.contains(&hidden.to_string()), "{hidden} listed");
    }
    // Without event names, nothing says what was seen with them.
    let a = sb.get(FULL, PROPS).await.json;
    assert!(a["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["is_seen_on_filtered_events"].is_null()));
    assert_eq!(
        keys(&a["results"][0]),
        [
            "id",
            "name",
            "is_numerical",
            "property_type",
            "tags",
            "is_seen_on_filtered_events"
        ]
    );
}

#[tokio::test]
async fn property_definitions_put_those_seen_with_the_events_first() {
    let sb = start().await;
    let q = events_param(&["paid_bill"]);
    let a = sb
        .get(
            FULL,
            &format!("{PROPS}?type=event&event_names={q}&limit=1000"),
        )
        .await;
    assert_eq!(a.status, 200);
    let results = a.json["results"].as_array().unwrap();
    let seen: Vec<bool> = results
        .iter()
        .map(|p| {
            p["is_seen_on_filtered_events"]
                .as_bool()
                .expect("a boolean")
        })
        .collect();
    assert!(seen.contains(&true) && seen.contains(&false), "{seen:?}");
    // Every seen one before every other; by name within each.
    let first_unseen = seen.iter().position(|s| !s).unwrap();
    assert!(seen[first_unseen..].iter().all(|s| !s));
    for part in [&results[..first_unseen], &results[first_unseen..]] {
        let n: Vec<&str> = part.iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert!(n.windows(2).all(|w| w[0] < w[1]), "{n:?}");
    }
    // With filter_by_event_names, only those seen.
    let only = sb
        .get(
            FULL,
            &format!("{PROPS}?type=event&event_names={q}&filter_by_event_names=true&limit=1000"),
        )
        .await
        .json;
    assert_eq!(only["count"].as_u64().unwrap() as usize, first_unseen);
    assert!(names(&only).contains(&"amount".to_string()));
}

#[tokio::test]
async fn property_definitions_for_a_sum_are_numeric_only() {
    let sb = start().await;
    let a = sb
        .get(FULL, &format!("{PROPS}?is_numerical=true&limit=1000"))
        .await
        .json;
    let results = a["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(results
        .iter()
        .all(|p| p["is_numerical"] == true && p["property_type"] == "Numeric"));
    assert!(names(&a).contains(&"amount".to_string()));
    // `false` filters nothing.
    let all = sb.get(FULL, &format!("{PROPS}?limit=1000")).await.json;
    let unfiltered = sb
        .get(FULL, &format!("{PROPS}?is_numerical=false&limit=1000"))
        .await
        .json;
    assert_eq!(all["count"], unfiltered["count"]);
    assert!(all["count"].as_u64() > a["count"].as_u64());
    // Search, every term, any case.
    let found = names(&sb.get(FULL, &format!("{PROPS}?search=AMOU")).await.json);
    assert!(found.contains(&"amount".to_string()));
}

#[tokio::test]
async fn property_definitions_check_their_type() {
    let sb = start().await;
    assert_eq!(
        sb.get(FULL, &format!("{PROPS}?type=person")).await.json["count"],
        0
    );
    let a = sb.get(FULL, &format!("{PROPS}?type=group")).await;
    assert_eq!(a.status, 400);
    assert_eq!(
        a.json["detail"],
        "`group_type_index` must be set for `group` type"
    );
    let q = events_param(&["paid_bill"]);
    let a = sb
        .get(FULL, &format!("{PROPS}?type=person&event_names={q}"))
        .await;
    assert_eq!(a.status, 400);
}

#[tokio::test]
async fn actions_come_in_one_unpaginated_list() {
    let sb = start().await;
    let a = sb.get(FULL, ACTIONS).await;
    assert_eq!(a.status, 200);
    assert_eq!(keys(&a.json), ["count", "results"]);
    assert_eq!(
        names(&a.json),
        [
            "Completed a task",
            "Completed checkout",
            "Opened a support ticket"
        ]
    );
    assert_eq!(a.json["count"], 3);
    let task = &a.json["results"][0];
    assert_eq!(task["id"], 7);
    assert!(task["steps"].as_array().is_some_and(|s| !s.is_empty()));
    assert_eq!(task["deleted"], false);
    // `search` is one case-insensitive substring.
    let found = names(&sb.get(FULL, &format!("{ACTIONS}?search=TICKET")).await.json);
    assert_eq!(found, ["Opened a support ticket"]);
}

#[tokio::test]
async fn warehouse_tables_are_paged_with_typed_columns() {
    let sb = start().await;
    let a = sb.get(FULL, TABLES).await;
    assert_eq!(a.status, 200);
    assert_eq!(keys(&a.json), ["count", "next", "previous", "results"]);
    // Newest first: the seed's last table is its newest.
    assert_eq!(
        names(&a.json),
        ["salesforce_opportunities", "stripe_charges", "sync_runs"]
    );
    let charges = &a.json["results"][1];
    let column = |key: &str| {
        charges["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == key)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        column("amount"),
        json!({"key": "amount", "name": "amount", "type": "float", "schema_valid": true,
               "fields": null, "table": null, "chain": null})
    );
    assert_eq!(column("created")["type"], "datetime");
    assert_eq!(column("customer_id")["type"], "string");
    let found = names(
        &sb.get(FULL, &format!("{TABLES}?search=stripe,CHARGES"))
            .await
            .json,
    );
    assert_eq!(found, ["stripe_charges"]);
    let page = sb.get(FULL, &format!("{TABLES}?limit=1")).await.json;
    assert_eq!(page["count"], 3);
    assert!(page["next"]
        .as_str()
        .unwrap()
        .ends_with("?limit=1&offset=1"));
}

#[tokio::test]
async fn each_picker_needs_its_own_scope() {
    let sb = start().await;
    for (path, scope) in [
        (EVENTS, "event_definition:read"),
        (PROPS, "property_definition:read"),
        (ACTIONS, "action:read"),
        (TABLES, "warehouse_table:read"),
    ] {
        let a = sb.get(READ_ONLY, path).await;
        assert_error(
            &a,
            403,
            "authentication_error",
            "permission_denied",
            &format!("API key missing required scope '{scope}'"),
            None,
        );
    }
}

#[tokio::test]
async fn a_write_scope_also_reads_the_pickers() {
    let seed = tempfile::NamedTempFile::new().unwrap();
    let mut value: Value = serde_json::from_str(sandbox::seed::DEMO_SEED).unwrap();
    let key = &mut value["keys"][2];
    assert_eq!(key["key"], GROUPS_ONLY);
    key["scopes"] = json!([
        "event_definition:write",
        "property_definition:write",
        "action:write",
        "warehouse_table:write"
    ]);
    std::fs::write(seed.path(), value.to_string()).unwrap();
    let mut config = config();
    config.seed = Some(seed.path().to_path_buf());
    let sb = start_with(config).await;
    for path in [EVENTS, PROPS, ACTIONS, TABLES] {
        assert_eq!(sb.get(GROUPS_ONLY, path).await.status, 200, "{path}");
    }
}

#[tokio::test]
async fn switches_apply_to_the_pickers() {
    let sb = start().await;
    sb.set_switches(json!({"failure_rate": 1.0})).await;
    assert_server_error(&sb.get(FULL, EVENTS).await);
    sb.set_switches(json!({"failure_rate": 0.0, "rate_limit_per_minute": 1}))
        .await;
    assert_eq!(sb.get(FULL, PROPS).await.status, 200);
    assert_eq!(sb.get(FULL, ACTIONS).await.status, 429);
}
