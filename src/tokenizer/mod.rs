//! The tokenizer tool: exact ids from Hugging Face `tokenizer.json` files, computed by the
//! `tokenizers` crate in a Web Worker; tokens shown as valid-UTF-8 spans with ids on hover.

use inferlab_share::tokenizer::{TokenView as ViewMode, TokenizerState};
use inferlab_tokenize::protocol::{Command, Payload};
use inferlab_tokenize::sources::{tokenizer_url, BUNDLED};
use inferlab_tokenize::{visible_whitespace, TokenView};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::{ChoiceField, CopyLink, QueryNotice};
use crate::browser::base_path;
use crate::browser::query_state::use_query_state;
use crate::browser::tokenizer_worker::{call, ensure_loaded};

/// Texts longer than this stay out of the link (it would grow past what links carry well).
const MAX_TEXT_IN_LINK: usize = 4096;
/// Tokens drawn at most (counts always cover the whole text).
const MAX_SHOWN: usize = 20_000;

async fn tokenize(tok: String, text: String) -> Result<TokenView, String> {
    let url = tokenizer_url(&tok, &base_path()).ok_or_else(|| {
        format!("“{tok}” is not a bundled tokenizer, a Hub repo id (owner/name) or an http(s) URL")
    })?;
    ensure_loaded(&tok, &url).await?;
    match call(Command::View {
        key: tok,
        text,
        max_tokens: Some(MAX_SHOWN),
    })
    .await?
    {
        Payload::View { view } => Ok(view),
        _ => Err("unexpected reply from the tokenizer worker".into()),
    }
}

/// `/tokenizer`.
#[component]
pub fn TokenizerPage() -> impl IntoView {
    let q = use_query_state::<TokenizerState>();
    let state = q.state;
    // The text lives here while typing; the link carries it while it is short.
    let text = RwSignal::new(state.get_untracked().text);
    let tok = Memo::new(move |_| state.with(|s| s.tok.clone()));
    let result = LocalResource::new(move || tokenize(tok.get(), text.get()));
    // Keep showing the last result while the next one is computed (no flicker per keystroke).
    let last = RwSignal::new(None::<Result<TokenView, String>>);
    Effect::new(move |_| {
        if let Some(r) = result.get() {
            last.set(Some(r));
        }
    });
    let busy = move || result.get().is_none();
    let on_text = move |v: String| {
        text.set(v.clone());
        q.update(|s| {
            s.text = if v.len() <= MAX_TEXT_IN_LINK {
                v
            } else {
                String::new()
            }
        });
    };
    let decode_input = RwSignal::new(String::new());
    let decoded = LocalResource::new(move || {
        let ids: Result<Vec<u32>, _> = decode_input
            .get()
            .split(|c: char| c == ',' || c.is_whitespace() || c == '[' || c == ']')
            .filter(|s| !s.is_empty())
            .map(str::parse::<u32>)
            .collect();
        let key = tok.get();
        async move {
            let ids =
                ids.map_err(|_| "ids are whole numbers separated by commas or spaces".to_string())?;
            if ids.is_empty() {
                return Ok(String::new());
            }
            match call(Command::Decode { key, ids }).await? {
                Payload::Text { text } => Ok(text),
                _ => Err("unexpected reply".to_string()),
            }
        }
    });

    view! {
        <Title text="Tokenizer · InferLab" />
        <section class="page tokenizer">
            <div class="page-head">
                <div>
                    <h1>"Tokenizer"</h1>
                    <p>
                        "Exact token ids from Hugging Face tokenizer.json files: the Rust tokenizers library, compiled to WebAssembly, in a worker."
                    </p>
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
                        list="tok-bundled"
                        prop:value=move || tok.get()
                        on:change=move |ev| {
                            let v = event_target_value(&ev).trim().to_owned();
                            if !v.is_empty() {
                                q.update(|s| s.tok = v);
                            }
                        }
                    />
                    <datalist id="tok-bundled">
                        {BUNDLED.iter().map(|(id, label)| view! { <option value=*id>{*label}</option> }).collect_view()}
                    </datalist>
                </div>
                <ChoiceField
                    id="tok-view"
                    label="View"
                    choices=&ViewMode::CHOICES
                    value=Signal::derive(move || state.with(|s| s.view))
                    on_value=Callback::new(move |m| q.update(|s| s.view = m))
                />
                <div class="field wide">
                    <label for="tok-text">"Text"</label>
                    <textarea
                        id="tok-text"
                        rows="6"
                        placeholder="Type or paste text to tokenize"
                        prop:value=move || text.get()
                        on:input=move |ev| on_text(event_target_value(&ev))
                    ></textarea>
                    {move || (text.with(|t| t.len()) > MAX_TEXT_IN_LINK).then(|| view! {
                        <p class="muted small">"This text is too long for a link: Copy link shares the tokenizer and view only."</p>
                    })}
                </div>
            </div>
            <div class="card tok-result" aria-busy=move || busy().to_string()>
                {move || (busy() && last.with(Option::is_some)).then(|| view! { <p class="status loading" role="status">"Tokenizing…"</p> })}
                {move || match last.get() {
                    None => view! { <p class="status loading" role="status">"Loading the tokenizer…"</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="status error" role="alert" data-testid="tokenizer-error">{e}</p> }.into_any(),
                    Some(Ok(v)) => view! { <Tokens view=v mode=Signal::derive(move || state.get().view) /> }.into_any(),
                }}
            </div>
            <div class="card tok-decode">
                <h2>"Decode ids"</h2>
                <label for="tok-ids">"Token ids"</label>
                <input id="tok-ids" type="text" placeholder="e.g. 9707, 1879" prop:value=move || decode_input.get() on:input=move |ev| decode_input.set(event_target_value(&ev)) />
                <pre class="decoded" data-testid="decoded">
                    {move || match decoded.get() {
                        Some(Ok(t)) => t,
                        Some(Err(e)) => e,
                        None => String::new(),
                    }}
                </pre>
            </div>
        </section>
    }
}

/// Counts and the token view of one result.
#[component]
fn Tokens(view: TokenView, mode: Signal<ViewMode>) -> impl IntoView {
    let c = view.counts;
    let ids: Vec<u32> = view.tokens.iter().map(|t| t.id).collect();
    let ids_json = serde_json::to_string(&ids).unwrap_or_default();
    let ids_text = ids
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let spans = view
        .spans
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let toks = view
                .tokens
                .get(s.first_token..s.first_token + s.token_count)
                .unwrap_or_default();
            let title = toks
                .iter()
                .map(|t| format!("id {} · {:?} · bytes {:02X?}", t.id, t.piece, t.bytes))
                .collect::<Vec<_>>()
                .join("\n");
            let class = format!("tok c{}{}", i % 8, if s.special { " special" } else { "" });
            view! { <span class=class title=title>{visible_whitespace(&s.text)}</span> }
        })
        .collect_view();
    view! {
        <div class="tok-counts">
            <div class="stat">
                <div class="stat-label">"Tokens"</div>
                <div class="stat-value" data-testid="token-count" data-value=c.tokens.to_string()>{c.tokens}</div>
            </div>
            <div class="stat">
                <div class="stat-label">"Characters"</div>
                <div class="stat-value">{c.chars}</div>
            </div>
            <div class="stat">
                <div class="stat-label">"Bytes (UTF-8)"</div>
                <div class="stat-value">{c.bytes}</div>
            </div>
            <div class="stat">
                <div class="stat-label">"Characters per token"</div>
                <div class="stat-value">{format!("{:.2}", c.chars_per_token)}</div>
            </div>
        </div>
        {view.truncated.then(|| view! { <p class="muted small">{format!("Showing the first {MAX_SHOWN} tokens; the counts cover the whole text.")}</p> })}
        <div class="tok-text" class:hidden=move || mode.get() == ViewMode::Ids>{spans}</div>
        <div class="tok-ids mono" data-testid="token-ids" data-value=ids_json class:hidden=move || mode.get() == ViewMode::Text>
            {ids_text}
        </div>
    }
}
