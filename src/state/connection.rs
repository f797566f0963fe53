//! The connection the user chose: host, project and personal API key.

use leptos::prelude::*;
use posthog_groups::{Host, ProjectId};

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

/// The current connection, if any, shared by every page.
#[derive(Clone, Copy)]
pub struct ConnectionState(pub RwSignal<Option<Connection>>);

impl ConnectionState {
    /// Provides an empty connection to the tree below; call once, at the root.
    pub fn provide() {
        provide_context(ConnectionState(RwSignal::new(None)));
    }

    /// The state provided at the root.
    pub fn expect() -> ConnectionState {
        expect_context::<ConnectionState>()
    }
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
