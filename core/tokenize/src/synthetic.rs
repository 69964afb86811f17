//! Natural-looking text of exactly N tokens for a given tokenizer.
//!
//! The load tester needs fixed input lengths ("1024-token prompts") that are exact for the
//! model under test, not "about 4 characters per token". Words are drawn from a fixed list
//! with a seeded generator (so a run is reproducible), the text is cut at the N-th token's
//! offset, and the result is verified by encoding and nudged a character or word at a time.

use thiserror::Error;

use crate::engine::{Engine, EngineError};

/// Why no text of exactly N tokens was produced.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SyntheticError {
    /// Fewer tokens than the tokenizer adds to any text (e.g. N = 0 with a BOS token).
    #[error("{requested} tokens is fewer than the {minimum} special tokens added to any text")]
    BelowMinimum {
        /// N asked for.
        requested: usize,
        /// Tokens of the empty string.
        minimum: usize,
    },
    /// The adjustment did not converge (not seen on real tokenizers; reported, not hidden).
    #[error("could not reach exactly {requested} tokens (closest: {closest})")]
    NoConvergence {
        /// N asked for.
        requested: usize,
        /// The nearest count reached.
        closest: usize,
    },
    /// Encoding failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// Common English words: natural-looking and mostly one token each in every vocabulary.
const WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "that",
    "for",
    "it",
    "as",
    "was",
    "with",
    "be",
    "by",
    "on",
    "not",
    "he",
    "this",
    "are",
    "or",
    "his",
    "from",
    "at",
    "which",
    "but",
    "have",
    "an",
    "had",
    "they",
    "you",
    "were",
    "their",
    "one",
    "all",
    "we",
    "can",
    "her",
    "has",
    "there",
    "been",
    "if",
    "more",
    "when",
    "will",
    "would",
    "who",
    "so",
    "no",
    "time",
    "people",
    "year",
    "way",
    "day",
    "man",
    "thing",
    "woman",
    "life",
    "child",
    "world",
    "school",
    "state",
    "family",
    "student",
    "group",
    "country",
    "problem",
    "hand",
    "part",
    "place",
    "case",
    "week",
    "company",
    "system",
    "program",
    "question",
    "work",
    "government",
    "number",
    "night",
    "point",
    "home",
    "water",
    "room",
    "mother",
    "area",
    "money",
    "story",
    "fact",
    "month",
    "lot",
    "right",
    "study",
    "book",
    "eye",
    "job",
    "word",
    "business",
    "issue",
    "side",
    "kind",
    "head",
    "house",
    "service",
    "friend",
    "father",
    "power",
    "hour",
    "game",
    "line",
    "end",
    "member",
    "law",
    "car",
    "city",
    "name",
    "team",
    "minute",
    "idea",
    "kid",
    "body",
    "information",
    "back",
    "parent",
    "face",
    "others",
    "level",
    "office",
    "door",
    "health",
    "person",
    "art",
    "war",
    "history",
    "party",
    "result",
    "change",
    "morning",
    "reason",
    "research",
    "girl",
    "guy",
    "moment",
    "air",
    "teacher",
    "force",
    "education",
    "good",
    "new",
    "first",
    "last",
    "long",
    "great",
    "little",
    "own",
    "other",
    "old",
    "big",
    "high",
    "different",
    "small",
    "large",
    "next",
    "early",
    "young",
    "important",
    "few",
    "public",
    "bad",
    "same",
    "able",
    "make",
    "know",
    "take",
    "see",
    "come",
    "think",
    "look",
    "want",
    "give",
    "use",
    "find",
    "tell",
    "ask",
    "seem",
    "feel",
    "try",
    "leave",
    "call",
    "keep",
    "begin",
    "help",
    "show",
    "hear",
    "play",
    "run",
    "move",
    "live",
    "believe",
    "bring",
    "happen",
    "write",
    "provide",
    "sit",
    "stand",
    "lose",
    "pay",
    "meet",
    "include",
    "continue",
    "set",
    "learn",
    "lead",
    "understand",
    "watch",
    "follow",
    "stop",
    "create",
    "speak",
    "read",
    "spend",
    "grow",
    "open",
    "walk",
    "win",
    "offer",
    "remember",
    "love",
    "consider",
    "appear",
    "buy",
    "wait",
    "serve",
    "die",
    "send",
    "expect",
    "build",
    "stay",
    "fall",
    "cut",
    "reach",
    "remain",
    "suggest",
    "raise",
    "pass",
    "sell",
    "decide",
];

/// Short words used to top up the last few tokens.
const FILLERS: &[&str] = &["a", "the", "and", "of", "to", "in", "it", "is", "on", "we"];

/// SplitMix64: tiny, seedable, identical on every target (no `rand` needed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        let len = u64::try_from(list.len()).unwrap_or(1).max(1);
        let i = usize::try_from(self.next() % len).unwrap_or(0);
        list.get(i).copied().unwrap_or("the")
    }
}

/// Appends sentences of 6–17 words until roughly `words` words were added.
fn append_sentences(out: &mut String, rng: &mut Rng, words: usize) {
    let mut added = 0;
    while added < words {
        let len = 6 + usize::try_from(rng.next() % 12).unwrap_or(0);
        for i in 0..len {
            if !out.is_empty() {
                out.push(' ');
            }
            let w = rng.pick(WORDS);
            if i == 0 {
                let mut cs = w.chars();
                if let Some(c) = cs.next() {
                    out.extend(c.to_uppercase());
                    out.push_str(cs.as_str());
                }
            } else {
                out.push_str(w);
            }
        }
        out.push('.');
        added += len;
    }
}

/// Text that encodes to exactly `n_tokens` tokens (counting the tokenizer's special tokens
/// when `add_special_tokens`, as a server counting prompt tokens does). Same `seed`, same text.
pub fn synthetic_text(
    engine: &Engine,
    n_tokens: usize,
    seed: u64,
    add_special_tokens: bool,
) -> Result<String, SyntheticError> {
    let count =
        |t: &str| -> Result<usize, EngineError> { Ok(engine.ids(t, add_special_tokens)?.len()) };
    let minimum = count("")?;
    if n_tokens < minimum {
        return Err(SyntheticError::BelowMinimum {
            requested: n_tokens,
            minimum,
        });
    }
    if n_tokens == minimum {
        return Ok(String::new());
    }
    let content = n_tokens - minimum;
    let mut rng = Rng(seed);

    // 1. Enough text, then cut at the end of the content-th token.
    let mut text = String::new();
    append_sentences(&mut text, &mut rng, content);
    loop {
        let enc = engine.encode(&text, false)?;
        if enc.ids.len() >= content {
            if let Some(&(_, end)) = enc.offsets.get(content - 1) {
                let mut cut = end.min(text.len());
                while !text.is_char_boundary(cut) {
                    cut += 1;
                }
                text.truncate(cut);
            }
            break;
        }
        append_sentences(&mut text, &mut rng, content - enc.ids.len() + 8);
    }

    // 2. Verify and nudge: drop a char when over, add a short word when under.
    let mut closest = usize::MAX;
    for _ in 0..(200 + n_tokens / 8) {
        let c = count(&text)?;
        if c == n_tokens {
            return Ok(text);
        }
        if c.abs_diff(n_tokens) < closest.abs_diff(n_tokens) {
            closest = c;
        }
        if c > n_tokens {
            text.pop();
        } else {
            if !text.is_empty() && !text.ends_with(' ') {
                text.push(' ');
            }
            text.push_str(rng.pick(FILLERS));
        }
    }
    Err(SyntheticError::NoConvergence {
        requested: n_tokens,
        closest,
    })
}
