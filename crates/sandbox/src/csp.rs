//! A strict Content-Security-Policy for the served app, as a static host would send it, so the
//! app's browser tests notice anything that only works without one (inline scripts or styles,
//! `eval`, requests to unlisted origins). Inline scripts are allowed by hash only: the hashes
//! are taken from the page actually served, so a rebuilt bootstrap script never needs a flag.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Where browsers send violation reports when [`CspSwitch::report`] is on.
pub const REPORT_PATH: &str = "/_sandbox/csp-reports";

/// The `csp` switch: present means the policy is sent with every `index.html`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CspSwitch {
    /// Sources allowed in `connect-src` besides `'self'` (e.g. an API on another origin).
    pub connect: Vec<String>,
    /// Sources of `frame-ancestors`; empty means `'none'`.
    pub frame_ancestors: Vec<String>,
    /// Add `report-uri /_sandbox/csp-reports`, so tests can assert that nothing was blocked.
    pub report: bool,
}

impl CspSwitch {
    /// Read the switch's JSON object (every key optional); the error is the complete detail.
    pub fn from_json(value: &Value) -> Result<Self, String> {
        let obj = value.as_object().ok_or_else(|| {
            "csp must be null or an object like {\"connect\": [...], \"frame_ancestors\": [...], \
             \"report\": false}."
                .to_string()
        })?;
        let mut csp = CspSwitch::default();
        for (key, value) in obj {
            match key.as_str() {
                "connect" => csp.connect = sources(key, value)?,
                "frame_ancestors" => csp.frame_ancestors = sources(key, value)?,
                "report" => {
                    csp.report = value
                        .as_bool()
                        .ok_or_else(|| "csp.report must be a boolean.".to_string())?
                }
                _ => return Err(format!("Unknown csp setting: {key}")),
            }
        }
        Ok(csp)
    }

    /// The policy for `html`, the page exactly as it is about to be sent.
    pub fn policy(&self, html: &[u8]) -> String {
        let mut script = String::from("'self' 'wasm-unsafe-eval'");
        let mut seen: Vec<String> = Vec::new();
        for body in inline_scripts(html) {
            let hash = STANDARD.encode(Sha256::digest(body));
            // Identical scripts share one hash; listing it twice would only lengthen the header.
            if !seen.contains(&hash) {
                script.push_str(&format!(" 'sha256-{hash}'"));
                seen.push(hash);
            }
        }
        let connect = std::iter::once("'self'")
            .chain(self.connect.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        let frame_ancestors = if self.frame_ancestors.is_empty() {
            "'none'".to_string()
        } else {
            self.frame_ancestors.join(" ")
        };
        let mut policy = format!(
            "default-src 'none'; script-src {script}; style-src 'self'; img-src 'self' data:; \
             font-src 'self'; connect-src {connect}; frame-ancestors {frame_ancestors}; \
             base-uri 'self'; form-action 'none'; manifest-src 'self'"
        );
        if self.report {
            // report-uri rather than report-to: Chrome ignores report-uri once report-to is
            // present, and the Reporting API batches reports for up to a minute, too late for
            // a test that asserts right after loading the page.
            policy.push_str("; report-uri ");
            policy.push_str(REPORT_PATH);
        }
        policy
    }
}

/// PostHog's clouds: where a key may go when `config.json` names no host of its own.
const CLOUDS: [&str; 2] = ["https://us.posthog.com", "https://eu.posthog.com"];

impl CspSwitch {
    /// The policy `sandbox --static DIR` sends unless told otherwise: what
    /// `scripts/csp-policy.mjs` prints for the build (`connect-src` from `DIR/config.json`:
    /// its `allowed_hosts`, else its `default_host` and the two clouds), with frame-ancestors
    /// of this machine only (`'self'` and any port of 127.0.0.1 or localhost: CSP has no
    /// syntax for an IPv6 address), so the e2e portals, which are
    /// served from other loopback ports, may frame it and no site elsewhere can.
    pub fn demo(static_dir: &std::path::Path) -> CspSwitch {
        let config = std::fs::read_to_string(static_dir.join("config.json"))
            .ok()
            .and_then(|text| serde_json::from_str::<Value>(&text).ok());
        CspSwitch {
            connect: config_hosts(config.as_ref()),
            frame_ancestors: ["'self'", "http://127.0.0.1:*", "http://localhost:*"]
                .map(String::from)
                .to_vec(),
            report: false,
        }
    }
}

/// The origins `config.json` lets the key go to, as `scripts/csp-policy.mjs` reads them.
fn config_hosts(config: Option<&Value>) -> Vec<String> {
    let origin = |v: &Value| {
        v.as_str()
            .map(|s| s.trim().trim_end_matches('/').to_string())
            .filter(|s| is_source(s))
    };
    let allowed: Vec<String> = config
        .and_then(|c| c.get("allowed_hosts"))
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(origin).collect())
        .unwrap_or_default();
    if !allowed.is_empty() {
        return allowed;
    }
    let mut hosts: Vec<String> = config
        .and_then(|c| c.get("default_host"))
        .and_then(origin)
        .into_iter()
        .collect();
    for cloud in CLOUDS {
        if !hosts.iter().any(|h| h == cloud) {
            hosts.push(cloud.to_string());
        }
    }
    hosts
}

/// A list of CSP source expressions for `csp.<key>`.
fn sources(key: &str, value: &Value) -> Result<Vec<String>, String> {
    let must = || {
        format!(
            "csp.{key} must be a list of CSP sources like \"http://127.0.0.1:8000\" or \
             \"'self'\" (no spaces, ';' or ',')."
        )
    };
    value
        .as_array()
        .ok_or_else(must)?
        .iter()
        .map(|item| {
            item.as_str()
                .filter(|s| is_source(s))
                .map(str::to_string)
                .ok_or_else(must)
        })
        .collect()
}

/// Whether `source` is one CSP source expression: anything else could end the directive and
/// smuggle in another (`x; script-src *`), or not fit in a header.
pub fn is_source(source: &str) -> bool {
    !source.is_empty()
        && source
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b';' && b != b',')
}

/// The text of every `<script>` element without a `src` attribute, in document order: the
/// bytes between the end of the start tag and `</script`, as the browser hashes them.
///
/// A small scanner rather than an HTML parser: it skips comments and reads attributes with
/// their quoting (a `>` inside a quoted value does not end the tag), which is all a built
/// `index.html` needs. A `<script` inside other raw text (a `<title>`, say) would be counted
/// too; an extra hash only allows a script that is not there.
pub fn inline_scripts(html: &[u8]) -> Vec<&[u8]> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(lt) = find(html, at, b"<") {
        let rest = &html[lt..];
        if rest.starts_with(b"<!--") {
            // Searching from `<!` also ends the abrupt `<!-->` and `<!--->` comments.
            at = find(html, lt + 2, b"-->").map_or(html.len(), |end| end + 3);
            continue;
        }
        let is_script = starts_with_ignore_case(rest, b"<script")
            && rest.get(7).is_some_and(|&c| ends_tag_name(c));
        if !is_script {
            at = lt + 1;
            continue;
        }
        let Some((content_start, has_src)) = start_tag(html, lt + 7) else {
            // An unfinished start tag is no element.
            break;
        };
        // A script left open runs to the end of the document.
        let content_end = script_end(html, content_start).unwrap_or(html.len());
        if !has_src {
            found.push(&html[content_start..content_end]);
        }
        at = content_end;
    }
    found
}

/// Read the attributes of a start tag from `at` (just after its name): where its content
/// starts, and whether it has a `src` attribute. `None` when the tag never ends.
fn start_tag(html: &[u8], mut at: usize) -> Option<(usize, bool)> {
    let mut has_src = false;
    loop {
        while html
            .get(at)
            .is_some_and(|&c| c.is_ascii_whitespace() || c == b'/')
        {
            at += 1;
        }
        if *html.get(at)? == b'>' {
            return Some((at + 1, has_src));
        }
        let name_start = at;
        while html
            .get(at)
            .is_some_and(|&c| !c.is_ascii_whitespace() && !matches!(c, b'/' | b'>' | b'='))
        {
            at += 1;
        }
        if html[name_start..at].eq_ignore_ascii_case(b"src") {
            has_src = true;
        }
        let mut after = at;
        while html.get(after).is_some_and(u8::is_ascii_whitespace) {
            after += 1;
        }
        if html.get(after) != Some(&b'=') {
            // A bare attribute; `at` moved past its name (or sits on a `/` or `>`).
            continue;
        }
        at = after + 1;
        while html.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        match html.get(at)? {
            &quote @ (b'"' | b'\'') => at = find(html, at + 1, &[quote])? + 1,
            _ => {
                while html
                    .get(at)
                    .is_some_and(|&c| !c.is_ascii_whitespace() && c != b'>')
                {
                    at += 1;
                }
            }
        }
    }
}

/// Where the `</script` that closes a script whose content starts at `from` begins.
fn script_end(html: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let at = find(html, from, b"</")?;
        let rest = &html[at..];
        if starts_with_ignore_case(rest, b"</script")
            && rest.get(8).is_some_and(|&c| ends_tag_name(c))
        {
            return Some(at);
        }
        from = at + 2;
    }
}

/// Characters that end a tag name in HTML.
fn ends_tag_name(c: u8) -> bool {
    c.is_ascii_whitespace() || c == b'/' || c == b'>'
}

fn starts_with_ignore_case(haystack: &[u8], prefix: &[u8]) -> bool {
    haystack
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// First position of `needle` in `haystack` at or after `from`.
fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scripts(html: &str) -> Vec<&str> {
        inline_scripts(html.as_bytes())
            .into_iter()
            .map(|s| std::str::from_utf8(s).unwrap())
            .collect()
    }

    #[test]
    fn finds_inline_scripts_only() {
        let html = "<head><SCRIPT type=\"module\">a()</SCRIPT >\
                    <script src=\"/x.js\"></script>\
                    <script data-x='>src' >b()</script>\
                    <script defer src=/y.js></script>\
                    <!-- <script>commented()</script> -->\
                    <scripts>not a script</scripts>\
                    <script>c('</scrip', '</scriptx>')</script/>\
                    <script></script>";
        assert_eq!(
            scripts(html),
            ["a()", "b()", "c('</scrip', '</scriptx>')", ""]
        );
        assert_eq!(scripts("<script>open()"), ["open()"]);
        assert_eq!(scripts("<!--><script>x</script>"), ["x"]);
        assert!(scripts("<script src").is_empty());
        assert!(scripts("<script data-a=\"never closed>x</script>").is_empty());
        assert!(scripts("no scripts <b>here</b>").is_empty());
    }

    #[test]
    fn policy_lists_hashes_once_in_document_order() {
        let html = b"<script>a</script><script>b</script><script>a</script>";
        let hash = |s: &str| STANDARD.encode(Sha256::digest(s.as_bytes()));
        let csp = CspSwitch::default();
        let policy = csp.policy(html);
        assert!(policy.starts_with(&format!(
            "default-src 'none'; script-src 'self' 'wasm-unsafe-eval' 'sha256-{}' 'sha256-{}'; ",
            hash("a"),
            hash("b")
        )));
        assert!(policy.contains("; connect-src 'self'; frame-ancestors 'none'; "));
        assert!(!policy.contains("report-uri"));
        let none = csp.policy(b"<p>");
        assert!(none.contains("script-src 'self' 'wasm-unsafe-eval'; style-src"));
    }

    #[test]
    fn switch_json_is_checked() {
        assert_eq!(
            CspSwitch::from_json(&json!({})).unwrap(),
            CspSwitch::default()
        );
        assert_eq!(
            CspSwitch::from_json(&json!({"connect": ["https://a.example"], "report": true}))
                .unwrap(),
            CspSwitch {
                connect: vec!["https://a.example".into()],
                frame_ancestors: vec![],
                report: true
            }
        );
        for bad in [
            json!(true),
            json!({"connect": "https://a.example"}),
            json!({"connect": ["a b"]}),
            json!({"frame_ancestors": ["x; script-src *"]}),
            json!({"frame_ancestors": [""]}),
            json!({"connect": [1]}),
            json!({"report": "yes"}),
            json!({"connects": []}),
        ] {
            assert!(CspSwitch::from_json(&bad).is_err(), "{bad}");
        }
    }
}
