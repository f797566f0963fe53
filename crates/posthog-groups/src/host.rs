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
                    "Use https:// (plain http is allowed only on this machine: localhost, 127.0.0.1 or [::1]), so the key is not sent in clear."
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

/// This machine, and nothing that only looks like it: `localhost`, an address of
/// `127.0.0.0/8` written as four decimal numbers, or `::1`. A name that starts with `127.`
/// (`127.attacker.example`, `127.0.0.1.nip.io`) is a public DNS name; hex, octal or short
/// forms (`0x7f.0.0.1`, `0177.0.0.1`, `127.1`) are refused rather than guessed at.
pub fn is_loopback(name: &str) -> bool {
    name == "localhost" || name == "::1" || is_numeric_loopback_v4(name)
}

/// Whether `name` is `127.a.b.c` in plain decimal (no leading zeros, each part 0..=255).
fn is_numeric_loopback_v4(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() == 4
        && parts[0] == "127"
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// The scheme and host name of an absolute `http(s)://` URL: `None` when it has user info,
/// a backslash, whitespace or control characters, or no host; anything a browser could read
/// as another origin than the one printed.
fn url_origin(url: &str) -> Option<(&str, &str)> {
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return None;
    }
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    Some((scheme, authority))
}

impl Host {
    /// Whether `url` is on this host's origin, so a browser sent there (or a request sent
    /// there) reaches this host and no other: same scheme, name and port, no user info, and
    /// `http` only when this host is a numeric loopback address (`127.0.0.1`, `[::1]`).
    /// Used for every address a server hands the app to follow (OAuth endpoints).
    pub fn owns_url(&self, url: &str) -> bool {
        let Some((scheme, authority)) = url_origin(url) else {
            return false;
        };
        let Some((own_scheme, own_authority)) = self.0.split_once("://") else {
            return false;
        };
        let numeric_loopback = authority_host(own_authority)
            .is_some_and(|name| name == "::1" || is_numeric_loopback_v4(name));
        scheme == own_scheme
            && authority == own_authority
            && (scheme == "https" || numeric_loopback)
    }
}
