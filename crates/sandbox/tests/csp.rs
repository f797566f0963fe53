//! The strict Content-Security-Policy mode: the policy on every index.html answer with the
//! hashes of the page's inline scripts, the `csp` switch, the report route, and the hardening
//! headers on every static answer.

mod common;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::*;
use reqwest::Method;
use sandbox::csp::CspSwitch;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::Command;

/// What Trunk injects: one module script that imports the bindings and starts the wasm.
const BOOT: &str = "\nimport init, * as bindings from '/app-1a2b.js';\n\
                    const wasm = await init({ module_or_path: '/app-1a2b_bg.wasm' });\n\
                    window.wasmBindings = bindings;\n";
/// A second inline script, in the body, with markup-like text inside.
const EXTRA: &str =
    "dispatchEvent(new CustomEvent(\"TrunkApplicationStarted\", {detail: {tag: '<b>'}}));";

fn index() -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><base href=\"/\" />\
         <title>app</title><link rel=\"stylesheet\" href=\"/style.css\">\
         <script type=\"module\" src=\"/external.js\"></script>\
         <script type=\"module\">{BOOT}</script></head>\
         <body><script>{EXTRA}</script></body></html>"
    )
}

/// The CSP hash source of `script`, computed here independently of the server.
fn hash(script: &str) -> String {
    format!(
        "'sha256-{}'",
        STANDARD.encode(Sha256::digest(script.as_bytes()))
    )
}

/// The whole policy the server must send for the test page.
fn policy(hashes: &[String], connect: &str, frame_ancestors: &str, report: bool) -> String {
    let mut script = String::from("'self' 'wasm-unsafe-eval'");
    for h in hashes {
        script.push(' ');
        script.push_str(h);
    }
    let mut policy = format!(
        "default-src 'none'; script-src {script}; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src {connect}; frame-ancestors {frame_ancestors}; \
         base-uri 'self'; form-action 'none'; manifest-src 'self'"
    );
    if report {
        policy.push_str("; report-uri /_sandbox/csp-reports");
    }
    policy
}

fn site(index: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in [
        ("index.html", index),
        ("external.js", "console.log(1);"),
        ("style.css", "body{}"),
        ("config.json", "{\"host\":\"\"}"),
    ] {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    dir
}

async fn start_site(dir: &Path, base: &str, csp: Option<CspSwitch>) -> Sb {
    let mut config = config();
    config.static_dir = Some(dir.to_path_buf());
    config.base_path = base.into();
    config.switches.csp = csp;
    start_with(config).await
}

async fn fetch(sb: &Sb, path: &str) -> Answer {
    answer(
        sb.client
            .get(format!("{}{path}", sb.url))
            .send()
            .await
            .unwrap(),
    )
    .await
}

fn csp_of(a: &Answer) -> Option<&str> {
    a.headers
        .get("content-security-policy")
        .map(|v| v.to_str().unwrap())
}

#[track_caller]
fn assert_hardened(a: &Answer, what: &str) {
    assert_eq!(a.headers["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(a.headers["referrer-policy"], "no-referrer", "{what}");
}

#[tokio::test]
async fn every_index_answer_carries_the_policy_with_the_inline_script_hashes() {
    let dir = site(&index());
    let csp = CspSwitch {
        connect: vec![
            "http://127.0.0.1:9000".into(),
            "https://eu.i.posthog.com".into(),
        ],
        frame_ancestors: vec!["http://localhost:3000".into(), "'self'".into()],
        report: false,
    };
    let sb = start_site(dir.path(), "/", Some(csp)).await;
    let expected = policy(
        &[hash(BOOT), hash(EXTRA)],
        "'self' http://127.0.0.1:9000 https://eu.i.posthog.com",
        "http://localhost:3000 'self'",
        false,
    );
    for path in ["/", "/index.html", "/group-types/0/metrics?offset=25"] {
        let a = fetch(&sb, path).await;
        assert_eq!(a.status, 200, "{path}");
        assert_eq!(a.text, index(), "{path}");
        assert_eq!(csp_of(&a), Some(expected.as_str()), "{path}");
        assert_eq!(
            a.headers["content-length"],
            a.text.len().to_string().as_str()
        );
        assert_eq!(a.headers["cache-control"], "no-cache", "{path}");
        assert_hardened(&a, path);
    }
    // HEAD and a range request get the same policy, for the whole page.
    let head = sb.client.head(format!("{}/", sb.url)).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-security-policy"], expected.as_str());
    assert_eq!(
        head.headers()["content-length"],
        index().len().to_string().as_str()
    );
    let ranged = sb
        .client
        .get(format!("{}/", sb.url))
        .header("range", "bytes=0-9")
        .send()
        .await
        .unwrap();
    let ranged = answer(ranged).await;
    assert_eq!(ranged.status, 200);
    assert_eq!(ranged.text, index());
    assert_eq!(csp_of(&ranged), Some(expected.as_str()));
    // Other files have no policy but the hardening headers; so do misses.
    for path in ["/external.js", "/style.css", "/config.json", "/missing.js"] {
        let a = fetch(&sb, path).await;
        assert_eq!(csp_of(&a), None, "{path}");
        assert_hardened(&a, path);
    }
    // A page without inline scripts gets no hash source at all.
    std::fs::write(dir.path().join("index.html"), "<base href=\"/\" /><p>hi").unwrap();
    let a = fetch(&sb, "/").await;
    assert_eq!(
        csp_of(&a),
        Some(
            policy(
                &[],
                "'self' http://127.0.0.1:9000 https://eu.i.posthog.com",
                "http://localhost:3000 'self'",
                false
            )
            .as_str()
        )
    );
}

#[tokio::test]
async fn hashes_are_taken_from_the_page_as_served_under_a_base_path() {
    let dir = site(&index());
    let sb = start_site(dir.path(), "/console/", Some(CspSwitch::default())).await;
    let expected = policy(&[hash(BOOT), hash(EXTRA)], "'self'", "'none'", false);
    for path in ["/console/", "/console/index.html", "/console/settings"] {
        let a = fetch(&sb, path).await;
        assert_eq!(a.status, 200, "{path}");
        assert!(a.text.contains("<base href=\"/console/\" />"), "{path}");
        assert_eq!(csp_of(&a), Some(expected.as_str()), "{path}");
        assert_hardened(&a, path);
    }
    // The redirect to the base path is a static answer too.
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = answer(no_redirect.get(&sb.url).send().await.unwrap()).await;
    assert!((300..400).contains(&r.status));
    assert_eq!(csp_of(&r), None);
    assert_hardened(&r, "redirect");

    // When the rewrite reaches into a script, the hash is of the rewritten text.
    let before = "const base = '<base href=\"/\" />';";
    let after = "const base = '<base href=\"/console/\" />';";
    std::fs::write(
        dir.path().join("index.html"),
        format!("<script>{before}</script><title>app</title>"),
    )
    .unwrap();
    let a = fetch(&sb, "/console/").await;
    assert_eq!(
        a.text,
        format!("<script>{after}</script><title>app</title>")
    );
    assert_eq!(
        csp_of(&a),
        Some(policy(&[hash(after)], "'self'", "'none'", false).as_str())
    );
}

#[tokio::test]
async fn off_by_default_and_switched_at_runtime() {
    let dir = site(&index());
    let sb = start_site(dir.path(), "/", None).await;
    for path in ["/", "/deep/link", "/external.js", "/missing.js"] {
        let a = fetch(&sb, path).await;
        assert_eq!(csp_of(&a), None, "{path}");
        assert_hardened(&a, path);
    }
    assert_eq!(
        sb.control(Method::GET, "switches", None).await.json["csp"],
        Value::Null
    );

    // On with nothing else: connect-src 'self' only, frame-ancestors 'none'.
    let a = sb.set_switches(json!({"csp": {}})).await;
    assert_eq!(
        a.json["csp"],
        json!({"connect": [], "frame_ancestors": [], "report": false})
    );
    let hashes = [hash(BOOT), hash(EXTRA)];
    let a = fetch(&sb, "/").await;
    assert_eq!(
        csp_of(&a),
        Some(policy(&hashes, "'self'", "'none'", false).as_str())
    );
    // The page is never answered 304 (which would keep the headers stored with it).
    assert!(!a.headers.contains_key("last-modified"));
    let conditional = sb
        .client
        .get(format!("{}/", sb.url))
        .header("if-modified-since", "Fri, 01 Jan 2100 00:00:00 GMT")
        .send()
        .await
        .unwrap();
    assert_eq!(conditional.status(), 200);
    assert!(conditional
        .headers()
        .contains_key("content-security-policy"));

    let a = sb
        .set_switches(json!({"csp": {"connect": ["http://127.0.0.1:8010"],
                                     "frame_ancestors": ["https://host.example"]}}))
        .await;
    assert_eq!(
        a.json["csp"],
        json!({"connect": ["http://127.0.0.1:8010"],
               "frame_ancestors": ["https://host.example"], "report": false})
    );
    assert_eq!(
        sb.control(Method::GET, "switches", None).await.json["csp"],
        a.json["csp"]
    );
    let a = fetch(&sb, "/some/route").await;
    assert_eq!(
        csp_of(&a),
        Some(
            policy(
                &hashes,
                "'self' http://127.0.0.1:8010",
                "https://host.example",
                false
            )
            .as_str()
        )
    );

    for bad in [
        json!({"csp": true}),
        json!({"csp": {"connect": "http://127.0.0.1:8010"}}),
        json!({"csp": {"connect": ["http://a.example; script-src *"]}}),
        json!({"csp": {"frame_ancestors": ["two words"]}}),
        json!({"csp": {"report": 1}}),
        json!({"csp": {"origins": []}}),
    ] {
        let a = sb
            .control(Method::POST, "switches", Some(bad.clone()))
            .await;
        assert_eq!(a.status, 400, "{bad}");
        assert_eq!(a.json["type"], "validation_error", "{bad}");
        assert_eq!(a.json["attr"], "csp", "{bad}");
    }
    // A refused change leaves the policy as it was.
    assert_eq!(
        sb.control(Method::GET, "switches", None).await.json["csp"]["connect"],
        json!(["http://127.0.0.1:8010"])
    );

    sb.set_switches(json!({"csp": null})).await;
    let a = fetch(&sb, "/").await;
    assert_eq!(csp_of(&a), None);
    assert_hardened(&a, "off again");
}

async fn post_report(sb: &Sb, content_type: &str, body: &str) -> Answer {
    let response = sb
        .client
        .post(format!("{}/_sandbox/csp-reports", sb.url))
        .header("content-type", content_type)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    answer(response).await
}

#[tokio::test]
async fn reports_are_stored_listed_and_cleared() {
    let dir = site(&index());
    let csp = CspSwitch {
        report: true,
        ..CspSwitch::default()
    };
    let sb = start_site(dir.path(), "/", Some(csp)).await;
    let a = fetch(&sb, "/").await;
    assert_eq!(
        csp_of(&a),
        Some(policy(&[hash(BOOT), hash(EXTRA)], "'self'", "'none'", true).as_str())
    );
    assert_eq!(
        sb.control(Method::GET, "csp-reports", None).await.json,
        json!([])
    );

    // As Chrome and Firefox send them for report-uri, as the Reporting API does, and plain.
    let legacy = json!({"csp-report": {"document-uri": format!("{}/", sb.url),
        "violated-directive": "script-src-elem", "effective-directive": "script-src-elem",
        "blocked-uri": "inline", "disposition": "enforce", "status-code": 200}});
    let batched = json!([{"type": "csp-violation", "age": 3, "url": format!("{}/", sb.url),
        "body": {"blockedURL": "inline", "effectiveDirective": "style-src-attr"}}]);
    let plain = json!({"note": "posted by a tool"});
    for (content_type, body) in [
        ("application/csp-report", &legacy),
        ("application/reports+json", &batched),
        ("application/json; charset=utf-8", &plain),
    ] {
        let a = post_report(&sb, content_type, &body.to_string()).await;
        assert_eq!(a.status, 204, "{content_type}: {}", a.text);
    }
    let a = post_report(&sb, "text/plain", "{}").await;
    assert_eq!(a.status, 415);
    assert_eq!(a.json["code"], "unsupported_media_type");
    let a = post_report(&sb, "application/csp-report", "{not json").await;
    assert_eq!(a.status, 400);
    assert_eq!(a.json["code"], "parse_error");

    let listed = sb.control(Method::GET, "csp-reports", None).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json, json!([legacy, batched, plain]));
    assert_eq!(
        sb.control(Method::GET, "csp-reports/", None).await.json,
        listed.json
    );
    // Reports are not API requests.
    assert_eq!(
        sb.control(Method::GET, "requests", None).await.json,
        json!([])
    );

    let a = sb.control(Method::DELETE, "csp-reports", None).await;
    assert_eq!(a.status, 204);
    assert_eq!(
        sb.control(Method::GET, "csp-reports", None).await.json,
        json!([])
    );
    assert_eq!(
        sb.control(Method::PUT, "csp-reports", None).await.status,
        405
    );

    // Only the last 200 are kept.
    for n in 0..205 {
        let a = post_report(&sb, "application/csp-report", &json!({"n": n}).to_string()).await;
        assert_eq!(a.status, 204);
    }
    let kept = sb.control(Method::GET, "csp-reports", None).await.json;
    let kept = kept.as_array().unwrap();
    assert_eq!(kept.len(), 200);
    assert_eq!(kept[0], json!({"n": 5}));
    assert_eq!(kept[199], json!({"n": 204}));
}

const BIN: &str = env!("CARGO_BIN_EXE_sandbox");

#[tokio::test]
async fn flags_set_the_switch() {
    let dir = site(&index());
    let mut args = vec![std::ffi::OsString::from("--static"), dir.path().into()];
    args.extend(
        [
            "--csp",
            "--csp-connect",
            "http://127.0.0.1:9000",
            "--csp-connect",
            "https://eu.i.posthog.com",
            "--csp-frame-ancestor",
            "http://localhost:3000",
            "--csp-report",
        ]
        .map(Into::into),
    );
    let (mut child, url) = spawn_binary(args);
    let client = reqwest::Client::new();
    let switches = answer(
        client
            .get(format!("{url}/_sandbox/switches"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let page = answer(client.get(format!("{url}/")).send().await.unwrap()).await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        switches.json["csp"],
        json!({"connect": ["http://127.0.0.1:9000", "https://eu.i.posthog.com"],
               "frame_ancestors": ["http://localhost:3000"], "report": true})
    );
    assert_eq!(
        csp_of(&page),
        Some(
            policy(
                &[hash(BOOT), hash(EXTRA)],
                "'self' http://127.0.0.1:9000 https://eu.i.posthog.com",
                "http://localhost:3000",
                true
            )
            .as_str()
        )
    );
}

/// Issue 25: `scripts/run` (plain `--static`) served the app with no policy, so the demo a
/// newcomer opens was less protected than a deployment. By default it now sends what
/// `scripts/csp-policy.mjs` prints (connect-src from config.json) with frame-ancestors of
/// loopback only; `--no-csp` turns it off.
#[tokio::test]
async fn static_sends_the_deployment_policy_unless_no_csp() {
    let dir = site(&index());
    std::fs::write(
        dir.path().join("config.json"),
        r#"{"allowed_hosts":["https://posthog.example.com/"]}"#,
    )
    .unwrap();
    let client = reqwest::Client::new();
    let mut pages = Vec::new();
    for extra in [&[][..], &["--no-csp"][..]] {
        let mut args = vec![std::ffi::OsString::from("--static"), dir.path().into()];
        args.extend(extra.iter().map(Into::into));
        let (mut child, url) = spawn_binary(args);
        pages.push(answer(client.get(format!("{url}/")).send().await.unwrap()).await);
        child.kill().unwrap();
        child.wait().unwrap();
    }
    assert_eq!(
        csp_of(&pages[0]),
        Some(
            policy(
                &[hash(BOOT), hash(EXTRA)],
                "'self' https://posthog.example.com",
                "'self' http://127.0.0.1:* http://localhost:*",
                false
            )
            .as_str()
        )
    );
    assert_eq!(csp_of(&pages[1]), None);
    // Without config.json's hosts, the clouds, as the script prints.
    let bare = site(&index());
    let (mut child, url) = spawn_binary(vec![
        std::ffi::OsString::from("--static"),
        bare.path().into(),
    ]);
    let page = answer(client.get(format!("{url}/")).send().await.unwrap()).await;
    child.kill().unwrap();
    child.wait().unwrap();
    let header = csp_of(&page).unwrap_or_default().to_string();
    assert!(
        header.contains("connect-src 'self' https://us.posthog.com https://eu.posthog.com;"),
        "{header}"
    );
    let both = Command::new(BIN)
        .args(["--port", "0", "--csp", "--no-csp"])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn csp_flags_need_csp_and_valid_sources() {
    for args in [
        &["--csp-connect", "http://127.0.0.1:9000"][..],
        &["--csp-frame-ancestor", "'self'"][..],
        &["--csp-report"][..],
        &["--csp", "--csp-connect", "http://a.example; script-src *"][..],
        &["--csp", "--csp-frame-ancestor", ""][..],
    ] {
        let out = Command::new(BIN)
            .args(["--port", "0"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("csp"), "{args:?}: {stderr}");
    }
}
