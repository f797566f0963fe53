//! The postMessage protocol with a portal that embeds the app in an iframe. Pure: which
//! messages are accepted (exact origin, validated fields) and what the app sends.

use leptos::prelude::GetUntracked;
use posthog_groups::{Host, ProjectId};
use serde_json::{json, Value};

use crate::state::connection::ApiKey;
use crate::state::theme::{Accent, ThemeMode};

/// Prefix of every message type, so the app ignores other tools' messages.
pub const PREFIX: &str = "groups-console:";
/// Protocol version announced in `ready`.
pub const VERSION: u32 = 1;

/// What a parent may ask.
#[derive(Clone, Debug, PartialEq)]
pub enum Incoming {
    /// Use this connection; the key is kept in memory only.
    Connect {
        /// Host.
        host: Host,
        /// Project.
        project: ProjectId,
        /// Personal API key.
        key: ApiKey,
    },
    /// Use this theme (and accent).
    Theme {
        /// Colour scheme.
        mode: ThemeMode,
        /// Accent colour, if given.
        accent: Option<Accent>,
    },
    /// Show a view: group types, or a group type's metrics.
    Navigate {
        /// `None` for group types, `Some(i)` for the metrics of group type `i`.
        metrics_of: Option<u32>,
    },
}

/// A change the app reports to its parent.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Group types were renamed.
    GroupTypesRenamed(Vec<u32>),
    /// A group type was deleted.
    GroupTypeDeleted(u32),
    /// A metric was created.
    MetricCreated {
        index: u32,
        id: String,
        name: String,
    },
    /// A metric was updated.
    MetricUpdated {
        index: u32,
        id: String,
        name: String,
    },
    /// A metric was deleted.
    MetricDeleted {
        index: u32,
        id: String,
        name: String,
    },
}

/// Whether `origin` is one of `allowed`, compared exactly (no prefixes, no wildcards).
pub fn origin_allowed(origin: &str, allowed: &[String]) -> bool {
    !origin.is_empty() && origin != "null" && allowed.iter().any(|a| a == origin)
}

fn text<'a>(data: &'a Value, key: &str) -> Option<&'a str> {
    data.get(key).and_then(Value::as_str)
}

/// Validates a message from `origin`; `None` for anything not from an allowed origin, not
/// ours, or malformed. `host_allowed` applies the config's allowed hosts.
pub fn parse_incoming(
    origin: &str,
    allowed: &[String],
    data: &Value,
    host_allowed: impl Fn(&Host) -> bool,
) -> Option<Incoming> {
    if !origin_allowed(origin, allowed) {
        return None;
    }
    let kind = text(data, "type")?.strip_prefix(PREFIX)?;
    match kind {
        "connect" => {
            let host = Host::parse(text(data, "host")?)
                .ok()
                .filter(|h| host_allowed(h))?;
            let project = match data.get("project")? {
                Value::Number(n) => ProjectId::parse(&n.to_string()).ok()?,
                Value::String(s) => ProjectId::parse(s).ok()?,
                _ => return None,
            };
            let key = ApiKey::parse(text(data, "key")?).ok()?;
            Some(Incoming::Connect { host, project, key })
        }
        "theme" => {
            let mode = match text(data, "theme") {
                Some(t) => ThemeMode::parse(t).ok()?,
                None => ThemeMode::System,
            };
            let accent = match data.get("accent") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(Accent::parse(s).ok()?),
                Some(_) => return None,
            };
            Some(Incoming::Theme { mode, accent })
        }
        "navigate" => match text(data, "view")? {
            "group-types" => Some(Incoming::Navigate { metrics_of: None }),
            "metrics" => {
                let index = data
                    .get("group_type_index")
                    .and_then(Value::as_u64)
                    .unwrap_or(0);
                let index = u32::try_from(index).ok().filter(|i| *i < 5)?;
                Some(Incoming::Navigate {
                    metrics_of: Some(index),
                })
            }
            _ => None,
        },
        _ => None,
    }
}

/// `ready`: sent once the app listens.
pub fn ready() -> Value {
    json!({"type": format!("{PREFIX}ready"), "version": VERSION})
}

/// `height`: the content height in CSS pixels, so the parent can size the iframe.
pub fn height(px: u32) -> Value {
    json!({"type": format!("{PREFIX}height"), "height": px})
}

/// `changed`: what the user changed (never the key, never a host's secret).
pub fn changed(change: &Change) -> Value {
    let kind = format!("{PREFIX}changed");
    match change {
        Change::GroupTypesRenamed(indexes) => {
            json!({"type": kind, "change": "group_types_renamed", "group_type_indexes": indexes})
        }
        Change::GroupTypeDeleted(index) => {
            json!({"type": kind, "change": "group_type_deleted", "group_type_index": index})
        }
        Change::MetricCreated { index, id, name } => {
            json!({"type": kind, "change": "metric_created", "group_type_index": index, "metric_id": id, "name": name})
        }
        Change::MetricUpdated { index, id, name } => {
            json!({"type": kind, "change": "metric_updated", "group_type_index": index, "metric_id": id, "name": name})
        }
        Change::MetricDeleted { index, id, name } => {
            json!({"type": kind, "change": "metric_deleted", "group_type_index": index, "metric_id": id, "name": name})
        }
    }
}

/// Reports changes to the embedding page; a no-op when the app is not embedded.
#[derive(Clone, Copy)]
pub struct Embed {
    /// The parent's origin, once it is known to be allowed.
    pub(crate) parent: leptos::prelude::RwSignal<Option<String>>,
}

impl Embed {
    /// Provides the (not yet connected) bridge to the tree below; call once, at the root.
    pub fn provide() -> Embed {
        let embed = Embed {
            parent: leptos::prelude::RwSignal::new(None),
        };
        leptos::prelude::provide_context(embed);
        embed
    }

    /// The bridge provided at the root.
    pub fn expect() -> Embed {
        leptos::prelude::expect_context::<Embed>()
    }

    /// Tells the parent about a change, if there is an allowed parent.
    pub fn emit(&self, change: Change) {
        if let Some(origin) = self.parent.get_untracked() {
            crate::browser::post_to_parent(&changed(&change), &origin);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PORTAL: &str = "https://portal.example.com";

    fn allowed() -> Vec<String> {
        vec![PORTAL.to_string()]
    }

    fn parse(origin: &str, data: Value) -> Option<Incoming> {
        parse_incoming(origin, &allowed(), &data, |_| true)
    }

    #[test]
    fn origins_are_compared_exactly() {
        let msg = json!({"type": "groups-console:navigate", "view": "group-types"});
        assert!(parse(PORTAL, msg.clone()).is_some());
        for other in [
            "https://portal.example.com.evil.com",
            "https://portal.example.com:8443",
            "http://portal.example.com",
            "null",
            "",
        ] {
            assert_eq!(parse(other, msg.clone()), None, "{other}");
        }
    }

    #[test]
    fn connect_is_validated_field_by_field() {
        let ok = parse(
            PORTAL,
            json!({"type": "groups-console:connect", "host": "https://eu.posthog.com", "project": 12, "key": "phx_k"}),
        );
        assert!(
            matches!(ok, Some(Incoming::Connect { ref project, .. }) if project.as_str() == "12")
        );
        for bad in [
            json!({"type": "groups-console:connect", "host": "http://evil.example", "project": 1, "key": "phx_k"}),
            json!({"type": "groups-console:connect", "host": "https://eu.posthog.com", "project": "x", "key": "phx_k"}),
            json!({"type": "groups-console:connect", "host": "https://eu.posthog.com", "project": 1}),
            json!({"type": "connect", "host": "https://eu.posthog.com", "project": 1, "key": "phx_k"}),
            json!("groups-console:connect"),
        ] {
            assert_eq!(parse(PORTAL, bad.clone()), None, "{bad}");
        }
        let refused = parse_incoming(
            PORTAL,
            &allowed(),
            &json!({"type": "groups-console:connect", "host": "https://us.posthog.com", "project": 1, "key": "phx_k"}),
            |h| h.as_str() == "https://eu.posthog.com",
        );
        assert_eq!(refused, None, "hosts outside the config's list are refused");
    }

    #[test]
    fn theme_and_navigate_are_validated() {
        assert_eq!(
            parse(
                PORTAL,
                json!({"type": "groups-console:theme", "theme": "dark", "accent": "#f60"})
            ),
            Some(Incoming::Theme {
                mode: ThemeMode::Dark,
                accent: Accent::parse("#f60").ok()
            })
        );
        assert_eq!(
            parse(
                PORTAL,
                json!({"type": "groups-console:theme", "theme": "neon"})
            ),
            None
        );
        assert_eq!(
            parse(
                PORTAL,
                json!({"type": "groups-console:theme", "accent": "red; x"})
            ),
            None
        );
        assert_eq!(
            parse(
                PORTAL,
                json!({"type": "groups-console:navigate", "view": "metrics", "group_type_index": 2})
            ),
            Some(Incoming::Navigate {
                metrics_of: Some(2)
            })
        );
        assert_eq!(
            parse(
                PORTAL,
                json!({"type": "groups-console:navigate", "view": "metrics", "group_type_index": 9})
            ),
            None
        );
    }

    #[test]
    fn outgoing_messages_never_carry_the_key() {
        let msgs = [
            ready(),
            height(640),
            changed(&Change::MetricCreated {
                index: 0,
                id: "m".into(),
                name: "Seats".into(),
            }),
        ];
        for m in &msgs {
            assert!(m["type"].as_str().is_some_and(|t| t.starts_with(PREFIX)));
            assert!(!m.to_string().contains("phx_"));
        }
        assert_eq!(
            changed(&Change::GroupTypesRenamed(vec![0, 2]))["group_type_indexes"],
            json!([0, 2])
        );
    }
}
