//! Light/dark theme: follows `prefers-color-scheme` until the user picks one, which is
//! remembered. The choice is applied as `html[data-theme]` (index.html applies a remembered
//! one before the first paint).

use leptos::prelude::*;

use crate::browser::storage;

const KEY: &str = "inferlab.theme";

fn system_prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

fn apply(theme: &str) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", theme);
    }
}

/// A button that switches between light and dark and remembers the choice.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let initial_dark = match storage::get(KEY).as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => system_prefers_dark(),
    };
    let dark = RwSignal::new(initial_dark);
    let toggle = move |_| {
        let next = !dark.get_untracked();
        dark.set(next);
        let name = if next { "dark" } else { "light" };
        apply(name);
        storage::set(KEY, name);
    };
    view! {
        <button
            class="icon-button"
            type="button"
            data-testid="theme-toggle"
            aria-label=move || if dark.get() { "Switch to light theme" } else { "Switch to dark theme" }
            title=move || if dark.get() { "Switch to light theme" } else { "Switch to dark theme" }
            on:click=toggle
        >
            {move || if dark.get() { "☀" } else { "☾" }}
        </button>
    }
}
