//! The compare screen's form: which two sides to compare. Each is this project, another
//! project (on this host or another), or a configuration file; the choice goes into the URL
//! (never a key), so a comparison can be shared as a link.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use posthog_groups::configuration::{parse_file, FileError, ProjectConfig};
use posthog_groups::{Host, ProjectId};

use crate::browser;
use crate::components::field::TextField;
use crate::state::compare::Side;
use crate::state::config::ConfigResource;

/// The file chosen in this tab: its name and what it read as.
pub type ChosenFile = Option<(String, Result<ProjectConfig, FileError>)>;

/// What kind of side a fieldset chose.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    This,
    Other,
    File,
}

/// One side's inputs.
#[derive(Clone, Copy)]
struct SideInputs {
    kind: RwSignal<Kind>,
    project: RwSignal<String>,
    host: RwSignal<String>,
    project_error: RwSignal<Option<String>>,
    host_error: RwSignal<Option<String>>,
}

impl SideInputs {
    fn new(base: &(Host, ProjectId), side: Option<&Side>, default: Kind) -> SideInputs {
        let (kind, project, host) = match side {
            None => (default, String::new(), base.0.to_string()),
            Some(Side::File) => (Kind::File, String::new(), base.0.to_string()),
            Some(Side::Project(h, p)) if (h, p) == (&base.0, &base.1) => {
                (Kind::This, String::new(), base.0.to_string())
            }
            Some(Side::Project(h, p)) => (Kind::Other, p.to_string(), h.to_string()),
        };
        SideInputs {
            kind: RwSignal::new(kind),
            project: RwSignal::new(project),
            host: RwSignal::new(host),
            project_error: RwSignal::new(None),
            host_error: RwSignal::new(None),
        }
    }

    /// The side chosen, or `None` with the errors set next to the fields.
    fn read(&self, base: &(Host, ProjectId), allowed: impl Fn(&Host) -> bool) -> Option<Side> {
        self.project_error.set(None);
        self.host_error.set(None);
        match self.kind.get_untracked() {
            Kind::This => Some(Side::Project(base.0.clone(), base.1.clone())),
            Kind::File => Some(Side::File),
            Kind::Other => {
                let project = ProjectId::parse(&self.project.get_untracked())
                    .map_err(|e| self.project_error.set(Some(e)))
                    .ok();
                let host = match Host::parse(&self.host.get_untracked()) {
                    Ok(h) if allowed(&h) => Some(h),
                    Ok(h) => {
                        self.host_error.set(Some(format!(
                            "This console may not connect to {h} (config.json's allowed_hosts)."
                        )));
                        None
                    }
                    Err(e) => {
                        self.host_error.set(Some(e));
                        None
                    }
                };
                Some(Side::Project(host?, project?))
            }
        }
    }
}

/// The form. `on_compare` gets the two sides once both are valid and differ.
#[component]
pub fn CompareSides(
    /// The connected host and project ("this project").
    base: (Host, ProjectId),
    /// The source the URL names.
    from: Option<Side>,
    /// The target the URL names, if any.
    to: Option<Side>,
    /// The configuration file chosen in this tab, shared with the screen.
    file: RwSignal<ChosenFile>,
    /// Called with (source, target).
    #[prop(into)]
    on_compare: Callback<(Side, Side)>,
) -> impl IntoView {
    let config = ConfigResource::expect();
    let source = SideInputs::new(&base, from.as_ref(), Kind::This);
    let target = SideInputs::new(&base, to.as_ref(), Kind::Other);
    let form_error = RwSignal::new(None::<String>);
    let file_error = RwSignal::new(None::<String>);
    let input = NodeRef::<html::Input>::new();
    let wants_file = move || source.kind.get() == Kind::File || target.kind.get() == Kind::File;
    let on_file = move |_| {
        spawn_local(async move {
            let Some(el) = input.get_untracked() else {
                return;
            };
            match browser::read_chosen_file(&el).await {
                Ok((name, text)) => {
                    file_error.try_set(None);
                    file.try_set(Some((name, parse_file(&text))));
                }
                Err(e) => {
                    file_error.try_set(Some(e));
                }
            }
        });
    };
    let file_problem = move || {
        file_error.get().or_else(|| {
            file.with(|f| match f {
                Some((_, Err(e))) => Some(format!(
                    "This file cannot be used, and nothing was changed. {e}"
                )),
                _ => None,
            })
        })
    };
    let base_for_submit = base.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        let allowed = |h: &Host| {
            config
                .0
                .get_untracked()
                .and_then(Result::ok)
                .unwrap_or_default()
                .allows(Some(h))
        };
        let (s, t) = (
            source.read(&base_for_submit, allowed),
            target.read(&base_for_submit, allowed),
        );
        let (Some(s), Some(t)) = (s, t) else {
            browser::focus_selector_after_render(".compare-sides [aria-invalid='true']");
            return;
        };
        let problem = if s == t {
            Some("Choose two different sides: the source and the target are the same.")
        } else if s == Side::File && t == Side::File {
            Some("Compare a file with a project: one side must be a project.")
        } else if (s == Side::File || t == Side::File)
            && !file.with_untracked(|f| matches!(f, Some((_, Ok(_)))))
        {
            Some("Choose a configuration file that can be read.")
        } else {
            None
        };
        if let Some(p) = problem {
            form_error.set(Some(p.into()));
            browser::focus_id_after_render("compare-form-error");
            return;
        }
        on_compare.run((s, t));
    };
    let this_label = format!("This project ({} on {})", base.1, base.0);
    view! {
        <form class="compare-sides" on:submit=on_submit novalidate=true>
            <SideFieldset legend="Source: the configuration to carry over" name="from" inputs=source this_label=this_label.clone() />
            <SideFieldset legend="Target: the project to bring in line" name="to" inputs=target this_label=this_label />
            <Show when=wants_file>
                <div class="field" class:has-error=move || file_problem().is_some()>
                    <label for="compare-file">"Configuration file (JSON)"</label>
                    <p class="hint" id="compare-file-hint">"A file exported from this console: group types and metrics of a project, as a desired state."</p>
                    <input id="compare-file" type="file" accept=".json,application/json" node_ref=input on:change=on_file
                        aria-describedby="compare-file-hint compare-file-error"
                        aria-invalid=move || file_problem().is_some().then_some("true") />
                    <p class="field-error" id="compare-file-error" role="alert">{file_problem}</p>
                    {move || file.with(|f| match f {
                        Some((name, Ok(c))) => Some(view! {
                            <p class="hint">{format!("{name}: {} group types, {} metrics.", c.group_types.len(), c.metrics.len())}</p>
                        }),
                        _ => None,
                    })}
                </div>
            </Show>
            <p class="field-error" id="compare-form-error" tabindex="-1" role="alert">{move || form_error.get()}</p>
            <div class="form-buttons">
                <button type="submit" class="primary">"Compare"</button>
            </div>
        </form>
    }
}

/// One side's fieldset: the three kinds, and the project's id and host for "another project".
#[component]
fn SideFieldset(
    legend: &'static str,
    name: &'static str,
    inputs: SideInputs,
    this_label: String,
) -> impl IntoView {
    let radio = move |kind: Kind, label: String| {
        view! {
            <label class="checkbox">
                <input type="radio" name=name
                    prop:checked=move || inputs.kind.get() == kind
                    on:change=move |_| inputs.kind.set(kind) />
                {label}
            </label>
        }
    };
    let (project_id, host_id) = match name {
        "from" => ("compare-from-project", "compare-from-host"),
        _ => ("compare-to-project", "compare-to-host"),
    };
    view! {
        <fieldset class="filters-group compare-side">
            <legend>{legend}</legend>
            {radio(Kind::This, this_label)}
            {radio(Kind::Other, "Another project".into())}
            {radio(Kind::File, "A configuration file".into())}
            <Show when=move || inputs.kind.get() == Kind::Other>
                <TextField id=project_id label="Project id" value=inputs.project error=inputs.project_error
                    autocomplete="off" />
                <TextField id=host_id label="Host" value=inputs.host error=inputs.host_error
                    hint="https://us.posthog.com, https://eu.posthog.com or your own PostHog's address." autocomplete="url" />
            </Show>
        </fieldset>
    }
}
