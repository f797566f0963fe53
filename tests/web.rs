//! Components mounted in headless Chromium (wasm-bindgen-test): mount, act, tick, assert on
//! the DOM. Run with `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test web`.
#![cfg(target_arch = "wasm32")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use groups_console::components::error_panel::ErrorPanel;
use groups_console::components::group_type_table::GroupTypeTable;
use groups_console::state::rename::Edits;
use leptos::prelude::*;
use posthog_groups::{ApiError, GroupType};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> web_sys::HtmlElement {
    let document = document();
    let div = document.create_element("div").expect("div");
    document
        .body()
        .expect("body")
        .append_child(&div)
        .expect("append");
    div.unchecked_into()
}

fn group_type(index: u32, key: &str, singular: Option<&str>) -> GroupType {
    GroupType {
        group_type: key.into(),
        group_type_index: index,
        name_singular: singular.map(Into::into),
        name_plural: None,
        detail_dashboard: None,
        default_columns: None,
        created_at: Some("2024-02-03T04:05:06Z".into()),
    }
}

fn input(root: &web_sys::HtmlElement, id: &str) -> web_sys::HtmlInputElement {
    root.query_selector(&format!("#{id}"))
        .expect("query")
        .expect("input exists")
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn group_type_table_shows_names_and_defaults() {
    let root = container();
    let list = vec![
        group_type(0, "organization", Some("Organization")),
        group_type(1, "company", None),
    ];
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        view! { <GroupTypeTable group_types=list.clone() /> }
    });
    leptos::task::tick().await;

    let rows = root.query_selector_all("tbody tr").expect("rows");
    assert_eq!(rows.length(), 2);
    assert_eq!(input(&root, "name-0-singular").value(), "Organization");
    let plural = input(&root, "name-1-plural");
    assert_eq!(plural.value(), "", "an unset name is an empty input");
    assert_eq!(
        plural.placeholder(),
        "company(s)",
        "the default is the placeholder"
    );
    assert_eq!(
        plural.get_attribute("aria-label").as_deref(),
        Some("Plural name of company")
    );
    let second = rows
        .item(1)
        .and_then(|n| n.text_content())
        .unwrap_or_default();
    assert!(second.contains("2024-02-03"), "created date: {second}");
}

#[wasm_bindgen_test]
async fn typing_a_name_marks_the_row_and_records_the_edit() {
    let root = container();
    let list = vec![group_type(1, "company", None)];
    let edits = RwSignal::new(Edits::new());
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        view! { <GroupTypeTable group_types=list.clone() edits=edits /> }
    });
    leptos::task::tick().await;
    let row = root
        .query_selector("tbody tr")
        .expect("query")
        .expect("row");
    assert!(!row.class_list().contains("changed"));

    let singular = input(&root, "name-1-singular");
    singular.set_value("Company");
    let event = web_sys::Event::new("input").expect("event");
    singular.dispatch_event(&event).expect("dispatch");
    leptos::task::tick().await;

    assert!(row.class_list().contains("changed"), "row marked changed");
    assert_eq!(
        edits.get_untracked().get(&1).map(|e| e.singular.clone()),
        Some("Company".to_string())
    );
    // Typing the original value back unmarks it.
    singular.set_value("");
    singular.dispatch_event(&event).expect("dispatch");
    leptos::task::tick().await;
    assert!(!row.class_list().contains("changed"));
}

#[wasm_bindgen_test]
async fn group_type_table_renders_markup_in_names_as_text() {
    let root = container();
    let list = vec![group_type(
        0,
        "<b>org</b>",
        Some("<img src=x onerror=alert(1)>"),
    )];
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        view! { <GroupTypeTable group_types=list.clone() /> }
    });
    leptos::task::tick().await;
    assert!(root.query_selector("img").expect("query").is_none());
    assert!(root.query_selector("b").expect("query").is_none());
    assert_eq!(
        input(&root, "name-0-singular").value(),
        "<img src=x onerror=alert(1)>"
    );
    assert!(root
        .text_content()
        .unwrap_or_default()
        .contains("<b>org</b>"));
}

#[wasm_bindgen_test]
async fn error_panel_explains_and_retries() {
    let root = container();
    let retries = Arc::new(AtomicUsize::new(0));
    let counter = retries.clone();
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        let counter = counter.clone();
        view! {
            <ErrorPanel
                error=ApiError::Throttled { retry_after: Some(12) }
                on_retry=move |_| { counter.fetch_add(1, Ordering::SeqCst); }
            />
        }
    });
    leptos::task::tick().await;

    let alert = root
        .query_selector("[role=alert]")
        .expect("query")
        .expect("alert");
    let text = alert.text_content().unwrap_or_default();
    assert!(text.contains("Too many requests"), "{text}");
    assert!(text.contains("12 seconds"), "{text}");
    let button: web_sys::HtmlElement = root
        .query_selector("button")
        .expect("query")
        .expect("retry button")
        .unchecked_into();
    button.click();
    leptos::task::tick().await;
    assert_eq!(retries.load(Ordering::SeqCst), 1);
}
