//! Safetensors header reading, so the browser can learn exact parameter counts and dtypes of a
//! Hub checkpoint with two small HTTP Range requests instead of downloading weights
//! (the technique of alvarobartt/hf-mem, field notes A1).
//!
//! File layout (safetensors spec): 8-byte little-endian header length `n`, then `n` bytes of
//! JSON `{ "__metadata__": {...}, "<tensor>": {"dtype": "BF16", "shape": [..],
//! "data_offsets": [begin, end]} }`, then the data.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Headers larger than this are refused (the reference implementation caps at 100 MB).
pub const MAX_HEADER_BYTES: u64 = 100_000_000;

/// What a safetensors header says about a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TensorSummary {
    /// Parameters (elements) per dtype, e.g. `{"BF16": 8030261248}`.
    pub params_by_dtype: BTreeMap<String, u64>,
    /// Bytes of tensor data per dtype.
    pub bytes_by_dtype: BTreeMap<String, u64>,
    /// Number of tensors.
    pub tensor_count: u64,
    /// Sum of all parameters.
    pub total_params: u64,
    /// Sum of all tensor bytes (the file size minus the header).
    pub total_bytes: u64,
}

impl TensorSummary {
    /// Add another shard's summary (sharded checkpoints).
    pub fn merge(&mut self, other: &TensorSummary) {
        for (k, v) in &other.params_by_dtype {
            *self.params_by_dtype.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.bytes_by_dtype {
            *self.bytes_by_dtype.entry(k.clone()).or_default() += v;
        }
        self.tensor_count += other.tensor_count;
        self.total_params += other.total_params;
        self.total_bytes += other.total_bytes;
    }
}

/// Why a header could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SafetensorsError {
    /// Fewer bytes than the 8-byte length prefix (or than the length it announces).
    #[error("safetensors header truncated: need {needed} bytes, have {have}")]
    Truncated {
        /// Bytes required.
        needed: u64,
        /// Bytes given.
        have: u64,
    },
    /// The announced length exceeds [`MAX_HEADER_BYTES`].
    #[error("safetensors header length {0} is implausible")]
    TooLarge(u64),
    /// Header JSON is malformed.
    #[error("safetensors header is not valid JSON: {0}")]
    Json(String),
    /// A tensor entry lacks dtype/shape.
    #[error("safetensors tensor `{0}` has no valid dtype or shape")]
    BadTensor(String),
}

/// Byte range of the first Range request: the 8-byte length prefix (`Range: bytes=0-7`).
pub fn length_prefix_range() -> RangeInclusive<u64> {
    0..=7
}

/// Header length announced by the first 8 bytes.
pub fn header_length(prefix: &[u8]) -> Result<u64, SafetensorsError> {
    let bytes: [u8; 8] =
        prefix
            .get(..8)
            .and_then(|s| s.try_into().ok())
            .ok_or(SafetensorsError::Truncated {
                needed: 8,
                have: prefix.len() as u64,
            })?;
    let n = u64::from_le_bytes(bytes);
    if n > MAX_HEADER_BYTES {
        return Err(SafetensorsError::TooLarge(n));
    }
    Ok(n)
}

/// Byte range of the second Range request: the JSON header (`Range: bytes=8-{7+n}`).
/// Requesting `0..=7+n` in one go also works: [`parse_safetensors_header`] accepts both.
pub fn header_range(header_len: u64) -> RangeInclusive<u64> {
    8..=7 + header_len.max(1)
}

/// Parse a header: `bytes` starts at file offset 0 and holds at least `8 + n` bytes.
pub fn parse_safetensors_header(bytes: &[u8]) -> Result<TensorSummary, SafetensorsError> {
    let n = header_length(bytes)?;
    let end = 8 + n as usize;
    let json = bytes.get(8..end).ok_or(SafetensorsError::Truncated {
        needed: end as u64,
        have: bytes.len() as u64,
    })?;
    parse_header_json(json)
}

/// Parse only the JSON part of a header (the body of the second Range request).
pub fn parse_header_json(json: &[u8]) -> Result<TensorSummary, SafetensorsError> {
    let v: Value =
        serde_json::from_slice(json).map_err(|e| SafetensorsError::Json(e.to_string()))?;
    let obj = v
        .as_object()
        .ok_or_else(|| SafetensorsError::Json("header is not an object".into()))?;
    let mut s = TensorSummary::default();
    for (name, t) in obj {
        if name == "__metadata__" {
            continue;
        }
        let dtype = t
            .get("dtype")
            .and_then(Value::as_str)
            .ok_or_else(|| SafetensorsError::BadTensor(name.clone()))?;
        let shape = t
            .get("shape")
            .and_then(Value::as_array)
            .ok_or_else(|| SafetensorsError::BadTensor(name.clone()))?;
        let mut elems: u64 = 1;
        for d in shape {
            let d = d
                .as_u64()
                .ok_or_else(|| SafetensorsError::BadTensor(name.clone()))?;
            elems = elems.saturating_mul(d);
        }
        let bytes = match t
            .get("data_offsets")
            .and_then(Value::as_array)
            .map(|a| a.as_slice())
        {
            Some([b, e]) => e
                .as_u64()
                .unwrap_or(0)
                .saturating_sub(b.as_u64().unwrap_or(0)),
            _ => 0,
        };
        *s.params_by_dtype.entry(dtype.to_string()).or_default() += elems;
        *s.bytes_by_dtype.entry(dtype.to_string()).or_default() += bytes;
        s.tensor_count += 1;
        s.total_params = s.total_params.saturating_add(elems);
        s.total_bytes = s.total_bytes.saturating_add(bytes);
    }
    Ok(s)
}

/// Shard file names listed in a `model.safetensors.index.json` (`weight_map` values, unique).
pub fn parse_safetensors_index(json: &str) -> Result<Vec<String>, SafetensorsError> {
    let v: Value = serde_json::from_str(json).map_err(|e| SafetensorsError::Json(e.to_string()))?;
    let map = v
        .get("weight_map")
        .and_then(Value::as_object)
        .ok_or_else(|| SafetensorsError::Json("index has no weight_map".into()))?;
    let mut files: Vec<String> = map
        .values()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn file(json: &str) -> Vec<u8> {
        let mut v = (json.len() as u64).to_le_bytes().to_vec();
        v.extend_from_slice(json.as_bytes());
        v
    }

    #[test]
    fn counts_params_per_dtype() {
        let h = r#"{"__metadata__":{"format":"pt"},"a":{"dtype":"BF16","shape":[4,8],"data_offsets":[0,64]},
            "b":{"dtype":"F32","shape":[8],"data_offsets":[64,96]},"c":{"dtype":"BF16","shape":[2],"data_offsets":[96,100]}}"#;
        let s = parse_safetensors_header(&file(h)).unwrap();
        assert_eq!(s.params_by_dtype["BF16"], 34);
        assert_eq!(s.params_by_dtype["F32"], 8);
        assert_eq!(s.total_bytes, 100);
        assert_eq!(s.tensor_count, 3);
        assert_eq!(
            header_range(header_length(&file(h)).unwrap()),
            8..=7 + h.len() as u64
        );
    }

    #[test]
    fn truncated_and_huge_are_errors() {
        assert!(matches!(
            parse_safetensors_header(&[1, 2]),
            Err(SafetensorsError::Truncated { .. })
        ));
        assert!(matches!(
            parse_safetensors_header(&u64::MAX.to_le_bytes()),
            Err(SafetensorsError::TooLarge(_))
        ));
        let mut f = file("{}");
        f.truncate(9);
        assert!(parse_safetensors_header(&f).is_err());
    }

    #[test]
    fn index_lists_shards() {
        let j = r#"{"metadata":{},"weight_map":{"a":"m-2.safetensors","b":"m-1.safetensors","c":"m-1.safetensors"}}"#;
        assert_eq!(
            parse_safetensors_index(j).unwrap(),
            vec!["m-1.safetensors", "m-2.safetensors"]
        );
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_safetensors_header(&bytes);
        }
    }
}
