//! The PostHog host a user chooses: a bare origin such as `https://eu.posthog.com`.

/// PostHog's US cloud.
pub const US_CLOUD: &str = "https://us.posthog.com";
/// PostHog's EU cloud.
pub const EU_CLOUD: &str = "https://eu.posthog.com";

/// A validated origin: `https://` anywhere, `http://` only on this machine (the key would
/// otherwise cross the network in clear). No path, query, or user info.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Host(String);

impl Host {
    /// Parses what a user typed; trailing slashes are dropped, the scheme and name lowercased.
    pub fn parse(input: &str) -> Result<Host, String> {
        let raw = input.trim().trim_end_matches('/');
        if raw.is_empty() {
            return Err("Enter the address of your PostHog instance.".into());
        }
        let lower = raw.to_ascii_lowercase();
        let (scheme, rest) = lower
            .split_once("://")
            .ok_or("Start the address with https://, e.g. https://posthog.example.com.")?;
        if rest.contains(['/', '?', '#']) {
            return Err(
                "Enter only the address, without a path: e.g. https://posthog.example.com.".into(),
            );
        }
        if rest.contains('@') {
            return Err("The address must not contain a user name or password.".into());
        }
        let name = authority_host(rest).ok_or("That is not a valid address.")?;
        match scheme {
            "https" => {}
            "http" if is_loopback(name) => {}
            "http" => {
                return Err(
                    "Use https:// (plain http is allowed only for localhost), so the key is not sent in clear."
                        .into(),
                )
            }
            _ => return Err("The address must start with https://.".into()),
        }
        Ok(Host(format!("{scheme}://{rest}")))
    }

    /// The origin, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for PostHog's US or EU cloud.
    pub fn is_cloud(&self) -> bool {
        self.0 == US_CLOUD || self.0 == EU_CLOUD
    }

    /// A request URL on this host.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.0)
    }
}

impl std::fmt::Display for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The host name of `name[:port]` or `[v6]:port`, if both parts are well formed.
fn authority_host(authority: &str) -> Option<&str> {
    let (name, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (addr, after) = v6.split_once(']')?;
        (addr, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (authority, None),
        }
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.parse::<u16>().is_ok());
    let name_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    (port_ok && name_ok).then_some(name)
}

fn is_loopback(name: &str) -> bool {
    name == "localhost" || name.ends_with(".localhost") || name == "::1" || name.starts_with("127.")
}
