//! The filters editor mounted in headless Chromium: every mode, and raw JSON validated as typed.
#![cfg(target_arch = "wasm32")]
use groups_console::components::filters_editor::FiltersEditor;
use leptos::prelude::*;
use posthog_groups::model::Filters;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
wasm_bindgen_test_configure!(run_in_browser);

fn q<T: JsCast>(root: &web_sys::HtmlElement, sel: &str) -> T {
    root.query_selector(sel)
        .unwrap()
        .unwrap_or_else(|| panic!("{sel}"))
        .unchecked_into()
}
fn fire(el: &web_sys::Element, kind: &str) {
    let i = web_sys::EventInit::new();
    i.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict(kind, &i).unwrap();
    el.dispatch_event(&ev).unwrap();
}
fn type_in(root: &web_sys::HtmlElement, sel: &str, text: &str) {
    let el: web_sys::HtmlElement = q(root, sel);
    js_sys::Reflect::set(&el, &"value".into(), &text.into()).unwrap();
    fire(&el, "input");
}
async fn settle() {
    for _ in 0..5 {
        leptos::task::tick().await;
    }
}
fn val(f: RwSignal<Filters>) -> serde_json::Value {
    serde_json::to_value(f.get_untracked()).unwrap()
}

#[wasm_bindgen_test]
async fn editor_round_trip() {
    let div: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&div).unwrap();
    let f: Filters = serde_json::from_value(json!({
        "events": [{"id": "paid_bill", "name": "paid_bill", "type": "events", "order": 0, "custom_name": "Paid"}],
        "actions": [{"id": 3}], "breakdown": "plan", "filter_test_accounts": false,
        "properties": [{"key": "plan", "value": ["pro"], "operator": "exact", "type": "person", "x": 1}]}))
    .unwrap();
    let filters = RwSignal::new(f);
    let err = RwSignal::new(Some("Unknown source".to_string()));
    let _h = leptos::mount::mount_to(
        div.clone(),
        move || view! { <FiltersEditor filters=filters error=err /> },
    );
    settle().await;
    web_sys::console::log_1(&div.inner_html().into());
    assert_eq!(
        q::<web_sys::HtmlInputElement>(&div, "#filters-events-0").value(),
        "paid_bill"
    );
    assert!(q::<web_sys::HtmlInputElement>(&div, "#filters-source-events").checked());
    assert_eq!(
        q::<web_sys::Element>(&div, "fieldset.filters-editor")
            .get_attribute("aria-describedby")
            .as_deref(),
        Some("filters-error")
    );
    // An action is a row of its own, shown by id until the project's actions name it.
    assert_eq!(
        q::<web_sys::HtmlInputElement>(&div, "#filters-actions-0").value(),
        "3"
    );
    type_in(&div, "#filters-actions-0", "12");
    settle().await;
    assert_eq!(val(filters)["actions"][0], json!({"id": 12}));
    type_in(&div, "#filters-events-0", "refund");
    settle().await;
    assert_eq!(
        val(filters)["events"][0],
        json!({"id": "refund", "name": "refund", "type": "events", "order": 0, "custom_name": "Paid"})
    );
    q::<web_sys::HtmlElement>(&div, "#filters-add-events").click();
    settle().await;
    type_in(&div, "#filters-events-1", "signup");
    settle().await;
    assert_eq!(
        val(filters)["events"][1],
        json!({"id": "signup", "name": "signup", "type": "events", "order": 1})
    );
    let sel: web_sys::HtmlSelectElement = q(&div, "#filters-properties-0-operator");
    assert_eq!(sel.value(), "exact");
    sel.set_value("icontains");
    fire(&sel, "change");
    settle().await;
    assert_eq!(
        val(filters)["properties"][0],
        json!({"key": "plan", "value": "pro", "operator": "icontains", "type": "person", "x": 1})
    );
    let tsel: web_sys::HtmlSelectElement = q(&div, "#filters-properties-0-type");
    assert_eq!(tsel.value(), "person");
    let cb: web_sys::HtmlInputElement = q(&div, ".filters-check input");
    cb.click();
    settle().await;
    assert!(filters.get_untracked().filter_test_accounts());
    let btn: web_sys::HtmlElement = q(&div, "button[aria-label='Remove event 1']");
    btn.click();
    settle().await;
    for _ in 0..5 {
        settle().await;
    }
    web_sys::console::log_1(
        &format!(
            "AFTER TICKS {}",
            q::<web_sys::HtmlInputElement>(&div, "#filters-events-0").value()
        )
        .into(),
    );
    web_sys::console::log_1(
        &format!("AFTER REMOVE {} ||| {}", val(filters), div.inner_html()).into(),
    );
    assert_eq!(
        q::<web_sys::HtmlInputElement>(&div, "#filters-events-0").value(),
        "signup"
    );
    // warehouse
    q::<web_sys::HtmlElement>(&div, "#filters-source-warehouse").click();
    settle().await;
    type_in(&div, "#filters-table_name", "bills");
    settle().await;
    let v = val(filters);
    assert_eq!(v["source"], json!("data_warehouse"));
    assert_eq!(v["table_name"], json!("bills"));
    assert_eq!(v["breakdown"], json!("plan"));
    q::<web_sys::HtmlElement>(&div, "#filters-source-events").click();
    settle().await;
    let v = val(filters);
    assert!(v.get("source").is_none());
    assert_eq!(v["table_name"], json!("bills"));
    // raw
    q::<web_sys::HtmlElement>(&div, "#filters-source-raw").click();
    settle().await;
    let ta: web_sys::HtmlTextAreaElement = q(&div, "#filters-raw");
    assert!(ta.value().contains("\"breakdown\": \"plan\""));
    let before = filters.get_untracked();
    type_in(&div, "#filters-raw", "{\"a\": ");
    settle().await;
    assert_eq!(filters.get_untracked(), before);
    assert_eq!(ta.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(div.text_content().unwrap().contains("Not valid JSON"));
    assert_eq!(ta.value(), "{\"a\": ");
    type_in(&div, "#filters-raw", "[1]");
    settle().await;
    assert!(div
        .text_content()
        .unwrap()
        .contains("Filters must be a JSON object"));
    type_in(
        &div,
        "#filters-raw",
        "{ \"z\" : 1,\n \"source\": \"hogql\" }",
    );
    settle().await;
    assert_eq!(val(filters), json!({"z": 1, "source": "hogql"}));
    assert_eq!(ta.value(), "{ \"z\" : 1,\n \"source\": \"hogql\" }");
    assert_eq!(ta.get_attribute("aria-invalid"), None);
    filters.set(serde_json::from_value(json!({"y": 2})).unwrap());
    settle().await;
    assert!(ta.value().contains("\"y\": 2"), "{}", ta.value());
    type_in(&div, "#filters-raw", "nope");
    settle().await;
    q::<web_sys::HtmlElement>(&div, "#filters-source-warehouse").click();
    settle().await;
    assert_eq!(val(filters), json!({"y": 2, "source": "data_warehouse"}));
    web_sys::console::log_1(&div.inner_html().into());
}

#[wasm_bindgen_test]
async fn unknown_operator_and_is_set() {
    let div: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&div).unwrap();
    let f: Filters = serde_json::from_value(json!({
        "source": "events",
        "properties": [{"key": "plan", "value": "^p", "operator": "regex", "type": "cohort"}]}))
    .unwrap();
    let filters = RwSignal::new(f);
    let _h = leptos::mount::mount_to(
        div.clone(),
        move || view! { <FiltersEditor filters=filters error=Signal::derive(|| None::<String>) /> },
    );
    settle().await;
    let sel: web_sys::HtmlSelectElement = q(&div, "#filters-properties-0-operator");
    assert_eq!(sel.value(), "regex");
    let tsel: web_sys::HtmlSelectElement = q(&div, "#filters-properties-0-type");
    assert_eq!(tsel.value(), "cohort");
    assert_eq!(
        q::<web_sys::Element>(&div, "fieldset.filters-editor").get_attribute("aria-describedby"),
        None
    );
    sel.set_value("is_set");
    fire(&sel, "change");
    settle().await;
    assert!(q::<web_sys::HtmlInputElement>(&div, "#filters-properties-0-value").disabled());
    assert_eq!(val(filters)["properties"][0]["value"], json!("^p"));
    // round trip through warehouse keeps the explicit "events"
    q::<web_sys::HtmlElement>(&div, "#filters-source-warehouse").click();
    settle().await;
    q::<web_sys::HtmlElement>(&div, "#filters-source-events").click();
    settle().await;
    assert_eq!(val(filters)["source"], json!("events"));
    assert_eq!(
        val(filters).as_object().unwrap().keys().next().unwrap(),
        "source"
    );
}

#[wasm_bindgen_test]
async fn a_warehouse_message_sits_under_its_input_or_on_top_when_the_inputs_are_hidden() {
    let div: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&div).unwrap();
    let f: Filters =
        serde_json::from_value(json!({"source": "data_warehouse", "table_name": "nope"})).unwrap();
    let filters = RwSignal::new(f);
    let errors = RwSignal::new(posthog_groups::validate::FieldErrors::new());
    errors.update(|e| {
        e.insert(
            "filters.table_name",
            "Data warehouse table 'nope' does not exist.".into(),
        );
    });
    let _h = leptos::mount::mount_to(div.clone(), move || {
        view! { <FiltersEditor filters=filters error=Signal::derive(|| None::<String>) warehouse_errors=errors /> }
    });
    settle().await;
    let table: web_sys::HtmlInputElement = q(&div, "#filters-table_name");
    assert_eq!(table.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        table.get_attribute("aria-describedby").as_deref(),
        Some("filters-table_name-error")
    );
    assert_eq!(
        q::<web_sys::Element>(&div, "#filters-table_name-error")
            .text_content()
            .as_deref(),
        Some("Data warehouse table 'nope' does not exist.")
    );
    assert_eq!(
        q::<web_sys::Element>(&div, "#filters-error")
            .text_content()
            .as_deref(),
        Some(""),
        "not repeated on top"
    );
    let key: web_sys::HtmlInputElement = q(&div, "#filters-key_field");
    assert_eq!(key.get_attribute("aria-invalid"), None);
    // As raw JSON the input is gone: the message moves on top of the editor.
    q::<web_sys::HtmlElement>(&div, "#filters-source-raw").click();
    settle().await;
    assert_eq!(
        q::<web_sys::Element>(&div, "#filters-error")
            .text_content()
            .as_deref(),
        Some("Data warehouse table 'nope' does not exist.")
    );
    assert_eq!(
        q::<web_sys::Element>(&div, "fieldset.filters-editor")
            .get_attribute("aria-describedby")
            .as_deref(),
        Some("filters-error")
    );
}
