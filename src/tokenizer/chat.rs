//! Chat: a messages editor rendered with the tokenizer's `chat_template` (minijinja, in the
//! worker), showing the exact prompt the model sees and its token count.

use inferlab_tokenize::protocol::{Command, LoadedInfo, Payload};
use inferlab_tokenize::{ChatMessage, Counts};
use leptos::prelude::*;

use super::source::Sources;
use crate::browser::tokenizer_worker::call;

const ROLES: [&str; 4] = ["system", "user", "assistant", "tool"];

/// One editable message.
#[derive(Clone, Copy)]
struct Row {
    id: u32,
    role: RwSignal<String>,
    content: RwSignal<String>,
}

impl Row {
    fn new(id: u32, role: &str, content: &str) -> Self {
        Self {
            id,
            role: RwSignal::new(role.into()),
            content: RwSignal::new(content.into()),
        }
    }
}

/// The chat prompt of tokenizer `key` (loaded, with `info`).
#[component]
pub fn ChatPanel(
    sources: Sources,
    key: Signal<String>,
    info: Signal<Option<LoadedInfo>>,
) -> impl IntoView {
    let rows = RwSignal::new(vec![
        Row::new(1, "system", "You are a helpful assistant."),
        Row::new(2, "user", "What is the capital of France?"),
    ]);
    let next_id = StoredValue::new(3u32);
    let add_generation_prompt = RwSignal::new(true);
    // `None`: the tokenizer's own template. An edit is dropped when the tokenizer changes.
    let edited = RwSignal::new(None::<String>);
    Effect::new(move |prev: Option<String>| {
        let k = key.get();
        if prev.is_some_and(|p| p != k) {
            edited.set(None);
        }
        k
    });
    let messages = Memo::new(move |_| {
        rows.get()
            .iter()
            .map(|r| ChatMessage::new(r.role.get(), r.content.get()))
            .collect::<Vec<_>>()
    });
    let rendered = LocalResource::new(move || {
        let key = key.get();
        let command = Command::Chat {
            key: key.clone(),
            messages: messages.get(),
            add_generation_prompt: add_generation_prompt.get(),
            template: edited.get(),
        };
        async move {
            sources.load(key).await?;
            match call(command).await? {
                Payload::Chat {
                    rendered, counts, ..
                } => Ok((rendered, counts)),
                _ => Err("unexpected reply from the tokenizer worker".to_string()),
            }
        }
    });
    let template_text = move || {
        edited
            .get()
            .or_else(|| info.with(|i| i.as_ref().and_then(|i| i.chat_template.clone())))
            .unwrap_or_default()
    };
    let add_row = move |_| {
        let id = next_id.get_value();
        next_id.set_value(id + 1);
        let role = match rows.with(|r| r.last().map(|l| l.role.get_untracked())) {
            Some(r) if r == "user" => "assistant",
            _ => "user",
        };
        rows.update(|r| r.push(Row::new(id, role, "")));
    };

    view! {
        <div class="card tok-chat">
            <h2>"Chat template"</h2>
            <p class="muted small">"The conversation rendered with the tokenizer's chat_template (as transformers' apply_chat_template does) and counted with special tokens as single tokens."</p>
            <div class="chat-messages">
                <For each=move || rows.get() key=|r| r.id let:row>
                    <div class="chat-row">
                        <select
                            aria-label="Role"
                            prop:value=move || row.role.get()
                            on:change=move |ev| row.role.set(event_target_value(&ev))
                        >
                            {ROLES.iter().map(|r| view! { <option value=*r>{*r}</option> }).collect_view()}
                        </select>
                        <textarea
                            aria-label="Message"
                            rows="2"
                            prop:value=move || row.content.get()
                            on:input=move |ev| row.content.set(event_target_value(&ev))
                        ></textarea>
                        <button
                            class="ghost"
                            title="Remove this message"
                            aria-label="Remove this message"
                            on:click=move |_| rows.update(|r| r.retain(|x| x.id != row.id))
                        >
                            "×"
                        </button>
                    </div>
                </For>
            </div>
            <div class="chat-actions">
                <button class="secondary" on:click=add_row>"Add message"</button>
                <label class="check">
                    <input
                        type="checkbox"
                        data-testid="add-generation-prompt"
                        prop:checked=move || add_generation_prompt.get()
                        on:change=move |ev| add_generation_prompt.set(event_target_checked(&ev))
                    />
                    " add generation prompt"
                </label>
            </div>
            <details class="chat-template">
                <summary>{move || if edited.with(Option::is_some) { "Template (edited)" } else { "Template" }}</summary>
                <textarea
                    class="mono"
                    rows="10"
                    aria-label="Chat template"
                    data-testid="chat-template"
                    spellcheck="false"
                    prop:value=template_text
                    on:input=move |ev| edited.set(Some(event_target_value(&ev)))
                ></textarea>
                <button class="secondary" disabled=move || edited.with(Option::is_none) on:click=move |_| edited.set(None)>
                    "Use the tokenizer's template"
                </button>
            </details>
            {move || match rendered.get() {
                None => view! { <p class="status loading" role="status">"Rendering…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="status error" role="alert" data-testid="chat-error">{e}</p> }.into_any(),
                Some(Ok((text, counts))) => view! { <RenderedPrompt text=text counts=counts /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn RenderedPrompt(text: String, counts: Counts) -> impl IntoView {
    view! {
        <div class="chat-result">
            <div class="stat">
                <div class="stat-label">"Prompt tokens"</div>
                <div class="stat-value" data-testid="chat-token-count" data-value=counts.tokens.to_string()>{counts.tokens}</div>
            </div>
            <pre class="chat-rendered" data-testid="chat-rendered" data-value=text.clone()>{text.clone()}</pre>
        </div>
    }
}
