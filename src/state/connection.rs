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
