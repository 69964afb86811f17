//! Rendering a model's `chat_template` (Jinja) as `transformers.apply_chat_template` does.
//!
//! Real templates are written for Python Jinja2 inside `transformers`, which adds
//! `raise_exception`, a Python-style `tojson` and `strftime_now`, enables `trim_blocks`,
//! `lstrip_blocks` and loop controls, and lets templates call Python string methods. minijinja
//! needs each of these supplied (field notes B: mistral.rs #20 `.strip()`, minijinja #815
//! `{% generation %}`, sglang #13722 `tojson(ensure_ascii=…)`, TGI #1450 `raise_exception`).

use std::fmt::Write as _;

use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior, Value};
use serde::{Deserialize, Serialize};
use thiserror::Error as ThisError;

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// `system`, `user` or `assistant` (templates may accept others, e.g. `tool`).
    pub role: String,
    /// The message text.
    pub content: String,
}

impl ChatMessage {
    /// Convenience constructor.
    pub fn new(role: impl Into<String>, content: impl Into<String>) -> Self {
        Self {
            role: role.into(),
            content: content.into(),
        }
    }
}

/// Options of one render, mirroring `apply_chat_template`'s arguments.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RenderOptions {
    /// Append the assistant turn header so the model answers next.
    pub add_generation_prompt: bool,
    /// `bos_token` (empty string when the tokenizer has none, as templates expect a string).
    pub bos_token: Option<String>,
    /// `eos_token`.
    pub eos_token: Option<String>,
    /// `unk_token`.
    pub unk_token: Option<String>,
    /// `pad_token`.
    pub pad_token: Option<String>,
    /// Today's date `(year, month 1-12, day)` for `strftime_now` (Llama 3.1 puts it in the
    /// system prompt). `None` leaves `strftime_now` undefined, so templates use their fallback
    /// and the render stays deterministic.
    pub today: Option<(i32, u32, u32)>,
    /// Extra template variables (e.g. `{"enable_thinking": false}` for Qwen3).
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// What went wrong while rendering, with where.
#[derive(Debug, Clone, PartialEq, Eq, ThisError, Serialize, Deserialize)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct TemplateError {
    /// Syntax error, `raise_exception` from the template, or another render error.
    pub kind: TemplateErrorKind,
    /// Human-readable reason.
    pub message: String,
    /// 1-based line in the template, when known.
    pub line: Option<usize>,
}

/// Class of a [`TemplateError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TemplateErrorKind {
    /// The template does not parse.
    Syntax,
    /// The template itself called `raise_exception` (e.g. roles must alternate).
    Raised,
    /// Anything else at render time (unknown filter, bad operand, too much work, …).
    Render,
}

const RAISED_PREFIX: &str = "raise_exception: ";
const TEMPLATE_NAME: &str = "chat_template";
/// Bound on template work so a hostile template can't hang the worker (minijinja fuel).
const FUEL: u64 = 50_000_000;

/// `{% generation %}` / `{% endgeneration %}` (SmolLM3, assistant-mask markers in
/// `transformers`): dropped, keeping the body, since rendering is what they wrap.
fn strip_generation_tags(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(open) = rest.find("{%") {
        let Some(close_rel) = rest.get(open..).and_then(|r| r.find("%}")) else {
            break;
        };
        let close = open + close_rel + 2;
        let inner = rest.get(open + 2..close - 2).unwrap_or("");
        let word = inner.trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
        out.push_str(rest.get(..open).unwrap_or(""));
        if word != "generation" && word != "endgeneration" {
            out.push_str(rest.get(open..close).unwrap_or(""));
        }
        rest = rest.get(close..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

fn raise_exception(msg: String) -> Result<Value, Error> {
    Err(Error::new(
        ErrorKind::InvalidOperation,
        format!("{RAISED_PREFIX}{msg}"),
    ))
}

/// Python `json.dumps` formatting, as `transformers`' `tojson` filter calls it:
/// `json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)`.
struct JsonStyle {
    ensure_ascii: bool,
    indent: Option<usize>,
    item_sep: String,
    key_sep: String,
    sort_keys: bool,
}

fn write_json_str(out: &mut String, s: &str, ensure_ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (ensure_ascii && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_json(out: &mut String, v: &Value, style: &JsonStyle, level: usize) -> Result<(), Error> {
    let newline = |out: &mut String, level: usize| {
        if let Some(n) = style.indent {
            out.push('\n');
            out.push_str(&" ".repeat(n * level));
        }
    };
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if v.is_true() { "true" } else { "false" }),
        ValueKind::Number => {
            if let Ok(i) = i64::try_from(v.clone()) {
                let _ = write!(out, "{i}");
            } else if let Ok(f) = f64::try_from(v.clone()) {
                if f.is_finite() {
                    // Debug keeps the `.0` Python prints for whole floats.
                    let _ = write!(out, "{f:?}");
                } else if f.is_nan() {
                    out.push_str("NaN");
                } else {
                    out.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
                }
            } else {
                let _ = write!(out, "{v}");
            }
        }
        ValueKind::String | ValueKind::Bytes => {
            write_json_str(out, v.as_str().unwrap_or_default(), style.ensure_ascii)
        }
        ValueKind::Seq | ValueKind::Iterable => {
            let items: Vec<Value> = v.try_iter()?.collect();
            out.push('[');
            if !items.is_empty() {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(&style.item_sep);
                    }
                    newline(out, level + 1);
                    write_json(out, item, style, level + 1)?;
                }
                newline(out, level);
            }
            out.push(']');
        }
        ValueKind::Map => {
            let mut keys: Vec<Value> = v.try_iter()?.collect();
            if style.sort_keys {
                keys.sort();
            }
            out.push('{');
            if !keys.is_empty() {
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push_str(&style.item_sep);
                    }
                    newline(out, level + 1);
                    match k.as_str() {
                        Some(s) => write_json_str(out, s, style.ensure_ascii),
                        None => write_json_str(out, &k.to_string(), style.ensure_ascii),
                    }
                    out.push_str(&style.key_sep);
                    write_json(out, &v.get_item(k)?, style, level + 1)?;
                }
                newline(out, level);
            }
            out.push('}');
        }
        _ => write_json_str(out, &v.to_string(), style.ensure_ascii),
    }
    Ok(())
}

/// `tojson` with Python's defaults and its `ensure_ascii`, `indent`, `separators`,
/// `sort_keys` keyword arguments (an optional positional argument is `indent`).
fn tojson(value: Value, indent_pos: Option<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let indent: Option<Value> = match indent_pos {
        Some(v) => Some(v),
        None => kwargs.get("indent")?,
    };
    let indent = match indent {
        Some(v) if v.is_none() || v.is_undefined() => None,
        Some(v) => Some(usize::try_from(v)?),
        None => None,
    };
    let separators: Option<Vec<String>> = kwargs.get("separators")?;
    let (item_sep, key_sep) = match separators.as_deref() {
        Some([a, b]) => (a.clone(), b.clone()),
        Some(_) => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                "tojson: separators must be a pair",
            ))
        }
        None if indent.is_some() => (",".into(), ": ".into()),
        None => (", ".into(), ": ".into()),
    };
    let style = JsonStyle {
        ensure_ascii: kwargs.get::<Option<bool>>("ensure_ascii")?.unwrap_or(false),
        indent,
        item_sep,
        key_sep,
        sort_keys: kwargs.get::<Option<bool>>("sort_keys")?.unwrap_or(false),
    };
    kwargs.assert_all_used()?;
    let mut out = String::new();
    write_json(&mut out, &value, &style, 0)?;
    Ok(Value::from_safe_string(out))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The subset of `strftime` chat templates use: `%d %m %Y %y %b %B %%`.
fn strftime(fmt: &str, (y, m, d): (i32, u32, u32)) -> String {
    let month = MONTHS
        .get(usize::try_from(m).unwrap_or(1).saturating_sub(1))
        .copied()
        .unwrap_or("January");
    let mut out = String::new();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('d') => {
                let _ = write!(out, "{d:02}");
            }
            Some('m') => {
                let _ = write!(out, "{m:02}");
            }
            Some('Y') => {
                let _ = write!(out, "{y}");
            }
            Some('y') => {
                let _ = write!(out, "{:02}", y.rem_euclid(100));
            }
            Some('b') => out.push_str(month.get(..3).unwrap_or(month)),
            Some('B') => out.push_str(month),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

fn convert_error(e: &Error) -> TemplateError {
    let detail = e.detail().unwrap_or("").to_owned();
    let (kind, message) = if let Some(msg) = detail.strip_prefix(RAISED_PREFIX) {
        (TemplateErrorKind::Raised, msg.to_owned())
    } else if e.kind() == ErrorKind::SyntaxError {
        (TemplateErrorKind::Syntax, format!("syntax error: {detail}"))
    } else if detail.is_empty() {
        (TemplateErrorKind::Render, e.kind().to_string())
    } else {
        (TemplateErrorKind::Render, format!("{}: {detail}", e.kind()))
    };
    TemplateError {
        kind,
        message,
        line: e.line(),
    }
}

/// A compiled chat template, reusable across renders.
pub struct ChatTemplate {
    env: Environment<'static>,
}

impl std::fmt::Debug for ChatTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatTemplate").finish_non_exhaustive()
    }
}

impl ChatTemplate {
    /// Compiles `source`; a syntax error is reported with its line.
    pub fn new(source: &str) -> Result<Self, TemplateError> {
        let mut env = Environment::new();
        // transformers: ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(false);
        env.set_undefined_behavior(UndefinedBehavior::Lenient);
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.set_fuel(Some(FUEL));
        env.add_function("raise_exception", raise_exception);
        env.add_filter("tojson", tojson);
        env.add_template_owned(TEMPLATE_NAME, strip_generation_tags(source))
            .map_err(|e| convert_error(&e))?;
        Ok(Self { env })
    }

    /// Renders the conversation.
    pub fn render(
        &self,
        messages: &[ChatMessage],
        opts: &RenderOptions,
    ) -> Result<String, TemplateError> {
        let tmpl = self
            .env
            .get_template(TEMPLATE_NAME)
            .map_err(|e| convert_error(&e))?;
        let mut ctx: Vec<(String, Value)> = vec![
            ("messages".into(), Value::from_serialize(messages)),
            (
                "add_generation_prompt".into(),
                Value::from(opts.add_generation_prompt),
            ),
            // transformers passes these explicitly as None, so `is not none` tests hold.
            ("tools".into(), Value::from(())),
            ("documents".into(), Value::from(())),
        ];
        for (name, tok) in [
            ("bos_token", &opts.bos_token),
            ("eos_token", &opts.eos_token),
            ("unk_token", &opts.unk_token),
            ("pad_token", &opts.pad_token),
        ] {
            // A template concatenating `bos_token + …` must not fail on a tokenizer without one.
            ctx.push((name.into(), Value::from(tok.clone().unwrap_or_default())));
        }
        if let Some(today) = opts.today {
            ctx.push((
                "strftime_now".into(),
                Value::from_function(move |fmt: String| strftime(&fmt, today)),
            ));
        }
        for (k, v) in &opts.extra {
            ctx.push((k.clone(), Value::from_serialize(v)));
        }
        let ctx: Value = ctx.into_iter().collect();
        tmpl.render(ctx).map_err(|e| convert_error(&e))
    }
}

/// One-shot compile and render.
pub fn render(
    source: &str,
    messages: &[ChatMessage],
    opts: &RenderOptions,
) -> Result<String, TemplateError> {
    ChatTemplate::new(source)?.render(messages, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msgs() -> Vec<ChatMessage> {
        vec![
            ChatMessage::new("system", "Be brief."),
            ChatMessage::new("user", "Hi"),
        ]
    }

    #[test]
    fn python_string_methods_and_trim_blocks() {
        let src = "{% for m in messages %}\n[{{ m.role.upper() }}]{{ m['content'].strip() }}\n{% endfor %}";
        let out = render(
            src,
            &[ChatMessage::new("user", "  x  ")],
            &RenderOptions::default(),
        )
        .unwrap();
        assert_eq!(out, "[USER]x\n");
    }

    #[test]
    fn tojson_is_python_json_dumps() {
        let src = r#"{{ {"a": "é", "b": [1, 2.5, true, none]} | tojson }}|{{ "é" | tojson(ensure_ascii=True) }}|{{ [1] | tojson(indent=2) }}"#;
        let out = render(src, &[], &RenderOptions::default()).unwrap();
        assert_eq!(
            out,
            "{\"a\": \"é\", \"b\": [1, 2.5, true, null]}|\"\\u00e9\"|[\n  1\n]"
        );
    }

    #[test]
    fn raise_exception_is_reported_with_line() {
        let src = "ok\n{% if messages[0].role != 'user' %}{{ raise_exception('roles must alternate') }}{% endif %}";
        let e = render(src, &msgs(), &RenderOptions::default()).unwrap_err();
        assert_eq!(e.kind, TemplateErrorKind::Raised);
        assert_eq!(e.message, "roles must alternate");
        assert_eq!(e.line, Some(2));
        assert!(e.to_string().starts_with("line 2: "));
    }

    #[test]
    fn syntax_error_has_line() {
        let e = ChatTemplate::new("a\nb\n{% if %}").unwrap_err();
        assert_eq!(e.kind, TemplateErrorKind::Syntax);
        assert_eq!(e.line, Some(3));
    }

    #[test]
    fn generation_tags_are_stripped() {
        let src = "{% for m in messages %}{% generation %}{{ m.content }}{%- endgeneration %}{% endfor %}";
        let out = render(src, &msgs(), &RenderOptions::default()).unwrap();
        assert_eq!(out, "Be brief.Hi");
        assert_eq!(strip_generation_tags("{{ x }}{%"), "{{ x }}{%");
    }

    #[test]
    fn missing_bos_is_empty_and_tools_is_none() {
        let src = "{{ bos_token + 'x' }}{% if tools is not none %}T{% endif %}";
        assert_eq!(render(src, &[], &RenderOptions::default()).unwrap(), "x");
    }

    #[test]
    fn strftime_now_only_when_date_given() {
        let src = "{% if strftime_now is defined %}{{ strftime_now('%d %b %Y') }}{% else %}none{% endif %}";
        assert_eq!(render(src, &[], &RenderOptions::default()).unwrap(), "none");
        let opts = RenderOptions {
            today: Some((2026, 3, 5)),
            ..Default::default()
        };
        assert_eq!(render(src, &[], &opts).unwrap(), "05 Mar 2026");
    }

    #[test]
    fn runaway_template_is_stopped() {
        let src =
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}";
        let e = render(src, &[], &RenderOptions::default()).unwrap_err();
        assert_eq!(e.kind, TemplateErrorKind::Render);
    }
}
