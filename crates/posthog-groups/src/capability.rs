//! What a key can do in a project, learned from the key's own record
//! (`GET /api/personal_api_keys/@current/`) with no request that could write, and from the
//! contract's one harmless probe (`update_metadata` with `[]`) for the one permission that is
//! not a scope.

use crate::error::ApiError;
use crate::model::KeyRecord;
use crate::request::ProjectId;

/// The scope that lists, renames and deletes group types.
pub const GROUP_READ: &str = "group:read";
/// The scope that renames and deletes group types.
pub const GROUP_WRITE: &str = "group:write";
/// The scope that reads usage metrics.
pub const METRIC_READ: &str = "usage_metric:read";
/// The scope that creates, edits and deletes usage metrics.
pub const METRIC_WRITE: &str = "usage_metric:write";
/// The scope that runs queries, such as the one that computes a group's metric values.
pub const QUERY_READ: &str = "query:read";

/// The optional scopes of the metric editor's pickers, in [`Capabilities::pickers`]' order.
pub const PICKER_SCOPES: [&str; 4] = [
    crate::definitions::EVENT_DEFINITION_READ,
    crate::definitions::PROPERTY_DEFINITION_READ,
    crate::definitions::ACTION_READ,
    crate::definitions::WAREHOUSE_TABLE_READ,
];

/// What each picker offers, in [`Capabilities::pickers`]' order, for the summary's lines.
const PICKER_LINES: [&str; 4] = [
    "Pick events from the project's definitions",
    "Pick event properties from the project's definitions",
    "Pick actions by name",
    "Pick data-warehouse tables and columns",
];

/// Whether one kind of action works with this key.
#[derive(Clone, Debug, PartialEq)]
pub enum Access {
    /// It works.
    Allowed,
    /// The key lacks this scope.
    MissingScope(String),
    /// This instance allows it only from PostHog's own settings page.
    OnlyInPostHog,
    /// Not checked: the server decides when the user tries, and the app reports its answer.
    Unchecked,
    /// A check was made and failed for another reason; the text says why.
    Unknown(String),
}

impl Access {
    /// Reads the answer of a read (or of the `[]` rename probe): success means allowed.
    pub fn from_probe<T>(result: &Result<T, ApiError>) -> Access {
        match result {
            Ok(_) => Access::Allowed,
            Err(ApiError::MissingScope { scope: Some(s), .. }) => Access::MissingScope(s.clone()),
            Err(ApiError::PersonalKeyNotAllowed) => Access::OnlyInPostHog,
            Err(e) => Access::Unknown(e.to_string()),
        }
    }

    /// True when it works.
    pub fn allowed(&self) -> bool {
        matches!(self, Access::Allowed)
    }

    /// True when it is known not to work with a personal key here. An unchecked or
    /// inconclusive permission is not a refusal: the server still decides, and says why.
    pub fn refused(&self) -> bool {
        matches!(self, Access::MissingScope(_) | Access::OnlyInPostHog)
    }
}

/// Whether a key's scope list grants `scope`: `*` grants everything, and `area:write`
/// implies `area:read`.
pub fn has_scope(scopes: &[String], scope: &str) -> bool {
    let (area, level) = scope.split_once(':').unwrap_or((scope, ""));
    scopes.iter().any(|s| {
        s == "*" || s == scope || (level == "read" && s.split_once(':') == Some((area, "write")))
    })
}

fn by_scope(scopes: &[String], scope: &str) -> Access {
    if has_scope(scopes, scope) {
        Access::Allowed
    } else {
        Access::MissingScope(scope.to_owned())
    }
}

/// Why a key cannot open a project at all, known from its record before any other request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unreachable {
    /// The key is limited to these other projects.
    OtherProjects(Vec<i64>),
}

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreachable::OtherProjects(ids) => {
                let list: Vec<String> = ids.iter().map(i64::to_string).collect();
                let (noun, list) = match list.len() {
                    1 => ("project", list.join("")),
                    _ => ("projects", list.join(", ")),
                };
                write!(f, "This key is limited to {noun} {list}")
            }
        }
    }
}

/// Whether the key's record allows `project`. `scoped_teams` empty or null means every
/// project; `@current` is the key's own project, so it is always reachable.
/// `scoped_organizations` cannot be checked here (the record does not say which organization
/// a project is in): the server's answer to the first read says it.
pub fn reach(record: &KeyRecord, project: &ProjectId) -> Result<(), Unreachable> {
    let teams = record.scoped_teams.as_deref().unwrap_or_default();
    let Ok(id) = project.as_str().parse::<i64>() else {
        return Ok(());
    };
    if teams.is_empty() || teams.contains(&id) {
        Ok(())
    } else {
        Err(Unreachable::OtherProjects(teams.to_vec()))
    }
}

/// How the capabilities were learned, which the summary tells the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// From the key's own record: every scope is known.
    KeyRecord,
    /// This instance does not say what a key may do (no `@current`, or an answer the app
    /// cannot read): reads were tried, and writes are left to the server.
    ReadProbes,
}

/// How a summary line reads at a glance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It works.
    Yes,
    /// It is known not to work here.
    No,
    /// Not known: left to the server, or the check failed.
    Unsure,
}

impl From<&Access> for Verdict {
    fn from(access: &Access) -> Verdict {
        match access {
            Access::Allowed => Verdict::Yes,
            Access::MissingScope(_) | Access::OnlyInPostHog => Verdict::No,
            Access::Unchecked | Access::Unknown(_) => Verdict::Unsure,
        }
    }
}

/// The capability summary shown after connecting.
#[derive(Clone, Debug, PartialEq)]
pub struct Capabilities {
    /// How this was learned.
    pub source: Source,
    /// `GET groups_types/` (`group:read`).
    pub list_group_types: Access,
    /// `PATCH update_metadata` (`group:write` and an instance that accepts personal keys).
    pub rename_group_types: Access,
    /// `DELETE groups_types/{i}/` (`group:write`).
    pub delete_group_types: Access,
    /// Metric reads (`usage_metric:read`).
    pub read_metrics: Access,
    /// Metric writes (`usage_metric:write`).
    pub write_metrics: Access,
    /// A group's metric values, the usage-metrics query (`query:read`).
    pub read_values: Access,
    /// The metric editor's pickers, each optional (without one, its input takes typed text):
    /// events, properties, actions and data-warehouse tables, in that order.
    pub pickers: [Access; 4],
    /// Organizations (UUIDs) the key is limited to; empty when it is not, or not known.
    pub organizations: Vec<String>,
}

impl Capabilities {
    /// Every capability from the key's scopes. Renaming also needs the instance to accept
    /// personal keys on `update_metadata`, which no scope tells: it stays
    /// [`Access::Unchecked`] until [`Capabilities::with_rename_probe`].
    pub fn from_key(record: &KeyRecord) -> Capabilities {
        let s = record.scopes.as_slice();
        let write_groups = by_scope(s, GROUP_WRITE);
        Capabilities {
            source: Source::KeyRecord,
            list_group_types: by_scope(s, GROUP_READ),
            rename_group_types: match &write_groups {
                Access::Allowed => Access::Unchecked,
                refused => refused.clone(),
            },
            delete_group_types: write_groups,
            read_metrics: by_scope(s, METRIC_READ),
            write_metrics: by_scope(s, METRIC_WRITE),
            read_values: by_scope(s, QUERY_READ),
            pickers: PICKER_SCOPES.map(|scope| by_scope(s, scope)),
            organizations: record.scoped_organizations.clone().unwrap_or_default(),
        }
    }

    /// Capabilities when the key's record could not be read: what the reads `list` (group
    /// types) and `metrics` (a metric page) answered, and every write unchecked.
    pub fn from_read_probes<A, B>(
        list: &Result<A, ApiError>,
        metrics: &Result<B, ApiError>,
    ) -> Capabilities {
        Capabilities {
            source: Source::ReadProbes,
            list_group_types: Access::from_probe(list),
            rename_group_types: Access::Unchecked,
            delete_group_types: Access::Unchecked,
            read_metrics: Access::from_probe(metrics),
            write_metrics: Access::Unchecked,
            // Probing it needs a group to ask about: the first query tells.
            read_values: Access::Unchecked,
            // Each picker tries its read and falls back to typed text if refused.
            pickers: [(); 4].map(|()| Access::Unchecked),
            organizations: Vec::new(),
        }
    }

    /// Adds what the `[]` rename probe answered. A rename the scopes already refuse stays
    /// refused (the probe is not sent then).
    pub fn with_rename_probe<T>(mut self, probe: &Result<T, ApiError>) -> Capabilities {
        if !self.rename_group_types.refused() {
            self.rename_group_types = match Access::from_probe(probe) {
                // The sandbox and older instances accept `[]` from any key: a scope the record
                // did not show is still the server's to refuse.
                Access::Allowed if self.source == Source::ReadProbes => Access::Unchecked,
                other => other,
            };
        }
        self
    }

    /// One line per capability: what, and whether it works, in words a person can act on.
    pub fn lines(&self) -> Vec<(Verdict, String)> {
        let line = |what: &str, access: &Access, scope: &str| -> (Verdict, String) {
            let text = match access {
                Access::Allowed => format!("{what}: yes"),
                Access::MissingScope(s) => format!("{what}: no — the key lacks the scope {s}"),
                Access::OnlyInPostHog => {
                    format!("{what}: only in PostHog's own settings — this instance refuses personal API keys for it")
                }
                Access::Unchecked => format!(
                    "{what}: not checked — it needs {scope}; the server will say if it refuses"
                ),
                Access::Unknown(why) => {
                    format!("{what}: could not check ({why}); it needs {scope}")
                }
            };
            (Verdict::from(access), text)
        };
        let mut lines = vec![
            line("List group types", &self.list_group_types, GROUP_READ),
            line(
                "Rename group types",
                &self.rename_group_types,
                "group:write and admin access",
            ),
            line("Delete group types", &self.delete_group_types, GROUP_WRITE),
            line("View usage metrics", &self.read_metrics, METRIC_READ),
            line(
                "Create, edit and delete usage metrics",
                &self.write_metrics,
                METRIC_WRITE,
            ),
            line(
                "See metric values for a group",
                &self.read_values,
                QUERY_READ,
            ),
        ];
        // Optional: without the scope the editor takes typed names, so a refusal is said as
        // such rather than as something missing.
        for ((what, scope), access) in PICKER_LINES.iter().zip(PICKER_SCOPES).zip(&self.pickers) {
            lines.push(match access {
                Access::MissingScope(s) => (
                    Verdict::Unsure,
                    format!("{what}: off (optional) — typed names only; {s} turns it on"),
                ),
                other => line(what, other, scope),
            });
        }
        lines
    }

    /// A sentence for the summary when some permissions could not be learned, else `None`.
    pub fn caveat(&self) -> Option<&'static str> {
        match self.source {
            Source::KeyRecord => None,
            Source::ReadProbes => Some(
                "This PostHog does not say what a key may do (it has no personal_api_keys/@current), so writes were not checked: the app tries them when you ask and reports the server's answer.",
            ),
        }
    }

    /// Why a refused read of this project may be the key's organization limit, when the key
    /// has one (the record cannot say which organization a project is in; the server can).
    pub fn organization_hint(&self) -> Option<String> {
        match self.organizations.len() {
            0 => None,
            1 => Some(format!(
                "This key is limited to one organization ({}): the project may belong to another.",
                self.organizations[0]
            )),
            n => Some(format!(
                "This key is limited to {n} organizations ({}): the project may belong to another.",
                self.organizations.join(", ")
            )),
        }
    }

    /// Why the group types table offers no rename inputs or Delete buttons, naming the scope
    /// to grant, when the key's scopes refuse them; `None` when both are offered (or refused
    /// for another reason, which the page explains apart).
    pub fn group_types_write_reason(&self) -> Option<String> {
        let scope = |a: &Access| match a {
            Access::MissingScope(s) => Some(s.clone()),
            _ => None,
        };
        match (
            scope(&self.rename_group_types),
            scope(&self.delete_group_types),
        ) {
            (Some(r), Some(d)) if r == d => Some(format!(
                "This key can only read group types: renaming and deleting need the scope {r}."
            )),
            (Some(r), Some(d)) => Some(format!(
                "This key can only read group types: renaming needs the scope {r} and deleting the scope {d}."
            )),
            (Some(r), None) => Some(format!(
                "This key cannot rename group types: renaming needs the scope {r}."
            )),
            (None, Some(d)) => Some(format!(
                "This key cannot delete group types: deleting needs the scope {d}."
            )),
            (None, None) => None,
        }
    }

    /// Why the values of a group cannot be shown, naming the scope to grant, when the key's
    /// scopes already refuse the query (so it is not sent); `None` when it may be tried.
    pub fn values_reason(&self) -> Option<String> {
        match &self.read_values {
            Access::MissingScope(s) => Some(format!(
                "This key cannot show metric values: they need the scope {s}. Add {s} to the key in PostHog (Settings → Personal API keys), then connect again."
            )),
            _ => None,
        }
    }

    /// True when the key can read but is known not to change anything here.
    pub fn read_only(&self) -> bool {
        self.rename_group_types.refused()
            && self.delete_group_types.refused()
            && self.write_metrics.refused()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorBody;

    fn record(scopes: &[&str], teams: Option<Vec<i64>>) -> KeyRecord {
        KeyRecord {
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            scoped_teams: teams,
            ..KeyRecord::default()
        }
    }

    fn missing(s: &str) -> Access {
        Access::MissingScope(s.into())
    }

    #[test]
    fn star_grants_every_scope_and_write_implies_read() {
        let all = ["*".to_owned()];
        for s in [GROUP_READ, GROUP_WRITE, METRIC_READ, METRIC_WRITE] {
            assert!(has_scope(&all, s), "{s}");
        }
        let writes = [GROUP_WRITE.to_owned(), METRIC_WRITE.to_owned()];
        assert!(has_scope(&writes, GROUP_READ));
        assert!(has_scope(&writes, METRIC_READ));
        let reads = [GROUP_READ.to_owned()];
        assert!(!has_scope(&reads, GROUP_WRITE));
        // A read never implies a write, and one area's scope never grants another's.
        assert!(!has_scope(&reads, METRIC_READ));
        assert!(!has_scope(&["group:write".to_owned()], "usage_metric:read"));
        assert!(!has_scope(&[], GROUP_READ));
    }

    #[test]
    fn each_scope_the_contract_names_maps_to_its_capability() {
        let caps = Capabilities::from_key(&record(&["*"], None));
        assert_eq!(caps.list_group_types, Access::Allowed);
        assert_eq!(caps.rename_group_types, Access::Unchecked);
        assert_eq!(caps.delete_group_types, Access::Allowed);
        assert_eq!(caps.read_metrics, Access::Allowed);
        assert_eq!(caps.write_metrics, Access::Allowed);
        assert_eq!(caps.read_values, Access::Allowed);

        let caps = Capabilities::from_key(&record(&[GROUP_READ, METRIC_READ], None));
        assert_eq!(caps.read_values, missing(QUERY_READ));
        assert_eq!(caps.list_group_types, Access::Allowed);
        assert_eq!(caps.rename_group_types, missing(GROUP_WRITE));
        assert_eq!(caps.delete_group_types, missing(GROUP_WRITE));
        assert_eq!(caps.read_metrics, Access::Allowed);
        assert_eq!(caps.write_metrics, missing(METRIC_WRITE));
        assert!(caps.read_only());

        let caps = Capabilities::from_key(&record(&[GROUP_WRITE], None));
        assert_eq!(caps.list_group_types, Access::Allowed, "write implies read");
        assert_eq!(caps.read_metrics, missing(METRIC_READ));
        assert_eq!(caps.write_metrics, missing(METRIC_WRITE));
        assert!(!caps.read_only());

        let caps = Capabilities::from_key(&record(&[METRIC_WRITE], None));
        assert_eq!(caps.list_group_types, missing(GROUP_READ));
        assert_eq!(caps.read_metrics, Access::Allowed);
        assert_eq!(caps.write_metrics, Access::Allowed);

        // Scopes of other areas grant nothing here, but query:read shows values.
        let caps = Capabilities::from_key(&record(&["query:read", "insight:write"], None));
        assert_eq!(caps.list_group_types, missing(GROUP_READ));
        assert_eq!(caps.read_values, Access::Allowed);
        assert!(caps.read_only());
    }

    #[test]
    fn a_key_without_group_write_is_told_why_the_group_types_cannot_change() {
        let read_only = Capabilities::from_key(&record(&[GROUP_READ, METRIC_READ], None));
        assert_eq!(
            read_only.group_types_write_reason().as_deref(),
            Some("This key can only read group types: renaming and deleting need the scope group:write.")
        );
        let full = Capabilities::from_key(&record(&["*"], None));
        assert_eq!(full.group_types_write_reason(), None);
        // Refused by the instance, not by a scope: the page's own warning explains that.
        let cloud: Result<(), ApiError> = Err(ApiError::PersonalKeyNotAllowed);
        assert_eq!(
            full.with_rename_probe(&cloud).group_types_write_reason(),
            None
        );
        let probes = Capabilities::from_read_probes::<(), ()>(&Ok(()), &Ok(()));
        assert_eq!(
            probes.group_types_write_reason(),
            None,
            "unchecked is offered"
        );
        let mut rename_only = Capabilities::from_key(&record(&["*"], None));
        rename_only.rename_group_types = missing(GROUP_WRITE);
        assert_eq!(
            rename_only.group_types_write_reason().as_deref(),
            Some("This key cannot rename group types: renaming needs the scope group:write.")
        );
    }

    #[test]
    fn the_rename_probe_decides_renaming_unless_the_scope_already_refused_it() {
        let full = Capabilities::from_key(&record(&["*"], None));
        let ok: Result<(), ApiError> = Ok(());
        let cloud: Result<(), ApiError> = Err(ApiError::PersonalKeyNotAllowed);
        assert_eq!(
            full.clone().with_rename_probe(&ok).rename_group_types,
            Access::Allowed
        );
        assert_eq!(
            full.with_rename_probe(&cloud).rename_group_types,
            Access::OnlyInPostHog
        );
        let read_only = Capabilities::from_key(&record(&[GROUP_READ], None));
        assert_eq!(
            read_only.with_rename_probe(&ok).rename_group_types,
            missing(GROUP_WRITE)
        );
    }

    #[test]
    fn scoped_teams_say_which_projects_the_key_reaches() {
        let p = |s: &str| ProjectId::parse(s).expect("project");
        // Empty or null: every project.
        assert_eq!(reach(&record(&["*"], None), &p("1")), Ok(()));
        assert_eq!(reach(&record(&["*"], Some(vec![])), &p("1")), Ok(()));
        // Limited: its own projects only, and @current is always its own.
        let limited = record(&["*"], Some(vec![2]));
        assert_eq!(reach(&limited, &p("2")), Ok(()));
        assert_eq!(reach(&limited, &p("@current")), Ok(()));
        let refused = reach(&limited, &p("1")).expect_err("other project");
        assert_eq!(refused, Unreachable::OtherProjects(vec![2]));
        assert_eq!(refused.to_string(), "This key is limited to project 2");
        assert_eq!(
            reach(&record(&["*"], Some(vec![2, 7])), &p("1"))
                .expect_err("other")
                .to_string(),
            "This key is limited to projects 2, 7"
        );
        // Organizations cannot be checked from the record: the server decides, and a refusal
        // is explained with the limit.
        let orgs = KeyRecord {
            scoped_organizations: Some(vec!["0190-org".into()]),
            ..record(&["*"], None)
        };
        assert_eq!(reach(&orgs, &p("1")), Ok(()));
        let hint = Capabilities::from_key(&orgs).organization_hint();
        assert_eq!(
            hint.as_deref(),
            Some("This key is limited to one organization (0190-org): the project may belong to another.")
        );
        assert_eq!(
            Capabilities::from_key(&record(&["*"], Some(vec![]))).organization_hint(),
            None
        );
        let null_orgs = KeyRecord {
            scoped_organizations: None,
            ..record(&["*"], None)
        };
        assert_eq!(Capabilities::from_key(&null_orgs).organization_hint(), None);
    }

    #[test]
    fn without_a_key_record_reads_are_probed_and_writes_left_unchecked() {
        let ok: Result<(), ApiError> = Ok(());
        let denied: Result<(), ApiError> = Err(ApiError::MissingScope {
            scope: Some(METRIC_READ.into()),
            body: Box::new(ErrorBody::default()),
        });
        let caps = Capabilities::from_read_probes(&ok, &denied);
        assert_eq!(caps.source, Source::ReadProbes);
        assert_eq!(caps.list_group_types, Access::Allowed);
        assert_eq!(caps.read_metrics, missing(METRIC_READ));
        assert_eq!(caps.write_metrics, Access::Unchecked);
        assert!(
            !caps.write_metrics.refused(),
            "unchecked writes are offered"
        );
        assert!(!caps.read_only());
        // An instance that accepts `[]` from any key does not prove a scope.
        assert_eq!(
            caps.clone().with_rename_probe(&ok).rename_group_types,
            Access::Unchecked
        );
        assert!(caps.caveat().is_some());
        let lines = caps.lines();
        assert!(lines[4]
            .1
            .starts_with("Create, edit and delete usage metrics: not checked"));
        assert_eq!(lines[4].0, Verdict::Unsure, "not checked is not a no");
    }

    #[test]
    fn a_key_without_query_read_is_told_which_scope_shows_values() {
        let caps = Capabilities::from_key(&record(
            &[GROUP_READ, GROUP_WRITE, METRIC_READ, METRIC_WRITE],
            None,
        ));
        assert_eq!(
            caps.lines()[5],
            (
                Verdict::No,
                "See metric values for a group: no — the key lacks the scope query:read".into()
            )
        );
        assert_eq!(
            caps.values_reason().as_deref(),
            Some("This key cannot show metric values: they need the scope query:read. Add query:read to the key in PostHog (Settings → Personal API keys), then connect again.")
        );
        assert!(!caps.read_only(), "a read it lacks is not a write");
        let full = Capabilities::from_key(&record(&["*"], None));
        assert_eq!(full.lines()[5].1, "See metric values for a group: yes");
        assert_eq!(full.values_reason(), None);
        // Unknown without a key record: the query is tried and its answer shown.
        let probes = Capabilities::from_read_probes::<(), ()>(&Ok(()), &Ok(()));
        assert_eq!(probes.read_values, Access::Unchecked);
        assert_eq!(probes.values_reason(), None);
        assert_eq!(
            probes.lines()[5].1,
            "See metric values for a group: not checked — it needs query:read; the server will say if it refuses"
        );
    }

    #[test]
    fn summary_lines_name_the_missing_scope() {
        let caps = Capabilities::from_key(&record(&[GROUP_WRITE], None))
            .with_rename_probe::<()>(&Err(ApiError::PersonalKeyNotAllowed));
        let lines = caps.lines();
        assert_eq!(lines[0], (Verdict::Yes, "List group types: yes".into()));
        assert!(lines[1].1.contains("only in PostHog's own settings"));
        assert_eq!(
            lines[3],
            (
                Verdict::No,
                "View usage metrics: no — the key lacks the scope usage_metric:read".into()
            )
        );
        assert!(caps.caveat().is_none());
    }

    #[test]
    fn the_pickers_scopes_are_optional_lines() {
        let full = Capabilities::from_key(&record(&["*"], None));
        assert_eq!(full.lines().len(), 10);
        assert_eq!(
            full.lines()[6],
            (
                Verdict::Yes,
                "Pick events from the project's definitions: yes".into()
            )
        );
        let manage = Capabilities::from_key(&record(
            &[
                GROUP_WRITE,
                METRIC_WRITE,
                "action:read",
                "warehouse_table:write",
            ],
            None,
        ));
        assert_eq!(manage.pickers[0], missing("event_definition:read"));
        assert_eq!(manage.pickers[2], Access::Allowed);
        assert_eq!(manage.pickers[3], Access::Allowed, "write implies read");
        assert_eq!(
            manage.lines()[7],
            (
                Verdict::Unsure,
                "Pick event properties from the project's definitions: off (optional) — typed names only; property_definition:read turns it on".into()
            )
        );
        assert!(!manage.read_only(), "a picker it lacks is not a write");
        let probes = Capabilities::from_read_probes::<(), ()>(&Ok(()), &Ok(()));
        assert!(probes.pickers.iter().all(|a| *a == Access::Unchecked));
    }
}
