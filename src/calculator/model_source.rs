//! Where the architecture comes from: the catalog, a Hub repo's config.json fetched in the
//! browser, or a pasted / uploaded config.json.

use inferlab_calc::{model, Architecture, ConfigError};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::HubToken;
use crate::browser::hub;

pub use inferlab_share::calculator::PASTED_MODEL as PASTED;

/// The architecture to size, or why there is none yet.
#[derive(Clone, PartialEq)]
pub enum ArchState {
    Ready(Architecture),
    Loading,
    Failed(String),
}

/// Model-source state shared by the picker and the page.
#[derive(Clone, Copy)]
pub struct ModelSource {
    /// Text of the pasted/uploaded config.json (kept even when invalid, so nothing is lost).
    pub pasted_text: RwSignal<String>,
    /// Hub token: memory only unless "remember" is ticked.
    pub hub: HubToken,
    /// Fetched Hub configs by repo id (text), so a switch back is instant.
    fetched: RwSignal<Vec<(String, Result<String, String>)>>,
    in_flight: RwSignal<Option<String>>,
}

impl ModelSource {
    pub fn new() -> Self {
        Self {
            pasted_text: RwSignal::new(String::new()),
            hub: HubToken::new(),
            fetched: RwSignal::new(Vec::new()),
            in_flight: RwSignal::new(None),
        }
    }

    /// Fetches `repo`'s config.json unless it is cached or being fetched.
    pub fn fetch(&self, repo: String, force: bool) {
        if !force
            && (self.in_flight.get_untracked().as_deref() == Some(&repo)
                || self
                    .fetched
                    .with_untracked(|f| f.iter().any(|(r, _)| *r == repo)))
        {
            return;
        }
        let this = *self;
        this.in_flight.set(Some(repo.clone()));
        let token = this.hub.get().unwrap_or_default();
        spawn_local(async move {
            let result = hub::fetch_text(&repo, "config.json", Some(&token))
                .await
                .map_err(|e| e.to_string());
            this.fetched.update(|f| {
                f.retain(|(r, _)| *r != repo);
                f.push((repo.clone(), result));
            });
            if this.in_flight.get_untracked().as_deref() == Some(&repo) {
                this.in_flight.set(None);
            }
        });
    }

    /// The text fetched for `repo`, if the fetch succeeded (to edit a config with gaps).
    pub fn fetched_text(&self, repo: &str) -> Option<String> {
        self.fetched.with(|f| {
            f.iter()
                .find(|(r, _)| r == repo)
                .and_then(|(_, t)| t.clone().ok())
        })
    }

    /// The architecture for `model_id` (reactive).
    pub fn resolve(&self, model_id: &str) -> ArchState {
        if let Some(m) = model(model_id) {
            return ArchState::Ready(m.arch.clone());
        }
        if model_id == PASTED {
            let text = self.pasted_text.get();
            if text.trim().is_empty() {
                return ArchState::Failed(
                    "Paste or upload a config.json below (links cannot carry a pasted config)."
                        .into(),
                );
            }
            return parse(&text);
        }
        if self.in_flight.get().as_deref() == Some(model_id) {
            return ArchState::Loading;
        }
        match self.fetched.with(|f| {
            f.iter()
                .find(|(r, _)| r == model_id)
                .map(|(_, t)| t.clone())
        }) {
            Some(Ok(text)) => parse(&text),
            Some(Err(e)) => ArchState::Failed(e),
            None => ArchState::Loading,
        }
    }
}

fn parse(text: &str) -> ArchState {
    match Architecture::from_hf_config(text) {
        Ok(a) => ArchState::Ready(a),
        Err(ConfigError::MissingFields(f)) => ArchState::Failed(format!(
            "This config.json lacks fields the calculator needs: {}. Add them to the JSON (values from the model card or paper), e.g. \"{}\": …",
            f.join(", "),
            f.first().cloned().unwrap_or_default()
        )),
        Err(e) => ArchState::Failed(e.to_string()),
    }
}
