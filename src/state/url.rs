//! The connection's host and project live in the URL query (never the key), so a link or a
//! reload opens the same project; so does the group whose metric values are shown, so a link
//! shares it. These helpers read and write that part of the query.

use posthog_groups::request::encode_component;
use posthog_groups::{GroupRef, Host, ProjectId};

/// Host, project and chosen group as found in the query; any may be missing or invalid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    /// `?host=` as typed in the URL.
    pub host: Option<String>,
    /// `?project=` as typed in the URL.
    pub project: Option<String>,
    /// `?group=<type index>:<key>` as typed in the URL: the group whose metric values the
    /// metric screens show. Every link keeps it, so the values follow the user around.
    pub group: Option<String>,
}

impl Target {
    /// The validated pair, when both are present and valid.
    pub fn parse(&self) -> Option<(Host, ProjectId)> {
        let host = Host::parse(self.host.as_deref()?).ok()?;
        let project = ProjectId::parse(self.project.as_deref()?).ok()?;
        Some((host, project))
    }

    /// The chosen group, when the URL names a valid one.
    pub fn chosen_group(&self) -> Option<GroupRef> {
        GroupRef::parse(self.group.as_deref()?)
    }

    /// The same target with `group` chosen (or none).
    pub fn with_group(&self, group: Option<&GroupRef>) -> Target {
        Target {
            group: group.map(GroupRef::to_param),
            ..self.clone()
        }
    }

    /// The target without its group: what decides which screen is built (choosing a group
    /// changes the values shown, not the screen).
    pub fn without_group(&self) -> Target {
        self.with_group(None)
    }

    /// The query string (`?host=…&project=…&group=…`) for these values, empty when there are
    /// none. An invalid group is left out, so a mistyped one does not travel.
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(h) = &self.host {
            parts.push(format!("host={}", encode_component(h)));
        }
        if let Some(p) = &self.project {
            parts.push(format!("project={}", encode_component(p)));
        }
        if let Some(g) = self.chosen_group() {
            // The separator stays readable (`0:acme`); a `:` inside the key is encoded.
            parts.push(format!("group={}:{}", g.index, encode_component(&g.key)));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// The target of a connection.
    pub fn of(host: &Host, project: &ProjectId) -> Target {
        Target {
            host: Some(host.to_string()),
            project: Some(project.to_string()),
            group: None,
        }
    }
}

/// Page sizes offered for metric lists; the first is the default.
pub const PAGE_SIZES: [u64; 4] = [25, 50, 100, 10];

/// `limit` and `offset` from the query: a missing, invalid or out-of-range value becomes the
/// default (25 and 0), so a hand-edited URL never breaks the page.
pub fn page_params(limit: Option<&str>, offset: Option<&str>) -> (u64, u64) {
    let limit = limit
        .and_then(|l| l.parse::<u64>().ok())
        .filter(|l| (1..=500).contains(l))
        .unwrap_or(PAGE_SIZES[0]);
    let offset = offset.and_then(|o| o.parse::<u64>().ok()).unwrap_or(0);
    (limit, offset)
}

/// The project's metrics list, first page, no filters: where "Usage metrics" and every
/// "Back to the metrics" lead.
pub fn metrics_list_href(target: &Target) -> String {
    project_metrics_href(target, "all", None, PAGE_SIZES[0], 0)
}

/// The project's metrics list at a page, with its placement filter (left out when "all")
/// and the group type index it is narrowed to, if any.
pub fn project_metrics_href(
    target: &Target,
    placement: &str,
    index: Option<u32>,
    limit: u64,
    offset: u64,
) -> String {
    let mut query = target.query();
    query.push(if query.is_empty() { '?' } else { '&' });
    if placement != "all" && !placement.is_empty() {
        query.push_str(&format!("placement={}&", encode_component(placement)));
    }
    if let Some(i) = index {
        query.push_str(&format!("index={i}&"));
    }
    query.push_str(&format!("limit={limit}&offset={offset}"));
    format!("/metrics{query}")
}

/// One metric's page (`edit` for its form): `/metrics/<id>`, one address per metric. The
/// index it is filed under rides along in the query, so the page reads it with one request;
/// without it the page finds it in the project's list.
pub fn metric_href(index: u32, id: &str, target: &Target, edit: bool) -> String {
    let suffix = if edit { "/edit" } else { "" };
    let query = target.query();
    let sep = if query.is_empty() { '?' } else { '&' };
    format!(
        "/metrics/{}{suffix}{query}{sep}index={index}",
        encode_component(id)
    )
}

/// The form for a new metric, filed under index 0 as PostHog's own screens file them.
pub fn new_metric_href(target: &Target) -> String {
    href("/metrics/new", target)
}

/// An app path with the target's query appended.
pub fn href(path: &str, target: &Target) -> String {
    format!("{path}{}", target.query())
}

/// The router base for a document's base path (kept with the browser wrappers, which need
/// it too).
pub use crate::browser::router_base;

/// PostHog's own settings page for group type names, where renaming always works.
pub fn posthog_group_settings(host: &Host, project: &ProjectId) -> String {
    host.url(&format!(
        "/project/{}/settings/environment-customer-analytics#group-analytics",
        project.as_str()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_round_trips_through_the_query() {
        let t = Target {
            host: Some("https://eu.posthog.com".into()),
            project: Some("42".into()),
            group: None,
        };
        assert_eq!(t.query(), "?host=https%3A%2F%2Feu.posthog.com&project=42");
        assert_eq!(
            href("/group-types", &t),
            "/group-types?host=https%3A%2F%2Feu.posthog.com&project=42"
        );
        let (h, p) = t.parse().expect("valid");
        assert_eq!((h.as_str(), p.as_str()), ("https://eu.posthog.com", "42"));
        assert_eq!(Target::default().query(), "");
    }

    #[test]
    fn invalid_targets_are_ignored() {
        let t = Target {
            host: Some("http://evil.example".into()),
            project: Some("1".into()),
            group: None,
        };
        assert_eq!(t.parse(), None);
        let t = Target {
            host: Some("https://eu.posthog.com".into()),
            project: None,
            group: None,
        };
        assert_eq!(t.parse(), None);
    }

    #[test]
    fn page_params_fall_back_to_defaults() {
        assert_eq!(page_params(Some("50"), Some("100")), (50, 100));
        assert_eq!(page_params(None, None), (25, 0));
        assert_eq!(page_params(Some("0"), Some("-3")), (25, 0));
        assert_eq!(page_params(Some("9999"), Some("x")), (25, 0));
    }

    #[test]
    fn metric_links_keep_the_target() {
        let t = Target {
            host: Some("http://127.0.0.1:8000".into()),
            project: Some("1".into()),
            group: None,
        };
        assert_eq!(
            project_metrics_href(&t, "all", Some(2), 50, 100),
            "/metrics?host=http%3A%2F%2F127.0.0.1%3A8000&project=1&index=2&limit=50&offset=100"
        );
        assert_eq!(
            metrics_list_href(&Target::default()),
            "/metrics?limit=25&offset=0"
        );
        assert_eq!(
            metric_href(0, "a b", &Target::default(), true),
            "/metrics/a%20b/edit?index=0"
        );
        assert_eq!(
            metric_href(3, "m1", &t, false),
            "/metrics/m1?host=http%3A%2F%2F127.0.0.1%3A8000&project=1&index=3"
        );
        assert_eq!(
            new_metric_href(&t),
            "/metrics/new?host=http%3A%2F%2F127.0.0.1%3A8000&project=1"
        );
    }

    #[test]
    fn the_chosen_group_travels_in_every_link_and_a_bad_one_does_not() {
        let t = Target {
            host: Some("http://127.0.0.1:8000".into()),
            project: Some("1".into()),
            group: Some("0:acme".into()),
        };
        assert_eq!(
            t.chosen_group(),
            Some(GroupRef {
                index: 0,
                key: "acme".into()
            })
        );
        assert_eq!(
            metrics_list_href(&t),
            "/metrics?host=http%3A%2F%2F127.0.0.1%3A8000&project=1&group=0:acme&limit=25&offset=0"
        );
        let odd = t.with_group(Some(&GroupRef {
            index: 2,
            key: "team:7 b".into(),
        }));
        assert_eq!(odd.group.as_deref(), Some("2:team:7 b"));
        assert!(odd.query().ends_with("&group=2:team%3A7%20b"));
        assert_eq!(odd.without_group().group, None);
        assert_eq!(odd.without_group().query(), t.without_group().query());
        let bad = Target {
            group: Some("acme".into()),
            ..t.clone()
        };
        assert_eq!(bad.chosen_group(), None);
        assert_eq!(bad.query(), t.without_group().query());
    }

    #[test]
    fn router_base_drops_the_trailing_slash() {
        assert_eq!(router_base("/"), "");
        assert_eq!(router_base("/console/"), "/console");
    }

    #[test]
    fn settings_link_names_host_and_project() {
        let h = Host::parse("https://us.posthog.com").expect("host");
        let p = ProjectId::parse("7").expect("project");
        assert_eq!(
            posthog_group_settings(&h, &p),
            "https://us.posthog.com/project/7/settings/environment-customer-analytics#group-analytics"
        );
    }
}
