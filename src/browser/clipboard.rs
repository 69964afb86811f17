//! Copying text, with the asynchronous Clipboard API.

use wasm_bindgen_futures::JsFuture;

/// Why text could not be copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyError {
    /// No clipboard (insecure context, old browser) or the user refused.
    Unavailable,
}

/// Copies `text` to the clipboard.
pub async fn copy_text(text: &str) -> Result<(), CopyError> {
    let clipboard = web_sys::window()
        .ok_or(CopyError::Unavailable)?
        .navigator()
        .clipboard();
    JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(|_| CopyError::Unavailable)
}

/// The page's full URL, the thing a "Copy link" button copies.
pub fn current_href() -> Option<String> {
    web_sys::window()?.location().href().ok()
}
