//! The connection the user chose: host, project and personal API key.

use leptos::prelude::*;
use posthog_groups::{Host, ProjectId};

use crate::api::{fetch, grant, read};
use serde::{Deserialize, Serialize};

use crate::browser::{self, StorageArea};
use crate::state::capabilities::{self, Capabilities};
use crate::state::config::AppConfig;
use crate::state::url::Target;

pub use posthog_groups::{ApiKey, Connection};

/// Where the key is kept between page loads, as the user chose (within the config's policy).
pub use crate::state::config::KeyStorage;

const STORED_KEY: &str = "groups-console.key";

/// The BroadcastChannel on which a tab tells the others of this origin that a credential
/// was forgotten, signed out or replaced: `ended:<fingerprint>` (never the key itself).
const CREDENTIALS_CHANNEL: &str = "groups-console.credentials";

/// A credential found in storage at start-up, held back until `config.json` says its host
/// is still one the console may send it to (see [`Session::settle_restore`]).
enum Restored {
    /// A personal key and its host.
    Key(Host, ApiKey),
    /// A sign-in and its host.
    Grant(Host, grant::Grant),
    /// Something kept whose host today's rules refuse (an older build's look-alike
    /// loopback name, say): dropped, with its host as written.
    Refused(String),
}

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
    /// True from start-up until a kept credential's host is checked (screens say so
    /// instead of "Not connected").
    pub restoring: RwSignal<bool>,
    kept: StoredValue<Option<Restored>, LocalStorage>,
    /// True when another tab forgot, signed out or replaced the credential this tab held.
    pub ended_elsewhere: RwSignal<bool>,
    /// What the key can do, for the connection it was checked on.
    pub capabilities: RwSignal<Option<(Connection, Capabilities)>>,
    /// True while a screen holds edits that are not saved.
    pub unsaved: RwSignal<bool>,
}

impl Session {
    /// Provides the session to the tree below. A key or sign-in kept in this tab or on this
    /// device is read now but not used until [`Session::settle_restore`] has checked its
    /// host against `config.json`: no keyed request can go out before that.
    pub fn provide() -> Session {
        let restored = read_kept();
        let session = Session {
            key: RwSignal::new(None),
            restoring: RwSignal::new(restored.is_some()),
            kept: StoredValue::new_local(restored),
            ended_elsewhere: RwSignal::new(false),
            capabilities: RwSignal::new(None),
            unsaved: RwSignal::new(false),
        };
        provide_context(session);
        browser::on_broadcast(CREDENTIALS_CHANNEL, move |text| {
            if let Some(fingerprint) = text
                .strip_prefix("ended:")
                .and_then(|n| n.parse::<u64>().ok())
            {
                session.ended_elsewhere(fingerprint);
            }
        });
        session
    }

    /// Takes up the credential read at start-up when `config` still allows its host, else
    /// removes it from this browser; the message says what was removed and why.
    pub fn settle_restore(&self, config: &AppConfig) -> Option<String> {
        let restored = self.kept.try_update_value(Option::take).flatten()?;
        self.restoring.set(false);
        let host = match &restored {
            Restored::Key(host, _) | Restored::Grant(host, _) => Ok(host),
            Restored::Refused(written) => Err(written.as_str()),
        };
        if let Err(message) = may_restore(host, config) {
            self.drop_kept();
            return Some(message);
        }
        let (host, key) = match restored {
            Restored::Key(host, key) => {
                // The start-up script checked the same host against the same config.json.
                read::adopt_early_reads(&host, key.fingerprint());
                (host, key)
            }
            Restored::Grant(host, kept) => {
                let id = kept.id;
                grant::resume(kept);
                (host, ApiKey::grant(id))
            }
            Restored::Refused(_) => return None,
        };
        // The key is kept beyond memory: what this tab learned about it comes back with
        // it, and what it learns next is kept beside it.
        read::restore_tab();
        read::store_for_tab(true);
        self.key.set(Some((host, key)));
        None
    }

    fn drop_kept(&self) {
        self.forget_stored();
        grant::discard_kept();
        read::forget_everything();
    }

    /// Another tab ended the credential `fingerprint`: this tab stops using it at once
    /// (nothing more is sent with it) and shows "Not connected".
    fn ended_elsewhere(&self, fingerprint: u64) {
        fetch::end_credential(fingerprint);
        let pending = self.kept.with_value(|k| match k {
            Some(Restored::Key(_, key)) => key.fingerprint() == fingerprint,
            Some(Restored::Grant(_, g)) => ApiKey::grant(g.id).fingerprint() == fingerprint,
            _ => false,
        });
        if pending {
            self.kept.set_value(None);
            self.restoring.set(false);
        }
        let held = self.key.with_untracked(|k| {
            k.as_ref()
                .map(|(_, key)| key.clone())
                .filter(|key| key.fingerprint() == fingerprint)
        });
        if let Some(key) = held {
            if let Some(id) = key.grant_id() {
                grant::drop_ended(id);
            }
            self.forget_stored_if(fingerprint);
            read::forget_everything();
            self.key.set(None);
            self.capabilities.set(None);
            self.ended_elsewhere.set(true);
        }
    }

    /// Tells the other tabs that `key` ended, and stops this tab sending it.
    fn end(&self, key: &ApiKey) {
        let fingerprint = key.fingerprint();
        fetch::end_credential(fingerprint);
        browser::broadcast(CREDENTIALS_CHANNEL, &format!("ended:{fingerprint}"));
    }

    /// Lets `key` be sent again: the user is connecting with it (perhaps after forgetting it).
    pub fn renew(&self, key: &ApiKey) {
        fetch::renew_credential(key.fingerprint());
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
        let replaced = self.key.with_untracked(|k| {
            k.as_ref()
                .map(|(_, old)| old.clone())
                .filter(|old| *old != key)
        });
        if let Some(old) = replaced {
            // The other tabs stop using what this one replaced (a key or a sign-in).
            self.end(&old);
        }
        self.renew(&key);
        self.kept.set_value(None);
        self.restoring.set(false);
        self.ended_elsewhere.set(false);
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
        read::store_for_tab(storage != KeyStorage::Memory);
        self.key.set(Some((host, key)));
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
        if let Some(key) = self
            .key
            .with_untracked(|k| k.as_ref().map(|(_, key)| key.clone()))
        {
            self.end(&key);
        }
        leptos::task::spawn_local(grant::sign_out());
        self.forget_stored();
        read::forget_everything();
        self.key.set(None);
        self.capabilities.set(None);
    }

    fn forget_stored(&self) {
        browser::storage_remove(StorageArea::Session, STORED_KEY);
        browser::storage_remove(StorageArea::Local, STORED_KEY);
    }

    /// Removes the key kept in either storage area when it is the one `fingerprint` names
    /// (another tab may already have stored a new one there).
    fn forget_stored_if(&self, fingerprint: u64) {
        for area in [StorageArea::Session, StorageArea::Local] {
            let same = browser::storage_get(area, STORED_KEY)
                .and_then(|text| serde_json::from_str::<StoredKey>(&text).ok())
                .and_then(|s| ApiKey::parse(&s.key).ok())
                .is_some_and(|k| k.fingerprint() == fingerprint);
            if same {
                browser::storage_remove(area, STORED_KEY);
            }
        }
    }
}

/// Whether a credential kept for `host` (parsed by today's rules, or the text that failed
/// them) may be used again under `config`; the refusal is the notice to show. Checked at
/// every start-up, not only on connect: `config.json` may have changed since, and storage
/// may hold what an older build or a script wrote.
pub fn may_restore(host: Result<&Host, &str>, config: &AppConfig) -> Result<(), String> {
    match host {
        Err(written) => Err(format!("The key or sign-in kept for {written} was removed from this browser: this console no longer sends credentials to that address. Connect again.")),
        Ok(host) if !config.allows(Some(host)) => Err(format!("The key or sign-in kept for {host} was removed from this browser: this console may no longer connect to it (config.json's allowed_hosts). Connect again to an allowed host.")),
        Ok(_) => Ok(()),
    }
}

/// The key or sign-in kept in this tab or on this device, read as a script could have left
/// it: a host that today's rules refuse is reported, not used.
fn read_kept() -> Option<Restored> {
    let stored = [StorageArea::Session, StorageArea::Local]
        .into_iter()
        .find_map(|area| browser::storage_get(area, STORED_KEY))
        .and_then(|text| serde_json::from_str::<StoredKey>(&text).ok());
    if let Some(s) = stored {
        return Some(match (Host::parse(&s.host), ApiKey::parse(&s.key)) {
            (Ok(host), Ok(key)) => Restored::Key(host, key),
            _ => Restored::Refused(s.host),
        });
    }
    Some(match grant::kept()? {
        Ok((host, kept)) => Restored::Grant(host, kept),
        Err(host) => Restored::Refused(host),
    })
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

/// A metric route's group type index and metric id (`:id`). The index is the one the
/// metric is filed under, from `?index=` (absent or not a number: `None`, and the page finds
/// it); a new metric (no id) is always filed under index 0, as PostHog's own screens do.
pub fn use_metric_route() -> Memo<(Option<u32>, Option<String>)> {
    let params = leptos_router::hooks::use_params_map();
    let query = leptos_router::hooks::use_query_map();
    Memo::new(move |_| {
        let id = params.with(|p| p.get("id"));
        let index = match id {
            None => Some(posthog_groups::project_metrics::SETTINGS_INDEX),
            Some(_) => query.with(|q| q.get("index").and_then(|i| i.parse::<u32>().ok())),
        };
        (index, id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 25: a key kept for a host that config.json no longer allows was restored and
    /// sent; so was one kept for a look-alike loopback name that today's rules refuse.
    #[test]
    fn a_kept_credential_is_used_again_only_where_it_may_still_go() {
        let eu = Host::parse("https://eu.posthog.com").expect("host");
        let own = Host::parse("https://ph.example.com").expect("host");
        let open = AppConfig::default();
        assert_eq!(may_restore(Ok(&own), &open), Ok(()));
        let limited =
            AppConfig::parse(r#"{"allowed_hosts":["https://eu.posthog.com"]}"#).expect("config");
        assert_eq!(may_restore(Ok(&eu), &limited), Ok(()));
        let refused = may_restore(Ok(&own), &limited).expect_err("not allowed");
        assert!(refused.contains("https://ph.example.com"), "{refused}");
        assert!(refused.contains("allowed_hosts"), "{refused}");
        // What an older build kept for http://127.attacker.example no longer parses.
        let old = "http://127.attacker.example:8066";
        assert!(Host::parse(old).is_err());
        let refused = may_restore(Err(old), &open).expect_err("look-alike");
        assert!(refused.contains(old), "{refused}");
    }
}
