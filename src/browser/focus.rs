//! Where focus and scroll land when the route changes, so a keyboard or screen-reader user
//! is never left on `<body>` (WCAG 2.4.3):
//! - a new page focuses its `h1` (`tabindex=-1`), unless an action focused the control it
//!   is about (the field with an error, a delete's Undo): that one keeps it;
//! - Back and Forward put back the scroll position and focus the link that was followed
//!   from that address;
//! - whenever the focused element is removed (a loading heading replaced by the real one, a
//!   row that went away), focus goes to the page's `h1` instead of falling to `<body>`.
//!
//! It watches the DOM rather than each page asking, because headings and rows arrive with
//! their data, at times no page knows in advance.

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// How long after a route change its focus may still be placed (a slow read or chunk).
const PATIENCE_MS: f64 = 15_000.0;

/// What an address was like when it was left: scroll position, and the link that was
/// followed (or had focus when Back or Forward was pressed).
#[derive(Clone)]
struct Left {
    /// `window.scrollY`.
    y: f64,
    /// The link: its `href` attribute as written, and which of the links with that `href`
    /// it was in document order (a list's pagers above and below have the same Next).
    link: Option<(String, usize)>,
}

impl Left {
    /// The page as it is now, with `link` the one being followed (else the focused one).
    fn now(link: Option<web_sys::Element>) -> Left {
        let link = link.or_else(|| {
            document()
                .active_element()
                .and_then(|a| a.closest("a[href]").ok().flatten())
        });
        let link = link.and_then(|link| {
            let href = link.get_attribute("href")?;
            let nth = links_to(&href)
                .iter()
                .position(|l| l.is_same_node(Some(&link)))
                .unwrap_or(0);
            Some((href, nth))
        });
        Left {
            y: window().scroll_y().unwrap_or(0.0),
            link,
        }
    }
}

/// Where focus should go once the page's content is there.
#[derive(Clone)]
enum Pending {
    None,
    /// A new page: its `h1`, unless something in it took focus since `before` had it.
    Heading {
        until: f64,
        before: Option<web_sys::Element>,
    },
    /// Back or Forward to an address seen before: its link, and its scroll position.
    Restore {
        left: Left,
        until: f64,
    },
}

struct State {
    /// By address (path and query): what it was like when it was left.
    left: HashMap<String, Left>,
    /// The address shown now (`location` has already changed when `popstate` fires).
    current: String,
    pending: Pending,
    /// Set by `popstate`, read by the next route change.
    by_history: bool,
    /// The element that last had focus, to tell "focus was removed" from "clicked nowhere".
    last_focused: Option<web_sys::Element>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State {
        left: HashMap::new(),
        current: String::new(),
        pending: Pending::None,
        by_history: false,
        last_focused: None,
    });
}

fn now() -> f64 {
    super::now_ms()
}

fn address() -> String {
    let location = window().location();
    format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    )
}

/// Installs the listeners, once, before the router: the link-click record must run before
/// the router's own click handler navigates away.
pub fn install() {
    if let Ok(history) = window().history() {
        // The content comes back after the address does; the browser's own restore would
        // scroll an empty page.
        let _ = history.set_scroll_restoration(web_sys::ScrollRestoration::Manual);
    }
    STATE.with(|s| s.borrow_mut().current = address());
    let click = Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
        let link = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("a[href]").ok().flatten());
        if link.is_some() {
            let left = Left::now(link);
            STATE.with(|s| s.borrow_mut().left.insert(address(), left));
        }
    });
    let _ = document().add_event_listener_with_callback_and_bool(
        "click",
        click.as_ref().unchecked_ref(),
        true,
    );
    click.forget();
    // Before the router's own listener (installed later): the old page is still shown.
    let popstate = Closure::<dyn Fn()>::new(|| {
        let left = Left::now(None);
        STATE.with(|s| {
            let mut s = s.borrow_mut();
            let current = s.current.clone();
            s.left.insert(current, left);
            s.by_history = true;
        })
    });
    let _ =
        window().add_event_listener_with_callback("popstate", popstate.as_ref().unchecked_ref());
    popstate.forget();
    let focusin = Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
        let el = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        STATE.with(|s| s.borrow_mut().last_focused = el);
    });
    let _ =
        document().add_event_listener_with_callback("focusin", focusin.as_ref().unchecked_ref());
    focusin.forget();
    let settle = Closure::<dyn Fn(wasm_bindgen::JsValue, wasm_bindgen::JsValue)>::new(
        |_: wasm_bindgen::JsValue, _: wasm_bindgen::JsValue| settle(),
    );
    if let (Some(body), Ok(observer)) = (
        document().body(),
        web_sys::MutationObserver::new(settle.as_ref().unchecked_ref()),
    ) {
        let options = web_sys::MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        let _ = observer.observe_with_options(&body, &options);
    }
    settle.forget();
}

/// Tells the module the route changed; `new_page` is false when only the query changed
/// (paging, a filter), where focus stays with the control that changed it.
pub fn route_changed(new_page: bool) {
    let until = now() + PATIENCE_MS;
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let by_history = std::mem::take(&mut s.by_history);
        s.current = address();
        s.pending = match (by_history, s.left.get(&s.current).cloned()) {
            (true, Some(left)) => Pending::Restore { left, until },
            _ if new_page => Pending::Heading {
                until,
                before: document().active_element(),
            },
            _ => Pending::None,
        };
    });
    // After the new page's first render, not against the old page's DOM.
    set_timeout(settle, std::time::Duration::ZERO);
}

/// The page's heading, made focusable from script only.
fn heading() -> Option<web_sys::HtmlElement> {
    let h1 = document().query_selector("main h1").ok().flatten()?;
    if !h1.has_attribute("tabindex") {
        let _ = h1.set_attribute("tabindex", "-1");
    }
    h1.dyn_into().ok()
}

fn focus_quietly(el: &web_sys::HtmlElement) {
    let options = web_sys::FocusOptions::new();
    options.set_prevent_scroll(true);
    let _ = el.focus_with_options(&options);
}

/// True when focus is nowhere useful: on `<body>`, or on nothing.
fn focus_lost() -> bool {
    match document().active_element() {
        None => true,
        Some(active) => document()
            .body()
            .is_some_and(|body| body.is_same_node(Some(&active))),
    }
}

/// The links on the page whose `href` is exactly `href`, in document order.
fn links_to(href: &str) -> Vec<web_sys::HtmlElement> {
    let Ok(all) = document().query_selector_all("a[href]") else {
        return Vec::new();
    };
    (0..all.length())
        .filter_map(|i| all.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|el| el.get_attribute("href").as_deref() == Some(href))
        .collect()
}

/// The link that was followed from an address, once the page shows it again.
fn link_left((href, nth): &(String, usize)) -> Option<web_sys::HtmlElement> {
    let mut found = links_to(href);
    if *nth < found.len() {
        Some(found.swap_remove(*nth))
    } else {
        found.into_iter().next()
    }
}

/// Places focus as the pending route change or a removed element asks, when it can.
fn settle() {
    let pending = STATE.with(|s| s.borrow().pending.clone());
    match pending {
        Pending::Restore { left, until } => {
            let link = left.link.as_ref().and_then(link_left);
            if now() > until {
                STATE.with(|s| s.borrow_mut().pending = Pending::None);
            } else if let Some(link) = link {
                STATE.with(|s| s.borrow_mut().pending = Pending::None);
                window().scroll_to_with_x_and_y(0.0, left.y);
                focus_quietly(&link);
                return;
            } else if let (None, Some(h1)) = (&left.link, heading()) {
                // No link had focus there: the heading, at the old scroll position.
                STATE.with(|s| s.borrow_mut().pending = Pending::None);
                focus_quietly(&h1);
                window().scroll_to_with_x_and_y(0.0, left.y);
                return;
            } else if focus_lost() {
                // Meanwhile the heading, so focus is somewhere while the list loads.
                if let Some(h1) = heading() {
                    focus_quietly(&h1);
                }
            }
        }
        Pending::Heading { until, before } => {
            let active = document().active_element();
            // Something took focus since the route changed (the field an action is about,
            // the Undo of a delete): that is where the user is meant to be.
            let placed = active.as_ref().is_some_and(|a| {
                !focus_lost() && before.as_ref().is_none_or(|b| !b.is_same_node(Some(a)))
            });
            if now() > until || placed {
                // Too late, or an action focused the field it is about: leave it there.
                STATE.with(|s| s.borrow_mut().pending = Pending::None);
            } else if let Some(h1) = heading() {
                STATE.with(|s| s.borrow_mut().pending = Pending::None);
                let _ = h1.focus();
                return;
            }
        }
        Pending::None => {}
    }
    // The focused element was removed (not a click on nothing): the heading takes it.
    let removed = STATE.with(|s| {
        s.borrow()
            .last_focused
            .as_ref()
            .is_some_and(|el| !el.is_connected())
    });
    if removed && focus_lost() {
        if let Some(h1) = heading() {
            let _ = h1.focus();
        }
    }
}
