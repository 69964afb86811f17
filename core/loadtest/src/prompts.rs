//! Workloads: the built-in prompt suites (mirroring the seed's test: sentiment classify and
//! classify-hard, happy-dog simple and complex, long-context, each with and without a system
//! prompt), JSONL uploads, and synthetic prompts of an exact token length.
//!
//! Every prompt gets a per-request nonce on request (`with_nonce`) because servers cache
//! prompt prefixes (vLLM prefix caching, llama-server's prompt cache), which would make TTFT
//! of repeated prompts meaninglessly low.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::openai::Message;

/// One prompt of a workload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    /// The messages (a plain-text prompt is one user message).
    pub messages: Vec<Message>,
    /// A per-prompt `max_tokens` override (from JSONL `max_tokens`/`output_tokens`).
    pub max_tokens: Option<u32>,
}

impl Prompt {
    /// A single user message.
    pub fn user(text: impl Into<String>) -> Self {
        Self {
            messages: vec![Message::new("user", text)],
            max_tokens: None,
        }
    }

    /// With a system message in front.
    pub fn with_system(mut self, system: &str) -> Self {
        self.messages.insert(0, Message::new("system", system));
        self
    }

    /// A copy whose last message starts with a request-unique tag, defeating prefix caches
    /// that would otherwise serve repeated prompts from cache. Put last so a shared system
    /// prompt still caches as it would in production.
    pub fn with_nonce(&self, n: u64) -> Self {
        let mut p = self.clone();
        if let Some(m) = p.messages.last_mut() {
            m.content = format!("[req {n}] {}", m.content);
        }
        p
    }
}

/// The prompt for request `i`: round-robin over the workload.
pub fn pick(prompts: &[Prompt], i: u64) -> Option<&Prompt> {
    if prompts.is_empty() {
        return None;
    }
    prompts.get((i % prompts.len() as u64) as usize)
}

/// A built-in suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suite {
    /// URL id (`prompt=` parameter), e.g. `classify-hard-sys`.
    pub id: String,
    /// Human title.
    pub title: String,
    /// What it exercises.
    pub description: String,
    /// The prompts, used round-robin.
    pub prompts: Vec<Prompt>,
}

const SENTIMENT_SYSTEM: &str = "You are a sentiment classifier for customer reviews. \
Answer with exactly one word: positive, negative or neutral. Do not explain.";

const SENTIMENT_EASY: [&str; 8] = [
    "The delivery was fast and the headphones sound amazing. Totally worth it!",
    "Terrible service. The package arrived broken and nobody answered my emails.",
    "It is a phone case. It fits the phone.",
    "I love this coffee maker, it makes my mornings so much better.",
    "Worst purchase of the year: the battery died after two days.",
    "The hotel room was clean, the staff were friendly, and breakfast was great.",
    "The book arrived on Tuesday as scheduled.",
    "Absolutely disappointed. The shoes fell apart after one week of walking.",
];

const SENTIMENT_HARD: [&str; 8] = [
    "Oh great, another update that moves every button I use. Just what I needed.",
    "I expected to hate it, and honestly it was not nearly as bad as the reviews said.",
    "The food was incredible; shame the waiter made us wait forty minutes for the bill.",
    "Not bad at all, if you enjoy paying premium prices for average coffee.",
    "It does exactly what it says, nothing more, nothing less, which is fine I guess.",
    "My kids adore it, I can't stand the noise it makes, and the dog is terrified.",
    "Five stars for the design, one star for the software, three stars overall I suppose.",
    "Never thought I'd say this about a vacuum cleaner, but it changed my life. Sort of.",
];

const DOG_SYSTEM: &str = "You are a warm, upbeat storyteller who writes for all ages.";

const DOG_SIMPLE: [&str; 4] = [
    "Write one sentence about a happy dog.",
    "Describe a happy dog playing in the park in two sentences.",
    "Why do dogs wag their tails when they are happy? Answer briefly.",
    "Give three short names for a happy golden retriever puppy.",
];

const DOG_COMPLEX: [&str; 4] = [
    "Write a short story (about 300 words) about a happy dog named Biscuit who gets lost at \
     a farmers' market and finds her way home by following the smells she remembers. Include \
     dialogue between two of the vendors who help her, and end with her family's reaction.",
    "Explain, step by step, how to tell whether a dog is genuinely happy rather than anxious, \
     covering tail position, ears, posture, play bows, and vocalisations. Then give a table \
     comparing happy and stressed signals, and finish with three practical tips for owners.",
    "Write a limerick, a haiku, and a four-line rhyming poem about a happy dog at the beach. \
     After each, explain in one sentence which poetic device makes it work.",
    "A happy dog, a grumpy cat and a curious parrot share a flat. Write a comic scene in \
     which they plan a surprise birthday party for their owner, with each animal's voice \
     clearly distinct, and a twist at the end.",
];

/// Paragraphs used to build the long-context document (deterministic, no randomness).
const LONG_PARAGRAPHS: [&str; 6] = [
    "The quarterly operations review covered the three data centres in detail. Power usage \
     effectiveness improved from 1.42 to 1.37 after the cooling retrofit in the northern hall, \
     while the southern site remained flat because the chiller replacement slipped by six weeks.",
    "Network incidents fell by a third. Two of the remaining outages were traced to a firmware \
     defect in the top-of-rack switches; the vendor shipped a fix, which was rolled out in a \
     staged fashion over nine days without customer impact.",
    "GPU utilisation for the inference fleet averaged 61 percent, with clear diurnal peaks. \
     The team trialled continuous batching and prefix caching on the chat workload, raising \
     throughput per accelerator by roughly 40 percent at the same p99 latency target.",
    "Hiring closed four of six open roles. The on-call rotation was rebalanced so that no \
     engineer carries more than one primary week per month, following feedback in the last \
     engagement survey about fatigue and weekend pages.",
    "The budget forecast assumes hardware prices stay flat. A risk register entry notes that \
     a supply shortage of high-bandwidth memory could delay the planned expansion by a quarter \
     and raise unit costs by up to fifteen percent.",
    "Next quarter's priorities are the migration of the batch analytics cluster, a disaster \
     recovery exercise for the primary database, and a load-testing programme that measures \
     time to first token and per-user decode speed under realistic concurrency.",
];

fn long_document(paragraphs: usize) -> String {
    let mut s = String::new();
    for i in 0..paragraphs {
        let p = LONG_PARAGRAPHS
            .get(i % LONG_PARAGRAPHS.len())
            .copied()
            .unwrap_or("");
        s.push_str(&format!("Section {}. {p}\n\n", i + 1));
    }
    s
}

/// Ids of all built-in suites, in display order.
pub fn suite_ids() -> Vec<String> {
    let base = [
        "classify",
        "classify-hard",
        "dog-simple",
        "dog-complex",
        "long-context",
    ];
    base.iter()
        .flat_map(|b| [b.to_string(), format!("{b}-sys")])
        .collect()
}

/// A built-in suite by id (see [`suite_ids`]); `None` for an unknown id.
pub fn suite(id: &str) -> Option<Suite> {
    let (base, sys) = match id.strip_suffix("-sys") {
        Some(b) => (b, true),
        None => (id, false),
    };
    let (title, description, system, prompts): (&str, &str, &str, Vec<Prompt>) = match base {
        "classify" => (
            "Sentiment classify",
            "Short reviews, one-word answers: TTFT-dominated, prefill-light.",
            SENTIMENT_SYSTEM,
            SENTIMENT_EASY
                .iter()
                .map(|r| Prompt::user(format!("Classify the sentiment of this review:\n\n{r}")))
                .collect(),
        ),
        "classify-hard" => (
            "Sentiment classify (hard)",
            "Sarcastic and mixed reviews; the model must reason before one word.",
            SENTIMENT_SYSTEM,
            SENTIMENT_HARD
                .iter()
                .map(|r| {
                    Prompt::user(format!(
                        "Classify the sentiment of this review. Watch for sarcasm and mixed \
                         feelings; answer with the overall sentiment.\n\n{r}"
                    ))
                })
                .collect(),
        ),
        "dog-simple" => (
            "Happy dog (simple)",
            "Tiny prompts with short answers.",
            DOG_SYSTEM,
            DOG_SIMPLE.iter().map(|p| Prompt::user(*p)).collect(),
        ),
        "dog-complex" => (
            "Happy dog (complex)",
            "Short prompts with long, structured answers: decode-dominated.",
            DOG_SYSTEM,
            DOG_COMPLEX.iter().map(|p| Prompt::user(*p)).collect(),
        ),
        "long-context" => (
            "Long context",
            "A ~3.5k-token report to summarise: prefill-dominated TTFT.",
            "You are a precise analyst. Answer only from the document provided.",
            [
                "Summarise the report above in five bullet points.",
                "List every number mentioned in the report and what it refers to.",
                "What are the three biggest risks implied by the report? Justify each.",
            ]
            .iter()
            .map(|q| Prompt::user(format!("{}Question: {q}", long_document(48))))
            .collect(),
        ),
        _ => return None,
    };
    Some(Suite {
        id: id.to_owned(),
        title: if sys {
            format!("{title} + system prompt")
        } else {
            title.to_owned()
        },
        description: description.to_owned(),
        prompts: if sys {
            prompts.into_iter().map(|p| p.with_system(system)).collect()
        } else {
            prompts
        },
    })
}

/// Why a JSONL upload was refused; line numbers are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonlError {
    /// A line is not JSON.
    #[error("line {line}: not valid JSON ({message})")]
    NotJson {
        /// Line number.
        line: usize,
        /// Parser message.
        message: String,
    },
    /// A line is JSON but not a prompt.
    #[error("line {line}: expected a string, {{\"prompt\": …}}, {{\"messages\": [...]}} or a list of messages")]
    NotPrompt {
        /// Line number.
        line: usize,
    },
    /// A message lacks `role` or string `content`.
    #[error("line {line}: message {index} needs a \"role\" and a string \"content\"")]
    BadMessage {
        /// Line number.
        line: usize,
        /// 1-based message position.
        index: usize,
    },
    /// No prompts at all.
    #[error("the file holds no prompts")]
    Empty,
}

fn parse_messages(v: &[Value], line: usize) -> Result<Vec<Message>, JsonlError> {
    v.iter()
        .enumerate()
        .map(|(i, m)| {
            let role = m.get("role").and_then(Value::as_str);
            let content = m.get("content").and_then(Value::as_str);
            match (role, content) {
                (Some(r), Some(c)) => Ok(Message::new(r, c)),
                _ => Err(JsonlError::BadMessage { line, index: i + 1 }),
            }
        })
        .collect()
}

/// Parses a JSONL upload. Each non-blank line is one of: a JSON string; `{"prompt": "…"}`
/// (also `text`); `{"messages": [{"role","content"}…]}`; or a bare array of messages. Objects
/// may carry `max_tokens` or `output_tokens`.
pub fn parse_jsonl(text: &str) -> Result<Vec<Prompt>, JsonlError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let raw = raw.trim().trim_start_matches('\u{feff}');
        if raw.is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(raw).map_err(|e| JsonlError::NotJson {
            line,
            message: e.to_string(),
        })?;
        let prompt = match &v {
            Value::String(s) => Prompt::user(s.clone()),
            Value::Array(ms) => Prompt {
                messages: parse_messages(ms, line)?,
                max_tokens: None,
            },
            Value::Object(o) => {
                let messages = if let Some(ms) = o.get("messages").and_then(Value::as_array) {
                    parse_messages(ms, line)?
                } else if let Some(p) = o
                    .get("prompt")
                    .or_else(|| o.get("text"))
                    .and_then(Value::as_str)
                {
                    vec![Message::new("user", p)]
                } else {
                    return Err(JsonlError::NotPrompt { line });
                };
                let max_tokens = o
                    .get("max_tokens")
                    .or_else(|| o.get("output_tokens"))
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok());
                Prompt {
                    messages,
                    max_tokens,
                }
            }
            _ => return Err(JsonlError::NotPrompt { line }),
        };
        if prompt.messages.is_empty() {
            return Err(JsonlError::NotPrompt { line });
        }
        out.push(prompt);
    }
    if out.is_empty() {
        return Err(JsonlError::Empty);
    }
    Ok(out)
}

/// Words for synthetic text: common English words that tokenize to about one token each in
/// Llama-3/GPT-style BPE vocabularies, so the length search converges quickly.
const WORDS: [&str; 32] = [
    "the", "river", "moves", "slowly", "past", "old", "stone", "houses", "while", "children",
    "play", "near", "green", "fields", "under", "a", "bright", "summer", "sky", "and", "birds",
    "sing", "in", "tall", "trees", "as", "people", "walk", "home", "after", "long", "days",
];

fn words(n: usize, seed: u64) -> String {
    let mut s = String::with_capacity(n * 6);
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        let k = (i as u64)
            .wrapping_mul(7)
            .wrapping_add(seed.wrapping_mul(13)) as usize
            % WORDS.len();
        s.push_str(WORDS.get(k).copied().unwrap_or("the"));
    }
    s
}

/// A synthetic prompt of exactly `target_tokens` tokens as counted by `count` (the
/// tokenizer worker's count of the *whole* rendered prompt), when reachable by whole words;
/// otherwise the closest count not above the target. `seed` varies the text between requests.
/// Binary search over the word count: O(log n) tokenizer calls.
pub fn synthetic_text(
    target_tokens: u32,
    seed: u64,
    mut count: impl FnMut(&str) -> usize,
) -> String {
    let target = target_tokens as usize;
    if target == 0 {
        return String::new();
    }
    let (mut lo, mut hi) = (0usize, target.saturating_mul(2).max(4));
    while count(&words(hi, seed)) < target && hi < target.saturating_mul(16) {
        hi *= 2;
    }
    // Invariant: count(words(lo)) <= target; find the largest such word count.
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if count(&words(mid, seed)) <= target {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    words(lo, seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_suites_exist_with_and_without_system() {
        let ids = suite_ids();
        assert_eq!(ids.len(), 10);
        for id in &ids {
            let s = suite(id).unwrap_or_else(|| panic!("{id}"));
            assert!(!s.prompts.is_empty());
            let has_sys = s.prompts.iter().all(|p| p.messages[0].role == "system");
            assert_eq!(has_sys, id.ends_with("-sys"), "{id}");
        }
        assert!(suite("nope").is_none());
        let long = suite("long-context").unwrap_or_else(|| panic!());
        // ~4 chars per token: a few thousand tokens.
        assert!(long.prompts[0].messages[0].content.len() > 12_000);
    }

    #[test]
    fn pick_round_robin() {
        let p = vec![Prompt::user("a"), Prompt::user("b")];
        assert_eq!(
            pick(&p, 3).map(|x| x.messages[0].content.as_str()),
            Some("b")
        );
        assert!(pick(&[], 0).is_none());
    }

    #[test]
    fn nonce_goes_last() {
        let p = Prompt::user("hi").with_system("S").with_nonce(7);
        assert_eq!(p.messages[0].content, "S");
        assert_eq!(p.messages[1].content, "[req 7] hi");
    }

    #[test]
    fn jsonl_forms() {
        let text = "\"plain\"\n\n{\"prompt\":\"p\",\"max_tokens\":5}\n\
            {\"messages\":[{\"role\":\"system\",\"content\":\"s\"},{\"role\":\"user\",\"content\":\"u\"}]}\n\
            [{\"role\":\"user\",\"content\":\"a\"}]\n";
        let v = parse_jsonl(text).unwrap_or_default();
        assert_eq!(v.len(), 4);
        assert_eq!(v[1].max_tokens, Some(5));
        assert_eq!(v[2].messages.len(), 2);
    }

    #[test]
    fn jsonl_errors_have_line_numbers() {
        assert!(matches!(
            parse_jsonl("\"a\"\n{oops"),
            Err(JsonlError::NotJson { line: 2, .. })
        ));
        assert_eq!(
            parse_jsonl("\"a\"\n\n3"),
            Err(JsonlError::NotPrompt { line: 3 })
        );
        assert_eq!(
            parse_jsonl("[{\"role\":\"user\"}]"),
            Err(JsonlError::BadMessage { line: 1, index: 1 })
        );
        assert_eq!(parse_jsonl("\n \n"), Err(JsonlError::Empty));
    }

    #[test]
    fn synthetic_exact_length() {
        let count = |s: &str| s.split_whitespace().count() + 3; // a fake tokenizer with overhead
        for target in [4u32, 5, 100, 2048] {
            assert_eq!(count(&synthetic_text(target, 1, count)), target as usize);
        }
        // Unreachable (overhead alone exceeds it): the empty text.
        assert_eq!(synthetic_text(1, 1, count), "");
        assert_ne!(synthetic_text(50, 1, count), synthetic_text(50, 2, count));
    }
}
