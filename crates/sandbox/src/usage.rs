//! Metric values: a deterministic synthetic event store (and data-warehouse rows) generated from
//! a project's seed, and what PostHog's `UsageMetricsQueryRunner`
//! (posthog/hogql_queries/.../usage_metrics_query_runner.py) computes from them for one group or
//! person: every metric of the project whatever its group type, skipping the ones PostHog
//! skips, the current and previous windows, the change, and a daily series for sparklines.
//!
//! Nothing is stored: the events of a group are generated again on each query from hashes of
//! (project, group, day, event), counted back from the server's start (`anchor`), so the store
//! costs no memory and answers the same for the life of a sandbox.

use crate::clock::iso_of_secs;
use crate::model::{Metric, Project};
use serde_json::{json, Map, Value};

/// How many days of events each group has, counted back from the anchor.
pub const DAYS: i64 = 400;
const DAY: i64 = 86_400;

/// One synthetic event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Event name.
    pub event: String,
    /// Unix seconds.
    pub timestamp: i64,
    /// The person who sent it (a UUID).
    pub person_id: String,
    /// `$group_0` … `$group_4`.
    pub groups: [Option<String>; 5],
    /// Event properties.
    pub properties: Map<String, Value>,
}

impl Event {
    /// The event as `/_sandbox/events` shows it.
    pub fn to_json(&self) -> Value {
        let mut out = json!({
            "event": self.event,
            "timestamp": iso(self.timestamp),
            "person_id": self.person_id,
            "properties": self.properties,
        });
        for (i, g) in self.groups.iter().enumerate() {
            out[format!("$group_{i}")] = g.clone().map(Value::String).unwrap_or(Value::Null);
        }
        out
    }
}

/// Who a query is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A group page: `$group_<index>` equals the key.
    Group {
        /// Group type index.
        index: i64,
        /// Group key.
        key: String,
    },
    /// A person page.
    Person(String),
}

fn iso(ts: i64) -> String {
    iso_of_secs(ts)
}

/// FNV-1a then a splitmix64 finaliser: stable across runs and platforms.
fn hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

fn uuid_of(h: u64, salt: u64) -> String {
    let b = (h as u128) << 64 | u128::from(hash(&[&salt.to_string(), &h.to_string()]));
    uuid::Builder::from_random_bytes(b.to_be_bytes())
        .into_uuid()
        .to_string()
}

/// A string property and the values it takes (chosen by hash).
type Choices = (String, Vec<String>);

/// One kind of event the generator makes: its name, the numeric properties it carries and
/// the string properties with their values.
type EventKind = (String, Vec<String>, Vec<Choices>);

/// What events a project's generator makes: the names its metrics and actions mention (plus
/// `$pageview`), and per name the properties its filters and sums look at.
#[derive(Debug, Clone, Default)]
struct Vocabulary {
    events: Vec<EventKind>,
}

fn vocabulary(project: &Project) -> Vocabulary {
    let mut names: Vec<String> = vec!["$pageview".into()];
    let mut numeric: Vec<(String, String)> = Vec::new();
    let mut strings: Vec<(String, String, Vec<String>)> = Vec::new();
    let add_props =
        |event: &str, props: &Value, strings: &mut Vec<(String, String, Vec<String>)>| {
            for p in property_list(props) {
                let Some(key) = p.get("key").and_then(Value::as_str) else {
                    continue;
                };
                let mut values: Vec<String> = match p.get("value") {
                    Some(Value::Array(a)) => a.iter().map(scalar_text).collect(),
                    Some(v) if !v.is_null() => vec![scalar_text(v)],
                    _ => Vec::new(),
                };
                if p.get("operator").and_then(Value::as_str) == Some("icontains") {
                    values = values.iter().map(|v| format!("/app{v}/page")).collect();
                }
                if matches!(
                    p.get("operator").and_then(Value::as_str),
                    Some("gt" | "gte" | "lt" | "lte")
                ) {
                    values = values
                        .iter()
                        .filter_map(|v| v.parse::<f64>().ok())
                        .flat_map(|n| [n - 100.0, n, n + 3.0])
                        .map(|n| n.to_string())
                        .collect();
                }
                values.push("other".into());
                strings.push((event.to_string(), key.to_string(), values));
            }
        };
    for action in &project.actions {
        for step in &action.steps {
            if let Some(e) = &step.event {
                names.push(e.clone());
                add_props(e, &step.properties, &mut strings);
            }
        }
    }
    for metric in project.metrics.values().flatten() {
        let entries = metric.filters.get("events").and_then(Value::as_array);
        for entry in entries.into_iter().flatten() {
            let Some(name) = entry.get("id").and_then(Value::as_str) else {
                continue;
            };
            names.push(name.to_string());
            add_props(
                name,
                entry.get("properties").unwrap_or(&Value::Null),
                &mut strings,
            );
            if let Some(p) = metric
                .math_property
                .as_deref()
                .filter(|_| metric.math == "sum")
            {
                numeric.push((name.to_string(), p.to_string()));
            }
            add_props(
                name,
                metric.filters.get("properties").unwrap_or(&Value::Null),
                &mut strings,
            );
        }
    }
    names.sort();
    names.dedup();
    let events = names
        .into_iter()
        .map(|name| {
            let mut nums: Vec<String> = numeric
                .iter()
                .filter(|(e, _)| *e == name)
                .map(|(_, p)| p.clone())
                .chain(["amount".to_string()])
                .collect();
            nums.sort();
            nums.dedup();
            let mut strs: Vec<(String, Vec<String>)> = Vec::new();
            for (e, key, values) in &strings {
                if *e != name {
                    continue;
                }
                match strs.iter_mut().find(|(k, _)| k == key) {
                    Some((_, vs)) => vs.extend(values.iter().cloned()),
                    None => strs.push((key.clone(), values.clone())),
                }
            }
            for (key, values) in [
                (
                    "$host",
                    vec!["app.example.com", "app.example.com", "localhost:8000"],
                ),
                ("plan", vec!["free", "pro", "enterprise"]),
            ] {
                if !strs.iter().any(|(k, _)| k == key) {
                    strs.push((key.into(), values.into_iter().map(String::from).collect()));
                }
            }
            for (_, vs) in &mut strs {
                vs.sort();
                vs.dedup();
            }
            (name, nums, strs)
        })
        .collect();
    Vocabulary { events }
}

/// The events the generator makes for `project` now: each name with the names of its numeric
/// and string properties (the seed's definitions are taken from this).
pub fn event_kinds(project: &Project) -> Vec<(String, Vec<String>, Vec<String>)> {
    vocabulary(project)
        .events
        .into_iter()
        .map(|(name, nums, strs)| (name, nums, strs.into_iter().map(|(k, _)| k).collect()))
        .collect()
}

/// A UUID that depends only on `parts`.
pub fn stable_uuid(parts: &[&str]) -> String {
    uuid_of(hash(parts), 11)
}

/// How many events of one name an actor sends on one day (0 to 2), from that day's hash.
fn day_count(h: u64) -> u64 {
    [0, 0, 0, 1, 1, 2][(h % 6) as usize]
}

/// The time of the `eh`-hashed event of the day that starts `day` days before `anchor`.
fn event_time(anchor: i64, day: i64, eh: u64) -> i64 {
    anchor - day * DAY - (1 + (eh % (DAY as u64 - 1)) as i64)
}

/// When the generator last made an event named `name` (Unix seconds), as PostHog's
/// `last_seen_at` says it: the latest of the most recent day any actor sent one; `None` when
/// the project has no groups to send events.
pub fn last_seen(project: &Project, anchor: i64, name: &str) -> Option<i64> {
    let (_, actors) = project.groups.iter().find(|(_, g)| !g.is_empty())?;
    let pid = project.id.to_string();
    (0..DAYS).find_map(|day| {
        let day_text = day.to_string();
        actors
            .iter()
            .flat_map(|actor| {
                let h = hash(&[&pid, &actor.group_key, &day_text, name]);
                (0..day_count(h))
                    .map(move |n| event_time(anchor, day, hash(&[&h.to_string(), &n.to_string()])))
            })
            .max()
    })
}

/// A warehouse column's type as PostHog's API names it, by the same rule [`rows`] fills it:
/// `id` and `…_id` strings, timestamp-like columns datetimes, anything else a float.
pub fn column_type(column: &str) -> &'static str {
    if column == "id" || column.ends_with("_id") {
        "string"
    } else if is_time_column(column) {
        "datetime"
    } else {
        "float"
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The events of a project that `target` is about (for a group, those carrying its key; for a
/// person, theirs), oldest first, of the names the project has definitions for, generated
/// from the project's groups: each organization-level
/// group (the lowest group type that has groups) sends, each day, 0 to 2 of each event name,
/// and every event also carries one group of each other type.
pub fn events(project: &Project, anchor: i64, target: &Target) -> Vec<Event> {
    let mut vocab = vocabulary(project);
    // Only what the project has seen is ever sent: a metric saved later on a name no event
    // carries (`paid_bil`) counts nothing, as on PostHog. (The definitions are empty while
    // the seed is being built, when they are taken from this very vocabulary.)
    let seen = &project.event_definitions;
    if !seen.is_empty() {
        vocab
            .events
            .retain(|(name, _, _)| seen.iter().any(|d| d.name == *name));
    }
    let Some((&primary, actors)) = project.groups.iter().find(|(_, g)| !g.is_empty()) else {
        return Vec::new();
    };
    let pid = project.id.to_string();
    let mut out = Vec::new();
    for actor in actors {
        if let Target::Group { index, key } = target {
            if *index == primary && *key != actor.group_key {
                continue;
            }
        }
        for day in 0..DAYS {
            let day_text = day.to_string();
            for (name, nums, strs) in &vocab.events {
                let h = hash(&[&pid, &actor.group_key, &day_text, name]);
                let count = day_count(h);
                for n in 0..count {
                    let eh = hash(&[&h.to_string(), &n.to_string()]);
                    let mut groups: [Option<String>; 5] = Default::default();
                    for (index, list) in &project.groups {
                        let Ok(slot) = usize::try_from(*index) else {
                            continue;
                        };
                        if slot >= 5 || list.is_empty() {
                            continue;
                        }
                        groups[slot] = Some(if *index == primary {
                            actor.group_key.clone()
                        } else {
                            let pick = hash(&[&eh.to_string(), &index.to_string()]);
                            list[(pick % list.len() as u64) as usize].group_key.clone()
                        });
                    }
                    let person = uuid_of(hash(&[&actor.group_key, &(eh % 3).to_string()]), 7);
                    let keep = match target {
                        Target::Group { index, key } => usize::try_from(*index)
                            .ok()
                            .and_then(|i| groups.get(i).cloned().flatten())
                            .is_some_and(|g| g == *key),
                        Target::Person(id) => *id == person,
                    };
                    if !keep {
                        continue;
                    }
                    let mut properties = Map::new();
                    for (i, p) in nums.iter().enumerate() {
                        let v = hash(&[&eh.to_string(), p, &i.to_string()]) % 10_000;
                        properties.insert(p.clone(), json!(v as f64 / 100.0 * project.value_scale));
                    }
                    for (key, values) in strs {
                        let v = hash(&[&eh.to_string(), key]) % values.len() as u64;
                        properties.insert(key.clone(), json!(values[v as usize]));
                    }
                    out.push(Event {
                        event: name.clone(),
                        timestamp: event_time(anchor, day, eh),
                        person_id: person,
                        groups,
                        properties,
                    });
                }
            }
        }
    }
    out.sort_by_key(|e| e.timestamp);
    out
}

/// A data-warehouse table's rows, generated by column names: `id` a UUID, `…_id` columns a
/// group key (of any type: one row per group and day, half the days), timestamp-like columns
/// (`created`, `…_at`, `…_date`, `timestamp`) the row's time, anything else a number.
pub fn rows(project: &Project, anchor: i64, table: &str) -> Vec<Map<String, Value>> {
    let Some(t) = project.warehouse_tables.iter().find(|t| t.name == table) else {
        return Vec::new();
    };
    let pid = project.id.to_string();
    let mut out = Vec::new();
    for group in project.groups.values().flatten() {
        for day in 0..DAYS {
            let h = hash(&[&pid, table, &group.group_key, &day.to_string()]);
            if h.is_multiple_of(2) {
                continue;
            }
            let ts = event_time(anchor, day, h);
            let mut row = Map::new();
            for (i, column) in t.columns.iter().enumerate() {
                let value = if column == "id" {
                    json!(uuid_of(h, i as u64))
                } else if column.ends_with("_id") {
                    json!(group.group_key)
                } else if is_time_column(column) {
                    json!(iso(ts))
                } else {
                    let v = (hash(&[&h.to_string(), column]) % 100_000) as f64 / 100.0;
                    json!(v * project.value_scale)
                };
                row.insert(column.clone(), value);
            }
            out.push(row);
        }
    }
    out
}

fn is_time_column(column: &str) -> bool {
    column == "created"
        || column == "timestamp"
        || column.ends_with("_at")
        || column.ends_with("_date")
}

/// What a metric's filters become, as `hog_function_filters_to_expr` (posthog/cdp/filters.py)
/// builds it; `True` alone is the filter PostHog refuses to run (it would scan every event).
#[derive(Debug, Clone, PartialEq)]
enum Expr {
    True,
    False,
    Event(String),
    Props(Vec<Value>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

/// `_combine_expressions`: nothing is `True`, one is itself, more are `And`.
fn combine(mut exprs: Vec<Expr>) -> Expr {
    match exprs.len() {
        0 => Expr::True,
        1 => exprs.remove(0),
        _ => Expr::And(exprs),
    }
}

fn property_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.iter().flat_map(property_list).collect(),
        Value::Object(o) if o.get("values").is_some() => {
            o.get("values").map(property_list).unwrap_or_default()
        }
        Value::Object(_) => vec![v.clone()],
        _ => Vec::new(),
    }
}

/// `property_to_expr` of a filter list: a filter PostHog cannot read (no key, or no value for
/// an operator that needs one) is dropped, and a list left empty is `True`.
fn props_expr(v: &Value) -> Expr {
    let readable: Vec<Value> = property_list(v)
        .into_iter()
        .filter(|p| {
            let key = p
                .get("key")
                .and_then(Value::as_str)
                .is_some_and(|k| !k.is_empty());
            let operator = p.get("operator").and_then(Value::as_str).unwrap_or("exact");
            let valued = match p.get("value") {
                None | Some(Value::Null) => false,
                Some(Value::Array(a)) => !a.is_empty(),
                Some(Value::String(s)) => !s.is_empty(),
                Some(_) => true,
            };
            key && (valued || matches!(operator, "is_set" | "is_not_set"))
        })
        .collect();
    match readable.is_empty() {
        true => Expr::True,
        false => Expr::Props(readable),
    }
}

fn has_properties(v: Option<&Value>) -> bool {
    v.is_some_and(|p| match p {
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => false,
    })
}

fn filter_expr(project: &Project, filters: &Value) -> Expr {
    let mut common = Vec::new();
    if filters.get("filter_test_accounts") == Some(&Value::Bool(true))
        && !project.test_account_filters.is_empty()
    {
        common.push(props_expr(&Value::Array(
            project.test_account_filters.clone(),
        )));
    }
    if has_properties(filters.get("properties")) {
        common.push(props_expr(&filters["properties"]));
    }
    let entries: Vec<&Value> = ["events", "actions"]
        .iter()
        .filter_map(|k| filters.get(*k).and_then(Value::as_array))
        .flatten()
        .collect();
    if entries.is_empty() {
        return combine(common);
    }
    let single: Vec<Expr> = entries
        .iter()
        .map(|entry| {
            let mut parts = Vec::new();
            match entry.get("type").and_then(Value::as_str) {
                Some("events") => parts.push(match entry.get("id") {
                    None | Some(Value::Null) => Expr::True,
                    Some(id) => Expr::Event(scalar_text(id)),
                }),
                Some("actions") => parts.push(action_expr(project, entry.get("id"))),
                _ => {}
            }
            if has_properties(entry.get("properties")) {
                parts.push(props_expr(&entry["properties"]));
            }
            combine(parts)
        })
        .collect();
    let events = match single.len() {
        1 => single.into_iter().next().unwrap_or(Expr::True),
        _ => Expr::Or(single),
    };
    common.push(events);
    combine(common)
}

/// An action matches any of its steps (event and properties). PostHog fails the whole query
/// on an action id the project lacks; here it matches nothing.
fn action_expr(project: &Project, id: Option<&Value>) -> Expr {
    let id = id.and_then(|v| match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    let Some(action) = id.and_then(|id| project.actions.iter().find(|a| a.id == id)) else {
        return Expr::False;
    };
    Expr::Or(
        action
            .steps
            .iter()
            .map(|step| {
                let mut parts = Vec::new();
                if let Some(e) = &step.event {
                    parts.push(Expr::Event(e.clone()));
                }
                if has_properties(Some(&step.properties)) {
                    parts.push(props_expr(&step.properties));
                }
                combine(parts)
            })
            .collect(),
    )
}

fn matches(expr: &Expr, e: &Event, project: &Project) -> bool {
    match expr {
        Expr::True => true,
        Expr::False => false,
        Expr::Event(name) => e.event == *name,
        Expr::Props(props) => props.iter().all(|p| property_matches(p, e, project)),
        Expr::And(all) => all.iter().all(|x| matches(x, e, project)),
        Expr::Or(any) => any.iter().any(|x| matches(x, e, project)),
    }
}

/// One property filter on an event: event properties, or the properties of the event's group
/// of a type; person and other kinds are not modelled (they match nothing).
fn property_matches(p: &Value, e: &Event, project: &Project) -> bool {
    let Some(key) = p.get("key").and_then(Value::as_str) else {
        return false;
    };
    let actual: Option<Value> = match p.get("type").and_then(Value::as_str).unwrap_or("event") {
        "event" => e.properties.get(key).cloned(),
        "group" => {
            let index = p
                .get("group_type_index")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let group = usize::try_from(index)
                .ok()
                .and_then(|i| e.groups.get(i).cloned().flatten());
            group.and_then(|k| {
                project
                    .groups
                    .get(&index)
                    .and_then(|gs| gs.iter().find(|g| g.group_key == k))
                    .and_then(|g| g.group_properties.get(key).cloned())
            })
        }
        _ => return false,
    };
    let wanted: Vec<String> = match p.get("value") {
        Some(Value::Array(a)) => a.iter().map(scalar_text).collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(v) => vec![scalar_text(v)],
    };
    let text = actual.as_ref().filter(|v| !v.is_null()).map(scalar_text);
    let number = |s: &str| s.trim().parse::<f64>().ok();
    let compare = |f: fn(f64, f64) -> bool| match (&text, wanted.first()) {
        (Some(t), Some(w)) => match (number(t), number(w)) {
            (Some(a), Some(b)) => f(a, b),
            _ => false,
        },
        _ => false,
    };
    match p.get("operator").and_then(Value::as_str).unwrap_or("exact") {
        "exact" => text.as_ref().is_some_and(|t| wanted.contains(t)),
        "is_not" => !text.as_ref().is_some_and(|t| wanted.contains(t)),
        "icontains" => text.as_ref().is_some_and(|t| {
            wanted
                .iter()
                .any(|w| t.to_lowercase().contains(&w.to_lowercase()))
        }),
        "not_icontains" => !text.as_ref().is_some_and(|t| {
            wanted
                .iter()
                .any(|w| t.to_lowercase().contains(&w.to_lowercase()))
        }),
        "gt" => compare(|a, b| a > b),
        "gte" => compare(|a, b| a >= b),
        "lt" => compare(|a, b| a < b),
        "lte" => compare(|a, b| a <= b),
        "is_set" => text.is_some(),
        "is_not_set" => text.is_none(),
        _ => false,
    }
}

/// Why the runner leaves a metric out, if it does.
pub fn skipped(project: &Project, metric: &Metric, target: &Target) -> Option<&'static str> {
    if metric.math == "sum" && metric.math_property.as_deref().is_none_or(str::is_empty) {
        return Some("a sum without math_property");
    }
    let warehouse = metric.filters.get("source").and_then(Value::as_str) == Some("data_warehouse");
    if warehouse && matches!(target, Target::Person(_)) {
        return Some("data-warehouse metrics show on group pages only");
    }
    if !warehouse && filter_expr(project, &metric.filters) == Expr::True {
        return Some("its filters match every event");
    }
    None
}

/// The query runner's answer for `target` at `now` (unix seconds): one result per metric it
/// computes, sorted by name, descending.
pub fn compute(project: &Project, anchor: i64, now: i64, target: &Target) -> Vec<Value> {
    let metrics: Vec<&Metric> = project
        .metrics
        .values()
        .flatten()
        .filter(|m| skipped(project, m, target).is_none())
        .collect();
    let needs_events = metrics
        .iter()
        .any(|m| m.filters.get("source").and_then(Value::as_str) != Some("data_warehouse"));
    let group_events = if needs_events {
        events(project, anchor, target)
    } else {
        Vec::new()
    };
    let mut results: Vec<Value> = metrics
        .into_iter()
        .map(|m| {
            let points = points(project, anchor, m, target, &group_events);
            result(m, &points, now)
        })
        .collect();
    results.sort_by(|a, b| {
        let name = |v: &Value| v["name"].as_str().unwrap_or("").to_string();
        name(b).cmp(&name(a))
    });
    results
}

/// (timestamp, amount) of everything a metric counts or sums for the target.
fn points(
    project: &Project,
    anchor: i64,
    m: &Metric,
    target: &Target,
    group_events: &[Event],
) -> Vec<(i64, f64)> {
    let sum = m.math == "sum";
    let property = m.math_property.clone().unwrap_or_default();
    if m.filters.get("source").and_then(Value::as_str) == Some("data_warehouse") {
        let Target::Group { key, .. } = target else {
            return Vec::new();
        };
        let table = m.filters["table_name"].as_str().unwrap_or("");
        let ts_col = m.filters["timestamp_field"].as_str().unwrap_or("");
        let key_col = m.filters["key_field"].as_str().unwrap_or("");
        return rows(project, anchor, table)
            .into_iter()
            .filter(|r| r.get(key_col).and_then(Value::as_str) == Some(key.as_str()))
            .filter_map(|r| {
                let ts = r.get(ts_col).and_then(Value::as_str).and_then(parse_iso)?;
                let amount = if sum {
                    number_of(r.get(&property))?
                } else {
                    1.0
                };
                Some((ts, amount))
            })
            .collect();
    }
    let expr = filter_expr(project, &m.filters);
    group_events
        .iter()
        .filter(|e| matches(&expr, e, project))
        .filter_map(|e| {
            let amount = if sum {
                number_of(e.properties.get(&property))?
            } else {
                1.0
            };
            Some((e.timestamp, amount))
        })
        .collect()
}

fn number_of(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `YYYY-MM-DDThh:mm:ss[.f]Z` as written by [`iso_utc`], to unix seconds.
pub fn parse_time(s: &str) -> Option<i64> {
    parse_iso(s)
}

fn parse_iso(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    if b.len() < 20 {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    Some(days_from_civil(y, mo, d) * DAY + h * 3600 + mi * 60 + se)
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `_process_group_results`: the current window `[now − interval days, now]`, the previous
/// `[now − 2·interval days, now − interval days)`, a value per UTC day of the current window's
/// dates (both ends included), the change when the previous total is above 0.
fn result(m: &Metric, points: &[(i64, f64)], now: i64) -> Value {
    let from = now - m.interval * DAY;
    let prev_from = now - 2 * m.interval * DAY;
    let first_day = from.div_euclid(DAY);
    let last_day = now.div_euclid(DAY);
    let days = usize::try_from(last_day - first_day + 1).unwrap_or(0);
    let mut daily = vec![0.0_f64; days];
    let mut previous = 0.0;
    for &(ts, amount) in points {
        if ts >= from && ts <= now {
            if let Ok(i) = usize::try_from(ts.div_euclid(DAY) - first_day) {
                if let Some(slot) = daily.get_mut(i) {
                    *slot += amount;
                }
            }
        } else if ts >= prev_from && ts < from {
            previous += amount;
        }
    }
    let value: f64 = daily.iter().sum();
    let change = (previous > 0.0).then(|| (value - previous) / previous * 100.0);
    let sparkline = m.display == "sparkline";
    let labels: Vec<String> = (0..days as i64)
        .map(|i| iso((first_day + i) * DAY)[..10].to_string())
        .collect();
    json!({
        "id": m.id,
        "name": m.name,
        "format": m.format,
        "display": m.display,
        "interval": m.interval,
        "value": value,
        "previous": previous,
        "change_from_previous_pct": change,
        "timeseries": if sparkline { json!(daily) } else { Value::Null },
        "timeseries_labels": if sparkline { json!(labels) } else { Value::Null },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_round_trips() {
        for ts in [0, 1_767_607_200, 1_767_607_200 + 86_399] {
            assert_eq!(parse_iso(&iso(ts)), Some(ts));
        }
    }

    #[test]
    fn the_expression_is_true_only_where_posthog_skips() {
        let project = crate::seed::load_seed(None).expect("demo").store.projects[&1].clone();
        let expr = |f: Value| filter_expr(&project, &f);
        assert_eq!(expr(json!({})), Expr::True);
        assert_eq!(
            expr(json!({"events": [], "actions": [], "properties": []})),
            Expr::True
        );
        assert_eq!(
            expr(json!({"events": [{"id": null, "type": "events"}]})),
            Expr::True
        );
        // Two all-events entries are an Or, which PostHog does run.
        assert_ne!(
            expr(
                json!({"events": [{"id": null, "type": "events"}, {"id": null, "type": "events"}]})
            ),
            Expr::True
        );
        assert_ne!(
            expr(json!({"properties": [{"key": "plan", "value": "pro"}]})),
            Expr::True
        );
        // Test accounts count only when the project has such filters (the demo project does).
        assert_ne!(expr(json!({"filter_test_accounts": true})), Expr::True);
    }
}
