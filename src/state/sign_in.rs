//! The sign-in round trip: what is kept in this tab across the redirect to PostHog's
//! consent page (state, PKCE verifier, where to land), sending the browser there, and
//! reading the answer on the callback. The protocol rules are the core's `oauth` module.

use posthog_groups::oauth::{PendingSignIn, SignInError, State, Verifier};
use posthog_groups::{Host, ProjectId};
use serde::{Deserialize, Serialize};

use crate::api::grant::{self, Grant};
use crate::browser::{self, StorageArea};
use crate::state::config::{KeyStorage, OAuthConfig};
use crate::state::url::{href, Target};

/// The round trip's record in sessionStorage: written just before the redirect, removed as
/// soon as the callback reads it, whatever the outcome (so a code can be used once).
const PENDING: &str = "groups-console.pending-sign-in";

#[derive(Serialize, Deserialize)]
struct Pending {
    sign_in: PendingSignIn,
    project: String,
    kept: KeyStorage,
}

/// `N` random bytes from the browser's `crypto.getRandomValues` (through uuid's v4, which
/// the app already carries: 122 random bits a UUID; the version bits are skipped by
/// taking only its random bytes).
fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    let mut filled = 0;
    while filled < N {
        let bytes = uuid::Uuid::new_v4().into_bytes();
        // Bytes 6 and 8 carry the version and variant bits; the other 14 are random.
        for (i, b) in bytes.iter().enumerate() {
            if i != 6 && i != 8 && filled < N {
                out[filled] = *b;
                filled += 1;
            }
        }
    }
    out
}

/// Starts a sign-in ([`start`], in the sign-in chunk once fetched).
pub type StartSignIn =
    fn(
        Host,
        ProjectId,
        OAuthConfig,
        KeyStorage,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), SignInError>>>>;

/// Fetches [`StartSignIn`] (the page provides it: the split point lives in `pages::lazy`);
/// `None` when its code could not be fetched.
pub type LoadStartSignIn =
    fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<StartSignIn>>>>;

/// The redirect URI: the callback's path under the app's own address.
pub fn redirect_uri(oauth: &OAuthConfig) -> String {
    let origin = browser::page_origin().unwrap_or_default();
    format!("{origin}{}{}", browser::base_path(), oauth.redirect_path)
}

/// Starts signing in to `host` for `project`: reads the host's OAuth settings, keeps the
/// round trip's record in this tab, and sends the browser to PostHog's consent page. Returns
/// only when it could not.
pub async fn start(
    host: &Host,
    project: &ProjectId,
    oauth: &OAuthConfig,
    kept: KeyStorage,
) -> Result<(), SignInError> {
    let endpoints = grant::discover(host).await?;
    let sign_in = PendingSignIn {
        state: State::from_random(&random()),
        verifier: Verifier::from_random(&random()),
        host: host.to_string(),
        endpoints,
        client_id: oauth.client_id.clone(),
        redirect_uri: redirect_uri(oauth),
        return_to: href("/group-types", &Target::of(host, project)),
    };
    let url = sign_in.authorize_url()?;
    let pending = Pending {
        sign_in,
        project: project.to_string(),
        kept,
    };
    let stored = serde_json::to_string(&pending)
        .ok()
        .is_some_and(|text| browser::storage_set(StorageArea::Session, PENDING, &text));
    if !stored {
        return Err(SignInError::BadDiscovery(
            "this browser does not let the page keep the sign-in for the round trip (sessionStorage is off)".into(),
        ));
    }
    browser::go_to_sign_in(&url);
    Ok(())
}

/// A finished sign-in: whose, and where to go.
pub struct SignedIn {
    /// The data host.
    pub host: Host,
    /// The sign-in's number (see `ApiKey::grant`).
    pub id: u64,
    /// Where it is kept (see [`KeyStorage::chosen`]).
    pub kept: KeyStorage,
    /// The app path to land on.
    pub return_to: String,
}

/// Reads the callback (`query`, without `?`): checks it against the round trip this tab
/// started, exchanges the code and holds the tokens. The error comes with the host and
/// project the user was signing in to, for the way back.
pub async fn finish(query: &str) -> Result<SignedIn, (SignInError, Target)> {
    let pending = browser::storage_get(StorageArea::Session, PENDING)
        .and_then(|text| serde_json::from_str::<Pending>(&text).ok());
    browser::storage_remove(StorageArea::Session, PENDING);
    let Some(pending) = pending else {
        return Err((SignInError::NoPendingSignIn, Target::default()));
    };
    let back = Target {
        host: Some(pending.sign_in.host.clone()),
        project: Some(pending.project.clone()),
        group: None,
    };
    let fail = |e| (e, back.clone());
    let host =
        Host::parse(&pending.sign_in.host).map_err(|e| fail(SignInError::BadDiscovery(e)))?;
    let code = pending.sign_in.read_callback(query).map_err(fail)?;
    let tokens = grant::exchange(&pending.sign_in, &code)
        .await
        .map_err(fail)?;
    let id = u64::from_le_bytes(random());
    grant::hold(Grant {
        id,
        host: host.to_string(),
        client_id: pending.sign_in.client_id.clone(),
        token_endpoint: pending.sign_in.endpoints.token_endpoint.clone(),
        revocation_endpoint: pending.sign_in.endpoints.revocation_endpoint.clone(),
        tokens,
        kept: pending.kept,
    });
    Ok(SignedIn {
        host,
        id,
        kept: pending.kept,
        return_to: pending.sign_in.return_to,
    })
}
