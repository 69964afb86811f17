//! Typed tool state to and from parameters, with every problem collected, never a panic.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::codec::{encode_component, parse_query, QueryError, RawParam};

/// Version of the link format. Written as `v=1` only when it changes meaning, read always;
/// a link from a newer version is still decoded as far as possible, with a notice.
pub const VERSION: u32 = 1;

/// A parameter that could not be used; the default was used instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    /// The whole query string was refused (too long).
    Refused(String),
    /// The tool does not know this parameter.
    Unknown(String),
    /// The parameter's value is not valid: `(key, value, what is expected)`.
    Invalid(String, String, String),
    /// The parameter's text is not decodable (bad `%` escape, not UTF-8).
    Undecodable(String),
    /// The link was made by a newer version of the app.
    NewerVersion(u32),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Refused(why) => write!(f, "link ignored: {why}"),
            Problem::Unknown(k) => write!(f, "unknown parameter “{k}”"),
            Problem::Invalid(k, v, want) => write!(f, "“{k}={v}” is not valid ({want})"),
            Problem::Undecodable(k) => write!(f, "“{k}” has a malformed %-escape"),
            Problem::NewerVersion(v) => write!(f, "link made by a newer InferLab (v{v})"),
        }
    }
}

impl Problem {
    /// The parameter this problem is about, for naming it in the notice.
    pub fn key(&self) -> Option<&str> {
        match self {
            Problem::Unknown(k) | Problem::Invalid(k, _, _) | Problem::Undecodable(k) => Some(k),
            Problem::Refused(_) | Problem::NewerVersion(_) => None,
        }
    }
}

/// A tool's state that lives in the URL.
pub trait QueryState: Default {
    /// Reads every known parameter; the reader records missing, invalid and unknown ones.
    fn read(r: &mut QueryReader) -> Self;
    /// Writes the parameters that differ from the default, in a stable order.
    fn write(&self, w: &mut QueryWriter);
}

/// Result of decoding a link: the state (defaults where needed) and what was wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<S> {
    pub state: S,
    pub problems: Vec<Problem>,
}

/// Decodes a query string into `S`. Never fails and never panics.
pub fn decode<S: QueryState>(query: &str) -> Decoded<S> {
    match parse_query(query) {
        Ok(params) => {
            let mut r = QueryReader::new(params);
            let version = r.number("v", VERSION, 1..=u32::MAX);
            let state = S::read(&mut r);
            let mut problems = r.finish();
            if version > VERSION {
                problems.insert(0, Problem::NewerVersion(version));
            }
            Decoded { state, problems }
        }
        Err(e) => Decoded {
            state: S::default(),
            problems: vec![Problem::Refused(e.to_string())],
        },
    }
}

/// Encodes `S` as a query string without the leading `?` (empty when all defaults).
pub fn encode<S: QueryState>(state: &S) -> String {
    let mut w = QueryWriter::default();
    state.write(&mut w);
    w.0
}

/// Reads typed values out of the decoded parameters.
pub struct QueryReader {
    params: Vec<RawParam>,
    used: BTreeSet<String>,
    problems: Vec<Problem>,
}

impl QueryReader {
    fn new(params: Vec<RawParam>) -> Self {
        Self {
            params,
            used: BTreeSet::new(),
            problems: Vec::new(),
        }
    }

    /// The raw text of `key` (the last occurrence wins, as in `URLSearchParams.get` … set).
    pub fn text(&mut self, key: &str) -> Option<String> {
        self.used.insert(key.to_owned());
        let found = self.params.iter().rev().find(|(k, _)| k == key)?;
        match &found.1 {
            Ok(v) => Some(v.clone()),
            Err(QueryError::BadEscape(_) | QueryError::NotUtf8(_) | QueryError::TooLong(_)) => {
                self.problems.push(Problem::Undecodable(key.to_owned()));
                None
            }
        }
    }

    /// A value parsed with `FromStr`; `expected` describes valid values for the notice.
    pub fn parse<T: FromStr>(&mut self, key: &str, default: T, expected: &str) -> T {
        match self.text(key) {
            None => default,
            Some(v) => match v.trim().parse() {
                Ok(t) => t,
                Err(_) => {
                    self.problems
                        .push(Problem::Invalid(key.to_owned(), v, expected.to_owned()));
                    default
                }
            },
        }
    }

    /// A number within `range` (inclusive).
    pub fn number<T>(&mut self, key: &str, default: T, range: std::ops::RangeInclusive<T>) -> T
    where
        T: FromStr + PartialOrd + fmt::Display + Copy,
    {
        let expected = format!("a number from {} to {}", range.start(), range.end());
        match self.text(key) {
            None => default,
            Some(v) => match v.trim().parse::<T>() {
                Ok(t) if range.contains(&t) => t,
                _ => {
                    self.problems
                        .push(Problem::Invalid(key.to_owned(), v, expected));
                    default
                }
            },
        }
    }

    /// An optional number: absent means `None` (e.g. "use the engine's default").
    pub fn optional_number<T>(&mut self, key: &str, range: std::ops::RangeInclusive<T>) -> Option<T>
    where
        T: FromStr + PartialOrd + fmt::Display + Copy,
    {
        let present = self.params.iter().any(|(k, _)| k == key);
        if !present {
            self.used.insert(key.to_owned());
            return None;
        }
        let before = self.problems.len();
        let v = self.number(key, *range.start(), range);
        (self.problems.len() == before).then_some(v)
    }

    /// A value that must be one of `choices` (by id).
    pub fn choice<T: Clone>(&mut self, key: &str, default: T, choices: &[(&str, T)]) -> T {
        match self.text(key) {
            None => default,
            Some(v) => match choices.iter().find(|(id, _)| *id == v.trim()) {
                Some((_, t)) => t.clone(),
                None => {
                    let ids: Vec<&str> = choices.iter().map(|(id, _)| *id).collect();
                    let expected = format!("one of {}", ids.join(", "));
                    self.problems
                        .push(Problem::Invalid(key.to_owned(), v, expected));
                    default
                }
            },
        }
    }

    /// A boolean: `1`/`0`, `true`/`false`, `yes`/`no`, `on`/`off`.
    pub fn flag(&mut self, key: &str, default: bool) -> bool {
        match self.text(key) {
            None => default,
            Some(v) => match v.trim() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" => false,
                _ => {
                    let expected = "1 or 0".to_owned();
                    self.problems
                        .push(Problem::Invalid(key.to_owned(), v, expected));
                    default
                }
            },
        }
    }

    /// Records a problem found by the tool's own validation of a value.
    pub fn invalid(&mut self, key: &str, value: &str, expected: &str) {
        self.problems
            .push(Problem::Invalid(key.into(), value.into(), expected.into()));
    }

    /// Every problem, unknown parameters last, each key named once.
    fn finish(mut self) -> Vec<Problem> {
        let mut seen = BTreeSet::new();
        for (k, _) in &self.params {
            if !self.used.contains(k) && seen.insert(k.clone()) {
                self.problems.push(Problem::Unknown(k.clone()));
            }
        }
        self.problems
    }
}

/// Accumulates `key=value` pairs in the order written.
#[derive(Default)]
pub struct QueryWriter(String);

impl QueryWriter {
    /// Writes `key=value` unconditionally.
    pub fn put(&mut self, key: &str, value: impl fmt::Display) {
        if !self.0.is_empty() {
            self.0.push('&');
        }
        self.0.push_str(&encode_component(key));
        self.0.push('=');
        self.0.push_str(&encode_component(&value.to_string()));
    }

    /// Writes `key=value` when `value` differs from `default`, keeping links short.
    pub fn put_if<T: PartialEq + fmt::Display>(&mut self, key: &str, value: &T, default: &T) {
        if value != default {
            self.put(key, value);
        }
    }

    /// Writes an optional value when present.
    pub fn put_opt<T: fmt::Display>(&mut self, key: &str, value: &Option<T>) {
        if let Some(v) = value {
            self.put(key, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone, PartialEq, Default)]
    struct Demo {
        n: u32,
        name: String,
        on: bool,
        opt: Option<f64>,
    }

    impl QueryState for Demo {
        fn read(r: &mut QueryReader) -> Self {
            Demo {
                n: r.number("n", 0, 0..=1000),
                name: r.text("name").unwrap_or_default(),
                on: r.flag("on", false),
                opt: r.optional_number("opt", 0.0..=1.0),
            }
        }
        fn write(&self, w: &mut QueryWriter) {
            let d = Demo::default();
            w.put_if("n", &self.n, &d.n);
            w.put_if("name", &self.name, &d.name);
            w.put_if("on", &u8::from(self.on), &0);
            w.put_opt("opt", &self.opt);
        }
    }

    #[test]
    fn names_unknown_and_invalid_parameters() {
        let d: Decoded<Demo> = decode("foo=1&n=abc&bar=%ZZ&name=x");
        assert_eq!(
            d.state,
            Demo {
                name: "x".into(),
                ..Demo::default()
            }
        );
        let keys: Vec<_> = d.problems.iter().filter_map(Problem::key).collect();
        assert_eq!(keys, ["n", "foo", "bar"]);
    }

    #[test]
    fn refuses_too_long_links() {
        let q = format!("name={}", "x".repeat(20_000));
        let d: Decoded<Demo> = decode(&q);
        assert_eq!(d.state, Demo::default());
        assert!(matches!(d.problems[..], [Problem::Refused(_)]));
    }

    #[test]
    fn notes_newer_versions() {
        let d: Decoded<Demo> = decode("v=9&n=3");
        assert_eq!(d.state.n, 3);
        assert_eq!(d.problems, [Problem::NewerVersion(9)]);
    }

    #[test]
    fn defaults_encode_to_nothing() {
        assert_eq!(encode(&Demo::default()), "");
    }

    proptest! {
        #[test]
        fn round_trips(n in 0u32..=1000, name in ".{0,40}", on: bool, opt in proptest::option::of(0.0f64..=1.0)) {
            let s = Demo { n, name, on, opt };
            let d: Decoded<Demo> = decode(&encode(&s));
            prop_assert_eq!(d.problems, vec![]);
            prop_assert_eq!(d.state, s);
        }

        #[test]
        fn arbitrary_links_never_panic(q in ".{0,400}") {
            let _: Decoded<Demo> = decode(&q);
        }
    }
}
