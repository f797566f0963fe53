//! Browser APIs used by the app, wrapped once here so pages never call `web_sys` directly.
//! Every wrapper degrades quietly (storage blocked in a sandboxed iframe, no clipboard)
//! instead of failing, because none of them is essential to the task at hand.

pub mod early;
pub mod focus;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Which Web Storage area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageArea {
    /// `sessionStorage`: this tab only.
    Session,
    /// `localStorage`: this device, until cleared.
    Local,
}

fn storage(area: StorageArea) -> Option<web_sys::Storage> {
    let w = web_sys::window()?;
    match area {
        StorageArea::Session => w.session_storage().ok().flatten(),
        StorageArea::Local => w.local_storage().ok().flatten(),
    }
}

/// Reads a stored value.
pub fn storage_get(area: StorageArea, name: &str) -> Option<String> {
    storage(area)?.get_item(name).ok().flatten()
}

/// Stores a value; false when storage is unavailable or full.
pub fn storage_set(area: StorageArea, name: &str, value: &str) -> bool {
    storage(area).is_some_and(|s| s.set_item(name, value).is_ok())
}

/// Removes a stored value.
pub fn storage_remove(area: StorageArea, name: &str) {
    if let Some(s) = storage(area) {
        let _ = s.remove_item(name);
    }
}

/// The page's own origin (`http://127.0.0.1:8000`), used for the local sandbox preset:
/// the sandbox serves the app and the API from one origin. `None` outside a page.
pub fn page_origin() -> Option<String> {
    web_sys::window()?.location().origin().ok()
}

/// The path of the document's base URI (`/console/` under `<base href="/console/">`),
/// which is where the app is served from.
pub fn base_path() -> String {
    let base = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_default();
    // Only the path: strip "scheme://authority" and any query or fragment.
    let after_scheme = base.split_once("://").map_or(base.as_str(), |(_, r)| r);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let path = path.split(['?', '#']).next().unwrap_or("/");
    // A base URI of a page without <base> is the page itself: keep its folder.
    match path.rfind('/') {
        Some(i) => path[..=i].to_owned(),
        None => "/".to_owned(),
    }
}

/// A link target inside the app: `path` under the router base. Plain `<a href>` with it is
/// enough: the router handles clicks on any anchor under its base, and leptos_router's `<A>`
/// costs more to render and keeps a subscription to the router per link after its view is
/// gone (measured: about 90 bytes per link per visit), so only the header, which lives as
/// long as the app, uses `<A>`.
pub fn app_link(path: &str) -> String {
    format!("{}{path}", router_base(&base_path()))
}

/// Asks a yes/no question with the browser's own dialog; false if it cannot be shown.
pub fn confirm(message: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(message).ok())
        .unwrap_or(false)
}

/// Copies text to the clipboard; false when the browser refuses.
pub async fn copy_text(text: &str) -> bool {
    let Some(w) = web_sys::window() else {
        return false;
    };
    let promise = w.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// Offers `text` as a file download named `filename`.
pub fn download_text(filename: &str, text: &str) -> bool {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return false;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return false;
    };
    let done = document()
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        .map(|a| {
            a.set_href(&url);
            a.set_download(filename);
            a.click();
        })
        .is_some();
    let _ = web_sys::Url::revoke_object_url(&url);
    done
}

/// The text of the first file chosen in a file input; an error says why it could not be read.
pub async fn read_chosen_file(
    input: &web_sys::HtmlInputElement,
) -> Result<(String, String), String> {
    let file = input
        .files()
        .and_then(|files| files.get(0))
        .ok_or("Choose a file first.")?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .map_err(|_| "The file could not be read.".to_string())?;
    Ok((file.name(), text.as_string().unwrap_or_default()))
}

/// Runs `f` when the page is hidden (tab switched, window minimised) or being unloaded.
pub fn on_page_hidden(f: impl Fn() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let f = std::rc::Rc::new(f);
    let g = f.clone();
    let visibility = Closure::<dyn Fn()>::new(move || {
        if document().visibility_state() == web_sys::VisibilityState::Hidden {
            g();
        }
    });
    let pagehide = Closure::<dyn Fn()>::new(move || f());
    let _ = document()
        .add_event_listener_with_callback("visibilitychange", visibility.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback("pagehide", pagehide.as_ref().unchecked_ref());
    visibility.forget();
    pagehide.forget();
}

/// True when the browser says the connection is metered or slow (`navigator.connection`:
/// Save-Data on, or an effective type of 3g or worse). False where it says nothing, as
/// Firefox and Safari do not.
pub fn connection_is_constrained() -> bool {
    let get = |target: &wasm_bindgen::JsValue, name: &str| {
        js_sys::Reflect::get(target, &wasm_bindgen::JsValue::from_str(name)).ok()
    };
    let Some(connection) = web_sys::window()
        .and_then(|w| get(&w.navigator(), "connection"))
        .filter(|c| c.is_object())
    else {
        return false;
    };
    let save_data = get(&connection, "saveData")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let kind = get(&connection, "effectiveType")
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    save_data || matches!(kind.as_str(), "slow-2g" | "2g" | "3g")
}

/// Runs `f` once the page has painted and then the browser is idle: after the next frame
/// (`requestAnimationFrame`, then a task, which runs after that frame's paint), in
/// `requestIdleCallback` (at most 2 s later), or after a short wait where that is missing.
pub fn after_paint_when_idle(f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let frame = Closure::once_into_js(move || {
        set_timeout(
            move || {
                let Some(window) = web_sys::window() else {
                    return;
                };
                let idle = js_sys::Reflect::get(&window, &"requestIdleCallback".into())
                    .ok()
                    .and_then(|v| v.dyn_into::<js_sys::Function>().ok());
                match idle {
                    Some(idle) => {
                        let options = js_sys::Object::new();
                        let _ = js_sys::Reflect::set(&options, &"timeout".into(), &2000.into());
                        let _ = idle.call2(&window, &Closure::once_into_js(f), &options);
                    }
                    None => set_timeout(f, std::time::Duration::from_millis(200)),
                }
            },
            std::time::Duration::ZERO,
        );
    });
    let _ = window.request_animation_frame(frame.unchecked_ref());
}

/// True when `ev` was fired at the element listening for it, not bubbled up from inside.
pub fn is_own_event(ev: &web_sys::Event) -> bool {
    match (ev.target(), ev.current_target()) {
        (Some(target), Some(current)) => target == current,
        _ => true,
    }
}

/// True when the element `ev` was fired at (a scrolled list) shows its last pixels.
pub fn scrolled_to_end(ev: &web_sys::Event) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| el.scroll_top() + el.client_height() + 24 >= el.scroll_height())
}

/// The clock, in milliseconds since 1970 (`Date.now()`).
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Stamps `name` on the page's performance timeline, where a profiler or the benchmark
/// (`bench/bench.mjs`) can read it; nothing where the browser has no `performance.mark`.
pub fn performance_mark(name: &str) {
    let Ok(perf) = js_sys::Reflect::get(&js_sys::global(), &"performance".into()) else {
        return;
    };
    let Ok(mark) = js_sys::Reflect::get(&perf, &"mark".into()) else {
        return;
    };
    if let Some(mark) = mark.dyn_ref::<js_sys::Function>() {
        let _ = mark.call1(&perf, &name.into());
    }
}

/// Moves keyboard focus to the element with this id, if it exists.
pub fn focus_id(id: &str) {
    if let Some(el) = document().get_element_by_id(id) {
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    }
}

/// Moves focus to the element with this id once the current updates have rendered (after
/// a dialog's own focus restore and a list re-render that may remove the old target). The
/// id may be built at run time (a row's).
pub fn focus_id_after_render(id: impl Into<String>) {
    let id = id.into();
    set_timeout(move || focus_id(&id), std::time::Duration::ZERO);
}

/// Once the current updates have rendered, focuses the first element `selector` matches.
pub fn focus_selector_after_render(selector: &'static str) {
    set_timeout(
        move || {
            if let Some(el) = document()
                .query_selector(selector)
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        },
        std::time::Duration::ZERO,
    );
}

/// Like [`focus_id_after_render`], for the first of `ids` that is on the page then (the
/// control a message is about may be shown in another form, such as raw JSON).
pub fn focus_first_after_render(ids: &'static [&'static str]) {
    set_timeout(
        move || {
            if let Some(id) = ids
                .iter()
                .find(|id| document().get_element_by_id(id).is_some())
            {
                focus_id(id);
            }
        },
        std::time::Duration::ZERO,
    );
}

/// Once the current updates have rendered, scrolls the element with this id into view and,
/// when a sticky bar (`.sticky-bar`) holds the window's bottom, above that bar: a panel that
/// appears above the "unsaved changes" bar must not sit under it.
pub fn reveal_after_render(id: &'static str) {
    set_timeout(
        move || {
            let Some(el) = document().get_element_by_id(id) else {
                return;
            };
            let Some(window) = web_sys::window() else {
                return;
            };
            let bar_top = document()
                .query_selector(".sticky-bar")
                .ok()
                .flatten()
                .map(|bar| bar.get_bounding_client_rect().top());
            let view_bottom = window
                .inner_height()
                .ok()
                .and_then(|h| h.as_f64())
                .unwrap_or(0.0);
            let limit = bar_top.unwrap_or(view_bottom).min(view_bottom) - 8.0;
            let rect = el.get_bounding_client_rect();
            // Down until its bottom clears the bar, but never so far that its top goes out.
            let by = (rect.bottom() - limit).min(rect.top() - 8.0);
            if by > 0.0 || rect.top() < 0.0 {
                window.scroll_by_with_x_and_y(
                    0.0,
                    if rect.top() < 0.0 {
                        rect.top() - 8.0
                    } else {
                        by
                    },
                );
            }
        },
        std::time::Duration::ZERO,
    );
}

/// The element that has focus now, to give focus back to it later (after a dialog).
pub fn focused_element() -> Option<web_sys::HtmlElement> {
    document()
        .active_element()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
}

/// Guards unsaved work for the life of the app: while `dirty` is true, reloading or closing
/// the tab asks the browser's "leave site?" question, and following an in-app link or going
/// back asks `question` first. `unload_only` work (deletes waiting for their undo) survives
/// in-app navigation, so it asks only before the page itself goes. Installed once at the
/// root, before the router.
pub fn install_leave_guard(dirty: Signal<bool>, unload_only: Signal<bool>, question: &'static str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let before_unload = Closure::<dyn Fn(web_sys::BeforeUnloadEvent)>::new(
        move |ev: web_sys::BeforeUnloadEvent| {
            if dirty.get_untracked() || unload_only.get_untracked() {
                ev.prevent_default();
                ev.set_return_value(question);
            }
        },
    );
    // Capture phase on window runs before the router's own click handler, so a refused
    // navigation never reaches it.
    let click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
        if !dirty.get_untracked() || ev.default_prevented() || ev.button() != 0 {
            return;
        }
        let link = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("a[href]").ok().flatten());
        let Some(link) = link else { return };
        if link.get_attribute("target").is_some_and(|t| t == "_blank")
            || link.has_attribute("download")
        {
            return;
        }
        if !confirm(question) {
            ev.prevent_default();
            ev.stop_propagation();
        }
    });
    let _ = window
        .add_event_listener_with_callback("beforeunload", before_unload.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback_and_bool(
        "click",
        click.as_ref().unchecked_ref(),
        true,
    );
    // Back/forward cannot be cancelled, so a refused one is undone: this capture listener
    // runs before the router's, hides the event from it, and steps forward again (the one
    // popstate that step causes is hidden too). Assumes the step was "back", by far the usual.
    let restoring = std::rc::Rc::new(std::cell::Cell::new(false));
    let popstate = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
        if restoring.replace(false) {
            ev.stop_immediate_propagation();
            return;
        }
        if dirty.get_untracked() && !confirm(question) {
            ev.stop_immediate_propagation();
            restoring.set(true);
            if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = history.go_with_delta(1);
            }
        }
    });
    let _ = window.add_event_listener_with_callback_and_bool(
        "popstate",
        popstate.as_ref().unchecked_ref(),
        true,
    );
    // The app lives as long as the page: the listeners are never removed.
    before_unload.forget();
    click.forget();
    popstate.forget();
}

/// A query parameter of the page's current URL, read directly (the router's query map is
/// not available outside routes).
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// Marks the document for the compact embedded layout (`:root[data-embed]` in the CSS).
pub fn set_embedded_layout() {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-embed", "");
    }
}

/// The router base for a document whose base URI has this path: `/console/` gives
/// `/console`, `/` gives the empty string.
pub fn router_base(base_path: &str) -> String {
    base_path.trim_end_matches('/').to_owned()
}

/// Applies a theme: `data-theme` on `<html>` (`mode`, none to follow the system) and the
/// accent custom properties (`accent`: colour and its text colour), set through the CSSOM
/// (allowed under a CSP without 'unsafe-inline' styles).
pub fn apply_theme(mode: Option<&str>, accent: Option<(&str, &str)>) {
    let Some(root) = document()
        .document_element()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    match mode {
        Some(mode) => {
            let _ = root.set_attribute("data-theme", mode);
        }
        None => {
            let _ = root.remove_attribute("data-theme");
        }
    }
    let style = root.style();
    match accent {
        Some((color, text)) => {
            let _ = style.set_property("--gc-accent", color);
            let _ = style.set_property("--gc-focus", color);
            let _ = style.set_property("--gc-accent-text", text);
        }
        None => {
            for p in ["--gc-accent", "--gc-focus", "--gc-accent-text"] {
                let _ = style.remove_property(p);
            }
        }
    }
}

/// True when the app runs inside a frame.
pub fn in_frame() -> bool {
    let Some(w) = web_sys::window() else {
        return false;
    };
    match (w.parent(), w.top()) {
        (Ok(Some(parent)), _) => parent != w,
        _ => false,
    }
}

/// The embedding page's origin: `location.ancestorOrigins[0]` where the browser has it,
/// else the referrer's origin. Only ever compared against the configured allow-list.
pub fn parent_origin() -> Option<String> {
    let w = web_sys::window()?;
    let from_ancestors = js_sys::Reflect::get(&w.location(), &"ancestorOrigins".into())
        .ok()
        .and_then(|list| js_sys::Reflect::get(&list, &0.into()).ok())
        .and_then(|o| o.as_string());
    from_ancestors.or_else(|| {
        let referrer = document().referrer();
        web_sys::Url::new(&referrer).ok().map(|u| u.origin())
    })
}

/// Posts a JSON message to the parent page, to exactly `origin` (never `*`).
pub fn post_to_parent(message: &serde_json::Value, origin: &str) {
    use serde::Serialize;
    let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else {
        return;
    };
    // JSON-compatible: plain objects, not Maps, so the parent reads `data.type`.
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    if let Ok(value) = message.serialize(&serializer) {
        let _ = parent.post_message(&value, origin);
    }
}

/// Calls `f(origin, data)` for every message the window receives.
pub fn on_message(f: impl Fn(String, serde_json::Value) + 'static) {
    let Some(w) = web_sys::window() else {
        return;
    };
    let listener =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            // Anything that is not plain JSON data is ignored.
            if let Ok(data) = serde_wasm_bindgen::from_value::<serde_json::Value>(ev.data()) {
                f(ev.origin(), data);
            }
        });
    let _ = w.add_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
    listener.forget();
}

/// This page's own name, made once and kept on `window` (one value for the page, whichever
/// module of a split build asks): it tells a page's own messages on a BroadcastChannel from
/// other tabs' (a channel also delivers to the page's other channel objects).
pub fn page_id() -> String {
    const KEY: &str = "__groupsConsolePageId";
    let Some(w) = web_sys::window() else {
        return String::new();
    };
    let key = wasm_bindgen::JsValue::from_str(KEY);
    if let Some(id) = js_sys::Reflect::get(&w, &key)
        .ok()
        .and_then(|v| v.as_string())
    {
        return id;
    }
    let id = uuid::Uuid::new_v4().to_string();
    let _ = js_sys::Reflect::set(&w, &key, &wasm_bindgen::JsValue::from_str(&id));
    id
}

/// Posts the text `message` on the BroadcastChannel `channel`, to every other tab and frame
/// of this origin (not to this page itself). Nothing happens where the browser has none.
pub fn broadcast(channel: &str, message: &str) {
    if let Ok(ch) = web_sys::BroadcastChannel::new(channel) {
        let _ = ch.post_message(&wasm_bindgen::JsValue::from_str(message));
        ch.close();
    }
}

/// Calls `f(text)` for every text message another tab or frame of this origin posts on the
/// BroadcastChannel `channel`, for the life of the page.
pub fn on_broadcast(channel: &str, f: impl Fn(String) + 'static) {
    let Ok(ch) = web_sys::BroadcastChannel::new(channel) else {
        return;
    };
    let listener =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            if let Some(text) = ev.data().as_string() {
                f(text);
            }
        });
    ch.set_onmessage(Some(listener.as_ref().unchecked_ref()));
    listener.forget();
    // The channel must outlive this call or it stops listening.
    std::mem::forget(ch);
}

/// Calls `f(height)` with the content's height in CSS pixels now and whenever it changes.
pub fn observe_height(f: impl Fn(u32) + 'static) {
    // The body's height is the content's; the root's never shrinks below the frame's.
    let Some(root) = document().body() else {
        return;
    };
    let last = std::rc::Rc::new(std::cell::Cell::new(0u32));
    let measure = {
        let root = root.clone();
        move || {
            let h = u32::try_from(root.scroll_height()).unwrap_or(0);
            if h != last.replace(h) {
                f(h);
            }
        }
    };
    measure();
    let callback = Closure::<dyn Fn()>::new(measure);
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(&root);
    }
    callback.forget();
}

/// Waits `duration` (a timer, not a busy loop); returns at once outside a page.
pub async fn sleep(duration: std::time::Duration) {
    let ms = i32::try_from(duration.as_millis()).unwrap_or(i32::MAX);
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let scheduled = web_sys::window().is_some_and(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
                .is_ok()
        });
        if !scheduled {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

thread_local! {
    // URIs this page's CSP refused, as the browser reported them.
    static BLOCKED: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Starts recording the page's Content-Security-Policy refusals (call once, at start).
pub fn watch_policy_violations() {
    let listener = Closure::<dyn Fn(web_sys::SecurityPolicyViolationEvent)>::new(
        |ev: web_sys::SecurityPolicyViolationEvent| {
            let uri = ev.blocked_uri();
            BLOCKED.with(|b| {
                let mut b = b.borrow_mut();
                if b.len() < 100 && !b.contains(&uri) {
                    b.push(uri);
                }
            });
        },
    );
    let _ = document().add_event_listener_with_callback(
        "securitypolicyviolation",
        listener.as_ref().unchecked_ref(),
    );
    listener.forget();
}

/// Keeps `document.title` naming the page and its subject, as the screen shows them: the
/// page's `h1`, the main navigation's current section, then `app` ("Paid bills · Usage
/// metrics · Groups console"). It follows the DOM rather than each page setting it, so a
/// heading that arrives with its data (a metric's name) retitles the page too.
pub fn title_follows_heading(app: &'static str) {
    let Some(body) = document().body() else {
        return;
    };
    let update = Closure::<dyn Fn(wasm_bindgen::JsValue, wasm_bindgen::JsValue)>::new(
        move |_: wasm_bindgen::JsValue, _: wasm_bindgen::JsValue| {
            let title = page_title(app);
            if document().title() != title {
                document().set_title(&title);
            }
        },
    );
    if let Ok(observer) = web_sys::MutationObserver::new(update.as_ref().unchecked_ref()) {
        let options = web_sys::MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        options.set_character_data(true);
        let _ = observer.observe_with_options(&body, &options);
    }
    update.forget();
}

/// "h1 · section · app", each part once, whitespace squeezed.
fn page_title(app: &str) -> String {
    let text = |selector: &str| {
        document()
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|el| el.text_content())
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty())
    };
    let mut parts: Vec<String> = Vec::new();
    for part in [
        text("main h1"),
        text("nav[aria-label=\"Main\"] a[aria-current=\"page\"]"),
        Some(app.to_owned()),
    ]
    .into_iter()
    .flatten()
    {
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    parts.join(" · ")
}

/// True when the page's policy refused a request to `origin` (or a URL under it).
pub fn blocked_by_policy(origin: &str) -> bool {
    BLOCKED.with(|b| {
        b.borrow()
            .iter()
            .any(|uri| uri == origin || uri.starts_with(&format!("{origin}/")))
    })
}

/// Whether the browser says it has a network (`navigator.onLine`); true when it cannot tell.
pub fn is_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Sends the browser to the sign-in's consent page (a full page load). The one navigation
/// that leaves the app, so it takes only an [`AuthorizeUrl`], which the core builds after
/// checking it is on the chosen host: no `javascript:`, `data:` or foreign address.
pub fn go_to_sign_in(url: &posthog_groups::oauth::AuthorizeUrl) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(url.as_str());
    }
}

/// Drops the query and fragment from the address bar without a page load or a history
/// entry: the sign-in callback's code and state leave the address at once.
pub fn drop_query() {
    let Some(w) = web_sys::window() else {
        return;
    };
    let (Ok(path), Ok(history)) = (w.location().pathname(), w.history()) else {
        return;
    };
    let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
}

/// The page URL's query string, without the `?`.
pub fn query_string() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .map(|s| s.trim_start_matches('?').to_owned())
        .unwrap_or_default()
}
