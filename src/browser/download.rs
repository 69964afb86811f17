//! Saving a generated file (exports, chart PNGs) through a Blob or data URL and a temporary
//! `<a download>`.

use wasm_bindgen::{JsCast, JsValue};

/// Why a download could not be started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DownloadError {
    /// No window/document (not in a browser).
    #[error("no document to download from")]
    NoDocument,
    /// The browser refused to create the Blob, its URL or the link.
    #[error("the browser refused the download: {0}")]
    Refused(String),
}

fn refused(e: JsValue) -> DownloadError {
    DownloadError::Refused(e.as_string().unwrap_or_else(|| format!("{e:?}")))
}

/// Offers `text` as a file named `filename` of type `mime`. The Blob URL is revoked right
/// after the click (the browser has taken its reference by then).
pub fn download_text(filename: &str, mime: &str, text: &str) -> Result<(), DownloadError> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(refused)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(refused)?;
    let r = download_url(filename, &url);
    // Revoking too early can cancel the download in some browsers: give it a tick.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 1000);
    }
    r
}

/// Offers the resource at `href` (a Blob or `data:` URL, e.g. a canvas's PNG) as a file
/// named `filename`, through a temporary `<a download>`.
pub fn download_url(filename: &str, href: &str) -> Result<(), DownloadError> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(DownloadError::NoDocument)?;
    let a: web_sys::HtmlAnchorElement =
        document
            .create_element("a")
            .map_err(refused)?
            .dyn_into()
            .map_err(|_| DownloadError::Refused("not an anchor".into()))?;
    a.set_href(href);
    a.set_download(filename);
    a.set_attribute("style", "display:none").map_err(refused)?;
    let body = document.body().ok_or(DownloadError::NoDocument)?;
    body.append_child(&a).map_err(refused)?;
    a.click();
    a.remove();
    Ok(())
}
