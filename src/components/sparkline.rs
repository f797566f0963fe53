//! A metric's daily values as a small bar chart, as PostHog's card draws them. For the
//! keyboard and a screen reader it is a slider over the days (the ARIA Authoring Practices'
//! pattern for reading values with the arrow keys, Home and End): named after the metric, its
//! value text the summary (first, last, lowest and highest day) until a day is chosen, then
//! that day's value. Pointing at a bar shows the same day.

use leptos::prelude::*;
use posthog_groups::sparkline::{day_text, describe, geometry};
use posthog_groups::MetricFormat;
use wasm_bindgen::JsCast;

/// The chart and the line that tells the day pointed at.
#[component]
pub fn Sparkline(
    /// The metric's name, in the chart's accessible name (a page has one chart per metric).
    name: String,
    /// One value per day, oldest first.
    values: Vec<f64>,
    /// The days (ISO dates), when the server sent them.
    labels: Option<Vec<String>>,
    /// How the values are written (number or currency).
    format: MetricFormat,
    /// Width in CSS pixels.
    width: f64,
    /// Height in CSS pixels.
    height: f64,
) -> impl IntoView {
    let label = describe(&values, labels.as_deref(), &format);
    let shape = geometry(&values, width, height);
    let count = values.len();
    let day = RwSignal::new(None::<usize>);
    let data = StoredValue::new((values, labels, format));
    let said = move || {
        day.get()
            .and_then(|i| data.with_value(|(v, l, f)| day_text(v, l.as_deref(), i, f)))
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let next = match ev.key().as_str() {
            "ArrowRight" | "ArrowUp" => day.get().map_or(count.saturating_sub(1), |i| {
                (i + 1).min(count.saturating_sub(1))
            }),
            "ArrowLeft" | "ArrowDown" => day
                .get()
                .map_or(count.saturating_sub(1), |i| i.saturating_sub(1)),
            "Home" => 0,
            "End" => count.saturating_sub(1),
            _ => return,
        };
        ev.prevent_default();
        if count > 0 {
            day.set(Some(next));
        }
    };
    // The bar under the pointer, from where it is across the chart as drawn.
    let on_move = move |ev: leptos::ev::MouseEvent| {
        let Some(el) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let drawn = f64::from(el.client_width());
        if drawn > 0.0 && count > 0 {
            let i = (f64::from(ev.offset_x()) / drawn * count as f64).floor();
            day.set(Some((i.max(0.0) as usize).min(count - 1)));
        }
    };
    let bars = shape
        .bars
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            // A day at zero still shows a sliver on the baseline, so the days can be counted.
            let (y, h) = if b.height < 1.0 {
                ((shape.baseline - 1.0).max(0.0), 1.0)
            } else {
                (b.y, b.height)
            };
            view! {
                <rect
                    x=format!("{:.2}", b.x)
                    y=format!("{y:.2}")
                    width=format!("{:.2}", b.width)
                    height=format!("{h:.2}")
                    class:active=move || day.get() == Some(i)
                />
            }
        })
        .collect_view();
    if count == 0 {
        return view! {
            <span class="sparkline">
                <svg role="img" aria-label=format!("{name}: {label}") width=width.to_string() height=height.to_string() viewBox=format!("0 0 {width} {height}")></svg>
            </span>
        }
        .into_any();
    }
    let summary = label.clone();
    view! {
        <span class="sparkline">
            <svg
                role="slider"
                aria-label=format!("Daily values of {name}")
                aria-valuemin="1"
                aria-valuemax=count.to_string()
                aria-valuenow=move || day.get().map_or(count, |i| i + 1).to_string()
                aria-valuetext=move || said().unwrap_or_else(|| summary.clone())
                tabindex="0"
                width=width.to_string()
                height=height.to_string()
                viewBox=format!("0 0 {width} {height}")
                on:keydown=on_key
                // Focus starts on the latest day, the one the value ends with.
                on:focus=move |_| { if day.get_untracked().is_none() && count > 0 { day.set(Some(count - 1)) } }
                on:blur=move |_| day.set(None)
                on:mousemove=on_move
                on:mouseleave=move |_| day.set(None)
            >
                <line class="baseline" x1="0" x2=width.to_string() y1=format!("{:.2}", shape.baseline) y2=format!("{:.2}", shape.baseline) />
                {bars}
            </svg>
            // Seen, not announced again: the slider's value text already says it.
            <span class="sparkline-day" aria-hidden="true">{said}</span>
        </span>
    }
    .into_any()
}
