//! Fetching files from the Hugging Face Hub in the browser (CORS-enabled), with an optional
//! token for gated repos. The token is sent only to huggingface.co and never put in a URL.

use gloo_net::http::Request;

/// Why a Hub file could not be fetched, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HubError {
    #[error("{repo} needs a Hugging Face token (gated or private repo): add one under “Hub token” and accept the model's licence on its Hub page")]
    Unauthorized { repo: String },
    #[error("no {file} in {repo} on the Hub (check the repo id: owner/name)")]
    NotFound { repo: String, file: String },
    #[error("the Hub answered HTTP {status} for {repo}/{file}")]
    Http {
        repo: String,
        file: String,
        status: u16,
    },
    #[error(
        "could not reach the Hub ({0}); check the connection or paste the config.json instead"
    )]
    Network(String),
}

/// The `resolve` URL of `file` in `repo` at `main`.
pub fn file_url(repo: &str, file: &str) -> String {
    format!("https://huggingface.co/{repo}/resolve/main/{file}")
}

/// Fetches `file` of `repo` as text.
pub async fn fetch_text(repo: &str, file: &str, token: Option<&str>) -> Result<String, HubError> {
    let mut req = Request::get(&file_url(repo, file));
    if let Some(t) = token.filter(|t| !t.trim().is_empty()) {
        req = req.header("Authorization", &format!("Bearer {}", t.trim()));
    }
    let resp = req
        .send()
        .await
        .map_err(|e| HubError::Network(e.to_string()))?;
    let (repo, file) = (repo.to_owned(), file.to_owned());
    match resp.status() {
        200 => resp
            .text()
            .await
            .map_err(|e| HubError::Network(e.to_string())),
        401 | 403 => Err(HubError::Unauthorized { repo }),
        404 => Err(HubError::NotFound { repo, file }),
        status => Err(HubError::Http { repo, file, status }),
    }
}
