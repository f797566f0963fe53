//! The connection the user chose: host, project and personal API key.

use leptos::prelude::*;
use posthog_groups::{GroupType, Host, Metric, ProjectId};
use serde::{Deserialize, Serialize};

use crate::browser::{self, StorageArea};
use crate::state::capabilities::Capabilities;
use crate::state::url::Target;

/// A personal API key. Its `Debug` never prints the key, so it cannot leak into a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Trims what the user pasted; an empty key is an error with a message for the field.
    pub fn parse(input: &str) -> Result<ApiKey, String> {
        let key = input.trim();
        if key.is_empty() {
            Err("Paste your personal API key (it starts with phx_).".into())
        } else if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Err("The key must not contain spaces or line breaks.".into())
        } else {
            Ok(ApiKey(key.to_owned()))
        }
    }

    /// The `Authorization` header value; the only place the key is read.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }

    /// A number that tells keys apart (for keeping each key's answers separate) without
    /// keeping the key's text anywhere else.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.0.hash(&mut h);
        h.finish()
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<hidden>)")
    }
}

/// Everything a request needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// Where requests go; the key is sent nowhere else.
    pub host: Host,
    /// The project whose group types are managed.
    pub project: ProjectId,
    /// The personal API key.
    pub key: ApiKey,
}

/// Where the key is kept between page loads, as the user chose (within the config's policy).
pub use crate::state::config::KeyStorage;

const STORED_KEY: &str = "groups-console.key";

/// The stored form of the key: bound to the one host it may be sent to.
#[derive(Serialize, Deserialize)]
struct StoredKey {
    host: String,
    key: String,
}

/// The session shared by every page: the key (bound to its host), and what the last
/// connect learned about it. Host and project themselves live in the URL.
#[derive(Clone, Copy)]
pub struct Session {
    key: RwSignal<Option<(Host, ApiKey)>>,
    /// What the key can do, for the connection it was checked on.
    pub capabilities: RwSignal<Option<(Connection, Capabilities)>>,
    /// The group type list fetched while connecting, used once by the group types page.
    pub prefetched: RwSignal<Option<(Connection, Vec<GroupType>)>>,
    /// True while a screen holds edits that are not saved.
    pub unsaved: RwSignal<bool>,
    /// The last group type list seen, for screens that only need names and indexes.
    pub known_group_types: RwSignal<Option<(Connection, Vec<GroupType>)>>,
    /// A metric the server has just returned (from a save), shown by its page without
    /// asking again; taken once.
    pub fresh_metric: RwSignal<Option<(Connection, Metric)>>,
}

impl Session {
    /// Provides the session to the tree below, restoring a key kept in this tab or device.
    pub fn provide() -> Session {
        let restored = [StorageArea::Session, StorageArea::Local]
            .into_iter()
            .find_map(|area| browser::storage_get(area, STORED_KEY))
            .and_then(|text| serde_json::from_str::<StoredKey>(&text).ok())
            .and_then(|s| Some((Host::parse(&s.host).ok()?, ApiKey::parse(&s.key).ok()?)));
        let session = Session {
            key: RwSignal::new(restored),
            capabilities: RwSignal::new(None),
            prefetched: RwSignal::new(None),
            unsaved: RwSignal::new(false),
            known_group_types: RwSignal::new(None),
            fresh_metric: RwSignal::new(None),
        };
        provide_context(session);
        session
    }

    /// The session provided at the root.
    pub fn expect() -> Session {
        expect_context::<Session>()
    }

    /// The connection for a host and project, when the key held is for that host.
    pub fn connection(&self, host: &Host, project: &ProjectId) -> Option<Connection> {
        self.key.with(|k| {
            k.as_ref()
                .filter(|(h, _)| h == host)
                .map(|(_, key)| Connection {
                    host: host.clone(),
                    project: project.clone(),
                    key: key.clone(),
                })
        })
    }

    /// The host the held key belongs to, if any.
    pub fn key_host(&self) -> Option<Host> {
        self.key.with(|k| k.as_ref().map(|(h, _)| h.clone()))
    }

    /// Keeps the key for `host`, in memory and where `storage` says; clears other copies.
    pub fn remember(&self, host: Host, key: ApiKey, storage: KeyStorage) {
        self.forget_stored();
        let stored = serde_json::to_string(&StoredKey {
            host: host.to_string(),
            key: key.0.clone(),
        });
        if let Ok(text) = stored {
            match storage {
                KeyStorage::Memory => {}
                KeyStorage::Session => {
                    browser::storage_set(StorageArea::Session, STORED_KEY, &text);
                }
                KeyStorage::Device => {
                    browser::storage_set(StorageArea::Local, STORED_KEY, &text);
                }
            }
        }
        self.key.set(Some((host, key)));
    }

    /// The group types of `conn`: the list seen last if it is for this connection, else
    /// fetched (and remembered).
    pub async fn group_types(
        &self,
        conn: &Connection,
    ) -> Result<Vec<GroupType>, posthog_groups::ApiError> {
        let known = self
            .known_group_types
            .get_untracked()
            .filter(|(c, _)| c == conn);
        if let Some((_, list)) = known {
            return Ok(list);
        }
        let list = crate::api::list_group_types(conn).await?;
        self.known_group_types
            .set(Some((conn.clone(), list.clone())));
        Ok(list)
    }

    /// What the key can do with `conn`: known since connecting, or checked now (after a
    /// reload or a deep link) and remembered.
    pub async fn capabilities_for(&self, conn: &Connection) -> Capabilities {
        let known = self.capabilities.get_untracked().filter(|(c, _)| c == conn);
        if let Some((_, caps)) = known {
            return caps;
        }
        let (list, caps) = crate::api::check_connection(conn).await;
        if let Ok(list) = list {
            self.known_group_types.set(Some((conn.clone(), list)));
        }
        self.capabilities.set(Some((conn.clone(), caps.clone())));
        caps
    }

    /// Whether metric writes are offered: false until the capabilities are known, so a
    /// read-only key never sees controls that would only fail.
    pub fn can_write_metrics(&self, conn: StoredValue<Connection>) -> Memo<bool> {
        let this = *self;
        // Starts the check when nothing is known for this connection yet.
        let checked =
            LocalResource::new(
                move || async move { this.capabilities_for(&conn.get_value()).await },
            );
        Memo::new(move |_| {
            let known = this.capabilities.with(|c| {
                c.as_ref()
                    .filter(|(c, _)| *c == conn.get_value())
                    .map(|(_, caps)| !caps.write_metrics.refused())
            });
            known
                .or_else(|| checked.get().map(|caps| !caps.write_metrics.refused()))
                .unwrap_or(false)
        })
    }

    /// Forgets the key everywhere: memory, this tab and this device.
    pub fn forget(&self) {
        self.forget_stored();
        crate::api::fetch::forget_reads();
        self.key.set(None);
        self.capabilities.set(None);
        self.prefetched.set(None);
    }

    fn forget_stored(&self) {
        browser::storage_remove(StorageArea::Session, STORED_KEY);
        browser::storage_remove(StorageArea::Local, STORED_KEY);
    }
}

/// The URL's host and project, and the connection for them when the key held matches.
/// Every screen after the connection screen starts here.
pub fn use_connection() -> (Memo<Target>, Memo<Option<Connection>>) {
    let session = Session::expect();
    let query = leptos_router::hooks::use_query_map();
    let target = Memo::new(move |_| {
        query.with(|q| Target {
            host: q.get("host"),
            project: q.get("project"),
        })
    });
    let connection = Memo::new(move |_| {
        target
            .with(|t| t.parse())
            .and_then(|(host, project)| session.connection(&host, &project))
    });
    (target, connection)
}

/// The route's group type index (`:index`, when it is a number) and metric id (`:id`).
pub fn use_metric_route() -> Memo<(Option<u32>, Option<String>)> {
    let params = leptos_router::hooks::use_params_map();
    Memo::new(move |_| {
        params.with(|p| {
            (
                p.get("index").and_then(|i| i.parse::<u32>().ok()),
                p.get("id"),
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_trimmed_and_required() {
        assert_eq!(
            ApiKey::parse("  phx_abc \n").map(|k| k.bearer()),
            Ok("Bearer phx_abc".into())
        );
        assert!(ApiKey::parse("   ").is_err());
        assert!(ApiKey::parse("phx_a b").is_err());
    }

    #[test]
    fn debug_output_never_contains_the_key() {
        let key = ApiKey::parse("phx_secret_value").expect("key");
        assert!(!format!("{key:?}").contains("phx_secret_value"));
        let conn = Connection {
            host: Host::parse("https://eu.posthog.com").expect("host"),
            project: ProjectId::parse("1").expect("project"),
            key,
        };
        assert!(!format!("{conn:?}").contains("phx_secret_value"));
    }
}
