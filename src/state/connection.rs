//! The connection the user chose: host, project and personal API key.

use leptos::prelude::*;
use posthog_groups::{GroupType, Host, Metric, ProjectId};

use crate::api::{fetch, grant};
use serde::{Deserialize, Serialize};

use crate::browser::{self, StorageArea};
use crate::state::capabilities::{self, Capabilities};
use crate::state::url::Target;

pub use posthog_groups::{ApiKey, Connection};

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
            .and_then(|s| Some((Host::parse(&s.host).ok()?, ApiKey::parse(&s.key).ok()?)))
            .or_else(|| grant::restore().map(|(host, id)| (host, ApiKey::grant(id))));
        if restored.is_some() {
            // The key is kept beyond memory: what this tab learned about it comes back with
            // it, and what it learns next is kept beside it.
            fetch::restore_tab();
            fetch::store_for_tab(true);
        }
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
    /// A sign-in's tokens are kept by the token store (`api::grant`), where it was told.
    pub fn remember(&self, host: Host, key: ApiKey, storage: KeyStorage) {
        self.forget_stored();
        let stored = key.secret().map(|secret| {
            serde_json::to_string(&StoredKey {
                host: host.to_string(),
                key: secret.to_owned(),
            })
        });
        if key.grant_id().is_none() {
            // A key replaces any sign-in, which is signed out rather than left working.
            leptos::task::spawn_local(grant::sign_out());
        }
        if let Some(Ok(text)) = stored {
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
        fetch::store_for_tab(storage != KeyStorage::Memory);
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

    /// What the key can do with `conn`, learned with [`capabilities::learn`] (at once when
    /// this tab already knows) and shown from then on; `None` when it could not be learned
    /// (the screen's own read then says why). `rename_probe`: see `learn`.
    pub async fn capabilities_for(
        &self,
        conn: &Connection,
        rename_probe: bool,
    ) -> Option<Capabilities> {
        // Already shown for this connection: screens that do not rename need nothing more
        // (this matters where the instance has no `@current` and reads stand in for it).
        let known = self
            .capabilities
            .get_untracked()
            .filter(|(c, _)| c == conn)
            .map(|(_, caps)| caps);
        if let (Some(caps), false) = (&known, rename_probe) {
            return Some(caps.clone());
        }
        let caps = capabilities::learn(conn, rename_probe).await.ok()?;
        self.show_capabilities(conn, caps.clone());
        Some(caps)
    }

    /// Shows `caps` as what the key can do with `conn`.
    pub fn show_capabilities(&self, conn: &Connection, caps: Capabilities) {
        let same = self.capabilities.with_untracked(|c| {
            c.as_ref()
                .is_some_and(|(c, known)| c == conn && *known == caps)
        });
        if !same {
            self.capabilities.set(Some((conn.clone(), caps)));
        }
    }

    /// Whether metric writes are offered: false until the capabilities are known, so a
    /// read-only key never sees controls that would only fail.
    pub fn can_write_metrics(&self, conn: StoredValue<Connection>) -> Memo<bool> {
        let this = *self;
        // Starts the check when nothing is known for this connection yet.
        let checked = LocalResource::new(move || async move {
            this.capabilities_for(&conn.get_value(), false).await
        });
        Memo::new(move |_| {
            let known = this.capabilities.with(|c| {
                c.as_ref()
                    .filter(|(c, _)| *c == conn.get_value())
                    .map(|(_, caps)| !caps.write_metrics.refused())
            });
            known
                .or_else(|| {
                    checked
                        .get()
                        .flatten()
                        .map(|caps| !caps.write_metrics.refused())
                })
                .unwrap_or(false)
        })
    }

    /// Whether what is held is a sign-in with PostHog rather than a personal key.
    pub fn signed_in(&self) -> bool {
        self.key
            .with(|k| k.as_ref().is_some_and(|(_, key)| key.grant_id().is_some()))
    }

    /// Forgets the key everywhere: memory, this tab and this device. A sign-in is signed
    /// out: its tokens are revoked at PostHog, then forgotten.
    pub fn forget(&self) {
        leptos::task::spawn_local(grant::sign_out());
        self.forget_stored();
        fetch::forget_everything();
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
            group: q.get("group"),
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
