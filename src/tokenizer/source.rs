//! Where the tokenizer comes from: a bundled id, a Hub repo id or URL (downloaded by the worker
//! with progress, a Hub token for gated repos, and Cache Storage), or a file the user picked.

use std::sync::Arc;

use inferlab_tokenize::protocol::{Command, LoadedInfo, Payload};
use inferlab_tokenize::sources::{is_bundled, is_hub_url, tokenizer_url};
use inferlab_tokenize::TokenView;
use leptos::prelude::*;

use crate::app::HubToken;
use crate::browser::base_path;
use crate::browser::tokenizer_worker::{self, Source};

/// Prefix of the keys of picked files (a link can't name them).
pub const FILE_PREFIX: &str = "file:";

/// A `tokenizer.json` the user picked, held in this tab only.
#[derive(Clone, PartialEq)]
pub struct PickedFile {
    /// Worker key, unique per pick.
    pub key: String,
    pub name: String,
    pub json: Arc<String>,
    pub config: Option<Arc<String>>,
}

/// A download in progress: what, bytes so far, total if known.
#[derive(Clone, PartialEq)]
pub struct Download {
    pub what: String,
    pub loaded: u64,
    pub total: Option<u64>,
}

/// The tokenizer sources the page shares between its parts.
#[derive(Clone, Copy)]
pub struct Sources {
    pub hub: HubToken,
    pub file: RwSignal<Option<PickedFile>>,
    pub download: RwSignal<Option<Download>>,
    picks: StoredValue<u32>,
}

impl Sources {
    pub fn new() -> Self {
        Self {
            hub: HubToken::new(),
            file: RwSignal::new(None),
            download: RwSignal::new(None),
            picks: StoredValue::new(0),
        }
    }

    /// Keeps a picked file (and its config, when the user picked both) as the active tokenizer.
    pub fn pick(&self, name: String, json: String, config: Option<String>) {
        let n = self.picks.get_value() + 1;
        self.picks.set_value(n);
        self.file.set(Some(PickedFile {
            key: format!("{FILE_PREFIX}{n}:{name}"),
            name,
            json: Arc::new(json),
            config: config.map(Arc::new),
        }));
    }

    /// Makes sure the worker holds `tok` (a bundled id, Hub repo id, URL or picked-file key).
    pub async fn load(self, tok: String) -> Result<LoadedInfo, String> {
        if let Some(info) = tokenizer_worker::loaded(&tok) {
            return Ok(info);
        }
        let source = if tok.starts_with(FILE_PREFIX) {
            let file = self
                .file
                .get_untracked()
                .filter(|f| f.key == tok)
                .ok_or("the picked file is no longer available: pick it again")?;
            Source::Text {
                json: file.json.to_string(),
                config: file.config.map(|c| c.to_string()),
            }
        } else {
            let url = tokenizer_url(&tok, &base_path()).ok_or_else(|| {
                format!("“{tok}” is not a bundled tokenizer, a Hub repo id (owner/name) or an http(s) URL")
            })?;
            Source::Url {
                token: is_hub_url(&url).then(|| self.hub.get()).flatten(),
                cache: !is_bundled(&tok),
                url,
            }
        };
        let download = self.download;
        let what = tok.clone();
        let progress = Box::new(move |loaded, total| {
            download.set(Some(Download {
                what: what.clone(),
                loaded,
                total,
            }));
        });
        let result = tokenizer_worker::load(&tok, source, Some(progress)).await;
        download.set(None);
        result
    }
}

impl Sources {
    /// Loads `tok` if needed, then its token view of `text` (at most `max_tokens` shown).
    pub async fn view(
        self,
        tok: String,
        text: String,
        max_tokens: usize,
    ) -> Result<(LoadedInfo, TokenView), String> {
        let info = self.load(tok.clone()).await?;
        match tokenizer_worker::call(Command::View {
            key: tok,
            text,
            max_tokens: Some(max_tokens),
        })
        .await?
        {
            Payload::View { view } => Ok((info, view)),
            _ => Err("unexpected reply from the tokenizer worker".into()),
        }
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// The download bar (shown only while a file is downloading).
#[component]
pub fn DownloadBar(sources: Sources) -> impl IntoView {
    move || {
        sources.download.get().map(|d| {
            let text = match d.total {
                Some(t) => format!("Downloading {}: {} of {}", d.what, mb(d.loaded), mb(t)),
                None => format!("Downloading {}: {}", d.what, mb(d.loaded)),
            };
            let bar = match d.total {
                Some(t) => {
                    view! { <progress max=t.to_string() value=d.loaded.to_string()></progress> }
                        .into_any()
                }
                None => view! { <progress></progress> }.into_any(),
            };
            view! {
                <div class="download" role="status" data-testid="tokenizer-progress">
                    {bar}
                    <span class="muted small">{text}</span>
                </div>
            }
        })
    }
}

/// Reads the picked files: a `tokenizer.json`, optionally with its `tokenizer_config.json`.
async fn read_files(files: web_sys::FileList) -> Result<(String, String, Option<String>), String> {
    let mut json = None;
    let mut config = None;
    for i in 0..files.length() {
        let Some(f) = files.item(i) else { continue };
        let name = f.name();
        if f.size() > inferlab_tokenize::engine::MAX_TOKENIZER_JSON_BYTES as f64 {
            return Err(format!(
                "{name} is {} — over the {} MB limit for a tokenizer.json",
                mb(f.size() as u64),
                inferlab_tokenize::engine::MAX_TOKENIZER_JSON_BYTES >> 20
            ));
        }
        let text = wasm_bindgen_futures::JsFuture::from(f.text())
            .await
            .ok()
            .and_then(|t| t.as_string())
            .ok_or_else(|| format!("could not read {name}"))?;
        if name.contains("tokenizer_config") {
            config = Some(text);
        } else {
            json = Some((name, text));
        }
    }
    let (name, json) =
        json.ok_or("pick a tokenizer.json (optionally with its tokenizer_config.json)")?;
    Ok((name, json, config))
}

/// File input for a local `tokenizer.json` (+ config).
#[component]
pub fn FilePicker(sources: Sources, error: RwSignal<Option<String>>) -> impl IntoView {
    let on_change = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(files) = input.files() else { return };
        leptos::task::spawn_local(async move {
            match read_files(files).await {
                Ok((name, json, config)) => {
                    error.set(None);
                    sources.pick(name, json, config);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <div class="field">
            <label for="tok-file">"Or a local tokenizer.json (+ tokenizer_config.json)"</label>
            <input id="tok-file" type="file" multiple accept=".json,application/json" data-testid="tokenizer-file" on:change=on_change />
        </div>
    }
}
