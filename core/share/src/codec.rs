//! Query-string syntax: splitting, percent-decoding and -encoding.
//!
//! Hand-rolled rather than a dependency: it is ~80 lines, and strictness matters here
//! (a malformed escape such as `%ZZ` must be reported, not silently passed through, which
//! is what the browser's `URLSearchParams` does).

use thiserror::Error;

/// Longest query string accepted (16 KiB). Longer links are refused with a notice: they
/// would break in chat clients and some servers, and nothing this app shares needs more.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;

/// Why a query string or one of its components could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QueryError {
    #[error("the link's query string is {0} bytes, over the {MAX_QUERY_BYTES}-byte limit")]
    TooLong(usize),
    #[error("malformed percent-escape in {0:?}")]
    BadEscape(String),
    #[error("{0:?} does not decode to UTF-8 text")]
    NotUtf8(String),
}

/// Characters left as they are when encoding: RFC 3986 unreserved plus a few that are
/// safe in a query value and keep links readable (`model=meta-llama/Llama-3.1-8B`,
/// `cmp=a,b`, `url=http://127.0.0.1:8000`).
fn is_plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~,:/@!$'()*".contains(&b)
}

/// Length of [`encode_component`]'s output, without building it.
pub fn encoded_len(s: &str) -> usize {
    s.bytes().map(|b| if is_plain(b) { 1 } else { 3 }).sum()
}

/// Percent-encodes one key or value.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(encoded_len(s));
    for &b in s.as_bytes() {
        if is_plain(b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
        }
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes one key or value: `%XX` escapes and `+` as a space (form encoding, which
/// hand-written links and HTML forms use).
pub fn decode_component(s: &str) -> Result<String, QueryError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex);
                let lo = bytes.get(i + 2).copied().and_then(hex);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                    _ => return Err(QueryError::BadEscape(s.to_owned())),
                }
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| QueryError::NotUtf8(s.to_owned()))
}

/// One parameter as found in the link: the decoded key and the decoded value, or the
/// raw text with the reason it could not be decoded.
pub type RawParam = (String, Result<String, QueryError>);

/// Splits a query string (with or without the leading `?`) into decoded parameters, in
/// order. Only the total length can fail; a bad escape affects just its own parameter.
pub fn parse_query(query: &str) -> Result<Vec<RawParam>, QueryError> {
    let query = query.strip_prefix('?').unwrap_or(query);
    if query.len() > MAX_QUERY_BYTES {
        return Err(QueryError::TooLong(query.len()));
    }
    Ok(query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let key = decode_component(k).unwrap_or_else(|_| k.to_owned());
            let value = decode_component(k).and_then(|_| decode_component(v));
            (key, value)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_escapes_and_plus() {
        assert_eq!(decode_component("a%20b+c").unwrap(), "a b c");
        assert_eq!(decode_component("%E2%99%A9").unwrap(), "♩");
        assert!(matches!(
            decode_component("%ZZ"),
            Err(QueryError::BadEscape(_))
        ));
        assert!(matches!(
            decode_component("%4"),
            Err(QueryError::BadEscape(_))
        ));
        assert!(matches!(
            decode_component("%FF"),
            Err(QueryError::NotUtf8(_))
        ));
    }

    #[test]
    fn keeps_links_readable() {
        assert_eq!(
            encode_component("meta-llama/Llama-3.1-8B"),
            "meta-llama/Llama-3.1-8B"
        );
        assert_eq!(encode_component("a b&c=d+e"), "a%20b%26c%3Dd%2Be");
    }

    #[test]
    fn splits_parameters() {
        let p = parse_query("?foo=1&bar=%ZZ&&flag").unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(p[0], ("foo".into(), Ok("1".into())));
        assert!(p[1].1.is_err());
        assert_eq!(p[2], ("flag".into(), Ok(String::new())));
    }

    #[test]
    fn refuses_long_queries() {
        let q = "a=".to_owned() + &"x".repeat(MAX_QUERY_BYTES);
        assert!(matches!(parse_query(&q), Err(QueryError::TooLong(_))));
    }

    proptest! {
        #[test]
        fn component_round_trips(s in ".*") {
            prop_assert_eq!(decode_component(&encode_component(&s)).unwrap(), s);
        }

        #[test]
        fn arbitrary_queries_never_panic(s in ".{0,300}") {
            let _ = parse_query(&s);
        }
    }
}
