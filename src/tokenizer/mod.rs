//! The tokenizer tool: exact ids from Hugging Face `tokenizer.json` files, computed by the
//! `tokenizers` crate in a Web Worker. Parts: source (bundled / Hub / URL / file), token view,
//! compare, chat template, decode.

mod chat;
mod compare;
mod source;
mod token_view;

use inferlab_share::tokenizer::{parse_list, text_param, TokenView as ViewMode, TokenizerState};
use inferlab_tokenize::protocol::{Command, LoadedInfo, Payload};
use inferlab_tokenize::sources::BUNDLED;
use inferlab_tokenize::TokenView;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::{ChoiceField, CopyLink, HubTokenField, QueryNotice};
use crate::browser::query_state::use_query_state;
use crate::browser::tokenizer_worker::call;
use crate::calculator::format::count;
use chat::ChatPanel;
use compare::Compare;
use source::{DownloadBar, FilePicker, Sources};
use token_view::{Tokens, MAX_SHOWN};

/// A text tokenized by tokenizer `tok`.
#[derive(Clone)]
struct Tokenized {
    tok: String,
    info: LoadedInfo,
    view: TokenView,
}

/// Pause in typing after which the link is updated.
const LINK_DELAY: std::time::Duration = std::time::Duration::from_millis(300);

async fn tokenize(sources: Sources, tok: String, text: String) -> Result<Tokenized, String> {
    let (info, view) = sources.view(tok.clone(), text, MAX_SHOWN).await?;
    Ok(Tokenized { tok, info, view })
}

/// "Qwen3 · 151,669 tokens in the vocabulary · 11.4 MB · loaded in 950 ms (from the cache)".
fn describe(info: &LoadedInfo) -> String {
    format!(
        "{} tokens in the vocabulary · tokenizer.json {:.1} MB · loaded in {:.0} ms{}{}",
        count(info.vocab_size as u64),
        info.bytes as f64 / 1e6,
        info.load_ms,
        if info.from_cache {
            " from this browser's cache"
        } else {
            ""
        },
        if info.has_config {
            ""
        } else {
            " · no tokenizer_config.json (no chat template)"
        },
    )
}

/// `/tokenizer`.
#[component]
pub fn TokenizerPage() -> impl IntoView {
    let q = use_query_state::<TokenizerState>();
    let state = q.state;
    let sources = Sources::new();
    let file_error = RwSignal::new(None::<String>);
    // The text lives here while typing; the link carries it (packed when long) while it fits,
    // written once typing pauses: packing a long text on every keystroke would lag.
    let text = RwSignal::new(state.get_untracked().text);
    let in_link = RwSignal::new(true);
    let edits = StoredValue::new(0u64);
    let linked_tok = Memo::new(move |_| state.with(|s| s.tok.clone()));
    // A picked file wins over the link's tokenizer until the user names another one.
    let tok = Memo::new(move |_| {
        sources
            .file
            .with(|f| f.as_ref().map(|f| f.key.clone()))
            .unwrap_or_else(|| linked_tok.get())
    });
    let result = LocalResource::new(move || tokenize(sources, tok.get(), text.get()));
    // Keep showing the last result while the next one is computed (no flicker per keystroke).
    let last = RwSignal::new(None::<Result<Tokenized, String>>);
    Effect::new(move |_| {
        if let Some(r) = result.get() {
            last.set(Some(r));
        }
    });
    let info = Signal::derive(move || {
        last.with(|l| match l {
            Some(Ok(t)) => Some(t.info.clone()),
            _ => None,
        })
    });
    let base = Signal::derive(move || {
        last.with(|l| match l {
            Some(Ok(t)) => Some(t.view.counts.tokens),
            _ => None,
        })
    });
    let busy = move || result.get().is_none();
    let on_text = move |v: String| {
        text.set(v);
        edits.update_value(|n| *n += 1);
        let edit = edits.get_value();
        set_timeout(
            move || {
                if edits.get_value() != edit {
                    return; // more typing came: the later timer writes the link
                }
                let v = text.get_untracked();
                let fits = text_param(&v).is_some();
                in_link.set(fits);
                q.update(|s| s.text = if fits { v } else { String::new() });
            },
            LINK_DELAY,
        );
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
    let cmp_text = move || state.with(|s| s.cmp.join(", "));

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
                        prop:value=move || linked_tok.get()
                        on:change=move |ev| {
                            let v = event_target_value(&ev).trim().to_owned();
                            if !v.is_empty() {
                                sources.file.set(None);
                                q.update(|s| s.tok = v);
                            }
                        }
                    />
                    <datalist id="tok-bundled">
                        {BUNDLED.iter().map(|(id, label)| view! { <option value=*id>{*label}</option> }).collect_view()}
                    </datalist>
                    <HubTokenField hub=sources.hub id="tok-hf-token" />
                </div>
                <ChoiceField
                    id="tok-view"
                    label="View"
                    choices=&ViewMode::CHOICES
                    value=Signal::derive(move || state.with(|s| s.view))
                    on_value=Callback::new(move |m| q.update(|s| s.view = m))
                />
                <FilePicker sources=sources error=file_error />
                <div class="field">
                    <label for="tok-cmp">"Compare with (comma-separated)"</label>
                    <input
                        id="tok-cmp"
                        type="text"
                        list="tok-bundled"
                        placeholder="e.g. gpt-4o, deepseek-v3"
                        prop:value=cmp_text
                        on:change=move |ev| {
                            let list = parse_list(&event_target_value(&ev));
                            q.update(|s| s.cmp = list);
                        }
                    />
                </div>
                {move || file_error.get().map(|e| view! { <p class="status error wide" role="alert" data-testid="file-error">{e}</p> })}
                {move || sources.file.get().map(|f| view! {
                    <p class="muted small wide" data-testid="file-note">
                        {format!("Using the local file {} (it stays in this tab: a link shares the tokenizer named above). ", f.name)}
                        <button class="link" on:click=move |_| sources.file.set(None)>"Use the named tokenizer"</button>
                    </p>
                })}
                <div class="field wide">
                    <label for="tok-text">"Text"</label>
                    <textarea
                        id="tok-text"
                        rows="6"
                        placeholder="Type or paste text to tokenize"
                        prop:value=move || text.get()
                        on:input=move |ev| on_text(event_target_value(&ev))
                    ></textarea>
                    {move || (!in_link.get()).then(|| view! {
                        <p class="muted small" data-testid="text-not-in-link">"This text is too long for a link (16 KiB, compressed): Copy link shares the tokenizer and view only."</p>
                    })}
                    <p class="muted small">"Line breaks typed or pasted here arrive as LF (browsers normalise CR and CRLF in text boxes); a link's text keeps CR bytes exactly."</p>
                </div>
            </div>
            <div class="card tok-result" aria-busy=move || busy().to_string()>
                <DownloadBar sources=sources />
                {move || (busy() && last.with(Option::is_some)).then(|| view! { <p class="status loading" role="status">"Tokenizing…"</p> })}
                {move || match last.get() {
                    None => view! { <p class="status loading" role="status">"Loading the tokenizer…"</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="status error" role="alert" data-testid="tokenizer-error">{e}</p> }.into_any(),
                    Some(Ok(t)) => view! {
                        <p class="muted small" data-testid="tokenizer-info" data-cached=t.info.from_cache.to_string()>{describe(&t.info)}</p>
                        <Tokens view=t.view mode=Signal::derive(move || state.get().view) tokenizer=t.tok />
                    }.into_any(),
                }}
            </div>
            <Compare
                sources=sources
                primary=tok.into()
                base=base
                cmp=Signal::derive(move || state.with(|s| s.cmp.clone()))
                text=text.into()
            />
            <ChatPanel sources=sources key=tok.into() info=info />
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
