//! The consent page and the authorization endpoint's error page: plain HTML, no script, one
//! inline style allowed by its hash.

use base64::Engine;
use sha2::{Digest, Sha256};

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;\
padding:0 1rem;color:#1d1f27;background:#fff;line-height:1.5}\
fieldset{border:1px solid #6b6f7b;border-radius:4px;margin:1rem 0}\
.error{color:#a4161a;font-weight:600}\
button{font-size:1rem;padding:.4rem 1.2rem;margin-right:.5rem}\
code{background:#f0f1f4;padding:0 .2rem}";

/// HTML-escape text for an element or a double-quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page's Content-Security-Policy: nothing but the hashed style; the form may post to the
/// sandbox and follow the redirect to `redirect_origin` (browsers apply `form-action` to the
/// redirect too); never framed.
pub fn csp(redirect_origin: Option<&str>) -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    let form = match redirect_origin {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_string(),
    };
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; form-action {form}; \
         frame-ancestors 'none'; base-uri 'none'"
    )
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        escape(title)
    )
}

/// The 400 page for a request that cannot be sent back to the client.
pub fn error_page(message: &str) -> String {
    document(
        "Authorization failed – PostHog sandbox",
        &format!(
            "<h1>This authorization request cannot be completed</h1>\n\
             <p class=\"error\">{}</p>\n\
             <p>The application that sent you here is misconfigured; you were not redirected \
             back to it.</p>\n",
            escape(message)
        ),
    )
}

/// What the consent page shows.
pub struct Consent<'a> {
    /// The client's name from its metadata document.
    pub client_name: &'a str,
    /// The client id's host (and port).
    pub client_host: &'a str,
    /// The client id itself.
    pub client_id: &'a str,
    /// Requested scopes.
    pub scopes: Vec<String>,
    /// Projects the demo user is a member of: id and name.
    pub projects: &'a [(i64, String)],
    /// Where the form posts: the request's path and query.
    pub action: &'a str,
    /// The form's CSRF token.
    pub csrf: &'a str,
    /// An error to show above the form.
    pub error: Option<&'a str>,
}

/// The consent page.
pub fn consent_page(c: &Consent) -> String {
    let scopes: String = c
        .scopes
        .iter()
        .map(|s| format!("<li><code>{}</code></li>\n", escape(s)))
        .collect();
    let projects: String = c
        .projects
        .iter()
        .map(|(id, name)| {
            format!(
                "<div><input type=\"checkbox\" id=\"project_{id}\" name=\"project_{id}\" \
                 value=\"on\" checked> <label for=\"project_{id}\">{} (project {id})</label></div>\n",
                escape(name)
            )
        })
        .collect();
    let error = c
        .error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>\n", escape(e)))
        .unwrap_or_default();
    document(
        &format!("Authorize {} – PostHog sandbox", c.client_name),
        &format!(
            "<h1>Authorize {name}</h1>\n\
             <p>Signed in as the sandbox demo user.</p>\n\
             <p><strong>{name}</strong> (<code>{host}</code>, client id <code>{id}</code>) \
             asks for access to your PostHog data with these scopes:</p>\n\
             <ul>\n{scopes}</ul>\n\
             {error}\
             <form method=\"post\" action=\"{action}\">\n\
             <input type=\"hidden\" name=\"csrf_token\" value=\"{csrf}\">\n\
             <fieldset>\n<legend>Projects it may use</legend>\n{projects}</fieldset>\n\
             <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\n\
             <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n\
             </form>\n",
            name = escape(c.client_name),
            host = escape(c.client_host),
            id = escape(c.client_id),
            action = escape(c.action),
            csrf = escape(c.csrf),
        ),
    )
}
