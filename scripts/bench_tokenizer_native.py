#!/usr/bin/env python3
"""Native reference for `make bench`: encode speed of Python `tokenizers` (the Rust library
with Oniguruma, behind PyO3) on the same texts the browser bench uses.

    python3 scripts/bench_tokenizer_native.py TEXT_FILE...            # human-readable lines
    python3 scripts/bench_tokenizer_native.py --json --ids-out DIR TEXT_FILE...
    python3 scripts/bench_tokenizer_native.py --serve     # for e2e/bench-tokenizer.mjs

`--serve` loads once, prints a JSON line, then answers each JSON line on stdin
({"text": FILE, "ids_out": FILE or null}, or {"load": true} to time a reload) with one JSON line, so the browser bench can
interleave native runs with its own on a shared machine whose load changes by the second.

One `encode(text, add_special_tokens=False)` call on one string runs on one thread (the
library parallelises batches, not a single input), so this is the single-core figure the
browser worker is compared with. Texts are read as bytes and decoded as UTF-8, never with
newline translation, so every engine sees exactly the same characters. Load time is the
`Tokenizer.from_file` call (read + parse + build), best of three.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LLAMA3 = ROOT / "core" / "tokenize" / "tests" / "fixtures" / "downloaded" / "llama3" / "tokenizer.json"

# A single encode is single-threaded anyway; these make sure nothing else is.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("RAYON_NUM_THREADS", "1")


def encode(tok, path: Path, ids_out: Path | None) -> dict:
    """One timed encode of the file's text (read and decode untimed)."""
    data = path.read_bytes()
    text = data.decode("utf-8")
    t0 = time.perf_counter()
    ids = tok.encode(text, add_special_tokens=False).ids
    ms = (time.perf_counter() - t0) * 1e3
    if ids_out:
        ids_out.parent.mkdir(parents=True, exist_ok=True)
        ids_out.write_text(json.dumps(ids))
    return {"bytes": len(data), "tokens": len(ids), "encode_ms": ms}


def serve(tok, tokenizer: Path, load_s: float) -> int:
    import tokenizers
    from tokenizers import Tokenizer

    ready = {"engine": f"python tokenizers {tokenizers.__version__}", "tokenizer_bytes": tokenizer.stat().st_size,
             "load_ms": load_s * 1e3}
    print(json.dumps(ready), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            if req.get("load"):
                t0 = time.perf_counter()
                tok = Tokenizer.from_file(str(tokenizer))
                out = {"load_ms": (time.perf_counter() - t0) * 1e3}
            else:
                out = encode(tok, Path(req["text"]), Path(req["ids_out"]) if req.get("ids_out") else None)
        except (OSError, ValueError, KeyError) as e:
            out = {"error": str(e)}
        print(json.dumps(out), flush=True)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("texts", nargs="*", type=Path, help="UTF-8 text files to encode")
    ap.add_argument("--serve", action="store_true", help="answer encode requests on stdin (JSON lines)")
    ap.add_argument("--tokenizer", type=Path, default=LLAMA3, help="tokenizer.json (default: the Llama 3 fixture)")
    ap.add_argument("--runs", type=int, default=3, help="encode runs per text; the best counts")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of lines")
    ap.add_argument("--ids-out", type=Path, help="write each text's ids to DIR/<stem>.ids.json")
    args = ap.parse_args()
    try:
        import tokenizers
        from tokenizers import Tokenizer
    except ImportError:
        print("SKIP: Python `tokenizers` is not importable (pip install tokenizers, e.g. in a venv)", file=sys.stderr)
        return 2
    if not args.tokenizer.is_file():
        print(f"SKIP: no {args.tokenizer} (python3 scripts/gen_tokenizer_expected.py --fetch)", file=sys.stderr)
        return 2

    load_best = float("inf")
    tok = None
    for _ in range(3):
        t0 = time.perf_counter()
        tok = Tokenizer.from_file(str(args.tokenizer))
        load_best = min(load_best, time.perf_counter() - t0)
    assert tok is not None
    tok.encode("warm-up", add_special_tokens=False)

    if args.serve:
        return serve(tok, args.tokenizer, load_best)
    result = {
        "engine": f"python tokenizers {tokenizers.__version__}",
        "tokenizer": str(args.tokenizer.relative_to(ROOT) if args.tokenizer.is_relative_to(ROOT) else args.tokenizer),
        "tokenizer_bytes": args.tokenizer.stat().st_size,
        "load_ms": load_best * 1e3,
        "texts": {},
    }
    for path in args.texts:
        best = float("inf")
        for _ in range(args.runs):
            t = encode(tok, path, args.ids_out / f"{path.stem}.ids.json" if args.ids_out else None)
            best = min(best, t["encode_ms"])
        result["texts"][path.stem] = {**t, "encode_ms": best}

    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{result['engine']}: load {result['load_ms']:.0f} ms ({result['tokenizer_bytes'] / 1e6:.1f} MB tokenizer.json)")
    for name, t in result["texts"].items():
        s = t["encode_ms"] / 1e3
        print(f"  {name}: {t['bytes'] / 1e6 / s:.2f} MB/s, {t['tokens'] / s:,.0f} tokens/s "
              f"({t['tokens']} tokens, {t['bytes']} bytes, best of {args.runs}, one thread)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
