//! The screens a cold load of the group types page does not show, loaded when first
//! needed: the metric screens, the connection page (a kept key never shows it) and the
//! sign-in callback. With the `split` feature (the Trunk build sets it), each
//! loader below is a split point: `scripts/split.mjs` moves what only these screens use into
//! a chunk of its own, fetched the first time one of them is opened. Without the feature
//! (component tests, `cargo check`) the loaders return their view at once.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

use leptos::prelude::*;

use crate::api;
use crate::components::delete_group_type::DeleteGroupTypeDialog;
use crate::components::error_panel::ProblemPanel;
use crate::components::rename_bar::ReviewDialog;
use crate::state::connection::{use_connection, use_metric_route};

use crate::pages::oauth_callback::OAuthCallbackPage;
use crate::pages::{
    compare::ComparePage, connect::ConnectPage, metric::MetricPage, metric_form::MetricFormPage,
    project_metrics::ProjectMetricsPage,
};

/// A screen's code could not be fetched (offline, or the deploy replaced the files).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkError;

#[cfg(feature = "split")]
impl From<leptos::wasm_split::SplitLoaderError> for ChunkError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkError
    }
}

/// Builds a screen's view; it lives in the chunk, so it can be called once that is loaded.
pub type Build = fn() -> AnyView;

/// A screen's code on its way.
type Loading = Pin<Box<dyn Future<Output = Result<Build, ChunkError>>>>;

/// The reads a screen starts with, which the main module sends while the screen's code is
/// on its way (a deep link then costs about the longer of the two, not their sum).
#[derive(Clone, Copy)]
enum Reads {
    /// Nothing to read ahead (the connection page, the sign-in callback).
    None,
    /// The project's metrics list.
    ProjectList,
    /// A metric's page.
    Metric,
    /// A metric's form (a new metric reads nothing ahead).
    MetricForm,
}

/// One lazily loaded screen: how to load it, its builder once loaded, and what it reads
/// first.
pub struct Screen {
    load: fn() -> Loading,
    ready: OnceLock<Build>,
    reads: Reads,
}

/// Declares a split point giving a component's builder in chunk `$chunk`. The metrics list,
/// a metric's page and the metric form each have one: a deep link to the list does not wait
/// for the form and its filters editor and pickers, nor a deep link to a metric for either
/// (the pickers alone weigh about 128 kB raw). The code they share is further pieces,
/// fetched beside whichever needs them. The sign-in round trip (its start and its callback) has
/// its own, which most visits never load.
macro_rules! split_screen {
    ($chunk:ident, $name:ident, $component:ident $(, $option:meta)?) => {
        #[cfg_attr(
            feature = "split",
            leptos::wasm_split::wasm_split(
                $chunk,
                wasm_split_path = ::leptos::wasm_split,
                fallible
                $(, $option)?
            )
        )]
        fn $name() -> Result<Build, ChunkError> {
            Ok(|| view! { <$component /> }.into_any())
        }
    };
}

split_screen!(
    metric_list,
    project_metrics_view,
    ProjectMetricsPage,
    preload(preload_metric_list)
);
split_screen!(
    metric_detail,
    metric_view,
    MetricPage,
    preload(preload_metric_detail)
);
split_screen!(
    metric_form,
    metric_form_view,
    MetricFormPage,
    preload(preload_metric_form)
);
split_screen!(sign_in, oauth_callback_view, OAuthCallbackPage);
// Its own chunk: comparing projects is rare next to managing one.
split_screen!(compare, compare_view, ComparePage);
// Its own chunk: shown to a new user (fetched at once, right after the main module) or on
// the way to another project, never on the way into one whose key is kept.
split_screen!(connect, connect_view, ConnectPage);

/// Calls a split point's function: with the `split` feature it is async (it fetches its
/// chunk first), without it the function itself.
macro_rules! from_chunk {
    ($split_point:ident) => {{
        #[cfg(feature = "split")]
        {
            $split_point().await
        }
        #[cfg(not(feature = "split"))]
        {
            $split_point()
        }
    }};
}

/// What the group type delete dialog is given.
pub struct DeleteDialogArgs {
    /// The group type to delete.
    pub group_type: posthog_groups::GroupType,
    /// Where to send the request.
    pub connection: crate::state::connection::Connection,
    /// How many group types the project has now.
    pub used_slots: usize,
    /// Called with the index once the server has deleted it.
    pub on_deleted: Callback<u32>,
    /// Called when the user cancels.
    pub on_close: Callback<()>,
}

/// Builds the delete dialog; it lives in the metrics list's chunk (it moves metrics, and
/// that chunk is preloaded once the group types are on screen), so the first view of the
/// group types does not carry it.
pub type BuildDeleteDialog = fn(DeleteDialogArgs) -> AnyView;

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(metric_list, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn delete_dialog_builder() -> Result<BuildDeleteDialog, ChunkError> {
    Ok(|a| {
        view! {
            <DeleteGroupTypeDialog
                group_type=a.group_type
                connection=a.connection
                used_slots=a.used_slots
                on_deleted=a.on_deleted
                on_close=a.on_close
            />
        }
        .into_any()
    })
}

/// The delete dialog's builder, once its code is here; `Err` when it could not be fetched.
pub async fn delete_dialog() -> Result<BuildDeleteDialog, ChunkError> {
    from_chunk!(delete_dialog_builder)
}

/// What the rename review dialog is given.
pub struct ReviewDialogArgs {
    /// The changes to show.
    pub changes: Vec<crate::state::rename::Change>,
    /// Sends them.
    pub on_save: Callback<()>,
    /// Back to editing.
    pub on_close: Callback<()>,
}

/// Builds the rename review dialog; it lives in the metrics list's chunk (preloaded once the
/// group types are on screen): most visits never review a rename, so the first view does
/// not carry it.
pub type BuildReviewDialog = fn(ReviewDialogArgs) -> AnyView;

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(metric_list, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn review_dialog_builder() -> Result<BuildReviewDialog, ChunkError> {
    Ok(|a| {
        view! { <ReviewDialog changes=a.changes on_save=a.on_save on_close=a.on_close /> }
            .into_any()
    })
}

/// The review dialog's builder, once its code is here; `Err` when it could not be fetched.
pub async fn review_dialog() -> Result<BuildReviewDialog, ChunkError> {
    from_chunk!(review_dialog_builder)
}

/// A piece of a chunk (a dialog's builder) fetched the first time `wanted` turns true, and
/// again after a failure: `None` while it comes. On a failure `failed` runs (to put the
/// page back as it was and say why) and the result holds the error.
pub fn on_demand<T, F>(
    wanted: impl Fn() -> bool + 'static,
    load: fn() -> F,
    failed: impl Fn() + Copy + 'static,
) -> RwSignal<Option<Result<T, ChunkError>>>
where
    T: Copy + Send + Sync + 'static,
    F: Future<Output = Result<T, ChunkError>> + 'static,
{
    let held = RwSignal::new(None::<Result<T, ChunkError>>);
    Effect::new(move |_| {
        if wanted() && !matches!(held.get_untracked(), Some(Ok(_))) {
            held.set(None);
            leptos::task::spawn_local(async move {
                let loaded = load().await;
                if loaded.is_err() {
                    failed();
                }
                let _ = held.try_set(Some(loaded));
            });
        }
    });
    held
}

pub use crate::state::sign_in::StartSignIn;

/// The sign-in's start, fetched with its chunk when the user first presses the button.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(sign_in, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn sign_in_starter() -> Result<StartSignIn, ChunkError> {
    Ok(|host, project, oauth, kept| {
        Box::pin(async move { crate::state::sign_in::start(&host, &project, &oauth, kept).await })
    })
}

/// The sign-in's start, once its code is here; `Err` when it could not be fetched.
pub async fn start_sign_in() -> Result<StartSignIn, ChunkError> {
    from_chunk!(sign_in_starter)
}

#[cfg(feature = "split")]
macro_rules! screen {
    ($name:ident, $reads:expr) => {
        Screen {
            load: || Box::pin($name()),
            ready: OnceLock::new(),
            reads: $reads,
        }
    };
}
#[cfg(not(feature = "split"))]
macro_rules! screen {
    ($name:ident, $reads:expr) => {
        Screen {
            load: || Box::pin(std::future::ready($name())),
            ready: OnceLock::new(),
            reads: $reads,
        }
    };
}

/// `/metrics`: the project's one list.
pub static PROJECT_METRICS: Screen = screen!(project_metrics_view, Reads::ProjectList);
/// `/metrics/:id`.
pub static METRIC: Screen = screen!(metric_view, Reads::Metric);
/// `/metrics/new` and `/metrics/:id/edit`.
pub static METRIC_FORM: Screen = screen!(metric_form_view, Reads::MetricForm);
/// `/compare`: a configuration beside another, the plan and its apply.
pub static COMPARE: Screen = screen!(compare_view, Reads::None);
/// `/`: the connection page.
pub static CONNECT: Screen = screen!(connect_view, Reads::None);
/// The sign-in callback (`oauth/callback`, or the redirect path `config.json` names).
pub static OAUTH_CALLBACK: Screen = screen!(oauth_callback_view, Reads::None);

/// Sends `reads` for the route shown while `waiting` (the screen's code is on its way), as
/// soon as the key held is for its host (a kept key is taken up once config.json has
/// arrived): the screen, once its code is here, joins them in flight or takes their answers.
fn read_ahead(reads: Reads, waiting: impl Fn() -> bool + 'static) {
    if matches!(reads, Reads::None) {
        return;
    }
    let (_, connection) = use_connection();
    let route = use_metric_route();
    Effect::new(move |sent: Option<bool>| {
        if sent == Some(true) || !waiting() {
            return true;
        }
        let Some(conn) = connection.get() else {
            return false;
        };
        match (reads, route.get_untracked()) {
            (Reads::ProjectList, _) => api::prefetch_project_list(&conn),
            (Reads::Metric, (Some(index), Some(id))) => {
                api::prefetch_metric(&conn, index, &id, false)
            }
            (Reads::MetricForm, (Some(index), Some(id))) => {
                api::prefetch_metric(&conn, index, &id, true)
            }
            _ => {}
        }
        true
    });
}

/// Fetches the metric screens' three chunks in the background, the list's first, so that
/// opening one does not wait for it; called once the group types are on screen (their rows
/// link to the metrics). It waits until that view has painted and the browser is idle, so it
/// never competes with the first view, and it is skipped on a metered or slow connection (the
/// screen then fetches its code when opened). A failure here is not shown: the screen that
/// needs the code tries again and says so.
pub fn preload() {
    #[cfg(feature = "split")]
    crate::browser::after_paint_when_idle(|| {
        if !crate::browser::connection_is_constrained() {
            leptos::task::spawn_local(async {
                let _ = preload_metric_list().await;
                let _ = preload_metric_detail().await;
                let _ = preload_metric_form().await;
            });
        }
    });
}

/// Where a lazily loaded screen is.
#[derive(Clone, Copy)]
enum State {
    Loading,
    Ready(Build),
    Failed,
}

/// Shows a lazily loaded screen: at once when its code is here, else a loading line while it
/// arrives; if it cannot be fetched, the app's error panel, which tries again on request,
/// every few seconds and when the device is back online. No `<Suspense>`: the screen's own
/// reads must not suspend this.
#[component]
pub fn LazyScreen(
    /// The screen to show.
    screen: &'static Screen,
) -> impl IntoView {
    let state = RwSignal::new(
        screen
            .ready
            .get()
            .map_or(State::Loading, |b| State::Ready(*b)),
    );
    let fetch = move || {
        state.set(State::Loading);
        leptos::task::spawn_local(async move {
            let next = match (screen.load)().await {
                Ok(build) => State::Ready(*screen.ready.get_or_init(|| build)),
                Err(ChunkError) => State::Failed,
            };
            // The view may be gone by now (the user went elsewhere).
            let _ = state.try_set(next);
        });
    };
    if matches!(state.get_untracked(), State::Loading) {
        fetch();
        read_ahead(screen.reads, move || {
            matches!(state.get_untracked(), State::Loading)
        });
    }
    move || {
        match state.get() {
        State::Loading => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
        State::Ready(build) => {
            // When the screen's code is here and it starts building: the benchmark's render
            // figure starts here when the screen's first answer came before its code.
            crate::browser::performance_mark("groups-console:screen-build");
            untrack(build)
        }
        State::Failed => view! {
            <ProblemPanel
                title="This screen could not be loaded"
                text="Its code did not arrive from the server the app is served from. Check the connection (or reload if the app was just updated), then try again.".to_string()
                transient=true
                on_retry=Some(Callback::new(move |()| fetch()))
            />
        }
        .into_any(),
    }
    }
}
