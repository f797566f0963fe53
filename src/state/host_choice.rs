//! The host presets of the connection form and how they map to hosts, within the config's
//! allowed hosts.

use posthog_groups::host::{EU_CLOUD, US_CLOUD};
use posthog_groups::Host;

use crate::state::config::AppConfig;

/// Where the user's PostHog lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostChoice {
    /// PostHog US cloud.
    Us,
    /// PostHog EU cloud.
    Eu,
    /// A self-hosted instance; its address is typed.
    SelfHosted,
    /// The sandbox that serves this page (same origin).
    Sandbox,
}

impl HostChoice {
    /// Every choice, in the order shown.
    pub const ALL: [HostChoice; 4] = [
        HostChoice::Us,
        HostChoice::Eu,
        HostChoice::SelfHosted,
        HostChoice::Sandbox,
    ];

    /// Radio button label.
    pub fn label(self) -> &'static str {
        match self {
            HostChoice::Us => "US cloud (us.posthog.com)",
            HostChoice::Eu => "EU cloud (eu.posthog.com)",
            HostChoice::SelfHosted => "Self-hosted",
            HostChoice::Sandbox => "Local sandbox (this server)",
        }
    }

    /// Stable value for the radio input.
    pub fn value(self) -> &'static str {
        match self {
            HostChoice::Us => "us",
            HostChoice::Eu => "eu",
            HostChoice::SelfHosted => "self-hosted",
            HostChoice::Sandbox => "sandbox",
        }
    }
}

/// The host a choice means; `custom` is the typed address, `origin` this page's origin.
pub fn resolve_host(
    choice: HostChoice,
    custom: &str,
    origin: Option<&str>,
) -> Result<Host, String> {
    match choice {
        HostChoice::Us => Host::parse(US_CLOUD),
        HostChoice::Eu => Host::parse(EU_CLOUD),
        HostChoice::SelfHosted => Host::parse(custom),
        HostChoice::Sandbox => origin
            .ok_or_else(|| "This page has no origin to use as the sandbox.".to_string())
            .and_then(Host::parse),
    }
}

/// The choice (and typed address) that shows `host` in the form.
pub fn choice_for(host: &Host, origin: Option<&str>) -> (HostChoice, String) {
    match host.as_str() {
        US_CLOUD => (HostChoice::Us, String::new()),
        EU_CLOUD => (HostChoice::Eu, String::new()),
        h if Some(h) == origin => (HostChoice::Sandbox, String::new()),
        h => (HostChoice::SelfHosted, h.to_owned()),
    }
}

/// The choices the config allows: a preset only if its host is allowed; self-hosted if some
/// allowed host is neither cloud nor this page's origin.
pub fn allowed_choices(config: &AppConfig, origin: Option<&str>) -> Vec<HostChoice> {
    HostChoice::ALL
        .into_iter()
        .filter(|&c| match (&config.allowed_hosts, c) {
            (None, HostChoice::Sandbox) => origin.and_then(|o| Host::parse(o).ok()).is_some(),
            (None, _) => true,
            (Some(list), HostChoice::SelfHosted) => list
                .iter()
                .any(|h| !h.is_cloud() && Some(h.as_str()) != origin),
            (Some(_), c) => {
                let host = resolve_host(c, "", origin).ok();
                config.allows(host.as_ref())
            }
        })
        .collect()
}

/// The choice the form opens with: the URL's host, else the config's default, else the
/// sandbox when this page is served from this machine, else US cloud.
pub fn initial_choice(
    from_url: Option<&Host>,
    config: &AppConfig,
    origin: Option<&str>,
) -> (HostChoice, String) {
    let allowed = allowed_choices(config, origin);
    if let Some(host) = from_url
        .filter(|h| config.allows(Some(h)))
        .or(config.default_host.as_ref())
    {
        return choice_for(host, origin);
    }
    let local =
        origin.is_some_and(|o| o.starts_with("http://127.") || o.starts_with("http://localhost"));
    let preferred = if local {
        HostChoice::Sandbox
    } else {
        HostChoice::Us
    };
    let choice = if allowed.contains(&preferred) {
        preferred
    } else {
        allowed.first().copied().unwrap_or(HostChoice::SelfHosted)
    };
    (choice, String::new())
}

/// The host a link chose that the user must confirm before the key goes there: one from the
/// URL (`?host=`) that is not a PostHog cloud, not named by `config.json` (its default, its
/// allowed hosts or its sign-in hosts) and not this page's own origin (which already serves the app's code, so
/// it is trusted with everything the app holds). Whoever wrote the link chose it, not the
/// user, and a look-alike (`https://posthog.examp1e.com`) reads like the real thing.
pub fn linked_host(
    from_url: Option<&Host>,
    config: &AppConfig,
    origin: Option<&str>,
) -> Option<Host> {
    from_url
        .filter(|h| config.allows(Some(h)))
        .filter(|h| !h.is_cloud())
        .filter(|h| config.default_host.as_ref() != Some(*h))
        .filter(|h| !config.allowed_hosts.as_ref().is_some_and(|l| l.contains(h)))
        .filter(|h| {
            !config
                .oauth
                .as_ref()
                .and_then(|o| o.hosts.as_ref())
                .is_some_and(|l| l.contains(h))
        })
        .filter(|h| Some(h.as_str()) != origin)
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: Option<&str> = Some("http://127.0.0.1:8000");

    #[test]
    fn presets_resolve_to_their_hosts() {
        let host = |c, custom| resolve_host(c, custom, ORIGIN).map(|h| h.to_string());
        assert_eq!(host(HostChoice::Us, ""), Ok(US_CLOUD.into()));
        assert_eq!(host(HostChoice::Eu, "ignored"), Ok(EU_CLOUD.into()));
        assert_eq!(
            host(HostChoice::Sandbox, ""),
            Ok("http://127.0.0.1:8000".into())
        );
        assert_eq!(
            host(HostChoice::SelfHosted, "https://ph.example.com/"),
            Ok("https://ph.example.com".into())
        );
        assert!(host(HostChoice::SelfHosted, "http://ph.example.com").is_err());
        assert!(resolve_host(HostChoice::Sandbox, "", None).is_err());
    }

    #[test]
    fn url_host_wins_then_config_then_where_the_page_is() {
        let eu = Host::parse(EU_CLOUD).ok();
        let config = AppConfig::default();
        assert_eq!(
            initial_choice(eu.as_ref(), &config, ORIGIN).0,
            HostChoice::Eu
        );
        assert_eq!(initial_choice(None, &config, ORIGIN).0, HostChoice::Sandbox);
        assert_eq!(
            initial_choice(None, &config, Some("https://tools.example.com")).0,
            HostChoice::Us
        );
        let own = AppConfig::parse(r#"{"default_host":"https://ph.example.com"}"#).expect("config");
        assert_eq!(
            initial_choice(None, &own, ORIGIN),
            (HostChoice::SelfHosted, "https://ph.example.com".to_string())
        );
    }

    #[test]
    fn only_a_host_the_link_alone_chose_needs_confirming() {
        let host = |s| Host::parse(s).ok();
        let config = AppConfig::default();
        let linked = host("https://posthog.attacker.example");
        assert_eq!(
            linked_host(linked.as_ref(), &config, ORIGIN),
            linked.clone()
        );
        assert_eq!(linked_host(None, &config, ORIGIN), None);
        for trusted in [US_CLOUD, EU_CLOUD, "http://127.0.0.1:8000"] {
            assert_eq!(
                linked_host(host(trusted).as_ref(), &config, ORIGIN),
                None,
                "{trusted}"
            );
        }
        let named = AppConfig::parse(
            r#"{"default_host":"https://ph.example.com","allowed_hosts":["https://ph.example.com","https://ph2.example.com"]}"#,
        )
        .expect("config");
        for in_config in ["https://ph.example.com", "https://ph2.example.com"] {
            assert_eq!(linked_host(host(in_config).as_ref(), &named, ORIGIN), None);
        }
        let sign_in = AppConfig::parse(
            r#"{"oauth":{"client_id":"https://c.example/c.json","hosts":["https://ph3.example.com"]}}"#,
        )
        .expect("config");
        assert_eq!(
            linked_host(host("https://ph3.example.com").as_ref(), &sign_in, ORIGIN),
            None
        );
        // A host the config does not allow is not offered at all (nothing to confirm).
        assert_eq!(linked_host(linked.as_ref(), &named, ORIGIN), None);
    }

    #[test]
    fn allowed_hosts_limit_the_choices() {
        let config =
            AppConfig::parse(r#"{"allowed_hosts":["https://eu.posthog.com"]}"#).expect("config");
        assert_eq!(allowed_choices(&config, ORIGIN), vec![HostChoice::Eu]);
        let us = Host::parse(US_CLOUD).ok();
        // A URL asking for a host outside the list is ignored.
        assert_eq!(
            initial_choice(us.as_ref(), &config, ORIGIN).0,
            HostChoice::Eu
        );
        let own = AppConfig::parse(
            r#"{"allowed_hosts":["https://ph.example.com","http://127.0.0.1:8000"]}"#,
        )
        .expect("config");
        assert_eq!(
            allowed_choices(&own, ORIGIN),
            vec![HostChoice::SelfHosted, HostChoice::Sandbox]
        );
    }
}
