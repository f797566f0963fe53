//! The compare screen's state: its two sides as the URL names them (never a key), reading a
//! project's configuration, and applying a plan one request at a time.

use std::time::Duration;

use posthog_groups::compare::Step;
use posthog_groups::configuration::ProjectConfig;
use posthog_groups::request::encode_component;
use posthog_groups::{ApiError, Host, ProjectId};

use crate::api;
use crate::state::connection::Connection;
use crate::state::project_list;
use crate::state::url::Target;

/// One side of a comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Side {
    /// A project on a host.
    Project(Host, ProjectId),
    /// A configuration file chosen in this tab (its text is not in the URL).
    File,
}

impl Side {
    /// Words for headings: "Project 2 on https://eu.posthog.com", "The configuration file".
    pub fn describe(&self) -> String {
        match self {
            Side::Project(host, project) => format!("Project {project} on {host}"),
            Side::File => "The configuration file".into(),
        }
    }
}

/// The query's value for a side (`from=`/`to=`) and its host parameter, read against the
/// connected host and project (`base`): a project id alone is on the connected host.
fn side_of(
    base: &(Host, ProjectId),
    value: Option<&str>,
    host: Option<&str>,
) -> Result<Side, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(Side::Project(base.0.clone(), base.1.clone())),
        Some("file") => Ok(Side::File),
        Some(id) => {
            let project = ProjectId::parse(id)?;
            let host = match host.map(str::trim).filter(|h| !h.is_empty()) {
                None => base.0.clone(),
                Some(h) => Host::parse(h)?,
            };
            Ok(Side::Project(host, project))
        }
    }
}

/// The two sides the URL names: the source (`from`, `from_host`; this project when absent)
/// and the target (`to`, `to_host`; `None` until one is chosen).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sides {
    /// Where the configuration comes from.
    pub from: Result<Side, String>,
    /// What is brought in line with it.
    pub to: Option<Result<Side, String>>,
}

/// The compare screen's query values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SideParams {
    /// `?from=`.
    pub from: Option<String>,
    /// `?from_host=`.
    pub from_host: Option<String>,
    /// `?to=`.
    pub to: Option<String>,
    /// `?to_host=`.
    pub to_host: Option<String>,
}

/// Reads both sides against the connected project.
pub fn sides(base: &(Host, ProjectId), p: &SideParams) -> Sides {
    Sides {
        from: side_of(base, p.from.as_deref(), p.from_host.as_deref()),
        to: p
            .to
            .as_deref()
            .map(|to| side_of(base, Some(to), p.to_host.as_deref())),
    }
}

/// The compare screen's address for two sides, keeping the connected host and project (and
/// nothing secret): a comparison can be shared as a link.
pub fn compare_href(base: &Target, from: &Side, to: Option<&Side>) -> String {
    let mut query = base.without_group().query();
    let base_pair = base.parse();
    let mut add = |name: &str, side: &Side| {
        let (value, host) = match side {
            Side::File => ("file".to_string(), None),
            Side::Project(h, p) => (
                p.to_string(),
                base_pair
                    .as_ref()
                    .filter(|(bh, _)| bh != h)
                    .map(|_| h.to_string()),
            ),
        };
        query.push(if query.is_empty() { '?' } else { '&' });
        query.push_str(&format!("{name}={}", encode_component(&value)));
        if let Some(h) = host {
            query.push_str(&format!("&{name}_host={}", encode_component(&h)));
        }
    };
    let this_project = matches!((side_is_base(from, &base_pair), to), (true, Some(_)));
    if !this_project {
        add("from", from);
    }
    if let Some(to) = to {
        add("to", to);
    }
    format!("/compare{query}")
}

fn side_is_base(side: &Side, base: &Option<(Host, ProjectId)>) -> bool {
    match (side, base) {
        (Side::Project(h, p), Some((bh, bp))) => h == bh && p == bp,
        _ => false,
    }
}

/// A project's whole configuration: its group types and every metric of every index, read
/// through the read layer as the metrics list reads them.
pub async fn read(conn: &Connection) -> Result<ProjectConfig, ApiError> {
    let (types, metrics) = project_list::read(conn).await?;
    Ok(ProjectConfig::from_project(&types, &metrics))
}

/// Where one step of an apply is.
#[derive(Clone, Debug, PartialEq)]
pub enum StepState {
    /// Not sent yet.
    Waiting,
    /// On its way.
    Sending,
    /// The server asked to slow down (429): sent again after this many seconds.
    Throttled(u32),
    /// Done.
    Done,
    /// Refused or failed: the run stopped here.
    Failed(ApiError),
    /// Not sent, because an earlier step failed.
    NotSent,
}

/// How many times one step is sent again after a 429 before the run stops.
const MAX_THROTTLED: u32 = 5;

/// The longest wait after a 429, whatever the server says.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// Sends `steps` in order, one at a time, telling `report` each step's state. A 429 is
/// waited out (its `Retry-After`) and the same request sent again: a throttled request did
/// nothing. Any other failure stops the run: the rest is reported as not sent. Returns
/// whether every step went through.
pub async fn apply(conn: &Connection, steps: &[Step], report: impl Fn(usize, StepState)) -> bool {
    for (i, step) in steps.iter().enumerate() {
        let mut throttled = 0;
        loop {
            report(i, StepState::Sending);
            match send(conn, step).await {
                Ok(()) => {
                    report(i, StepState::Done);
                    break;
                }
                Err(ApiError::Throttled { retry_after }) if throttled < MAX_THROTTLED => {
                    throttled += 1;
                    let seconds = retry_after.unwrap_or(1 << throttled.min(5));
                    let wait = Duration::from_secs(u64::from(seconds)).min(MAX_WAIT);
                    report(i, StepState::Throttled(wait.as_secs() as u32));
                    crate::browser::sleep(wait).await;
                }
                Err(e) => {
                    report(i, StepState::Failed(e));
                    for rest in i + 1..steps.len() {
                        report(rest, StepState::NotSent);
                    }
                    return false;
                }
            }
        }
    }
    true
}

async fn send(conn: &Connection, step: &Step) -> Result<(), ApiError> {
    let id = |m: &posthog_groups::configuration::MetricConfig| m.id.clone().unwrap_or_default();
    match step {
        Step::Rename(rows) => api::update_metadata(conn, rows).await.map(|_| ()),
        Step::Create(m) => api::create_metric(conn, m.index, &m.draft)
            .await
            .map(|_| ()),
        Step::Update { target, patch } => {
            api::update_metric(conn, target.index, &id(target), patch)
                .await
                .map(|_| ())
        }
        Step::Delete(m) => api::delete_metric(conn, m.index, &id(m)).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> (Host, ProjectId) {
        (
            Host::parse("https://eu.posthog.com").expect("host"),
            ProjectId::parse("1").expect("id"),
        )
    }

    fn params(
        from: Option<&str>,
        from_host: Option<&str>,
        to: Option<&str>,
        to_host: Option<&str>,
    ) -> SideParams {
        let s = |v: Option<&str>| v.map(str::to_owned);
        SideParams {
            from: s(from),
            from_host: s(from_host),
            to: s(to),
            to_host: s(to_host),
        }
    }

    /// The URL names both sides: a project id on the connected host, another host, a file;
    /// a bad value is an error for that side only.
    #[test]
    fn the_url_names_both_sides() {
        let b = base();
        let s = sides(&b, &params(None, None, Some("2"), None));
        assert_eq!(s.from, Ok(Side::Project(b.0.clone(), b.1.clone())));
        assert_eq!(
            s.to,
            Some(Ok(Side::Project(
                b.0.clone(),
                ProjectId::parse("2").expect("id")
            )))
        );
        let s = sides(
            &b,
            &params(
                Some("file"),
                None,
                Some("7"),
                Some("https://ph.example.com"),
            ),
        );
        assert_eq!(s.from, Ok(Side::File));
        assert_eq!(
            s.to,
            Some(Ok(Side::Project(
                Host::parse("https://ph.example.com").expect("host"),
                ProjectId::parse("7").expect("id")
            )))
        );
        assert_eq!(sides(&b, &SideParams::default()).to, None);
        assert!(matches!(
            sides(&b, &params(None, None, Some("x y"), None)).to,
            Some(Err(_))
        ));
        assert!(matches!(
            sides(
                &b,
                &params(None, None, Some("2"), Some("javascript:alert(1)"))
            )
            .to,
            Some(Err(_))
        ));
    }

    /// The address carries both sides and reads back as the same sides.
    #[test]
    fn the_address_round_trips() {
        let b = base();
        let target = Target::of(&b.0, &b.1);
        let other = Side::Project(
            Host::parse("https://ph.example.com").expect("host"),
            ProjectId::parse("7").expect("id"),
        );
        let this = Side::Project(b.0.clone(), b.1.clone());
        let href = compare_href(&target, &this, Some(&other));
        assert_eq!(
            href,
            "/compare?host=https%3A%2F%2Feu.posthog.com&project=1&to=7&to_host=https%3A%2F%2Fph.example.com"
        );
        let href = compare_href(&target, &Side::File, Some(&this));
        assert_eq!(
            href,
            "/compare?host=https%3A%2F%2Feu.posthog.com&project=1&from=file&to=1"
        );
        assert_eq!(
            compare_href(&target, &this, None),
            "/compare?host=https%3A%2F%2Feu.posthog.com&project=1&from=1"
        );
    }
}
