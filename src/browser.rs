//! Browser APIs used by the app, wrapped once here so pages never call `web_sys` directly.

/// The page's own origin (`http://127.0.0.1:8000`), used for the local sandbox preset:
/// the sandbox serves the app and the API from one origin. `None` outside a page.
pub fn page_origin() -> Option<String> {
    web_sys::window()?.location().origin().ok()
}
