//! Labelled inputs shared by the tools: a number box and a select, each reporting the raw
//! text so the caller parses it into its URL state.

use leptos::prelude::*;

/// A number input that commits valid values as the user types (invalid text stays in the box
/// and changes nothing).
#[component]
pub fn NumberField(
    id: &'static str,
    label: &'static str,
    #[prop(into)] value: Signal<String>,
    on_value: Callback<String>,
    #[prop(optional)] step: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type="number"
                inputmode="decimal"
                step=step.unwrap_or("any")
                placeholder=placeholder.unwrap_or("")
                title=hint.unwrap_or("")
                prop:value=move || value.get()
                on:input=move |ev| on_value.run(event_target_value(&ev))
            />
        </div>
    }
}

/// A select over `(id, label)` options.
#[component]
pub fn SelectField(
    id: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    #[prop(into)] value: Signal<String>,
    on_value: Callback<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id on:change=move |ev| on_value.run(event_target_value(&ev)) prop:value=move || value.get()>
                {options
                    .into_iter()
                    .map(|(v, l)| {
                        let v2 = v.clone();
                        view! { <option value=v selected=move || value.get() == v2>{l}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
