//! Unknown paths.

use leptos::prelude::*;
use leptos_meta::Title;

/// Shown for a path that is not a tool.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <Title text="Not found · InferLab" />
        <section class="page">
            <h1>"Page not found"</h1>
            <p class="muted">"This address is not one of InferLab's tools. Pick one above."</p>
        </section>
    }
}
