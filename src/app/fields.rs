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

/// A select over a fixed list of `(id, value)` choices (the URL ids of an enum), reporting the
/// chosen value; `label_of` gives friendlier option text than the id.
#[component]
pub fn ChoiceField<T>(
    id: &'static str,
    label: &'static str,
    choices: &'static [(&'static str, T)],
    #[prop(into)] value: Signal<T>,
    on_value: Callback<T>,
    #[prop(optional)] label_of: Option<fn(T) -> &'static str>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let options = choices
        .iter()
        .map(|(id, t)| (id.to_string(), label_of.map_or(*id, |f| f(*t)).to_string()))
        .collect();
    let current = Signal::derive(move || {
        let v = value.get();
        choices
            .iter()
            .find(|(_, t)| *t == v)
            .map(|(id, _)| id.to_string())
            .unwrap_or_default()
    });
    let chosen = Callback::new(move |s: String| {
        if let Some((_, t)) = choices.iter().find(|(id, _)| *id == s) {
            on_value.run(*t);
        }
    });
    view! { <SelectField id=id label=label options=options value=current on_value=chosen /> }
}
