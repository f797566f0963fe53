//! Importing metrics from a JSON file into the project, filed under index 0 as PostHog's own
//! screens file them (so its settings list them): a preview first (nothing is created
//! until the user presses Import), then one create request per metric, in order, so one
//! failure is reported and the rest still go through.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use posthog_groups::project_metrics::SETTINGS_INDEX;

use crate::api;
use crate::browser;
use crate::components::dialog::Modal;
use crate::components::embed_bridge::Embed;
use crate::components::error_panel::ErrorPanel;
use crate::state::connection::Connection;
use crate::state::embed::Change;
use crate::state::project_list;
use crate::state::transfer::{preview, ImportItem, ImportPreview};

/// Progress and outcome of one import.
#[derive(Clone, Debug, Default, PartialEq)]
struct Run {
    total: usize,
    done: usize,
    created: usize,
    /// Name and message of each metric the server refused.
    failures: Vec<(String, String)>,
    finished: bool,
}

/// The import dialog.
#[component]
pub fn ImportMetricsDialog(
    /// Where the metrics go.
    connection: Connection,
    /// Called on Close or Escape (refused while an import runs).
    #[prop(into)]
    on_close: Callback<()>,
) -> impl IntoView {
    // Read here, in the component: contexts are not reachable from a click handler.
    let embed = Embed::expect();
    let conn = StoredValue::new(connection);
    let index = SETTINGS_INDEX;
    let input = NodeRef::<html::Input>::new();
    // The chosen file's text.
    let file = RwSignal::new(None::<String>);
    let read_error = RwSignal::new(None::<String>);
    let malformed =
        Memo::new(move |_| file.with(|t| t.as_deref().and_then(|t| preview(t, []).err())));
    let file_problem = move || read_error.get().or_else(|| malformed.get());
    let on_file = move |_| {
        spawn_local(async move {
            let Some(el) = input.get_untracked() else {
                return;
            };
            let (text, problem) = match browser::read_chosen_file(&el).await {
                Ok((_, text)) => (Some(text), None),
                Err(e) => (None, Some(e)),
            };
            read_error.try_set(problem);
            file.try_set(text);
        });
    };
    // Reads only (the names of every metric of the project: one of the same name under any
    // index would show twice on each page); nothing is created here.
    let previewed = LocalResource::new(move || {
        let text = file.get();
        async move {
            let text = text.filter(|t| preview(t, []).is_ok())?;
            let shown = text.clone();
            // The text was checked above, so only the names can make this fail.
            let result = project_list::read(&conn.get_value())
                .await
                .map(|(_, list)| {
                    preview(&text, list.iter().map(|f| f.metric.name.as_str())).unwrap_or_default()
                });
            Some((shown, result))
        }
    });
    // The resource keeps its last value while it reads again: a preview is used only for
    // the file it was made from.
    let current = Memo::new(move |_| match previewed.get().flatten() {
        Some((text, result)) if file.with(|f| f.as_ref() == Some(&text)) => Some(result),
        _ => None,
    });
    let ready = Memo::new(move |_| current.get().and_then(Result::ok));
    let run = RwSignal::new(None::<Run>);
    let running = move || run.with(|r| r.as_ref().is_some_and(|r| !r.finished));
    let to_create = move || ready.with(|p| p.as_ref().map_or(0, |p| p.counts().0));
    let on_import = move |_| {
        let Some(drafts) = ready.get_untracked().map(|p| p.to_create()) else {
            return;
        };
        if drafts.is_empty() || run.with_untracked(Option::is_some) {
            return;
        }
        let connection = conn.get_value();
        run.set(Some(Run {
            total: drafts.len(),
            ..Run::default()
        }));
        // The Import button goes as the run starts: its progress line takes the focus.
        browser::focus_id_after_render("import-status");
        // Sequential on purpose: the server's duplicate check is not atomic, and a failure
        // must not stop the rest. `try_` because the page may have gone meanwhile.
        spawn_local(async move {
            // The lists read again once, after the run, if a create may have changed them.
            let _batch = api::read::batch();
            for draft in drafts {
                let result = api::create_metric(&connection, index, &draft).await;
                if let Ok(m) = &result {
                    embed.emit(Change::MetricCreated {
                        index,
                        id: m.id.clone(),
                        name: m.name.clone(),
                    });
                }
                run.try_update(|r| {
                    if let Some(r) = r {
                        r.done += 1;
                        match result {
                            Ok(_) => r.created += 1,
                            Err(e) => r.failures.push((draft.name.clone(), e.to_string())),
                        }
                    }
                });
            }
            run.try_update(|r| r.iter_mut().for_each(|r| r.finished = true));
        });
    };
    let started = Memo::new(move |_| run.with(Option::is_some));
    let close = move || {
        if !running() {
            on_close.run(());
        }
    };

    view! {
        <Modal title_id="import-metrics-title" title="Import metrics" on_close=Callback::new(move |_| close())>
            <div class="field" class:has-error=move || file_problem().is_some()>
                <label for="import-file">"Metrics file (JSON)"</label>
                <input id="import-file" type="file" accept=".json,application/json" node_ref=input on:change=on_file
                    disabled=started aria-describedby="import-file-error" />
                <p class="field-error" id="import-file-error" role="alert">{file_problem}</p>
            </div>
            <p class="hint">"New metrics are filed under index 0, where PostHog's settings list them. A name any metric of the project already has is skipped: each page would show it twice."</p>
            {move || match (started.get(), current.get()) {
                (true, _) => view! { <RunReport run=run /> }.into_any(),
                (false, Some(Ok(p))) => view! { <PreviewLists preview=p /> }.into_any(),
                (false, Some(Err(e))) => view! { <ErrorPanel error=e on_retry=move |_| previewed.refetch() /> }.into_any(),
                (false, None) if file.with(Option::is_some) && malformed.with(Option::is_none) =>
                    view! { <p role="status">"Checking the names in this project…"</p> }.into_any(),
                (false, None) => ().into_any(),
            }}
            <div class="dialog-buttons">
                {move || running().then_some(view! { <p class="hint" id="import-close-why">"Close is available when the import has ended."</p> })}
                <button type="button" on:click=move |_| close() disabled=running aria-describedby="import-close-why">"Close"</button>
                <Show when=move || !started.get()>
                    <button type="button" class="primary" on:click=on_import disabled=move || to_create() == 0>
                        {move || match to_create() { 1 => "Import 1 metric".to_owned(), n => format!("Import {n} metrics") }}
                    </button>
                </Show>
            </div>
        </Modal>
    }
}

/// What the file will do: counts, then the three lists (each shown when it has entries).
#[component]
fn PreviewLists(preview: ImportPreview) -> impl IntoView {
    let (c, s, i) = preview.counts();
    let (mut create, mut skip, mut invalid) = (Vec::new(), Vec::new(), Vec::new());
    for item in preview.items {
        match item {
            ImportItem::Create(d) => create.push(d.name),
            ImportItem::Skip { name, reason } => skip.push(format!("{name} — {reason}")),
            ImportItem::Invalid {
                position,
                name,
                reason,
            } => invalid.push(match name.filter(|n| !n.is_empty()) {
                Some(n) => format!("Item {position} “{n}” — {reason}"),
                None => format!("Item {position} — {reason}"),
            }),
        }
    }
    let section = |title: &'static str, lines: Vec<String>| {
        (!lines.is_empty()).then(|| {
            view! {
                <h3>{title}</h3>
                <ul>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
            }
        })
    };
    view! {
        <div class="import-preview">
            <p role="status"><strong>{format!("{c} to create, {s} skipped, {i} invalid")}</strong></p>
            {section("Will be created", create)}
            {section("Skipped", skip)}
            {section("Invalid", invalid)}
        </div>
    }
}

/// The progress bar while the import runs, then the outcome with each failure's message.
/// Reads the run reactively, so the live region stays in place and is announced.
#[component]
fn RunReport(run: RwSignal<Option<Run>>) -> impl IntoView {
    let get = move || run.get().unwrap_or_default();
    view! {
        <div class="import-run">
            <label for="import-progress">"Import progress"</label>
            <progress id="import-progress" max=move || get().total value=move || get().done></progress>
            <p role="status" id="import-status" tabindex="-1">
                {move || {
                    let r = get();
                    if r.finished {
                        format!("Created {}; failed {}", r.created, r.failures.len())
                    } else {
                        format!("Created {} of {}", r.done, r.total)
                    }
                }}
            </p>
            <ul class="import-failures">
                {move || get().failures.into_iter().map(|(name, message)| view! { <li><strong>{name}</strong>": "{message}</li> }).collect_view()}
            </ul>
        </div>
    }
}
