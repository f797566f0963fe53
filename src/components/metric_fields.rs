//! The fields of the metric form, each with its label, hint and error next to it.

use leptos::prelude::*;
use posthog_groups::validate::FieldErrors;
use posthog_groups::{FilterSource, Filters, MetricDisplay, MetricFormat, MetricMath};

use crate::components::definition_picker::DefinitionPicker;
use crate::components::field::TextField;
use crate::components::filters_editor::FiltersEditor;
use crate::state::filters_edit::chosen_events;
use crate::state::metric_form::{FormValues, INTERVAL_PRESETS};
use crate::state::pickers::Source;

/// One signal per field, so each input updates only what it shows.
#[derive(Clone, Copy)]
pub struct FormSignals {
    /// Name as typed.
    pub name: RwSignal<String>,
    /// Interval as typed.
    pub interval: RwSignal<String>,
    /// Format.
    pub format: RwSignal<MetricFormat>,
    /// Display.
    pub display: RwSignal<MetricDisplay>,
    /// Count or sum.
    pub math: RwSignal<MetricMath>,
    /// Property or column to sum.
    pub property: RwSignal<String>,
    /// Filters, edited in place.
    pub filters: RwSignal<Filters>,
}

impl FormSignals {
    /// Signals holding `v`.
    pub fn new(v: FormValues) -> FormSignals {
        FormSignals {
            name: RwSignal::new(v.name),
            interval: RwSignal::new(v.interval),
            format: RwSignal::new(v.format),
            display: RwSignal::new(v.display),
            math: RwSignal::new(v.math),
            property: RwSignal::new(v.property),
            filters: RwSignal::new(v.filters),
        }
    }

    /// Shows `v`, setting only the fields that differ: an editor keeps its own state (the
    /// raw JSON text, say) unless its value really changed.
    pub fn set_changed(&self, v: FormValues) {
        fn put<T: PartialEq + Send + Sync + 'static>(s: RwSignal<T>, v: T) {
            if s.with_untracked(|old| *old != v) {
                s.set(v);
            }
        }
        put(self.name, v.name);
        put(self.interval, v.interval);
        put(self.format, v.format);
        put(self.display, v.display);
        put(self.math, v.math);
        put(self.property, v.property);
        put(self.filters, v.filters);
    }

    /// The current values (tracked).
    pub fn values(&self) -> FormValues {
        FormValues {
            name: self.name.get(),
            interval: self.interval.get(),
            format: self.format.get(),
            display: self.display.get(),
            math: self.math.get(),
            property: self.property.get(),
            filters: self.filters.get(),
        }
    }
}

/// A `<select>` over an open enum's known values, plus the current value if it is unknown
/// (so an unknown server value is shown and kept, not silently replaced).
fn choice<T: Clone + PartialEq + Send + Sync + 'static>(
    id: &'static str,
    label: &'static str,
    value: RwSignal<T>,
    known: &'static [T],
    text: fn(&T) -> String,
    parse: fn(&str) -> T,
    wire: fn(&T) -> String,
) -> impl IntoView {
    let mut options: Vec<T> = known.to_vec();
    let current = value.get_untracked();
    if !options.contains(&current) {
        options.push(current);
    }
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id on:change=move |ev| value.set(parse(&event_target_value(&ev)))>
                {options.into_iter().map(|o| {
                    let selected = { let o = o.clone(); move || value.get() == o };
                    view! { <option value=wire(&o) selected=selected>{text(&o)}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// Every field of a metric.
#[component]
pub fn MetricFields(
    /// The values being edited.
    form: FormSignals,
    /// Messages by field (`name`, `interval`, `math_property`, `filters`,
    /// `filters.table_name`, …).
    #[prop(into)]
    errors: Signal<FieldErrors>,
    /// The raw-JSON parse error of the filters editor, read by the form before saving.
    raw_error: RwSignal<Option<String>>,
) -> impl IntoView {
    let err = move |key: &'static str| Signal::derive(move || errors.with(|e| e.get(key).cloned()));
    let is_preset = move || {
        INTERVAL_PRESETS
            .iter()
            .any(|p| form.interval.with(|t| t.trim() == p.to_string()))
    };
    let other = RwSignal::new(!is_preset());
    // A memo: the property to sum is drawn again when the source changes, not on every edit
    // of the filters.
    let warehouse = Memo::new(move |_| {
        form.filters
            .with(|f| f.source() == FilterSource::DataWarehouse)
    });
    view! {
        <TextField id="metric-name" label="Name" value=form.name error=err("name")
            hint="Unique within this group type; at most 255 characters." autocomplete="off" />
        <fieldset class="field">
            <legend>"Interval"</legend>
            <p class="hint">"How many days back the metric looks."</p>
            {INTERVAL_PRESETS.into_iter().map(|days| view! {
                <label class="radio">
                    <input type="radio" name="interval" prop:checked=move || !other.get() && form.interval.with(|t| t.trim() == days.to_string())
                        on:change=move |_| { other.set(false); form.interval.set(days.to_string()); } />
                    {format!("{days} days")}
                </label>
            }).collect_view()}
            <label class="radio">
                <input type="radio" name="interval" prop:checked=move || other.get() on:change=move |_| other.set(true) />
                "Other"
            </label>
        </fieldset>
        <Show when=move || other.get() || err("interval").get().is_some()>
            <TextField id="metric-interval" label="Number of days" value=form.interval error=err("interval") input_type="number" />
        </Show>
        {choice("metric-format", "Format", form.format, MetricFormat::KNOWN, |f| match f {
            MetricFormat::Numeric => "Number".into(), MetricFormat::Currency => "Currency".into(), MetricFormat::Other(o) => o.clone(),
        }, MetricFormat::parse, |f| f.as_str().to_owned())}
        {choice("metric-display", "Display", form.display, MetricDisplay::KNOWN, |d| match d {
            MetricDisplay::Number => "Number".into(), MetricDisplay::Sparkline => "Sparkline".into(), MetricDisplay::Other(o) => o.clone(),
        }, MetricDisplay::parse, |d| d.as_str().to_owned())}
        <fieldset class="field">
            <legend>"Calculation"</legend>
            {[(MetricMath::Count, "Count"), (MetricMath::Sum, "Sum")].into_iter().map(|(m, label)| {
                let m2 = m.clone();
                view! {
                    <label class="radio">
                        <input type="radio" name="math" id=format!("metric-math-{}", label.to_lowercase()) prop:checked=move || form.math.get() == m
                            on:change=move |_| form.math.set(m2.clone()) />
                        {label}
                    </label>
                }
            }).collect_view()}
            {move || form.math.with(|m| matches!(m, MetricMath::Other(_))).then(|| view! {
                <p class="hint">{format!("This metric uses “{}”, which this app does not know; it is kept as is.", form.math.get())}</p>
            })}
        </fieldset>
        <Show when=move || form.math.get() != MetricMath::Count>
            // PostHog sums only numbers: the list offers numeric properties (seen with the
            // metric's events first), or the chosen table's columns.
            {move || {
                let source = Memo::new(move |_| form.filters.with(|f| {
                    if f.source() == FilterSource::DataWarehouse {
                        Source::Columns { table: f.str_field("table_name").unwrap_or_default().to_owned() }
                    } else {
                        Source::Properties { events: chosen_events(f), numerical: true }
                    }
                }));
                view! {
                    <div class="field sum-field">
                        <DefinitionPicker id="metric-property".to_owned()
                            label=if warehouse.get() { "Column to sum" } else { "Property to sum" }.to_owned()
                            text=form.property on_input=Callback::new(move |t| form.property.set(t))
                            source=source check_at_start=true error=err("math_property") />
                    </div>
                }
            }}
        </Show>
        <FiltersEditor filters=form.filters error=err("filters") raw_error=raw_error warehouse_errors=errors />
    }
}
