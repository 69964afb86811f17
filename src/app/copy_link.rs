//! "Copy link": the page's URL, which carries the tool's whole state.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::clipboard;

/// Copies the current URL and says so.
#[component]
pub fn CopyLink() -> impl IntoView {
    let status = RwSignal::new("");
    let copy = move |_| {
        spawn_local(async move {
            let done = match clipboard::current_href() {
                Some(href) => clipboard::copy_text(&href).await.is_ok(),
                None => false,
            };
            status.set(if done {
                "Copied"
            } else {
                "Copy failed: select the address bar"
            });
        });
    };
    view! {
        <span class="copy-link">
            <button type="button" data-testid="copy-link" on:click=copy>"Copy link"</button>
            <span class="muted" role="status" aria-live="polite">{move || status.get()}</span>
        </span>
    }
}
