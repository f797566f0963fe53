//! Settings a portal or static host can preset in an optional `config.json` beside
//! `index.html`. Everything is optional; a missing file means the defaults.

use posthog_groups::{Host, ProjectId};
use serde::Deserialize;

use crate::state::theme::{Accent, ThemeMode};

/// How long a key or sign-in may be kept (in the core: the token store uses it too).
pub use posthog_groups::connection::KeyStorage;

/// The parsed, validated `config.json`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppConfig {
    /// Host chosen when the form opens.
    pub default_host: Option<Host>,
    /// When set, the only hosts the app will talk to (the key goes nowhere else).
    pub allowed_hosts: Option<Vec<Host>>,
    /// Project id filled in when the form opens.
    pub default_project: Option<ProjectId>,
    /// The longest the key may be kept.
    pub key_storage: KeyStorage,
    /// Parent page origins allowed to embed and drive the app (exact `scheme://host:port`).
    pub embed_origins: Vec<String>,
    /// Theme the app starts with.
    pub theme: ThemeMode,
    /// Accent colour the app starts with.
    pub accent: Option<Accent>,
    /// Sign in with PostHog (OAuth), when the deployment registered this console as a
    /// client; without it only personal API keys are offered.
    pub oauth: Option<OAuthConfig>,
}

/// The `oauth` settings: who this console is to PostHog's authorization server.
#[derive(Clone, Debug, PartialEq)]
pub struct OAuthConfig {
    /// The client id: the URL of the client metadata document the deployment hosts.
    pub client_id: String,
    /// The callback's path under the app's own address (default `oauth/callback`); it
    /// must be one of the document's `redirect_uris`.
    pub redirect_path: String,
    /// The hosts sign-in is offered for; `None`: every host the console may connect to.
    pub hosts: Option<Vec<Host>>,
}

impl OAuthConfig {
    /// Whether "Sign in with PostHog" is offered for `host`.
    pub fn offers(&self, host: &Host) -> bool {
        self.hosts.as_ref().is_none_or(|list| list.contains(host))
    }
}

#[derive(Deserialize)]
struct RawOAuth {
    client_id: String,
    redirect_path: Option<String>,
    hosts: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(default)]
struct RawConfig {
    default_host: Option<String>,
    allowed_hosts: Option<Vec<String>>,
    default_project: Option<serde_json::Value>,
    key_storage: KeyStorage,
    embed_origins: Vec<String>,
    theme: Option<String>,
    accent: Option<String>,
    oauth: Option<RawOAuth>,
}

impl Default for RawConfig {
    fn default() -> Self {
        RawConfig {
            default_host: None,
            allowed_hosts: None,
            default_project: None,
            key_storage: KeyStorage::Device,
            embed_origins: Vec::new(),
            theme: None,
            accent: None,
            oauth: None,
        }
    }
}

impl AppConfig {
    /// Parses `config.json`; the error names the setting that is wrong. Unknown keys are
    /// ignored so a portal's own settings can live in the same file.
    pub fn parse(text: &str) -> Result<AppConfig, String> {
        if text.trim().is_empty() {
            return Ok(AppConfig::default());
        }
        let raw: RawConfig =
            serde_json::from_str(text).map_err(|e| format!("config.json is not valid: {e}"))?;
        let host = |s: &str, what: &str| {
            Host::parse(s).map_err(|e| format!("config.json {what} \"{s}\": {e}"))
        };
        let default_host = raw
            .default_host
            .as_deref()
            .map(|s| host(s, "default_host"))
            .transpose()?;
        let allowed_hosts = raw
            .allowed_hosts
            .map(|list| list.iter().map(|s| host(s, "allowed_hosts")).collect())
            .transpose()?;
        let default_project = match raw.default_project {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(serde_json::Value::String(s)) => Some(s),
            Some(other) => {
                return Err(format!("config.json default_project {other}: use a number"))
            }
        }
        .map(|p| ProjectId::parse(&p).map_err(|e| format!("config.json default_project: {e}")))
        .transpose()?;
        for origin in &raw.embed_origins {
            // An origin is exactly scheme://host[:port]: Host's rules, minus the http limit.
            let valid = origin.split_once("://").is_some_and(|(scheme, rest)| {
                matches!(scheme, "https" | "http")
                    && !rest.is_empty()
                    && !rest.contains(['/', '?', '#', '@', '*'])
            });
            if !valid {
                return Err(format!("config.json embed_origins \"{origin}\": use an exact origin such as https://portal.example.com"));
            }
        }
        let theme = raw
            .theme
            .as_deref()
            .map(ThemeMode::parse)
            .transpose()
            .map_err(|e| format!("config.json theme: {e}"))?
            .unwrap_or_default();
        let accent = raw
            .accent
            .as_deref()
            .map(Accent::parse)
            .transpose()
            .map_err(|e| format!("config.json accent: {e}"))?;
        let oauth = raw.oauth.map(parse_oauth).transpose()?;
        let config = AppConfig {
            default_host,
            allowed_hosts,
            default_project,
            key_storage: raw.key_storage,
            embed_origins: raw.embed_origins,
            theme,
            accent,
            oauth,
        };
        if let (Some(d), false) = (
            &config.default_host,
            config.allows(config.default_host.as_ref()),
        ) {
            return Err(format!(
                "config.json default_host {d} is not in allowed_hosts"
            ));
        }
        Ok(config)
    }

    /// Whether the app may send the key to `host`.
    pub fn allows(&self, host: Option<&Host>) -> bool {
        match (&self.allowed_hosts, host) {
            (None, _) => true,
            (Some(list), Some(h)) => list.contains(h),
            (Some(_), None) => false,
        }
    }
}

/// Checks the `oauth` settings: the client id must be an address PostHog will fetch (HTTPS,
/// or http on this machine for development), the redirect path a plain relative path.
fn parse_oauth(raw: RawOAuth) -> Result<OAuthConfig, String> {
    let id = raw.client_id.trim();
    let loopback = ["http://localhost", "http://127.0.0.1", "http://[::1]"]
        .iter()
        .any(|p| {
            id.strip_prefix(p)
                .is_some_and(|rest| rest.starts_with([':', '/']))
        });
    let rest = id
        .strip_prefix("https://")
        .or_else(|| loopback.then(|| id.split_once("://").map_or("", |(_, r)| r)));
    if !rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(['#', ' '])) {
        return Err(format!(
            "config.json oauth.client_id \"{id}\": use the HTTPS address of your client metadata document (http only on localhost)"
        ));
    }
    let redirect_path = raw
        .redirect_path
        .unwrap_or_else(|| "oauth/callback".into())
        .trim_matches('/')
        .to_owned();
    if redirect_path.is_empty() || redirect_path.contains(['?', '#', ':', ' ', '\\']) {
        return Err(format!(
            "config.json oauth.redirect_path \"{redirect_path}\": use a path under the app such as oauth/callback"
        ));
    }
    let hosts = raw
        .hosts
        .map(|list| {
            list.iter()
                .map(|s| {
                    Host::parse(s).map_err(|e| format!("config.json oauth.hosts \"{s}\": {e}"))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    Ok(OAuthConfig {
        client_id: id.to_owned(),
        redirect_path,
        hosts,
    })
}

/// Reads `config.json` beside `index.html`. A missing file means the defaults, and so does
/// one that cannot be fetched (offline or blocked: the app still works with its defaults); a
/// file that cannot be used is an error that says why.
async fn load_config() -> Result<AppConfig, String> {
    match crate::api::fetch::get_beside_app("config.json").await {
        None | Some((404, _)) => Ok(AppConfig::default()),
        Some((status, text)) if (200..300).contains(&status) => AppConfig::parse(&text),
        Some((status, _)) => Err(format!("config.json could not be loaded (status {status})")),
    }
}

/// The `config.json` load, provided once at the root and read by the screens that need it.
#[derive(Clone, Copy)]
pub struct ConfigResource(pub leptos::prelude::LocalResource<Result<AppConfig, String>>);

impl ConfigResource {
    /// Starts loading `config.json` and provides it to the tree below.
    pub fn provide() {
        let resource = leptos::prelude::LocalResource::new(load_config);
        leptos::prelude::provide_context(ConfigResource(resource));
    }

    /// The resource provided at the root.
    pub fn expect() -> ConfigResource {
        leptos::prelude::expect_context::<ConfigResource>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_or_missing_settings_are_defaults() {
        assert_eq!(AppConfig::parse(""), Ok(AppConfig::default()));
        assert_eq!(AppConfig::parse("{}"), Ok(AppConfig::default()));
        assert_eq!(AppConfig::default().key_storage, KeyStorage::Device);
    }

    #[test]
    fn every_setting_is_read_and_validated() {
        let c = AppConfig::parse(
            r#"{"default_host":"https://eu.posthog.com/","allowed_hosts":["https://eu.posthog.com"],
                "default_project": 42, "key_storage":"memory", "portal_theme":"ignored"}"#,
        )
        .expect("valid");
        assert_eq!(
            c.default_host.as_ref().map(Host::as_str),
            Some("https://eu.posthog.com")
        );
        assert_eq!(
            c.default_project.as_ref().map(ProjectId::as_str),
            Some("42")
        );
        assert_eq!(c.key_storage, KeyStorage::Memory);
        assert!(c.allows(Host::parse("https://eu.posthog.com").ok().as_ref()));
        assert!(!c.allows(Host::parse("https://us.posthog.com").ok().as_ref()));
    }

    #[test]
    fn embedding_and_theme_settings_are_validated() {
        let c = AppConfig::parse(r##"{"embed_origins":["https://portal.example.com"],"theme":"dark","accent":"#ff6600"}"##)
            .expect("valid");
        assert_eq!(
            c.embed_origins,
            vec!["https://portal.example.com".to_string()]
        );
        assert_eq!(c.theme, ThemeMode::Dark);
        assert_eq!(c.accent.map(|a| a.color), Some("#ff6600".into()));
        for bad in [
            r#"{"embed_origins":["*"]}"#,
            r#"{"embed_origins":["https://p.example.com/"]}"#,
            r#"{"theme":"neon"}"#,
            r#"{"accent":"red"}"#,
        ] {
            assert!(AppConfig::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_key_or_sign_in_is_kept_no_longer_than_the_policy_allows() {
        assert_eq!(
            KeyStorage::chosen(KeyStorage::Memory, true),
            KeyStorage::Memory
        );
        assert_eq!(
            KeyStorage::chosen(KeyStorage::Session, true),
            KeyStorage::Session
        );
        assert_eq!(
            KeyStorage::chosen(KeyStorage::Device, false),
            KeyStorage::Session
        );
        assert_eq!(
            KeyStorage::chosen(KeyStorage::Device, true),
            KeyStorage::Device
        );
    }

    #[test]
    fn oauth_settings_are_read_and_checked() {
        let c = AppConfig::parse(
            r#"{"oauth":{"client_id":"https://console.example.com/oauth-client.json","hosts":["https://eu.posthog.com"]}}"#,
        )
        .expect("valid");
        let o = c.oauth.expect("oauth");
        assert_eq!(o.redirect_path, "oauth/callback");
        assert!(o.offers(&Host::parse("https://eu.posthog.com").expect("host")));
        assert!(!o.offers(&Host::parse("https://us.posthog.com").expect("host")));
        let dev = AppConfig::parse(
            r#"{"oauth":{"client_id":"http://127.0.0.1:8080/oauth-client.json","redirect_path":"/back/"}}"#,
        )
        .expect("loopback http");
        let dev = dev.oauth.expect("oauth");
        assert_eq!(dev.redirect_path, "back");
        assert!(dev.offers(&Host::parse("https://us.posthog.com").expect("host")));
        for bad in [
            r#"{"oauth":{"client_id":"http://console.example.com/c.json"}}"#,
            r#"{"oauth":{"client_id":"console.example.com/c.json"}}"#,
            r#"{"oauth":{"client_id":"http://localhost.evil.example/c.json"}}"#,
            r#"{"oauth":{"client_id":"https://c.example/c.json","redirect_path":"?x"}}"#,
        ] {
            let e = AppConfig::parse(bad).expect_err(bad);
            assert!(e.contains("oauth"), "{e}");
        }
        let e = AppConfig::parse(r#"{"oauth":{}}"#).expect_err("no client id");
        assert!(e.contains("client_id"), "{e}");
    }

    #[test]
    fn bad_settings_say_which_one() {
        assert!(AppConfig::parse("{").is_err());
        let e = AppConfig::parse(r#"{"default_host":"http://evil.example"}"#).expect_err("http");
        assert!(e.contains("default_host"), "{e}");
        let e = AppConfig::parse(r#"{"default_project":"abc"}"#).expect_err("project");
        assert!(e.contains("default_project"), "{e}");
        let e = AppConfig::parse(r#"{"key_storage":"disk"}"#).expect_err("storage");
        assert!(e.contains("disk"), "{e}");
        let e = AppConfig::parse(
            r#"{"default_host":"https://us.posthog.com","allowed_hosts":["https://eu.posthog.com"]}"#,
        )
        .expect_err("not allowed");
        assert!(e.contains("allowed_hosts"), "{e}");
    }
}
