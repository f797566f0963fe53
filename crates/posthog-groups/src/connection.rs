//! The connection the user chose: host, project and personal API key. Plain data, so the
//! transport and the UI share it without either knowing where the other keeps it.

use serde::{Deserialize, Serialize};

use crate::host::Host;
use crate::request::ProjectId;

/// The credential requests carry: a personal API key, or a sign-in with PostHog (OAuth)
/// whose current access token the app's token store holds. Its `Debug` never prints a key,
/// so it cannot leak into a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(Secret);

#[derive(Clone, PartialEq, Eq)]
enum Secret {
    Personal(String),
    /// A sign-in, by the number the token store knows it by. The token itself is not here:
    /// a refresh replaces it without changing the connection, so screens and the answers
    /// kept for them survive the refresh.
    Grant(u64),
}

impl ApiKey {
    /// Trims what the user pasted; an empty key is an error with a message for the field.
    pub fn parse(input: &str) -> Result<ApiKey, String> {
        let key = input.trim();
        if key.is_empty() {
            Err("Paste your personal API key (it starts with phx_).".into())
        } else if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Err("The key must not contain spaces or line breaks.".into())
        } else {
            Ok(ApiKey(Secret::Personal(key.to_owned())))
        }
    }

    /// The credential of the sign-in the token store knows as `id`.
    pub fn grant(id: u64) -> ApiKey {
        ApiKey(Secret::Grant(id))
    }

    /// The sign-in's number when this is a sign-in rather than a personal key.
    pub fn grant_id(&self) -> Option<u64> {
        match self.0 {
            Secret::Grant(id) => Some(id),
            Secret::Personal(_) => None,
        }
    }

    /// The `Authorization` header value of a personal key; `None` for a sign-in, whose
    /// header comes from the token store at the moment of sending. With
    /// [`ApiKey::secret`], the only reads of the key.
    pub fn bearer(&self) -> Option<String> {
        match &self.0 {
            Secret::Personal(key) => Some(format!("Bearer {key}")),
            Secret::Grant(_) => None,
        }
    }

    /// A personal key's text, for the key store alone (which keeps it where the user
    /// chose); `None` for a sign-in.
    pub fn secret(&self) -> Option<&str> {
        match &self.0 {
            Secret::Personal(key) => Some(key),
            Secret::Grant(_) => None,
        }
    }

    /// A number that tells keys apart (for keeping each key's answers separate) without
    /// keeping the key's text anywhere else. SipHash with fixed keys: the same number for
    /// the same key in every page load of a build, so kept answers survive a reload.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        #[allow(deprecated)]
        // SipHasher is deprecated for speed reasons only; stability is what matters here.
        let mut h = std::hash::SipHasher::new();
        match &self.0 {
            Secret::Personal(key) => key.hash(&mut h),
            // A sign-in is told apart by its number (its tokens change on every refresh).
            Secret::Grant(id) => ("grant", id).hash(&mut h),
        }
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
    /// The personal API key or sign-in.
    pub key: ApiKey,
}

/// How long the personal API key may be kept in this browser.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStorage {
    /// Only in memory: gone on reload.
    Memory,
    /// In this tab's sessionStorage: survives a reload, gone when the tab closes.
    Session,
    /// sessionStorage by default, and the user may opt in to "remember on this device"
    /// (localStorage).
    #[default]
    Device,
}

impl KeyStorage {
    /// Where a key or sign-in is kept: no longer than `policy` allows, on the device only
    /// when the user ticked "Remember on this device", else for this tab.
    pub fn chosen(policy: KeyStorage, remember: bool) -> KeyStorage {
        match (policy, remember) {
            (KeyStorage::Memory, _) => KeyStorage::Memory,
            (KeyStorage::Device, true) => KeyStorage::Device,
            _ => KeyStorage::Session,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_trimmed_and_required() {
        assert_eq!(
            ApiKey::parse("  phx_abc \n").map(|k| k.bearer()),
            Ok(Some("Bearer phx_abc".into()))
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

    #[test]
    fn fingerprints_are_stable_and_tell_keys_apart() {
        let a = ApiKey::parse("phx_a").expect("key");
        // Fixed: answers kept in the tab are found again after a reload.
        assert_eq!(
            a.fingerprint(),
            ApiKey::parse("phx_a").expect("key").fingerprint()
        );
        assert_ne!(
            a.fingerprint(),
            ApiKey::parse("phx_b").expect("key").fingerprint()
        );
        assert_ne!(
            ApiKey::grant(1).fingerprint(),
            ApiKey::grant(2).fingerprint()
        );
        assert_eq!(
            ApiKey::grant(7).fingerprint(),
            ApiKey::grant(7).fingerprint()
        );
    }

    #[test]
    fn a_sign_in_has_no_header_of_its_own() {
        let g = ApiKey::grant(3);
        assert_eq!(
            (g.bearer(), g.secret(), g.grant_id()),
            (None, None, Some(3))
        );
        assert!(!format!("{g:?}").contains('3'));
    }
}
