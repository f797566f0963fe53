//! The contract's data as Rust types: what PostHog sends and what the client writes.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// A group type of a project, as `GET groups_types/` returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupType {
    /// The key used in code (`organization`); read-only.
    pub group_type: String,
    /// Position 0..4 (the database allows 5); read-only.
    pub group_type_index: u32,
    /// Display name for one; `None` means PostHog shows `group_type`.
    #[serde(default)]
    pub name_singular: Option<String>,
    /// Display name for many; `None` means PostHog shows a pluralised `group_type`.
    #[serde(default)]
    pub name_plural: Option<String>,
    /// Dashboard id shown on a group's page, if any; read-only here.
    #[serde(default)]
    pub detail_dashboard: Option<i64>,
    /// Columns of the groups list, if customised; read-only here.
    #[serde(default)]
    pub default_columns: Option<Vec<String>>,
    /// ISO 8601 creation time, when the server knows it.
    #[serde(default)]
    pub created_at: Option<String>,
}

impl GroupType {
    /// The singular name PostHog shows: the custom one, else the key.
    pub fn shown_singular(&self) -> &str {
        self.name_singular.as_deref().unwrap_or(&self.group_type)
    }

    /// The plural name PostHog shows: the custom one, else `key(s)` as PostHog's UI writes it.
    pub fn shown_plural(&self) -> String {
        self.name_plural
            .clone()
            .unwrap_or_else(|| default_plural(&self.group_type))
    }
}

/// What PostHog's UI shows as the plural of a group type that has no plural name.
pub fn default_plural(group_type: &str) -> String {
    format!("{group_type}(s)")
}

/// How many group types a project can have (indexes 0..4): deleting one frees its index
/// for the next new group type.
pub const GROUP_TYPE_SLOTS: usize = 5;

/// One row of an `update_metadata` request: the index and the two names, nothing else,
/// because echoing read-only fields can fail PostHog's validation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupTypeNames {
    /// Which group type to rename; it must exist or PostHog answers 500.
    pub group_type_index: u32,
    /// New singular name; `None` resets it to the default.
    pub name_singular: Option<String>,
    /// New plural name; `None` resets it to the default.
    pub name_plural: Option<String>,
}

/// Declares a string enum that keeps values it does not know, so one new server value
/// does not fail a whole list and is sent back unchanged.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident, default $default:ident, { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this client does not know, kept as the server sent it.
            Other(String),
        }

        impl $name {
            /// Every value this client knows, in the order a form should offer them.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(s) => s,
                }
            }

            /// Parses a wire value; unknown values become `Other`.
            pub fn parse(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::$default
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok(Self::parse(&String::deserialize(d)?))
            }
        }
    };
}

open_enum!(
    /// How a metric's value is formatted.
    MetricFormat, default Numeric, {
        /// A plain number.
        Numeric => "numeric",
        /// An amount of money.
        Currency => "currency",
    }
);

open_enum!(
    /// How a metric is displayed on a group's page.
    MetricDisplay, default Number, {
        /// A single number.
        Number => "number",
        /// A small chart over the interval.
        Sparkline => "sparkline",
    }
);

open_enum!(
    /// What a metric computes.
    MetricMath, default Count, {
        /// Counts matching events or rows.
        Count => "count",
        /// Sums `math_property` over them.
        Sum => "sum",
    }
);

/// Where a metric's data comes from, as chosen by `filters.source`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterSource {
    /// Events and actions (no `source`, or `"events"`).
    Events,
    /// A data-warehouse table.
    DataWarehouse,
    /// A source this client does not know (PostHog rejects it on write).
    Other(String),
}

/// A metric's `filters`: a JSON object kept whole, so keys this client does not model
/// survive a round trip; typed accessors read the parts it does model.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Filters(pub Map<String, Value>);

impl Filters {
    /// Which shape these filters have.
    pub fn source(&self) -> FilterSource {
        match self.0.get("source") {
            None | Some(Value::Null) => FilterSource::Events,
            Some(Value::String(s)) if s == "events" => FilterSource::Events,
            Some(Value::String(s)) if s == "data_warehouse" => FilterSource::DataWarehouse,
            Some(other) => FilterSource::Other(match other {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            }),
        }
    }

    /// A string field, if present and a string.
    pub fn str_field(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// The event names of an events-shaped filter, in order.
    pub fn event_names(&self) -> Vec<&str> {
        self.0
            .get("events")
            .and_then(Value::as_array)
            .map(|events| {
                events
                    .iter()
                    .filter_map(|e| e.get("id").or_else(|| e.get("name")))
                    .filter_map(Value::as_str)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// How many actions an events-shaped filter uses.
    pub fn action_count(&self) -> usize {
        self.0
            .get("actions")
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
    }

    /// Whether test accounts are filtered out.
    pub fn filter_test_accounts(&self) -> bool {
        self.0
            .get("filter_test_accounts")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

/// The fields of a metric that `filters.source = data_warehouse` requires.
pub const WAREHOUSE_FIELDS: [&str; 3] = ["table_name", "timestamp_field", "key_field"];

/// A usage metric as PostHog returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// Server-assigned UUID; read-only.
    pub id: String,
    /// Unique within the group type, 1..255 characters.
    pub name: String,
    /// Number formatting.
    #[serde(default)]
    pub format: MetricFormat,
    /// Days the metric looks back over.
    #[serde(default = "default_interval")]
    pub interval: i64,
    /// Number or sparkline.
    #[serde(default)]
    pub display: MetricDisplay,
    /// Which events or table feed the metric.
    #[serde(default)]
    pub filters: Filters,
    /// Count or sum.
    #[serde(default)]
    pub math: MetricMath,
    /// The property (or warehouse column) summed when `math` is `sum`.
    #[serde(default)]
    pub math_property: Option<String>,
}

/// PostHog's default interval, in days.
pub const DEFAULT_INTERVAL: i64 = 7;

fn default_interval() -> i64 {
    DEFAULT_INTERVAL
}

/// Every writable field of a metric: the body of a create (POST) or full update (PUT).
/// Missing fields read as PostHog's defaults, so an exported or hand-written file decodes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricDraft {
    /// Unique within the group type, 1..255 characters.
    pub name: String,
    /// Number formatting.
    pub format: MetricFormat,
    /// Days the metric looks back over.
    pub interval: i64,
    /// Number or sparkline.
    pub display: MetricDisplay,
    /// Which events or table feed the metric.
    pub filters: Filters,
    /// Count or sum.
    pub math: MetricMath,
    /// Required for `sum`, empty for `count`.
    pub math_property: Option<String>,
}

impl Default for MetricDraft {
    fn default() -> Self {
        MetricDraft {
            name: String::new(),
            format: MetricFormat::default(),
            interval: DEFAULT_INTERVAL,
            display: MetricDisplay::default(),
            filters: Filters::default(),
            math: MetricMath::default(),
            math_property: None,
        }
    }
}

impl From<&Metric> for MetricDraft {
    fn from(m: &Metric) -> Self {
        MetricDraft {
            name: m.name.clone(),
            format: m.format.clone(),
            interval: m.interval,
            display: m.display.clone(),
            filters: m.filters.clone(),
            math: m.math.clone(),
            math_property: m.math_property.clone(),
        }
    }
}

/// A partial update (PATCH): only the fields that are `Some` are sent.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct MetricPatch {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<MetricFormat>,
    /// New interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<i64>,
    /// New display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<MetricDisplay>,
    /// New filters, sent whole (PostHog replaces the object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Filters>,
    /// New math.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub math: Option<MetricMath>,
    /// New property: `Some(None)` sends `null` to clear it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub math_property: Option<Option<String>>,
}

impl MetricPatch {
    /// The fields of `draft` that differ from `original`; empty when nothing changed.
    pub fn diff(original: &Metric, draft: &MetricDraft) -> MetricPatch {
        MetricPatch::between(&MetricDraft::from(original), draft)
    }

    /// The fields of `draft` that differ from `original`, both as drafts.
    pub fn between(original: &MetricDraft, draft: &MetricDraft) -> MetricPatch {
        fn changed<T: PartialEq + Clone>(old: &T, new: &T) -> Option<T> {
            (old != new).then(|| new.clone())
        }
        MetricPatch {
            name: changed(&original.name, &draft.name),
            format: changed(&original.format, &draft.format),
            interval: changed(&original.interval, &draft.interval),
            display: changed(&original.display, &draft.display),
            filters: changed(&original.filters, &draft.filters),
            math: changed(&original.math, &draft.math),
            math_property: changed(&original.math_property, &draft.math_property),
        }
    }

    /// True when the patch would change nothing.
    pub fn is_empty(&self) -> bool {
        *self == MetricPatch::default()
    }
}

/// One page of a paginated list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// Total number of items across all pages.
    pub count: u64,
    /// Absolute URL of the next page, if any.
    #[serde(default)]
    pub next: Option<String>,
    /// Absolute URL of the previous page, if any.
    #[serde(default)]
    pub previous: Option<String>,
    /// The items of this page.
    pub results: Vec<T>,
}

/// The `limit` and `offset` a page link (`next`/`previous`) points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageWindow {
    /// Page size, if the link names one.
    pub limit: Option<u64>,
    /// Items skipped; a link without `offset` means the first page.
    pub offset: u64,
}

/// Reads `limit` and `offset` from a `next`/`previous` URL, so the app follows the server's
/// links while keeping its own origin (the link's host may differ behind a proxy).
pub fn page_window(link: &str) -> Option<PageWindow> {
    let query = link.split_once('?').map_or("", |(_, q)| q);
    let query = query.split('#').next().unwrap_or("");
    let mut window = PageWindow {
        limit: None,
        offset: 0,
    };
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "limit" => window.limit = Some(value.parse().ok()?),
            "offset" => window.offset = value.parse().ok()?,
            _ => {}
        }
    }
    Some(window)
}

/// A personal API key's own record, as `GET /api/personal_api_keys/@current/` returns it:
/// what the key may do, without any request that could write. Only `scopes` is required;
/// the rest is shown when present.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// The key's id.
    #[serde(default)]
    pub id: Option<String>,
    /// The name the user gave the key in PostHog.
    #[serde(default)]
    pub label: Option<String>,
    /// The key with all but a few characters hidden (`phx_…Xy7Q`); never the key itself.
    #[serde(default)]
    pub mask_value: Option<String>,
    /// Scopes such as `group:read`; `["*"]` for an all-access key.
    pub scopes: Vec<String>,
    /// Project ids the key is limited to; empty or null means every project.
    #[serde(default)]
    pub scoped_teams: Option<Vec<i64>>,
    /// Organization ids (UUID strings) the key is limited to; empty or null means every one.
    #[serde(default)]
    pub scoped_organizations: Option<Vec<String>>,
}
