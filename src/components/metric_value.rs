//! One metric's value for the chosen group as PostHog's group page shows it (its
//! `UsageMetricCard`): the value by its format, the change from the previous period, "Last N
//! days" and, for sparklines, the daily bars. Small in a cell of the metrics list; as a card
//! on the metric's page.

use std::sync::Arc;

use leptos::prelude::*;
use posthog_groups::format::{self, Trend};
use posthog_groups::{MetricValue, UsageMetrics};

use crate::components::breakable::breakable;
use crate::components::sparkline::Sparkline;

/// What the values column of the metrics list shows while a group is chosen.
#[derive(Clone, Debug, PartialEq)]
pub struct ValuesColumn {
    /// The column's heading, "Value for Acme Inc".
    pub heading: String,
    /// PostHog's answer for the group; `None` while it loads.
    pub answer: Option<Arc<UsageMetrics>>,
}

/// The cell of metric `id`: its value, or why there is none (loading; PostHog does not
/// compute it for groups).
pub fn value_cell(column: &ValuesColumn, id: &str) -> AnyView {
    let Some(answer) = &column.answer else {
        return view! { <span class="value-loading">"Loading…"</span> }.into_any();
    };
    let Some(v) = answer.of(id) else {
        return view! { <span class="not-computed">"Not computed"</span> }.into_any();
    };
    let raw = v.value.unwrap_or(0.0);
    view! {
        <span class="metric-value" data-value=raw.to_string()>{format::value(&v.format, raw)}</span>
        {change(v)}
        {v.series().map(|(days, labels)| view! {
            <Sparkline name=v.name.clone() values=days.to_vec() labels=labels.map(<[String]>::to_vec) format=v.format.clone() width=96.0 height=20.0 />
        })}
    }
    .into_any()
}

/// The change from the previous period, up or down in words for screen readers as well as
/// by sign and colour; nothing when PostHog has no previous period to compare with.
fn change(v: &MetricValue) -> Option<impl IntoView> {
    let pct = v.change_from_previous_pct?;
    let text = format::change(Some(pct))?;
    let class = match format::trend(pct) {
        Trend::Up => "change up",
        Trend::Down => "change down",
        Trend::Flat => "change flat",
    };
    let window = format::last_days(v.interval).to_lowercase();
    Some(view! {
        <span class=class title=format::comparison(v)>{text}</span>
        <span class="visually-hidden">{format!(" compared with the period before the {window}")}</span>
    })
}

/// PostHog's card for one metric and group: name, big value, sparkline, change and window,
/// and the comparison in words (PostHog's tooltip, here always shown).
#[component]
pub fn UsageCard(
    /// The metric's values for the group.
    value: MetricValue,
    /// Whose values these are, for the card's title.
    group: String,
) -> impl IntoView {
    let raw = value.value.unwrap_or(0.0);
    let series = value.series().map(|(days, labels)| {
        view! {
            <Sparkline name=value.name.clone() values=days.to_vec() labels=labels.map(<[String]>::to_vec) format=value.format.clone() width=240.0 height=40.0 />
        }
    });
    view! {
        <article class="usage-card" aria-labelledby="usage-card-title">
            <h3 id="usage-card-title">{breakable(&value.name)}<span class="visually-hidden">{format!(" for {group}")}</span></h3>
            <p class="usage-card-value" data-value=raw.to_string()>{format::card_value(&value.format, raw)}</p>
            {series}
            <p class="usage-card-foot">
                {change(&value)}
                <span class="usage-card-window">{format::last_days(value.interval)}</span>
            </p>
            <p class="hint">{format::comparison(&value)}</p>
        </article>
    }
}
