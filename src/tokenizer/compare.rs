//! The same text in several tokenizers, side by side: counts, difference from the main
//! tokenizer in %, characters per token, and each one's tokens.

use inferlab_tokenize::percent_difference;
use leptos::prelude::*;

use super::source::Sources;
use super::token_view::{ids_json, TokenSpans};

/// Tokens drawn per compared tokenizer (counts cover the whole text).
const SHOWN_PER_TOKENIZER: usize = 4_000;

/// Difference of `n` tokens from `base`, as text.
fn diff_pct(n: usize, base: usize) -> String {
    match percent_difference(n, base) {
        None => "–".into(),
        Some(d) if d.abs() < 0.05 => "same".into(),
        Some(d) => format!("{d:+.1} %"),
    }
}

/// Comparison of `primary` (already tokenized: `base` tokens) with the `cmp` tokenizers.
#[component]
pub fn Compare(
    sources: Sources,
    primary: Signal<String>,
    base: Signal<Option<usize>>,
    cmp: Signal<Vec<String>>,
    text: Signal<String>,
) -> impl IntoView {
    let results = LocalResource::new(move || {
        let list = cmp.get();
        let text = text.get();
        async move {
            let mut out = Vec::with_capacity(list.len());
            // One at a time: the worker is one thread, and the first result shows sooner.
            for tok in list {
                let r = sources
                    .view(tok.clone(), text.clone(), SHOWN_PER_TOKENIZER)
                    .await
                    .map(|(_, v)| v);
                out.push((tok, r));
            }
            out
        }
    });
    move || {
        let list = cmp.get();
        if list.is_empty() {
            return None;
        }
        let rows = results.get();
        let pending = rows.is_none();
        Some(view! {
            <div class="card tok-compare" aria-busy=pending.to_string()>
                <h2>"Compare"</h2>
                {pending.then(|| view! { <p class="status loading" role="status">"Tokenizing with every tokenizer…"</p> })}
                <table class="compare-table">
                    <thead>
                        <tr><th>"Tokenizer"</th><th class="num">"Tokens"</th><th class="num">"vs main"</th><th class="num">"Chars/token"</th></tr>
                    </thead>
                    <tbody>
                        <tr class="main-row">
                            <td>{primary.get()}" (main)"</td>
                            <td class="num">{base.get().map(|b| b.to_string()).unwrap_or_default()}</td>
                            <td class="num">"–"</td>
                            <td class="num"></td>
                        </tr>
                        {rows.clone().unwrap_or_default().into_iter().map(|(tok, r)| match r {
                            Ok(v) => {
                                let n = v.counts.tokens;
                                let d = base.get().map(|b| diff_pct(n, b)).unwrap_or_default();
                                view! {
                                    <tr>
                                        <td>{tok.clone()}</td>
                                        <td class="num" data-testid="token-count" data-tokenizer=tok.clone() data-value=n.to_string()>{n}</td>
                                        <td class="num" data-testid="token-diff" data-tokenizer=tok.clone()>{d}</td>
                                        <td class="num">{format!("{:.2}", v.counts.chars_per_token)}</td>
                                    </tr>
                                }.into_any()
                            }
                            Err(e) => view! {
                                <tr>
                                    <td>{tok.clone()}</td>
                                    <td colspan="3" class="error" data-testid="compare-error" data-tokenizer=tok>{e}</td>
                                </tr>
                            }.into_any(),
                        }).collect_view()}
                    </tbody>
                </table>
                <div class="compare-grid">
                    {rows.unwrap_or_default().into_iter().filter_map(|(tok, r)| r.ok().map(|v| (tok, v))).map(|(tok, v)| {
                        let json = ids_json(&v);
                        view! {
                            <div class="compare-cell">
                                <h3>{tok.clone()}" · "{v.counts.tokens}" tokens"</h3>
                                {v.truncated.then(|| view! { <p class="muted small">{format!("First {SHOWN_PER_TOKENIZER} tokens.")}</p> })}
                                <div class="tok-text">
                                    <TokenSpans view=v />
                                </div>
                                <div class="hidden" data-testid="token-ids" data-tokenizer=tok data-value=json></div>
                            </div>
                        }
                    }).collect_view()}
                </div>
            </div>
        })
    }
}
