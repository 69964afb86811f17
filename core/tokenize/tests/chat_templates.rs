//! Real chat templates (Llama 3 / 3.1, Qwen3, Mistral Nemo, DeepSeek-V3, Gemma 3, Phi-3)
//! rendered by this crate against Jinja2 set up as `transformers` does
//! (`fixtures/expected_chat.json`, written by scripts/gen_tokenizer_expected.py).

mod common;

use inferlab_tokenize::{
    ChatMessage, ChatTemplate, RenderOptions, TemplateErrorKind, TokenizerConfig,
};
use serde_json::Value;

fn fixture(path: &str) -> Option<Vec<u8>> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(path),
    )
    .ok()
}

fn config_of(tok_id: &str) -> Option<TokenizerConfig> {
    let bytes = std::fs::read(common::dir(tok_id).join("tokenizer_config.json")).ok()?;
    Some(TokenizerConfig::from_value(
        &serde_json::from_slice(&bytes).ok()?,
    ))
}

#[test]
fn templates_render_like_transformers() {
    let expected: Value =
        serde_json::from_slice(&fixture("expected_chat.json").expect("expected_chat.json"))
            .expect("json");
    let cases = expected["_cases"].as_object().expect("cases");
    let mut checked = 0;
    let mut skipped = Vec::new();
    for (tid, entry) in expected.as_object().expect("object") {
        if tid.starts_with('_') {
            continue;
        }
        let tok_id = entry["tokenizer"].as_str().expect("tokenizer");
        let Some(cfg) = config_of(tok_id) else {
            skipped.push(tid.clone());
            continue;
        };
        let source = match entry["template_file"].as_str() {
            Some(f) => String::from_utf8(fixture(&format!("templates/{f}")).expect("template"))
                .expect("utf8"),
            None => cfg
                .chat_template(None)
                .expect("chat_template")
                .source
                .clone(),
        };
        let tmpl = ChatTemplate::new(&source).unwrap_or_else(|e| panic!("{tid}: {e}"));
        for (name, want) in entry["cases"].as_object().expect("cases") {
            let spec = &cases[name];
            let messages: Vec<ChatMessage> =
                serde_json::from_value(spec["messages"].clone()).expect("messages");
            let opts = RenderOptions {
                add_generation_prompt: spec["add_generation_prompt"].as_bool().unwrap_or(false),
                bos_token: cfg.bos_token.clone(),
                eos_token: cfg.eos_token.clone(),
                unk_token: cfg.unk_token.clone(),
                pad_token: cfg.pad_token.clone(),
                today: None,
                extra: spec["extra"].as_object().cloned().unwrap_or_default(),
            };
            let got = tmpl.render(&messages, &opts);
            match (want.get("output"), want.get("error"), got) {
                (Some(w), _, Ok(g)) => assert_eq!(w.as_str(), Some(g.as_str()), "{tid}/{name}"),
                (_, Some(w), Err(e)) => {
                    assert_eq!(e.kind, TemplateErrorKind::Raised, "{tid}/{name}: {e}");
                    assert_eq!(w.as_str(), Some(e.message.as_str()), "{tid}/{name}");
                    assert!(e.line.is_some(), "{tid}/{name}: no line");
                }
                (w, e, g) => panic!("{tid}/{name}: expected {w:?}/{e:?}, got {g:?}"),
            }
            checked += 1;
        }
    }
    println!("{checked} renders checked; skipped (fixtures absent): {skipped:?}");
    assert!(checked >= 20, "too few templates available");
    assert!(
        skipped.is_empty() || !common::require_all(),
        "missing {skipped:?}"
    );
}

#[test]
fn rendered_prompt_token_count_includes_specials_as_tokens() {
    let Some(engine) = common::load("qwen3") else {
        return;
    };
    let cfg = engine.config().clone();
    let tmpl =
        ChatTemplate::new(&cfg.chat_template(None).expect("template").source).expect("compile");
    let prompt = tmpl
        .render(
            &[ChatMessage::new("user", "Hi")],
            &RenderOptions {
                add_generation_prompt: true,
                ..Default::default()
            },
        )
        .expect("render");
    // The rendered text already holds the special tokens; they must encode as single ids.
    let ids = engine.ids(&prompt, false).expect("encode");
    let im_start = engine.token_to_id("<|im_start|>").expect("im_start");
    assert_eq!(ids.first(), Some(&im_start));
    assert!(engine.is_special(im_start));
    assert_eq!(ids.iter().filter(|&&i| i == im_start).count(), 2);
}

#[test]
fn chat_prompts_are_rendered_and_counted_with_special_tokens_as_tokens() {
    let dir = common::dir("qwen3");
    let engine = inferlab_tokenize::Engine::load(
        &std::fs::read(dir.join("tokenizer.json")).expect("tokenizer.json"),
        std::fs::read(dir.join("tokenizer_config.json"))
            .ok()
            .as_deref(),
    )
    .expect("load");
    let msgs = [ChatMessage::new("user", "Hi")];
    let p = engine.render_chat(&msgs, true, None, None).expect("render");
    assert!(
        p.rendered
            .starts_with("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"),
        "{:?}",
        p.rendered
    );
    // `<|im_start|>` is one special token (151644), not its characters.
    assert_eq!(p.ids.first(), Some(&151_644));
    assert_eq!(p.counts.tokens, p.ids.len());
    // An edited template is used instead, and its errors say where.
    let e = engine
        .render_chat(
            &msgs,
            false,
            Some("{% for m in messages %}\n{{ m.content }\n{% endfor %}"),
            None,
        )
        .unwrap_err();
    assert!(e.to_string().contains("line 2"), "{e}");
    let p = engine
        .render_chat(&msgs, false, Some("{{ messages[0].content }}"), None)
        .expect("edited");
    assert_eq!(p.rendered, "Hi");
    // A tokenizer without a template says so.
    let bert = common::dir("bert-base-uncased");
    let engine = inferlab_tokenize::Engine::load(
        &std::fs::read(bert.join("tokenizer.json")).expect("bert"),
        None,
    )
    .expect("load bert");
    assert_eq!(
        engine.render_chat(&msgs, true, None, None),
        Err(inferlab_tokenize::ChatError::NoTemplate)
    );
}
