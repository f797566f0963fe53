//! Precompressed assets (`.br`/`.gz` beside a file, as `scripts/compress.mjs` writes them):
//! each encoding when asked, brotli first, identity otherwise, `Vary` always, bytes that decode
//! back to the file, and HEAD and ranges as before.

mod common;
use common::*;
use std::io::{Read, Write};

/// A stand-in for the wasm: bytes that compress, so the encodings differ in size.
fn wasm_bytes() -> Vec<u8> {
    (0..20_000u32)
        .flat_map(|i| (i % 251).to_le_bytes())
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
    w.write_all(bytes).unwrap();
    drop(w);
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

const WASM: &str = "app-0123456789abcdef_bg.wasm";

/// A built app: index.html, a wasm with both siblings, a CSS without any.
async fn site() -> (tempfile::TempDir, Sb) {
    let dir = tempfile::tempdir().unwrap();
    let raw = wasm_bytes();
    let path = dir.path();
    std::fs::write(
        path.join("index.html"),
        "<!doctype html><base href=\"/\" />",
    )
    .unwrap();
    std::fs::write(path.join(WASM), &raw).unwrap();
    std::fs::write(path.join(format!("{WASM}.gz")), gzip(&raw)).unwrap();
    std::fs::write(path.join(format!("{WASM}.br")), brotli(&raw)).unwrap();
    std::fs::write(path.join("main.css"), "body{}").unwrap();
    let mut config = config();
    config.static_dir = Some(path.to_path_buf());
    let sb = start_with(config).await;
    (dir, sb)
}

async fn get(sb: &Sb, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = sb.client.get(format!("{}/{path}", sb.url));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    request.send().await.unwrap()
}

fn header<'a>(r: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    r.headers().get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn each_encoding_is_served_when_asked_and_decodes_to_the_file() {
    let (_dir, sb) = site().await;
    let raw = wasm_bytes();
    for (accept, encoding) in [
        ("gzip, deflate, br, zstd", Some("br")), // what Chromium sends: brotli first
        ("br;q=0.5, gzip", Some("gzip")),
        ("gzip", Some("gzip")),
        ("br", Some("br")),
        ("identity", None),
        ("deflate", None),
    ] {
        let r = get(&sb, WASM, &[("accept-encoding", accept)]).await;
        assert_eq!(r.status(), 200, "{accept}");
        assert_eq!(header(&r, "content-encoding"), encoding, "{accept}");
        assert_eq!(
            header(&r, "content-type"),
            Some("application/wasm"),
            "{accept}"
        );
        assert_eq!(header(&r, "vary"), Some("accept-encoding"), "{accept}");
        let length: usize = header(&r, "content-length").unwrap().parse().unwrap();
        let body = r.bytes().await.unwrap().to_vec();
        assert_eq!(body.len(), length, "{accept}");
        let decoded = match encoding {
            Some("br") => unbrotli(&body),
            Some("gzip") => gunzip(&body),
            _ => body.clone(),
        };
        assert!(decoded == raw, "{accept}: the bytes decode to the file");
        if encoding.is_some() {
            assert!(body.len() < raw.len() / 2, "{accept}: compressed");
        }
    }
}

#[tokio::test]
async fn without_accept_encoding_the_file_is_sent_as_it_is() {
    let (_dir, sb) = site().await;
    let r = get(&sb, WASM, &[]).await;
    assert_eq!(header(&r, "content-encoding"), None);
    assert_eq!(header(&r, "vary"), Some("accept-encoding"));
    assert!(r.bytes().await.unwrap().to_vec() == wasm_bytes());
    // A file without siblings does not vary.
    let css = get(&sb, "main.css", &[("accept-encoding", "br, gzip")]).await;
    assert_eq!(header(&css, "content-encoding"), None);
    assert_eq!(header(&css, "vary"), None);
    assert_eq!(css.text().await.unwrap(), "body{}");
    // Nor does the page, which is never precompressed (hosts rewrite it).
    let page = get(&sb, "", &[("accept-encoding", "br, gzip")]).await;
    assert_eq!(header(&page, "content-encoding"), None);
}

#[tokio::test]
async fn head_and_ranges_still_answer_right() {
    let (_dir, sb) = site().await;
    let raw = wasm_bytes();
    let head = sb
        .client
        .head(format!("{}/{WASM}", sb.url))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(header(&head, "content-encoding"), Some("gzip"));
    assert_eq!(
        header(&head, "content-length").unwrap(),
        gzip(&raw).len().to_string()
    );
    assert!(head.bytes().await.unwrap().is_empty());

    // A range of the file as it is.
    let part = get(&sb, WASM, &[("range", "bytes=10-19")]).await;
    assert_eq!(part.status(), 206);
    assert_eq!(header(&part, "content-encoding"), None);
    assert_eq!(part.bytes().await.unwrap().to_vec(), raw[10..20].to_vec());
    // A range with an encoding is a range of the encoded bytes (RFC 9110), as nginx does.
    let encoded = gzip(&raw);
    let part = get(
        &sb,
        WASM,
        &[("range", "bytes=0-9"), ("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(part.status(), 206);
    assert_eq!(header(&part, "content-encoding"), Some("gzip"));
    assert_eq!(part.bytes().await.unwrap().to_vec(), encoded[..10].to_vec());
}
