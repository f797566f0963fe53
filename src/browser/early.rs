//! The reads the start-up script in `index.html` sent ahead, while the wasm was still on its
//! way: `window.groupsConsoleEarly` holds `config` (config.json's answer) and, when a key is
//! kept for the host in the URL, `host` and `reads` (answers by request URL). Each is handed
//! over once. The script never puts the key there.

use wasm_bindgen::{JsCast, JsValue};

const GLOBAL: &str = "groupsConsoleEarly";

/// A request the start-up script sent ahead.
pub struct EarlyRead(js_sys::Promise);

impl EarlyRead {
    /// Its status and body, or `None` when it got no answer (network failure, abort) or the
    /// script's answer has an unexpected shape.
    pub async fn answer(self) -> Option<(u16, String)> {
        let value = wasm_bindgen_futures::JsFuture::from(self.0).await.ok()?;
        let pair = value.dyn_into::<js_sys::Array>().ok()?;
        let status = pair.get(0).as_f64()?;
        let body = pair.get(1).as_string()?;
        (100.0..600.0)
            .contains(&status)
            .then_some((status as u16, body))
    }
}

fn global() -> Option<js_sys::Object> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &JsValue::from_str(GLOBAL))
        .ok()?
        .dyn_into::<js_sys::Object>()
        .ok()
}

fn take(from: &js_sys::Object, name: &str) -> Option<EarlyRead> {
    let name = JsValue::from_str(name);
    let value = js_sys::Reflect::get(from, &name).ok()?;
    let _ = js_sys::Reflect::delete_property(from, &name);
    value.dyn_into::<js_sys::Promise>().ok().map(EarlyRead)
}

/// The host the script sent reads to (the kept key's, when it matched the URL's).
pub fn reads_host() -> Option<String> {
    js_sys::Reflect::get(&global()?.into(), &JsValue::from_str("host"))
        .ok()?
        .as_string()
}

/// The read the script sent ahead for `url`, taken: a second call gets `None`.
pub fn take_read(url: &str) -> Option<EarlyRead> {
    let reads = js_sys::Reflect::get(&global()?.into(), &JsValue::from_str("reads"))
        .ok()?
        .dyn_into::<js_sys::Object>()
        .ok()?;
    take(&reads, url)
}

/// config.json as the script fetched it (the preloaded request), taken.
pub fn take_config() -> Option<EarlyRead> {
    take(&global()?, "config")
}

/// Drops the reads sent ahead: they are not for the credential the app uses.
pub fn drop_reads() {
    if let Some(g) = global() {
        let _ = js_sys::Reflect::delete_property(&g, &JsValue::from_str("reads"));
        let _ = js_sys::Reflect::delete_property(&g, &JsValue::from_str("host"));
    }
}
