//! The streaming load tester (issue #5): its URL state is live; the runner is next.

use inferlab_share::loadtest::{Api, LoadMode, LoadTestState};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::{CopyLink, QueryNotice};
use crate::browser::query_state::use_query_state;

/// `/loadtest`.
#[component]
pub fn LoadTestPage() -> impl IntoView {
    let q = use_query_state::<LoadTestState>();
    let state = q.state;
    view! {
        <Title text="Load test · InferLab" />
        <section class="page loadtest">
            <div class="page-head">
                <div>
                    <h1>"Streaming load test"</h1>
                    <p>"OpenAI-compatible streaming requests from this tab to your endpoint: TTFT, inter-token latency, tokens/s per user and in total."</p>
                </div>
                <CopyLink />
            </div>
            <QueryNotice problems=q.problems />
            <div class="card lt-form">
                <div class="field wide">
                    <label for="lt-url">"Base URL"</label>
                    <input
                        id="lt-url"
                        type="url"
                        prop:value=move || state.get().url
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            q.update(|s| s.url = v);
                        }
                    />
                </div>
                <div class="field">
                    <label for="lt-api">"API"</label>
                    <select
                        id="lt-api"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some((_, a)) = Api::CHOICES.iter().find(|(id, _)| *id == v) {
                                q.update(|s| s.api = *a);
                            }
                        }
                    >
                        {Api::CHOICES
                            .iter()
                            .map(|(id, a)| {
                                let a = *a;
                                view! { <option value=*id selected=move || state.get().api == a>{*id}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="lt-mode">"Load"</label>
                    <select
                        id="lt-mode"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some((_, m)) = LoadMode::CHOICES.iter().find(|(id, _)| *id == v) {
                                q.update(|s| s.mode = *m);
                            }
                        }
                    >
                        {LoadMode::CHOICES
                            .iter()
                            .map(|(id, m)| {
                                let m = *m;
                                view! { <option value=*id selected=move || state.get().mode == m>{*id}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="lt-users">"Concurrent users"</label>
                    <input
                        id="lt-users"
                        type="number"
                        min="1"
                        prop:value=move || state.get().users.to_string()
                        on:change=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse() {
                                q.update(|s| s.users = v);
                            }
                        }
                    />
                </div>
                <div class="field">
                    <label for="lt-max-tokens">"max_tokens"</label>
                    <input
                        id="lt-max-tokens"
                        type="number"
                        min="1"
                        prop:value=move || state.get().max_tokens.to_string()
                        on:change=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse() {
                                q.update(|s| s.max_tokens = v);
                            }
                        }
                    />
                </div>
                <p class="muted wide">
                    "The browser runner (fetch streams, live charts) is being built; a shared link fills this form but never starts a run."
                </p>
            </div>
        </section>
    }
}
