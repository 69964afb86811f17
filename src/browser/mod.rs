//! The thin layer of browser I/O: everything that touches `window`, storage, the clipboard
//! or the URL lives here, so components and core stay free of it.

pub mod clipboard;
pub mod download;
pub mod hub;
pub mod query_state;
pub mod storage;
pub mod stream;
pub mod stream_worker;
pub mod tokenizer_worker;

/// The path the app is hosted under, without a trailing slash (`""` at the root,
/// `"/inferlab"` on GitHub Pages), read from `<base href>` that Trunk writes.
pub fn base_path() -> String {
    let base = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .and_then(|uri| web_sys::Url::new(&uri).ok())
        .map(|u| u.pathname())
        .unwrap_or_default();
    base.trim_end_matches('/').to_owned()
}
