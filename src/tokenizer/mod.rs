//! The tokenizer tool (issue #4): its URL state is live; the wasm tokenizer worker is next.

use inferlab_share::tokenizer::{TokenView, TokenizerState};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::{CopyLink, QueryNotice};
use crate::browser::query_state::use_query_state;

/// `/tokenizer`.
#[component]
pub fn TokenizerPage() -> impl IntoView {
    let q = use_query_state::<TokenizerState>();
    let state = q.state;
    view! {
        <Title text="Tokenizer · InferLab" />
        <section class="page tokenizer">
            <div class="page-head">
                <div>
                    <h1>"Tokenizer"</h1>
                    <p>"Exact token ids from Hugging Face tokenizer.json files, with chat templates and comparisons."</p>
                </div>
                <CopyLink />
            </div>
            <QueryNotice problems=q.problems />
            <div class="card tok-form">
                <div class="field">
                    <label for="tok-id">"Tokenizer (bundled id, Hub repo id or URL)"</label>
                    <input
                        id="tok-id"
                        type="text"
                        prop:value=move || state.get().tok
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            q.update(|s| s.tok = v);
                        }
                    />
                </div>
                <div class="field">
                    <label for="tok-view">"View"</label>
                    <select
                        id="tok-view"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some((_, view)) = TokenView::CHOICES.iter().find(|(id, _)| *id == v) {
                                q.update(|s| s.view = *view);
                            }
                        }
                    >
                        {TokenView::CHOICES
                            .iter()
                            .map(|(id, v)| {
                                let v = *v;
                                view! { <option value=*id selected=move || state.get().view == v>{*id}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field wide">
                    <label for="tok-text">"Text"</label>
                    <textarea
                        id="tok-text"
                        rows="6"
                        prop:value=move || state.get().text
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            q.update(|s| s.text = v);
                        }
                    ></textarea>
                </div>
                <p class="muted wide">
                    "The in-browser tokenizer engine (the Rust tokenizers crate in a worker) is being built; this page already keeps its settings in the link."
                </p>
            </div>
        </section>
    }
}
