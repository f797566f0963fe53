//! The values of every metric for one chosen group, shared by the metrics list (a column)
//! and a metric's page (a card): the group from the URL, its name, and one `POST query/` for
//! it — never sent when the key's scopes already refuse it, and never one per metric.

use std::sync::Arc;

use leptos::prelude::*;
use posthog_groups::{ApiError, Connection, GroupRef, GroupType, UsageMetrics};

use crate::api;
use crate::components::error_panel::ErrorPanel;
use crate::components::group_picker::GroupPicker;
use crate::components::metric_value::ValuesColumn;
use crate::state::connection::Session;
use crate::state::url::Target;

/// What the query for the chosen group gave.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// Not sent: the key's scopes refuse it; the text names the scope to add.
    Refused(String),
    /// Sent and refused, or no answer; shown where it happened.
    Failed(ApiError),
    /// PostHog's values.
    Loaded(Arc<UsageMetrics>),
}

/// The chosen group and its values, for one screen.
#[derive(Clone, Copy)]
pub struct GroupValues {
    /// The group the URL names, if any.
    pub group: Memo<Option<GroupRef>>,
    /// Why values cannot be shown with this key, once its scopes are known.
    pub reason: Memo<Option<String>>,
    picked: RwSignal<Option<(GroupRef, String)>>,
    named: LocalResource<Option<(GroupRef, Option<String>)>>,
    answer: LocalResource<Option<(GroupRef, Values)>>,
    retry: RwSignal<u64>,
}

impl GroupValues {
    /// Follows `target`'s group for `conn`: its name (from the combobox when chosen there,
    /// else one search for its key) and its values.
    pub fn new(conn: StoredValue<Connection>, target: Memo<Target>) -> GroupValues {
        let session = Session::expect();
        let group = Memo::new(move |_| target.with(Target::chosen_group));
        let picked = RwSignal::new(None::<(GroupRef, String)>);
        let retry = RwSignal::new(0u64);
        let reason = Memo::new(move |_| {
            session.capabilities.with(|known| {
                known
                    .as_ref()
                    .filter(|(c, _)| conn.try_get_value().is_some_and(|v| *c == v))
                    .and_then(|(_, caps)| caps.values_reason())
            })
        });
        let refused = move |conn: Connection| async move {
            session
                .capabilities_for(&conn, false)
                .await
                .and_then(|caps| caps.values_reason())
        };
        let named = LocalResource::new(move || {
            let g = group.get();
            // Read now, not in the future: it may first run after the screen is gone.
            let picked_now = picked.try_get_untracked().flatten();
            let conn = conn.try_get_value();
            async move {
                let g = g?;
                let conn = conn?;
                let known = picked_now.filter(|(p, _)| *p == g).map(|(_, n)| n);
                if known.is_some() || refused(conn.clone()).await.is_some() {
                    return Some((g, known));
                }
                // The search matches keys too; the exact key is the one.
                let name = api::list_groups(&conn, g.index, &g.key, None)
                    .await
                    .ok()
                    .and_then(|page| {
                        page.results
                            .iter()
                            .find(|x| x.group_key == g.key)
                            .map(|x| x.shown_name().to_owned())
                    });
                Some((g, name))
            }
        });
        let answer = LocalResource::new(move || {
            let g = group.get();
            retry.track();
            let conn = conn.try_get_value();
            async move {
                let g = g?;
                let conn = conn?;
                if let Some(why) = refused(conn.clone()).await {
                    return Some((g, Values::Refused(why)));
                }
                let values = match api::usage_metrics(&conn, &g).await {
                    Ok(answer) => Values::Loaded(Arc::new(answer)),
                    Err(e) => Values::Failed(e),
                };
                Some((g, values))
            }
        });
        GroupValues {
            group,
            reason,
            picked,
            named,
            answer,
            retry,
        }
    }

    /// `None` when no group is chosen; `Some(None)` while its values load.
    pub fn state(&self) -> Option<Option<Values>> {
        let g = self.group.get()?;
        let answer = self.answer.get().flatten();
        Some(answer.filter(|(a, _)| *a == g).map(|(_, v)| v))
    }

    /// What to call the chosen group once known: its name, else its key.
    pub fn known_name(&self) -> Option<String> {
        let g = self.group.get()?;
        let named = self.named.get().flatten().filter(|(a, _)| *a == g)?;
        Some(named.1.unwrap_or(g.key))
    }

    /// What to call the chosen group now: its name when known, else its key.
    pub fn name(&self) -> Option<String> {
        self.known_name()
            .or_else(|| self.group.with(|g| g.as_ref().map(|g| g.key.clone())))
    }

    /// The list's values column while a group is chosen and its values load or have come.
    pub fn column(self) -> Signal<Option<ValuesColumn>> {
        Signal::from(Memo::new(move |_| {
            let heading = format!("Value for {}", self.name()?);
            match self.state()? {
                None => Some(ValuesColumn {
                    heading,
                    answer: None,
                }),
                Some(Values::Loaded(answer)) => Some(ValuesColumn {
                    heading,
                    answer: Some(answer),
                }),
                Some(_) => None,
            }
        }))
    }
}

/// The group choice and what its values' query did, above the list or the card.
#[component]
pub fn GroupValuesBar(
    /// The screen's chosen group and values.
    values: GroupValues,
    /// Whose groups to list.
    connection: StoredValue<Connection>,
    /// The project's group types.
    #[prop(into)]
    group_types: Signal<Vec<GroupType>>,
    /// The group type listed first when no group is chosen (the page's).
    index: u32,
    /// Called with the group chosen, or `None` to show no values; the page puts it in the URL.
    on_choose: Callback<Option<GroupRef>>,
) -> impl IntoView {
    let first = values
        .group
        .with_untracked(|g| g.as_ref().map_or(index, |g| g.index));
    let chosen_name = Signal::derive(move || values.known_name());
    let pick = Callback::new(move |(g, name): (GroupRef, String)| {
        values.picked.set(Some((g.clone(), name)));
        on_choose.run(Some(g));
    });
    let status = move || {
        let name = values.name().unwrap_or_default();
        match values.state() {
            None => view! {
                <p class="hint">"Choose a group to see each metric's value as PostHog shows it on that group's page."</p>
            }
            .into_any(),
            Some(None) => view! {
                <p class="loading">{format!("Loading the values for {name}…")}</p>
            }
            .into_any(),
            Some(Some(Values::Loaded(a))) => view! {
                <p class="hint">
                    {format!("Values for {name}: PostHog computes {} of the project's metrics for it. ", a.results.len())}
                    <button type="button" class="link" on:click=move |_| on_choose.run(None)>"Show no values"</button>
                </p>
            }
            .into_any(),
            Some(Some(Values::Refused(why))) => view! { <p class="warning">{why}</p> }.into_any(),
            Some(Some(Values::Failed(e))) => view! {
                <p class="values-failed">{format!("The values for {name} could not be loaded. The list below is as it was.")}</p>
                <ErrorPanel error=e on_retry=move |_| values.retry.update(|n| *n += 1) />
            }
            .into_any(),
        }
    };
    view! {
        <section class="group-values" aria-labelledby="group-values-title">
            <h2 id="group-values-title">"Values for a group"</h2>
            {move || match values.reason.get() {
                // Known before anything is sent: say which scope to add, and offer nothing
                // that would only be refused.
                Some(why) => view! { <p class="warning" id="values-refused">{why}</p> }.into_any(),
                None => view! {
                    <GroupPicker connection=connection group_types=group_types index=first chosen_name=chosen_name on_choose=pick />
                    // One region that stays mounted, so each new state is announced.
                    <div class="values-status" role="status">{status}</div>
                }
                .into_any(),
            }}
        </section>
    }
}
