//! The OAuth 2.0 authorization server over real HTTP: discovery, the consent page, the code
//! grant with PKCE, refresh rotation and replay protection, revocation, expiry, and access
//! tokens on the API. A tiny axum server on 127.0.0.1 serves the Client ID Metadata Documents.

mod common;

use base64::Engine;
use common::{answer, assert_error, start, start_with, Answer, Sb};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::Duration;

/// A groups_types route (403 for authentication failures) and a metrics route (401).
const GT: &str = "1/groups_types/";
const METRICS: &str = "1/groups_types/0/metrics/";

struct Flow {
    sb: Sb,
    /// Does not follow redirects, so the tests see the 302s.
    http: reqwest::Client,
    /// The client id: the URL of the good metadata document.
    client_id: String,
    redirect: String,
    /// Base URL of the document server.
    docs: String,
}

/// Serve `/client.json` (good), `/other.json` (another good client), `/mismatch.json`
/// (client_id not its URL), `/nameless.json`; anything else is 404.
async fn document_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let b = base.clone();
    let app = axum::Router::new().route(
        "/{name}",
        axum::routing::get(
            move |axum::extract::Path(name): axum::extract::Path<String>| {
                let base = b.clone();
                async move {
                    let redirect = format!("{base}/oauth/callback");
                    let doc = match name.as_str() {
                        "client.json" => json!({"client_id": format!("{base}/client.json"),
                        "client_name": "Test <console>", "redirect_uris": [redirect],
                        "logo_uri": format!("{base}/logo.png")}),
                        "other.json" => json!({"client_id": format!("{base}/other.json"),
                        "client_name": "Other", "redirect_uris": [redirect]}),
                        "mismatch.json" => json!({"client_id": "http://127.0.0.1:1/else.json",
                        "client_name": "Mismatch", "redirect_uris": [redirect]}),
                        "nameless.json" => json!({"client_id": format!("{base}/nameless.json"),
                        "redirect_uris": [redirect]}),
                        _ => return (axum::http::StatusCode::NOT_FOUND, String::new()),
                    };
                    (axum::http::StatusCode::OK, doc.to_string())
                }
            },
        ),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

async fn flow() -> Flow {
    flow_with(start().await).await
}

async fn flow_with(sb: Sb) -> Flow {
    let docs = document_server().await;
    Flow {
        sb,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        client_id: format!("{docs}/client.json"),
        redirect: format!("{docs}/oauth/callback"),
        docs,
    }
}

fn verifier() -> String {
    format!(
        "{}-{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn query_of(location: &str) -> HashMap<String, String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("a CSRF input") + marker.len();
    html[start..][..html[start..].find('"').unwrap()].to_string()
}

const SCOPE: &str = "group:read group:write usage_metric:read";

impl Flow {
    /// The authorization URL's query for the good client.
    /// [`Flow::params`] with `key` set to `value`, or left out when `value` is empty.
    fn params_with(
        &self,
        scope: &str,
        challenge: &str,
        key: &str,
        value: &str,
    ) -> Vec<(String, String)> {
        let mut p = self.params(scope, challenge);
        p.retain(|(k, _)| k != key);
        if !value.is_empty() {
            p.push((key.to_string(), value.to_string()));
        }
        p
    }

    fn params(&self, scope: &str, challenge: &str) -> Vec<(String, String)> {
        [
            ("response_type", "code"),
            ("client_id", &self.client_id),
            ("redirect_uri", &self.redirect),
            ("scope", scope),
            ("state", "st-42"),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn authorize_url(&self, params: &[(String, String)]) -> String {
        let q = serde_urlencoded::to_string(params).unwrap();
        format!("{}/oauth/authorize/?{q}", self.sb.url)
    }

    async fn get_page(&self, params: &[(String, String)]) -> Answer {
        answer(
            self.http
                .get(self.authorize_url(params))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn post_form(&self, params: &[(String, String)], form: &[(String, String)]) -> Answer {
        answer(
            self.http
                .post(self.authorize_url(params))
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Show the page, allow `projects`, return the redirect's query.
    async fn consent(
        &self,
        params: &[(String, String)],
        projects: &[i64],
    ) -> HashMap<String, String> {
        let page = self.get_page(params).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let mut form = vec![
            ("csrf_token".to_string(), csrf_of(&page.text)),
            ("decision".to_string(), "allow".to_string()),
        ];
        for p in projects {
            form.push((format!("project_{p}"), "on".to_string()));
        }
        let a = self.post_form(params, &form).await;
        assert_eq!(a.status, 302, "{}", a.text);
        let location = a.headers["location"].to_str().unwrap();
        assert!(location.starts_with(&self.redirect), "{location}");
        query_of(location)
    }

    /// A code for `scope` and `projects`, and its verifier.
    async fn code(&self, scope: &str, projects: &[i64]) -> (String, String) {
        let v = verifier();
        let q = self
            .consent(&self.params(scope, &challenge(&v)), projects)
            .await;
        assert_eq!(q["state"], "st-42");
        (q["code"].clone(), v)
    }

    async fn token(&self, form: &[(&str, &str)]) -> Answer {
        answer(
            self.http
                .post(format!("{}/oauth/token/", self.sb.url))
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn exchange(&self, code: &str, verifier: &str) -> Answer {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.redirect),
            ("client_id", &self.client_id),
            ("code_verifier", verifier),
        ])
        .await
    }

    /// Tokens for `scope` and `projects`.
    async fn tokens(&self, scope: &str, projects: &[i64]) -> Value {
        let (code, v) = self.code(scope, projects).await;
        let a = self.exchange(&code, &v).await;
        assert_eq!(a.status, 200, "{}", a.text);
        a.json
    }

    async fn refresh(&self, refresh: &str, client_id: &str) -> Answer {
        self.token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", client_id),
        ])
        .await
    }

    async fn revoke(&self, token: &str) -> Answer {
        answer(
            self.http
                .post(format!("{}/oauth/revoke/", self.sb.url))
                .form(&[("token", token), ("client_id", &self.client_id)])
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn api(&self, token: &Value, path: &str) -> Answer {
        self.sb.get(token.as_str().unwrap(), path).await
    }
}

#[track_caller]
fn assert_token_error(a: &Answer, error: &str) {
    assert_eq!(a.status, 400, "{}", a.text);
    assert_eq!(a.json["error"], error, "{}", a.text);
    assert!(a.json["error_description"]
        .as_str()
        .is_some_and(|d| !d.is_empty()));
    assert_eq!(a.headers["cache-control"], "no-store");
}

#[track_caller]
fn assert_invalid_token(a: &Answer, status: u16) {
    assert_error(
        a,
        status,
        "authentication_error",
        "authentication_failed",
        "Invalid access token.",
        None,
    );
}

#[tokio::test]
async fn discovery_documents() {
    let f = flow().await;
    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
    ] {
        let a =
            f.sb.send(Method::GET, &format!("{}{path}", f.sb.url), None, None)
                .await;
        assert_eq!(a.status, 200);
        let base = &f.sb.url;
        assert_eq!(a.json["issuer"], *base);
        assert_eq!(
            a.json["authorization_endpoint"],
            format!("{base}/oauth/authorize/")
        );
        assert_eq!(a.json["token_endpoint"], format!("{base}/oauth/token/"));
        assert_eq!(
            a.json["revocation_endpoint"],
            format!("{base}/oauth/revoke/")
        );
        assert_eq!(
            a.json["introspection_endpoint"],
            format!("{base}/oauth/introspect/")
        );
        assert_eq!(a.json["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(a.json["response_types_supported"], json!(["code"]));
        assert_eq!(
            a.json["grant_types_supported"],
            json!(["authorization_code", "refresh_token"])
        );
        assert_eq!(
            a.json["token_endpoint_auth_methods_supported"],
            json!(["none"])
        );
        assert_eq!(a.json["client_id_metadata_document_supported"], true);
        let scopes = a.json["scopes_supported"].as_array().unwrap();
        for s in [
            "group:read",
            "group:write",
            "usage_metric:read",
            "usage_metric:write",
            "query:read",
            "project:read",
        ] {
            assert!(scopes.contains(&json!(s)), "{s}");
        }
    }
    let a =
        f.sb.send(
            Method::POST,
            &format!("{}/oauth/register/", f.sb.url),
            None,
            Some(&json!({})),
        )
        .await;
    assert_eq!(a.status, 501);
}

#[tokio::test]
async fn the_whole_flow() {
    let f = flow().await;
    let v = verifier();
    let params = f.params(SCOPE, &challenge(&v));
    let page = f.get_page(&params).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.headers["x-frame-options"], "DENY");
    assert_eq!(page.headers["cache-control"], "no-store");
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(page.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = &page.text;
    assert!(html.contains("<html lang=\"en\">") && html.contains("<title>"));
    assert!(
        html.contains("Test &lt;console&gt;"),
        "client_name, escaped"
    );
    assert!(
        html.contains(&f.docs.trim_start_matches("http://").to_string()),
        "client host"
    );
    assert!(html.contains("Signed in as the sandbox demo user"));
    for s in SCOPE.split(' ') {
        assert!(html.contains(&format!("<li><code>{s}</code></li>")), "{s}");
    }
    for p in [1, 2] {
        assert!(html.contains(&format!(
            "id=\"project_{p}\" name=\"project_{p}\" value=\"on\" checked"
        )));
        assert!(html.contains(&format!("<label for=\"project_{p}\">")));
    }
    assert!(
        !html.contains("project_3"),
        "not a member of project 3's organization"
    );
    assert!(html.contains("name=\"decision\" value=\"allow\">Allow</button>"));
    assert!(html.contains("name=\"decision\" value=\"deny\">Deny</button>"));
    assert!(!html.contains("<script"));

    let q = f.consent(&params, &[1]).await;
    assert_eq!(q["state"], "st-42");
    let a = f.exchange(&q["code"], &v).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.headers["cache-control"], "no-store");
    let t = &a.json;
    assert!(t["access_token"].as_str().unwrap().starts_with("pha_"));
    assert!(t["refresh_token"].as_str().unwrap().starts_with("phr_"));
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 3600);
    assert_eq!(t["scope"], SCOPE);
    assert_eq!(t["scoped_teams"], json!([1]));
    assert_eq!(t["scoped_organizations"], json!([]));

    let ok = f.api(&t["access_token"], GT).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(f.api(&t["access_token"], METRICS).await.status, 200);
    let other = f.api(&t["access_token"], "2/groups_types/").await;
    assert_error(
        &other,
        403,
        "authentication_error",
        "permission_denied",
        "API key does not have access to the requested project: ID 2.",
        None,
    );
    // Introspection sees it.
    let i = answer(
        f.http
            .post(format!("{}/oauth/introspect/", f.sb.url))
            .form(&[("token", t["access_token"].as_str().unwrap())])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(i.json["active"], true);
    assert_eq!(i.json["client_id"], f.client_id);
    assert_eq!(i.json["scope"], SCOPE);
    // OAuth requests are not in the API request log; the API calls are, without the token.
    let log = f.sb.control(Method::GET, "requests", None).await;
    let text = log.text;
    assert!(
        !text.contains("/oauth/") && !text.contains("well-known"),
        "{text}"
    );
    assert!(!text.contains(t["access_token"].as_str().unwrap()));
}

#[tokio::test]
async fn wrong_or_malformed_verifier() {
    let f = flow().await;
    let (code, _) = f.code(SCOPE, &[1]).await;
    assert_token_error(&f.exchange(&code, &verifier()).await, "invalid_grant");
    let (code, _) = f.code(SCOPE, &[1]).await;
    assert_token_error(&f.exchange(&code, "short").await, "invalid_request");
    assert_token_error(
        &f.exchange(&code, &"a".repeat(129)).await,
        "invalid_request",
    );
    assert_token_error(
        &f.exchange(&code, &format!("{}!", "a".repeat(50))).await,
        "invalid_request",
    );
    let a = f
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &f.client_id),
        ])
        .await;
    assert_token_error(&a, "invalid_request");
    assert_token_error(&f.token(&[("code", &code)]).await, "invalid_request");
    assert_token_error(
        &f.token(&[("grant_type", "password")]).await,
        "unsupported_grant_type",
    );
}

#[tokio::test]
async fn a_reused_code_revokes_what_it_gave() {
    let f = flow().await;
    let (code, v) = f.code(SCOPE, &[1]).await;
    let first = f.exchange(&code, &v).await;
    assert_eq!(first.status, 200);
    assert_eq!(
        f.api(&first.json["access_token"], METRICS).await.status,
        200
    );
    assert_token_error(&f.exchange(&code, &v).await, "invalid_grant");
    assert_invalid_token(&f.api(&first.json["access_token"], METRICS).await, 401);
    assert_invalid_token(&f.api(&first.json["access_token"], GT).await, 403);
    let r = f
        .refresh(first.json["refresh_token"].as_str().unwrap(), &f.client_id)
        .await;
    assert_token_error(&r, "invalid_grant");
}

#[tokio::test]
async fn client_and_redirect_errors_are_pages_not_redirects() {
    let f = flow().await;
    let c = challenge(&verifier());
    let with = |key: &str, value: &str| f.params_with(SCOPE, &c, key, value);
    for (params, words) in [
        (
            with("redirect_uri", &format!("{}/elsewhere", f.docs)),
            "is not one of the redirect_uris",
        ),
        (with("redirect_uri", ""), "no redirect_uri"),
        (with("client_id", ""), "no client_id"),
        (with("client_id", "not a url"), "is not a URL"),
        (
            with("client_id", "http://example.com/client.json"),
            "must be an https URL",
        ),
        (
            with("client_id", &format!("{}/missing.json", f.docs)),
            "answered HTTP 404",
        ),
        (
            with("client_id", &format!("{}/mismatch.json", f.docs)),
            "is not the URL it was fetched from",
        ),
        (
            with("client_id", "http://127.0.0.1:1/client.json"),
            "Could not fetch",
        ),
    ] {
        let a = f.get_page(&params).await;
        assert_eq!(a.status, 400, "{words}: {}", a.text);
        assert!(a.headers.get("location").is_none());
        assert!(a.text.contains(words), "{words}: {}", a.text);
        assert!(a.text.contains("<html lang=\"en\">"));
        assert_eq!(a.headers["x-frame-options"], "DENY");
    }
    // A document without a name is a client all the same, named as PostHog's cimd.py names it.
    let nameless = with("client_id", &format!("{}/nameless.json", f.docs));
    let a = f.get_page(&nameless).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.text.contains("CIMD Client"), "{}", a.text);
    // At the token endpoint, another redirect_uri than the code's is invalid_grant.
    let (code, v) = f.code(SCOPE, &[1]).await;
    let a = f
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &format!("{}/elsewhere", f.docs)),
            ("client_id", &f.client_id),
            ("code_verifier", &v),
        ])
        .await;
    assert_token_error(&a, "invalid_grant");
    // And another client than the code's.
    let other = format!("{}/other.json", f.docs);
    let mut p = f.params(SCOPE, &c);
    p.retain(|(k, _)| k != "client_id");
    p.push(("client_id".into(), other.clone()));
    assert_eq!(f.get_page(&p).await.status, 200, "other client known");
    let (code, v) = f.code(SCOPE, &[1]).await;
    let a = f
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &f.redirect),
            ("client_id", &other),
            ("code_verifier", &v),
        ])
        .await;
    assert_token_error(&a, "invalid_grant");
}

#[tokio::test]
async fn request_errors_redirect_with_state() {
    let f = flow().await;
    let c = challenge(&verifier());
    let with = |key: &str, value: &str| f.params_with(SCOPE, &c, key, value);
    for (params, error) in [
        (with("code_challenge", ""), "invalid_request"),
        (with("code_challenge_method", "plain"), "invalid_request"),
        (with("code_challenge_method", ""), "invalid_request"),
        (with("scope", "group:read nonsense:write"), "invalid_scope"),
        (with("scope", ""), "invalid_scope"),
        (with("response_type", "token"), "unsupported_response_type"),
    ] {
        let a = f.get_page(&params).await;
        assert_eq!(a.status, 302, "{error}: {}", a.text);
        let location = a.headers["location"].to_str().unwrap();
        assert!(location.starts_with(&f.redirect), "{location}");
        let q = query_of(location);
        assert_eq!(q["error"], error, "{location}");
        assert_eq!(q["state"], "st-42");
        assert!(!q["error_description"].is_empty());
        assert!(!q.contains_key("code"));
        // RFC 6749's names, not oxide-auth's `description`.
        assert!(!q.contains_key("description"), "{location}");
    }
}

#[tokio::test]
async fn consent_form_answers() {
    let f = flow().await;
    let params = f.params(SCOPE, &challenge(&verifier()));
    let page = f.get_page(&params).await;
    let csrf = csrf_of(&page.text);
    let form = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    // A bad or missing CSRF token: 400, no redirect.
    for bad in [
        form(&[
            ("csrf_token", "forged"),
            ("decision", "allow"),
            ("project_1", "on"),
        ]),
        form(&[("decision", "allow"), ("project_1", "on")]),
    ] {
        let a = f.post_form(&params, &bad).await;
        assert_eq!(a.status, 400, "{}", a.text);
        assert!(a.headers.get("location").is_none());
        assert!(a.text.contains("CSRF"));
    }
    // Allow with no project: the page again, with an error.
    let a = f
        .post_form(
            &params,
            &form(&[("csrf_token", &csrf), ("decision", "allow")]),
        )
        .await;
    assert_eq!(a.status, 200);
    assert!(a.text.contains("Choose at least one project."));
    // Deny: access_denied with the state.
    let csrf = csrf_of(&a.text);
    let a = f
        .post_form(
            &params,
            &form(&[("csrf_token", &csrf), ("decision", "deny")]),
        )
        .await;
    assert_eq!(a.status, 302);
    let q = query_of(a.headers["location"].to_str().unwrap());
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["state"], "st-42");
    assert!(!q["error_description"].is_empty());
    // A used CSRF token is gone.
    let a = f
        .post_form(
            &params,
            &form(&[
                ("csrf_token", &csrf),
                ("decision", "allow"),
                ("project_1", "on"),
            ]),
        )
        .await;
    assert_eq!(a.status, 400);
    // A project the user is not a member of cannot be slipped in.
    let page = f.get_page(&params).await;
    let a = f
        .post_form(
            &params,
            &form(&[
                ("csrf_token", &csrf_of(&page.text)),
                ("decision", "allow"),
                ("project_3", "on"),
            ]),
        )
        .await;
    assert_eq!(a.status, 200);
    assert!(a.text.contains("Choose at least one project."));
}

#[tokio::test]
async fn scopes_limit_the_token() {
    let f = flow().await;
    let t = f.tokens("group:read", &[1, 2]).await;
    assert_eq!(t["scoped_teams"], json!([1, 2]));
    let token = t["access_token"].as_str().unwrap();
    assert_eq!(f.sb.get(token, "2/groups_types/").await.status, 200);
    let a =
        f.sb.patch(token, "1/groups_types/update_metadata/", json!([]))
            .await;
    assert_error(
        &a,
        403,
        "authentication_error",
        "permission_denied",
        "API key missing required scope 'group:write'",
        None,
    );
    let a = f.sb.get(token, METRICS).await;
    assert_eq!(
        a.json["detail"],
        "API key missing required scope 'usage_metric:read'"
    );
    // Project 3: outside the user's organizations, never grantable.
    assert_eq!(f.sb.get(token, "3/groups_types/").await.status, 403);
    // PostHog's `*` is all access, still limited to the chosen projects.
    let all = f.tokens("*", &[1]).await;
    assert_eq!(all["scope"], "*");
    assert_eq!(f.api(&all["access_token"], METRICS).await.status, 200);
    assert_eq!(
        f.api(&all["access_token"], "2/groups_types/").await.status,
        403
    );
}

#[tokio::test]
async fn refresh_rotates_and_a_replay_revokes_the_family() {
    let f = flow().await;
    let t = f.tokens(SCOPE, &[1]).await;
    let r = f
        .refresh(t["refresh_token"].as_str().unwrap(), &f.client_id)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let n = &r.json;
    assert_ne!(n["access_token"], t["access_token"]);
    assert_ne!(n["refresh_token"], t["refresh_token"]);
    assert!(n["refresh_token"].as_str().unwrap().starts_with("phr_"));
    assert_eq!(n["scope"], SCOPE);
    assert_eq!(n["scoped_teams"], json!([1]));
    assert_eq!(n["token_type"], "Bearer");
    assert_eq!(f.api(&n["access_token"], METRICS).await.status, 200);
    assert_invalid_token(&f.api(&t["access_token"], METRICS).await, 401);
    // The control route shows the rotation.
    let state = f.sb.control(Method::GET, "oauth", None).await.json;
    let tokens = state["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 4);
    assert_eq!(
        tokens
            .iter()
            .map(|t| t["active"].as_bool().unwrap())
            .collect::<Vec<_>>(),
        [false, false, true, true]
    );
    // Replaying the rotated refresh token: invalid_grant, and the new pair dies too.
    let replay = f
        .refresh(t["refresh_token"].as_str().unwrap(), &f.client_id)
        .await;
    assert_token_error(&replay, "invalid_grant");
    assert_invalid_token(&f.api(&n["access_token"], METRICS).await, 401);
    let again = f
        .refresh(n["refresh_token"].as_str().unwrap(), &f.client_id)
        .await;
    assert_token_error(&again, "invalid_grant");
    // An unknown refresh token, or an access token in its place.
    assert_token_error(
        &f.refresh("phr_unknown", &f.client_id).await,
        "invalid_grant",
    );
    let t2 = f.tokens(SCOPE, &[1]).await;
    assert_token_error(
        &f.refresh(t2["access_token"].as_str().unwrap(), &f.client_id)
            .await,
        "invalid_grant",
    );
    assert_token_error(
        &f.token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", t2["refresh_token"].as_str().unwrap()),
        ])
        .await,
        "invalid_request",
    );
}

#[tokio::test]
async fn refresh_by_another_client_is_refused() {
    let f = flow().await;
    let t = f.tokens(SCOPE, &[1]).await;
    let refresh = t["refresh_token"].as_str().unwrap();
    let a = f.refresh(refresh, &format!("{}/other.json", f.docs)).await;
    assert_token_error(&a, "invalid_grant");
    // Nothing was revoked by that.
    assert_eq!(f.api(&t["access_token"], METRICS).await.status, 200);
    assert_eq!(f.refresh(refresh, &f.client_id).await.status, 200);
}

#[tokio::test]
async fn revocation() {
    let f = flow().await;
    // A refresh token takes its family with it.
    let t = f.tokens(SCOPE, &[1]).await;
    let a = f.revoke(t["refresh_token"].as_str().unwrap()).await;
    assert_eq!(a.status, 200);
    assert_invalid_token(&f.api(&t["access_token"], METRICS).await, 401);
    assert_token_error(
        &f.refresh(t["refresh_token"].as_str().unwrap(), &f.client_id)
            .await,
        "invalid_grant",
    );
    // An access token goes alone.
    let t = f.tokens(SCOPE, &[1]).await;
    assert_eq!(
        f.revoke(t["access_token"].as_str().unwrap()).await.status,
        200
    );
    assert_invalid_token(&f.api(&t["access_token"], METRICS).await, 401);
    let r = f
        .refresh(t["refresh_token"].as_str().unwrap(), &f.client_id)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(f.api(&r.json["access_token"], METRICS).await.status, 200);
    // Unknown tokens, and no token: still 200.
    assert_eq!(f.revoke("pha_never_issued").await.status, 200);
    let a = f
        .http
        .post(format!("{}/oauth/revoke/", f.sb.url))
        .form(&[("client_id", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(a.status(), 200);
}

#[tokio::test]
async fn access_and_refresh_expiry() {
    let f = flow().await;
    f.sb.set_switches(json!({"oauth_access_seconds": 1})).await;
    let t = f.tokens(SCOPE, &[1]).await;
    assert_eq!(t["expires_in"], 1);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_invalid_token(&f.api(&t["access_token"], METRICS).await, 401);
    f.sb.set_switches(json!({"oauth_access_seconds": 3600, "oauth_refresh_seconds": 1}))
        .await;
    let r = f
        .refresh(t["refresh_token"].as_str().unwrap(), &f.client_id)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["expires_in"], 3600);
    assert_eq!(f.api(&r.json["access_token"], METRICS).await.status, 200);
    // The new refresh token lives one second.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_token_error(
        &f.refresh(r.json["refresh_token"].as_str().unwrap(), &f.client_id)
            .await,
        "invalid_grant",
    );
}

#[tokio::test]
async fn cors_on_the_token_endpoints() {
    let f = flow().await;
    for path in ["/oauth/token/", "/oauth/revoke/", "/oauth/introspect/"] {
        let a = f
            .http
            .request(Method::OPTIONS, format!("{}{path}", f.sb.url))
            .header("origin", "http://127.0.0.1:5000")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
            .await
            .unwrap();
        assert_eq!(a.status(), 200, "{path}");
        assert_eq!(a.headers()["access-control-allow-origin"], "*");
        let methods = a.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(methods.contains("POST"), "{methods}");
        let headers = a.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_lowercase();
        assert!(headers.contains("content-type"), "{headers}");
    }
    let a = f
        .http
        .get(format!(
            "{}/.well-known/oauth-authorization-server",
            f.sb.url
        ))
        .header("origin", "http://127.0.0.1:5000")
        .send()
        .await
        .unwrap();
    assert_eq!(a.headers()["access-control-allow-origin"], "*");
    let a = f
        .http
        .post(format!("{}/oauth/token/", f.sb.url))
        .header("origin", "http://127.0.0.1:5000")
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    assert_eq!(a.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn control_route_and_reset() {
    let f = flow().await;
    let t = f.tokens("group:read", &[2]).await;
    let state = f.sb.control(Method::GET, "oauth/", None).await.json;
    let tokens = state["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 2);
    let access = t["access_token"].as_str().unwrap();
    assert_eq!(tokens[0]["kind"], "access");
    assert_eq!(tokens[0]["prefix"], access[..8]);
    assert_eq!(tokens[1]["kind"], "refresh");
    assert!(tokens[1]["prefix"].as_str().unwrap().starts_with("phr_"));
    for token in tokens {
        assert_eq!(token["client_id"], f.client_id);
        assert_eq!(token["scopes"], json!(["group:read"]));
        assert_eq!(token["projects"], json!([2]));
        assert_eq!(token["active"], true);
        assert!(token["expires_at"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(
        state["clients"],
        json!([{"client_id": f.client_id, "client_name": "Test <console>",
                "redirect_uris": [f.redirect]}])
    );
    // The whole tokens are never shown.
    let text = f.sb.control(Method::GET, "oauth", None).await.text;
    assert!(!text.contains(access));
    // Reset forgets everything.
    assert_eq!(f.sb.control(Method::POST, "reset", None).await.status, 200);
    let state = f.sb.control(Method::GET, "oauth", None).await.json;
    assert_eq!(state, json!({"tokens": [], "clients": []}));
    assert_invalid_token(&f.api(&t["access_token"], METRICS).await, 401);
    assert_token_error(
        &f.refresh(t["refresh_token"].as_str().unwrap(), &f.client_id)
            .await,
        "invalid_grant",
    );
}

#[tokio::test]
async fn the_apps_callback_route_is_left_to_the_spa() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!DOCTYPE html><title>app</title>",
    )
    .unwrap();
    let f = flow_with(
        start_with(sandbox::Config {
            static_dir: Some(dir.path().to_path_buf()),
            ..common::config()
        })
        .await,
    )
    .await;
    let a = f
        .http
        .get(format!("{}/oauth/callback?code=x&state=y", f.sb.url))
        .send()
        .await
        .unwrap();
    assert_eq!(a.status(), 200);
    assert!(a.text().await.unwrap().contains("<title>app</title>"));
    // The OAuth routes still win over the fallback.
    let a = f
        .http
        .get(format!(
            "{}/.well-known/oauth-authorization-server",
            f.sb.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(a.status(), 200);
    assert_eq!(f.get_page(&f.params(SCOPE, "x")).await.status, 200);
    let t = f.tokens(SCOPE, &[1]).await;
    assert!(t["access_token"].as_str().unwrap().starts_with("pha_"));
}
