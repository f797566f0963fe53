//! What PostHog's group page shows: the groups of a type (`GET groups/`), one group chosen
//! (its URL form `group=<type index>:<key>`), and the usage metrics' values for it
//! (`POST query/` with `UsageMetricsQuery`).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::model::{MetricDisplay, MetricFormat, DEFAULT_INTERVAL};

/// One group, as `GET groups/` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// The group type it belongs to; servers always send it, the app does not rely on it.
    #[serde(default)]
    pub group_type_index: Option<u32>,
    /// The key events carry in `$groups`, unique within the type.
    pub group_key: String,
    /// The group's properties; `name` is what PostHog shows. A null is read as none.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub group_properties: Map<String, Value>,
    /// ISO 8601 time the group was first seen.
    #[serde(default)]
    pub created_at: Option<String>,
}

impl Group {
    /// The `name` property, when it is a non-blank string.
    pub fn name(&self) -> Option<&str> {
        self.group_properties
            .get("name")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|n| !n.is_empty())
    }

    /// What to call the group: its name, else its key (as PostHog's group page does).
    pub fn shown_name(&self) -> &str {
        self.name().unwrap_or(&self.group_key)
    }
}

fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(map) => map,
        // A list or a scalar where an object belongs says nothing usable: read it as none.
        _ => Map::new(),
    })
}

/// One page of groups: cursor pagination, followed by the server's `next` link.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupsPage {
    /// Absolute URL of the next page, if any.
    #[serde(default)]
    pub next: Option<String>,
    /// Absolute URL of the previous page, if any (unused: the app only reads forward).
    #[serde(default)]
    pub previous: Option<String>,
    /// The groups of this page.
    pub results: Vec<Group>,
}

impl GroupsPage {
    /// The `cursor` the `next` link asks for, if there is a next page.
    pub fn next_cursor(&self) -> Option<String> {
        self.next.as_deref().and_then(cursor_of)
    }
}

/// The `cursor` parameter of a `next` link, percent-decoded. The app sends it to its own
/// host with its own parameters, so a link pointing elsewhere (behind a proxy) can never
/// take the key with it.
pub fn cursor_of(link: &str) -> Option<String> {
    let query = link.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or("");
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "cursor")
        .map(|(_, value)| percent_decode(value))
        .filter(|c| !c.is_empty())
}

/// Decodes `%XX` and `+` (a space in a query string); malformed escapes are kept as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(b) = hex {
                    out.push(b);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A chosen group: its type index and key. In a URL it is `<index>:<key>`; a key may itself
/// contain `:`, so only the first one separates.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GroupRef {
    /// The group type's index.
    pub index: u32,
    /// The group's key.
    pub key: String,
}

impl GroupRef {
    /// Reads `<index>:<key>`; `None` when the index is not a number or the key is empty,
    /// so a hand-edited URL shows no group rather than a broken page.
    pub fn parse(text: &str) -> Option<GroupRef> {
        let (index, key) = text.split_once(':')?;
        let index = index.trim().parse::<u32>().ok()?;
        (!key.is_empty()).then(|| GroupRef {
            index,
            key: key.to_owned(),
        })
    }

    /// The URL form, `<index>:<key>` (unencoded: the URL builder encodes the key).
    pub fn to_param(&self) -> String {
        format!("{}:{}", self.index, self.key)
    }
}

/// One metric's values for a group, as the query runner computes them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricValue {
    /// The metric's id, which ties the value to a metric of the list.
    pub id: String,
    /// The metric's name.
    #[serde(default)]
    pub name: String,
    /// Number or currency.
    #[serde(default)]
    pub format: MetricFormat,
    /// Number or sparkline.
    #[serde(default)]
    pub display: MetricDisplay,
    /// Days of each window.
    #[serde(default = "default_interval", deserialize_with = "lenient_interval")]
    pub interval: i64,
    /// The total of the last `interval` days; `None` when the server sent no number.
    #[serde(default, deserialize_with = "lenient_number")]
    pub value: Option<f64>,
    /// The total of the `interval` days before.
    #[serde(default, deserialize_with = "lenient_number")]
    pub previous: Option<f64>,
    /// Change in percent; `None` when there is nothing to compare with (previous is 0).
    #[serde(default, deserialize_with = "lenient_number")]
    pub change_from_previous_pct: Option<f64>,
    /// One number per day, only for sparklines; a missing day reads as 0.
    #[serde(default, deserialize_with = "lenient_series")]
    pub timeseries: Option<Vec<f64>>,
    /// The days of `timeseries` (ISO dates).
    #[serde(default, deserialize_with = "lenient_labels")]
    pub timeseries_labels: Option<Vec<String>>,
}

fn default_interval() -> i64 {
    DEFAULT_INTERVAL
}

/// A number as a number or a numeric string (ClickHouse's decimals may come quoted);
/// anything else is no number, not a failure of the whole answer. Read from the JSON text
/// with `str::parse`, which is exact: serde_json's own float parser may land one unit off
/// in the last place (1041.6499999999999 read as 1041.65), and its exact mode
/// (`float_roundtrip`) costs 9 kB of gzip in the first view for this one answer.
fn number(raw: &RawValue) -> Option<f64> {
    let text = raw.get().trim();
    let text = if text.starts_with('"') {
        serde_json::from_str::<String>(text).ok()?
    } else {
        text.to_owned()
    };
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

fn lenient_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(number(&Box::<RawValue>::deserialize(d)?))
}

fn lenient_interval<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(number(&Box::<RawValue>::deserialize(d)?)
        .map(|n| n as i64)
        .unwrap_or(DEFAULT_INTERVAL))
}

fn lenient_series<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<f64>>, D::Error> {
    let raw = Box::<RawValue>::deserialize(d)?;
    Ok(serde_json::from_str::<Vec<Box<RawValue>>>(raw.get())
        .ok()
        .map(|items| items.iter().map(|v| number(v).unwrap_or(0.0)).collect()))
}

fn lenient_labels<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => Some(
            items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                })
                .collect(),
        ),
        _ => None,
    })
}

impl MetricValue {
    /// The daily series with its labels, when the metric is a sparkline and the server sent
    /// one; labels missing or of another length are left out rather than misplaced.
    pub fn series(&self) -> Option<(&[f64], Option<&[String]>)> {
        if self.display != MetricDisplay::Sparkline {
            return None;
        }
        let values = self.timeseries.as_deref()?;
        let labels = self
            .timeseries_labels
            .as_deref()
            .filter(|l| l.len() == values.len());
        Some((values, labels))
    }
}

/// The answer to a `UsageMetricsQuery`: its results; the other keys (`hogql`, `timings`,
/// `is_cached`, …) are not needed here.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UsageMetrics {
    /// One per metric PostHog computed, sorted by name, descending.
    pub results: Vec<MetricValue>,
}

impl UsageMetrics {
    /// The value of the metric `id`; `None` means PostHog did not compute it.
    pub fn of(&self, id: &str) -> Option<&MetricValue> {
        self.results.iter().find(|v| v.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_is_called_by_its_name_else_its_key() {
        let g: Group = serde_json::from_str(
            r#"{"group_type_index":0,"group_key":"acme","group_properties":{"name":"Acme Inc"},"created_at":"2026-01-01T00:00:00Z","extra":1}"#,
        )
        .expect("group");
        assert_eq!(g.shown_name(), "Acme Inc");
        let g: Group =
            serde_json::from_str(r#"{"group_key":"k","group_properties":null}"#).expect("group");
        assert_eq!(g.shown_name(), "k");
        let g: Group =
            serde_json::from_str(r#"{"group_key":"k","group_properties":{"name":"  "}}"#)
                .expect("group");
        assert_eq!(g.shown_name(), "k", "a blank name is no name");
    }

    #[test]
    fn the_next_cursor_is_read_from_the_link_and_decoded() {
        assert_eq!(
            cursor_of("http://h/api/projects/1/groups/?cursor=cD0yMDI2JTNB&group_type_index=0")
                .as_deref(),
            Some("cD0yMDI2JTNB")
        );
        assert_eq!(
            cursor_of("http://h/x/?group_type_index=0&cursor=a%2Bb%3D+c").as_deref(),
            Some("a+b= c")
        );
        assert_eq!(cursor_of("http://h/x/?group_type_index=0"), None);
        assert_eq!(cursor_of("http://h/x/"), None);
        assert_eq!(cursor_of("http://h/x/?cursor=%zz").as_deref(), Some("%zz"));
        let page = GroupsPage {
            next: Some("http://h/?cursor=abc".into()),
            ..GroupsPage::default()
        };
        assert_eq!(page.next_cursor().as_deref(), Some("abc"));
        assert_eq!(GroupsPage::default().next_cursor(), None);
    }

    #[test]
    fn a_chosen_group_round_trips_and_splits_on_the_first_colon() {
        let g = GroupRef::parse("0:acme").expect("group");
        assert_eq!(
            g,
            GroupRef {
                index: 0,
                key: "acme".into()
            }
        );
        assert_eq!(g.to_param(), "0:acme");
        let g = GroupRef::parse("2:urn:team:7").expect("group");
        assert_eq!((g.index, g.key.as_str()), (2, "urn:team:7"));
        assert_eq!(GroupRef::parse(&g.to_param()), Some(g));
        for bad in ["", "acme", "x:acme", "0:", ":acme", "-1:acme"] {
            assert_eq!(GroupRef::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn values_tolerate_strings_nulls_and_unknown_fields() {
        let v: MetricValue = serde_json::from_str(
            r#"{"id":"m","name":"Paid","format":"currency","display":"sparkline","interval":"30",
                "value":"12.5","previous":null,"change_from_previous_pct":null,
                "timeseries":[1,null,"2"],"timeseries_labels":["2026-01-01","2026-01-02","2026-01-03"],
                "new_field":true}"#,
        )
        .expect("value");
        assert_eq!(v.interval, 30);
        assert_eq!(v.value, Some(12.5));
        assert_eq!(v.previous, None);
        assert_eq!(v.timeseries.as_deref(), Some(&[1.0, 0.0, 2.0][..]));
        let (series, labels) = v.series().expect("sparkline");
        assert_eq!(series.len(), 3);
        assert_eq!(labels.map(<[String]>::len), Some(3));
        let v: MetricValue = serde_json::from_str(r#"{"id":"m","value":"n/a"}"#).expect("value");
        assert_eq!((v.value, v.interval), (None, DEFAULT_INTERVAL));
        assert_eq!(v.series(), None, "a number metric has no series");
    }

    #[test]
    fn values_read_back_exactly_as_sent() {
        // Sums of cents land on numbers like these; each must read as the f64 the server wrote.
        for text in [
            "1041.6499999999999",
            "0.30000000000000004",
            "1e-7",
            "123456789.12345678",
        ] {
            let v: MetricValue =
                serde_json::from_str(&format!(r#"{{"id":"m","value":{text}}}"#)).expect("value");
            assert_eq!(v.value, text.parse::<f64>().ok(), "{text}");
        }
    }
}
