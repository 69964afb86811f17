//! The Hugging Face token for gated repos, shared by every tool that reads the Hub: kept in
//! this tab's memory unless the user ticks "remember", and never put in a link or an export.

use leptos::prelude::*;

use crate::browser::storage;

const TOKEN_KEY: &str = "inferlab.hf-token";

/// The token and whether it is remembered on this device.
#[derive(Clone, Copy)]
pub struct HubToken {
    pub token: RwSignal<String>,
    pub remember: RwSignal<bool>,
}

impl HubToken {
    /// Reads a remembered token, if any.
    pub fn new() -> Self {
        let stored = storage::get(TOKEN_KEY);
        Self {
            remember: RwSignal::new(stored.is_some()),
            token: RwSignal::new(stored.unwrap_or_default()),
        }
    }

    /// The token to send, if one was given.
    pub fn get(&self) -> Option<String> {
        Some(self.token.get_untracked().trim().to_owned()).filter(|t| !t.is_empty())
    }

    /// Stores or forgets the token according to `remember`.
    fn persist(&self) {
        if self.remember.get_untracked() {
            storage::set(TOKEN_KEY, &self.token.get_untracked());
        } else {
            storage::remove(TOKEN_KEY);
        }
    }
}

impl Default for HubToken {
    fn default() -> Self {
        Self::new()
    }
}

/// A collapsed "Hub token" box: password field plus "remember on this device".
#[component]
pub fn HubTokenField(hub: HubToken, #[prop(into)] id: String) -> impl IntoView {
    view! {
        <details class="token">
            <summary>"Hub token (gated repos)"</summary>
            <label for=id.clone()>"Token (kept in this tab's memory only)"</label>
            <input
                id=id
                type="password"
                autocomplete="off"
                placeholder="hf_…"
                prop:value=move || hub.token.get()
                on:input=move |ev| {
                    hub.token.set(event_target_value(&ev));
                    hub.persist();
                }
            />
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=move || hub.remember.get()
                    on:change=move |ev| {
                        hub.remember.set(event_target_checked(&ev));
                        hub.persist();
                    }
                />
                " remember on this device"
            </label>
        </details>
    }
}
