//! A tokenized text: counts, tokens coloured and grouped into valid UTF-8 spans (hover for
//! id, piece and bytes), and the ids.

use inferlab_share::tokenizer::TokenView as ViewMode;
use inferlab_tokenize::{visible_whitespace, TokenView};
use leptos::prelude::*;

use crate::calculator::format::count;

/// Tokens drawn at most (counts always cover the whole text).
pub const MAX_SHOWN: usize = 20_000;

/// The coloured spans of a view.
#[component]
pub fn TokenSpans(view: TokenView) -> impl IntoView {
    view.spans
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
        .collect_view()
}

/// The ids as JSON, for `data-value`.
pub fn ids_json(view: &TokenView) -> String {
    let ids: Vec<u32> = view.tokens.iter().map(|t| t.id).collect();
    serde_json::to_string(&ids).unwrap_or_default()
}

/// Counts and the token view of one result.
#[component]
pub fn Tokens(
    view: TokenView,
    mode: Signal<ViewMode>,
    #[prop(into)] tokenizer: String,
) -> impl IntoView {
    let c = view.counts;
    let ids_json = ids_json(&view);
    let ids_text = view
        .tokens
        .iter()
        .map(|t| t.id.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let spans = view! { <TokenSpans view=view.clone() /> };
    view! {
        <div class="tok-counts">
            <div class="stat">
                <div class="stat-label">"Tokens"</div>
                <div class="stat-value" data-testid="token-count" data-tokenizer=tokenizer.clone() data-value=c.tokens.to_string()>{count(c.tokens as u64)}</div>
            </div>
            <div class="stat">
                <div class="stat-label">"Characters"</div>
                <div class="stat-value">{count(c.chars as u64)}</div>
            </div>
            <div class="stat">
                <div class="stat-label">"Bytes (UTF-8)"</div>
                <div class="stat-value">{count(c.bytes as u64)}</div>
            </div>
            <div class="stat">
                <div class="stat-label">"Characters per token"</div>
                <div class="stat-value">{format!("{:.2}", c.chars_per_token)}</div>
            </div>
        </div>
        {view.truncated.then(|| view! { <p class="muted small">{format!("Showing the first {MAX_SHOWN} tokens; the counts cover the whole text.")}</p> })}
        <div class="tok-text" class:hidden=move || mode.get() == ViewMode::Ids>{spans}</div>
        <div class="tok-ids mono" data-testid="token-ids" data-tokenizer=tokenizer data-value=ids_json class:hidden=move || mode.get() == ViewMode::Text>
            {ids_text}
        </div>
    }
}
