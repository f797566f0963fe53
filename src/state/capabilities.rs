//! What a key can do in a project, read from harmless probes made on connect, and the plain
//! explanation of a failed connection.

use posthog_groups::{ApiError, Host, ProjectId};

/// Whether one kind of action works with this key.
#[derive(Clone, Debug, PartialEq)]
pub enum Access {
    /// It works.
    Allowed,
    /// The key lacks this scope.
    MissingScope(String),
    /// This instance allows it only from PostHog's own settings page.
    OnlyInPostHog,
    /// The probe failed for another reason; the error says why.
    Unknown(String),
}

impl Access {
    /// Reads a probe: `ok_if_not_found` for write probes aimed at something that does not
    /// exist, where a 404 proves the permission check passed.
    pub fn from_probe<T>(result: &Result<T, ApiError>, ok_if_not_found: bool) -> Access {
        match result {
            Ok(_) => Access::Allowed,
            Err(ApiError::NotFound { .. }) if ok_if_not_found => Access::Allowed,
            Err(ApiError::MissingScope { scope: Some(s), .. }) => Access::MissingScope(s.clone()),
            Err(ApiError::PersonalKeyNotAllowed) => Access::OnlyInPostHog,
            Err(e) => Access::Unknown(e.to_string()),
        }
    }

    /// True when it works.
    pub fn allowed(&self) -> bool {
        matches!(self, Access::Allowed)
    }

    /// True when it is known not to work with a personal key here. An inconclusive probe
    /// is not a refusal: the server still decides, and says why.
    pub fn refused(&self) -> bool {
        matches!(self, Access::MissingScope(_) | Access::OnlyInPostHog)
    }
}

/// The capability summary shown after connecting.
#[derive(Clone, Debug, PartialEq)]
pub struct Capabilities {
    /// `GET groups_types/` (`group:read`).
    pub list_group_types: Access,
    /// `PATCH update_metadata` (no scope; PostHog Cloud refuses personal keys).
    pub rename_group_types: Access,
    /// `DELETE groups_types/{i}/` (`group:write`).
    pub delete_group_types: Access,
    /// Metric reads (`usage_metric:read`).
    pub read_metrics: Access,
    /// Metric writes (`usage_metric:write`).
    pub write_metrics: Access,
}

impl Capabilities {
    /// One line per capability: what, and whether it works, in words a person can act on.
    pub fn lines(&self) -> Vec<(bool, String)> {
        let line = |what: &str, access: &Access, scope: &str| -> (bool, String) {
            let text = match access {
                Access::Allowed => format!("{what}: yes"),
                Access::MissingScope(s) => format!("{what}: no — the key lacks the scope {s}"),
                Access::OnlyInPostHog => {
                    format!("{what}: only in PostHog's own settings — this instance refuses personal API keys for it")
                }
                Access::Unknown(why) => {
                    format!("{what}: could not check ({why}); it needs {scope}")
                }
            };
            (access.allowed(), text)
        };
        vec![
            line("List group types", &self.list_group_types, "group:read"),
            line(
                "Rename group types",
                &self.rename_group_types,
                "admin access",
            ),
            line(
                "Delete group types",
                &self.delete_group_types,
                "group:write",
            ),
            line(
                "View usage metrics",
                &self.read_metrics,
                "usage_metric:read",
            ),
            line(
                "Create, edit and delete usage metrics",
                &self.write_metrics,
                "usage_metric:write",
            ),
        ]
    }

    /// True when the key can read but not change anything here.
    pub fn read_only(&self) -> bool {
        !self.rename_group_types.allowed()
            && !self.delete_group_types.allowed()
            && !self.write_metrics.allowed()
    }
}

/// Explains why connecting failed, naming the host and project and what to do.
pub fn explain_connect_error(error: &ApiError, host: &Host, project: &ProjectId) -> String {
    let region_hint = if host.is_cloud() {
        " Keys work only in their own region: if you sign in at eu.posthog.com choose EU cloud, at us.posthog.com choose US cloud."
    } else {
        ""
    };
    match error {
        ApiError::InvalidKey | ApiError::MissingKey => format!(
            "{host} did not accept this personal API key. Check that it was copied whole and has not been revoked.{region_hint}"
        ),
        ApiError::NotFound { .. } => format!(
            "Project {project} was not found on {host}. Check the project id (Project settings in PostHog).{region_hint}"
        ),
        ApiError::NoProjectAccess { .. } => format!(
            "This key is limited to other projects and cannot open project {project}. Use a key for this project, or allow it on the key."
        ),
        ApiError::MissingScope { scope, .. } => format!(
            "The key lacks the scope {}. Edit the key in PostHog (Settings → Personal API keys) and add group:read, group:write, usage_metric:read and usage_metric:write.",
            scope.as_deref().unwrap_or("group:read")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use posthog_groups::ErrorBody;

    fn scope(s: &str) -> ApiError {
        ApiError::MissingScope {
            scope: Some(s.into()),
            body: Box::new(ErrorBody::default()),
        }
    }

    #[test]
    fn write_probes_count_not_found_as_allowed() {
        let not_found: Result<(), ApiError> = Err(ApiError::NotFound {
            body: Box::default(),
        });
        assert_eq!(Access::from_probe(&not_found, true), Access::Allowed);
        assert!(matches!(
            Access::from_probe(&not_found, false),
            Access::Unknown(_)
        ));
        let denied: Result<(), ApiError> = Err(scope("usage_metric:write"));
        assert_eq!(
            Access::from_probe(&denied, true),
            Access::MissingScope("usage_metric:write".into())
        );
        let cloud: Result<(), ApiError> = Err(ApiError::PersonalKeyNotAllowed);
        assert_eq!(Access::from_probe(&cloud, false), Access::OnlyInPostHog);
    }

    #[test]
    fn summary_lines_name_the_missing_scope() {
        let caps = Capabilities {
            list_group_types: Access::Allowed,
            rename_group_types: Access::OnlyInPostHog,
            delete_group_types: Access::Allowed,
            read_metrics: Access::MissingScope("usage_metric:read".into()),
            write_metrics: Access::MissingScope("usage_metric:write".into()),
        };
        let lines = caps.lines();
        assert_eq!(lines[0], (true, "List group types: yes".into()));
        assert!(lines[1].1.contains("only in PostHog's own settings"));
        assert!(!lines[3].0 && lines[3].1.contains("usage_metric:read"));
        assert!(!caps.read_only());
    }

    #[test]
    fn connect_errors_say_what_to_do() {
        let us = Host::parse("https://us.posthog.com").expect("host");
        let p = ProjectId::parse("5").expect("project");
        assert!(explain_connect_error(&ApiError::InvalidKey, &us, &p).contains("EU cloud"));
        let nf = ApiError::NotFound {
            body: Box::default(),
        };
        assert!(explain_connect_error(&nf, &us, &p).contains("Project 5 was not found"));
        let own = Host::parse("https://ph.example.com").expect("host");
        assert!(!explain_connect_error(&ApiError::InvalidKey, &own, &p).contains("region"));
    }
}
