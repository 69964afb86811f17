//! Long texts in links: raw DEFLATE + base64url behind a `~` marker.
//!
//! A short text stays readable (`text=hello%20world`); a long one is packed when that is
//! shorter, so a few pages of prose still fit the 16 KiB link limit. The marker makes the
//! form unambiguous: a plain text that itself starts with `~` is always packed.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use thiserror::Error;

/// First character of a packed value.
pub const MARKER: char = '~';

/// Largest text a packed value may unpack to: a hostile link must not make the page inflate
/// gigabytes (DEFLATE reaches ~1000:1).
pub const MAX_UNPACKED_BYTES: usize = 4 * 1024 * 1024;

/// Texts longer than this are not even tried: they cannot fit a 16 KiB link after
/// compression except in pathological cases (prose packs about 3:1).
pub const MAX_PACK_INPUT_BYTES: usize = 128 * 1024;

/// Why a packed value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UnpackError {
    #[error("not base64url")]
    NotBase64,
    #[error("not DEFLATE data, or longer than {MAX_UNPACKED_BYTES} bytes unpacked")]
    NotDeflate,
    #[error("does not unpack to UTF-8 text")]
    NotUtf8,
}

/// The value to put in a link for `text`: plain when that is no longer than packed. A packed
/// value has only characters that need no %-escape.
/// `None` when the text is too long to try (see [`MAX_PACK_INPUT_BYTES`]).
pub fn pack(text: &str) -> Option<String> {
    let plain_len = crate::encoded_len(text);
    if !text.starts_with(MARKER) && plain_len <= 256 {
        return Some(text.to_owned());
    }
    if text.len() > MAX_PACK_INPUT_BYTES {
        return None;
    }
    let packed = format!(
        "{MARKER}{}",
        URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 6))
    );
    Some(if !text.starts_with(MARKER) && plain_len <= packed.len() {
        text.to_owned()
    } else {
        packed
    })
}

/// The text a link value stands for: unpacked when it starts with [`MARKER`].
pub fn unpack(value: &str) -> Result<String, UnpackError> {
    let Some(b64) = value.strip_prefix(MARKER) else {
        return Ok(value.to_owned());
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(b64.trim_end_matches('='))
        .map_err(|_| UnpackError::NotBase64)?;
    let raw = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, MAX_UNPACKED_BYTES)
        .map_err(|_| UnpackError::NotDeflate)?;
    String::from_utf8(raw).map_err(|_| UnpackError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn short_text_stays_plain_and_long_text_is_packed() {
        assert_eq!(pack("hello world").as_deref(), Some("hello world"));
        let long = "The quick brown fox jumps over the lazy dog. ".repeat(200);
        let packed = pack(&long).unwrap();
        assert!(packed.starts_with(MARKER));
        assert!(packed.len() < long.len() / 10, "{}", packed.len());
        assert_eq!(unpack(&packed).unwrap(), long);
    }

    #[test]
    fn a_text_starting_with_the_marker_is_always_packed() {
        let p = pack("~x").unwrap();
        assert_ne!(p, "~x");
        assert_eq!(unpack(&p).unwrap(), "~x");
    }

    #[test]
    fn too_long_texts_are_not_tried() {
        assert_eq!(pack(&"a".repeat(MAX_PACK_INPUT_BYTES + 1)), None);
    }

    #[test]
    fn bad_values_are_errors_not_panics() {
        assert_eq!(unpack("~!!!"), Err(UnpackError::NotBase64));
        assert_eq!(unpack("~AAAA"), Err(UnpackError::NotDeflate));
        // A "zip bomb": 64 MiB of zeros packs to ~64 KiB; unpacking stops at the limit.
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![0u8; 64 << 20], 9);
        let v = format!("~{}", URL_SAFE_NO_PAD.encode(bomb));
        assert_eq!(unpack(&v), Err(UnpackError::NotDeflate));
        let not_utf8 = miniz_oxide::deflate::compress_to_vec(&[0xff, 0xfe], 9);
        let v = format!("~{}", URL_SAFE_NO_PAD.encode(not_utf8));
        assert_eq!(unpack(&v), Err(UnpackError::NotUtf8));
    }

    proptest! {
        #[test]
        fn every_text_round_trips(text in "\\PC{0,600}") {
            let packed = pack(&text).unwrap();
            prop_assert_eq!(unpack(&packed).unwrap(), text);
        }

        #[test]
        fn arbitrary_values_never_panic(v in "~[A-Za-z0-9_=-]{0,200}") {
            let _ = unpack(&v);
        }
    }
}
