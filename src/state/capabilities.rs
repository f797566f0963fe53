//! What a key can do in a project (the rules are in the core's `capability` module), learned
//! with reads and the one harmless rename probe, and the plain explanation of a failed
//! connection.

use posthog_groups::{ApiError, Host, ProjectId};

use posthog_groups::capability::{reach, Unreachable};
pub use posthog_groups::capability::{Access, Capabilities};
use posthog_groups::{Connection, KeyRecord};

use crate::api;

/// What the key can do with `conn`. From the key's record when the instance has
/// `@current`; else (a 404 from an older instance, or an answer the app cannot read) from
/// reads — the group type list (its answer from the last 30 s when there is one) and a
/// metric page of one — with writes left for the server to judge. `rename_probe` sends the `[]`
/// rename probe when this tab has not yet (the group types page); a kept answer is used
/// either way. A bad key, or a key the record shows cannot open this project, is an error.
pub async fn learn(conn: &Connection, rename_probe: bool) -> Result<Capabilities, CapabilityError> {
    if let Some(id) = conn.key.grant_id() {
        return from_grant(id, conn);
    }
    let caps = match api::current_key(conn).await {
        Ok(record) => from_record(&record, conn)?,
        // A bad key, or a host that cannot be reached now: reads would fail the same way.
        Err(
            e @ (ApiError::InvalidKey
            | ApiError::SignInEnded
            | ApiError::KeyForgotten
            | ApiError::MissingKey
            | ApiError::Network { .. }
            | ApiError::BlockedByPolicy { .. }
            | ApiError::Timeout { .. }
            | ApiError::Aborted
            | ApiError::Throttled { .. }
            | ApiError::Server { .. }),
        ) => return Err(CapabilityError::Api(e)),
        // No `@current` here (404), or an answer that cannot be read: the reads tell what
        // they can.
        Err(_) => {
            let (list, metrics) = futures::join!(
                api::list_group_types_recent(conn),
                api::list_metrics(conn, 0, 1, 0)
            );
            Capabilities::from_read_probes(&list, &metrics)
        }
    };
    let probe = match api::rename_probe_kept(conn) {
        Some(answer) => Some(answer),
        None if rename_probe && !caps.rename_group_types.refused() => {
            Some(api::rename_probe(conn).await)
        }
        None => None,
    };
    Ok(match probe {
        Some(answer) => caps.with_rename_probe(&answer),
        None => caps,
    })
}

fn from_record(record: &KeyRecord, conn: &Connection) -> Result<Capabilities, CapabilityError> {
    reach(record, &conn.project).map_err(CapabilityError::Unreachable)?;
    Ok(Capabilities::from_key(record))
}

/// A sign-in's capabilities, from what the user granted at consent: its scopes (OAuth tokens
/// carry the same scopes as personal keys) and the projects chosen. Nothing is sent, and
/// renaming stays for the server to judge.
fn from_grant(id: u64, conn: &Connection) -> Result<Capabilities, CapabilityError> {
    let (scopes, projects) =
        api::grant::granted(id).ok_or(CapabilityError::Api(ApiError::SignInEnded))?;
    let record = KeyRecord {
        scopes: scopes.to_list(),
        scoped_teams: projects,
        ..KeyRecord::default()
    };
    reach(&record, &conn.project)
        .map_err(|Unreachable::OtherProjects(ids)| CapabilityError::NotGranted(ids))?;
    Ok(Capabilities::from_key(&record))
}

/// Why what a key can do could not be learned.
#[derive(Clone, Debug, PartialEq)]
pub enum CapabilityError {
    /// The server refused the key.
    Api(ApiError),
    /// The key's record shows it cannot open this project.
    Unreachable(Unreachable),
    /// The sign-in was granted these other projects only.
    NotGranted(Vec<i64>),
}

impl CapabilityError {
    /// The message for the connection screen.
    pub fn explain(&self, host: &Host, project: &ProjectId) -> String {
        match self {
            CapabilityError::Api(e) => explain_connect_error(e, host, project),
            CapabilityError::NotGranted(ids) => {
                let list: Vec<String> = ids.iter().map(i64::to_string).collect();
                format!(
                    "When you signed in you allowed this console only project {}, not project {project}. Sign in again and choose project {project} on PostHog's consent page.",
                    list.join(", ")
                )
            }
            CapabilityError::Unreachable(why) => format!(
                "{why} and cannot open project {project}. Use a key for this project, or allow it on the key in PostHog (Settings → Personal API keys)."
            ),
        }
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
        ApiError::SignInEnded | ApiError::KeyForgotten => error.to_string(),
        ApiError::InvalidKey | ApiError::MissingKey => format!(
            "{host} did not accept this personal API key. Check that it was copied whole and has not been revoked.{region_hint}"
        ),
        ApiError::NotFound { .. } => format!(
            "Project {project} was not found on {host}. Check the project id (Project settings in PostHog).{region_hint}"
        ),
        ApiError::PermissionDenied { body }
            if body
                .detail
                .as_deref()
                .is_some_and(|d| d.contains("don't have access to the project")) =>
        {
            format!(
                "Your PostHog user is not a member of the organization that project {project} belongs to on {host}. Check the project id, or ask an admin of that organization to invite you."
            )
        }
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

    #[test]
    fn a_key_limited_to_other_projects_is_named_with_them() {
        let own = Host::parse("https://ph.example.com").expect("host");
        let p = ProjectId::parse("1").expect("project");
        let e = CapabilityError::Unreachable(Unreachable::OtherProjects(vec![2]));
        assert_eq!(
            e.explain(&own, &p),
            "This key is limited to project 2 and cannot open project 1. Use a key for this project, or allow it on the key in PostHog (Settings → Personal API keys)."
        );
    }
}
