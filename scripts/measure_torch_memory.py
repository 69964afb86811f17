#!/usr/bin/env python3
"""Measure what plain PyTorch + Hugging Face transformers really allocates for
LLM inference (bf16, whole prompt in one forward), as reference data for the
InferLab sizing calculator ("plain PyTorch/transformers" mode).

For every point (catalog id, exact HF config.json, batch, seq_len):
  * build the model with random init directly on the GPU in bfloat16,
  * weights_bytes  = torch.cuda.memory_allocated() after build - before build,
  * one short warm-up forward (B=1, 16 tokens) so that one-off allocations
    (cuBLAS workspace, lazily built buffers) are not counted in the prefill,
  * prefill: input_ids (batch, seq_len), `model(input_ids, use_cache=True)`
    under torch.inference_mode();
      prefill_peak_bytes  = max_memory_allocated() - allocated before forward
      after_forward_bytes = memory_allocated()     - allocated before forward
                            (= what the returned output keeps alive: KV cache +
                             logits + small bits)
      kv_bytes            = sum of numel*element_size over every key/value
                            tensor in out.past_key_values (logical size)
      logits_bytes        = out.logits.numel() * element_size
  * a second forward of the same input with logits_to_keep=1 (only the last
    position's logits), to separate the logits' share of the peak,
  * a per-segment peak trace through forward hooks on every decoder layer,
    the final norm and lm_head, so one can see WHERE the peak happens.

Output: JSON (schema shared with core/calc/tests/data/torch_reference.json).

Usage (on a CUDA machine):
    python3 scripts/measure_torch_memory.py --out $OUT/torch_reference.json
    python3 scripts/measure_torch_memory.py --only llama-3.2-1b --out x.json
A CPU smoke test of the code paths (no memory numbers) with shrunken configs:
    python3 scripts/measure_torch_memory.py --tiny --out /tmp/x.json
"""

import argparse
import copy
import datetime
import gc
import json
import os
import platform
import sys
import time

import torch
import transformers
from transformers import AutoConfig, AutoModelForCausalLM

# ---------------------------------------------------------------------------
# Exact HF config.json contents (the `config.json` of each Hub repository).
# ---------------------------------------------------------------------------

LLAMA_3_2_1B = {  # meta-llama/Llama-3.2-1B
    "architectures": ["LlamaForCausalLM"],
    "attention_bias": False,
    "attention_dropout": 0.0,
    "bos_token_id": 128000,
    "eos_token_id": 128001,
    "head_dim": 64,
    "hidden_act": "silu",
    "hidden_size": 2048,
    "initializer_range": 0.02,
    "intermediate_size": 8192,
    "max_position_embeddings": 131072,
    "mlp_bias": False,
    "model_type": "llama",
    "num_attention_heads": 32,
    "num_hidden_layers": 16,
    "num_key_value_heads": 8,
    "pretraining_tp": 1,
    "rms_norm_eps": 1e-05,
    "rope_scaling": {
        "factor": 32.0,
        "high_freq_factor": 4.0,
        "low_freq_factor": 1.0,
        "original_max_position_embeddings": 8192,
        "rope_type": "llama3",
    },
    "rope_theta": 500000.0,
    "tie_word_embeddings": True,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.45.0.dev0",
    "use_cache": True,
    "vocab_size": 128256,
}

LLAMA_3_1_8B = {  # meta-llama/Llama-3.1-8B
    "architectures": ["LlamaForCausalLM"],
    "attention_bias": False,
    "attention_dropout": 0.0,
    "bos_token_id": 128000,
    "eos_token_id": 128001,
    "hidden_act": "silu",
    "hidden_size": 4096,
    "initializer_range": 0.02,
    "intermediate_size": 14336,
    "max_position_embeddings": 131072,
    "mlp_bias": False,
    "model_type": "llama",
    "num_attention_heads": 32,
    "num_hidden_layers": 32,
    "num_key_value_heads": 8,
    "pretraining_tp": 1,
    "rms_norm_eps": 1e-05,
    "rope_scaling": {
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192,
        "rope_type": "llama3",
    },
    "rope_theta": 500000.0,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.43.0.dev0",
    "use_cache": True,
    "vocab_size": 128256,
}

QWEN3_8B = {  # Qwen/Qwen3-8B
    "architectures": ["Qwen3ForCausalLM"],
    "attention_bias": False,
    "attention_dropout": 0.0,
    "bos_token_id": 151643,
    "eos_token_id": 151645,
    "head_dim": 128,
    "hidden_act": "silu",
    "hidden_size": 4096,
    "initializer_range": 0.02,
    "intermediate_size": 12288,
    "max_position_embeddings": 40960,
    "max_window_layers": 36,
    "model_type": "qwen3",
    "num_attention_heads": 32,
    "num_hidden_layers": 36,
    "num_key_value_heads": 8,
    "rms_norm_eps": 1e-06,
    "rope_scaling": None,
    "rope_theta": 1000000,
    "sliding_window": None,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.51.0",
    "use_cache": True,
    "use_sliding_window": False,
    "vocab_size": 151936,
}

QWEN2_5_7B = {  # Qwen/Qwen2.5-7B
    "architectures": ["Qwen2ForCausalLM"],
    "attention_dropout": 0.0,
    "bos_token_id": 151643,
    "eos_token_id": 151643,
    "hidden_act": "silu",
    "hidden_size": 3584,
    "initializer_range": 0.02,
    "intermediate_size": 18944,
    "max_position_embeddings": 131072,
    "max_window_layers": 28,
    "model_type": "qwen2",
    "num_attention_heads": 28,
    "num_hidden_layers": 28,
    "num_key_value_heads": 4,
    "rms_norm_eps": 1e-06,
    "rope_theta": 1000000.0,
    "sliding_window": 131072,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.40.1",
    "use_cache": True,
    "use_mrope": False,
    "use_sliding_window": False,
    "vocab_size": 152064,
}

MISTRAL_7B_V0_3 = {  # mistralai/Mistral-7B-v0.3
    "architectures": ["MistralForCausalLM"],
    "attention_dropout": 0.0,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "hidden_act": "silu",
    "hidden_size": 4096,
    "initializer_range": 0.02,
    "intermediate_size": 14336,
    "max_position_embeddings": 32768,
    "model_type": "mistral",
    "num_attention_heads": 32,
    "num_hidden_layers": 32,
    "num_key_value_heads": 8,
    "rms_norm_eps": 1e-05,
    "rope_theta": 1000000.0,
    "sliding_window": None,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.42.0.dev0",
    "use_cache": True,
    "vocab_size": 32768,
}

GEMMA_2_9B = {  # google/gemma-2-9b
    "architectures": ["Gemma2ForCausalLM"],
    "attention_bias": False,
    "attention_dropout": 0.0,
    "attn_logit_softcapping": 50.0,
    "bos_token_id": 2,
    "cache_implementation": "hybrid",
    "eos_token_id": 1,
    "final_logit_softcapping": 30.0,
    "head_dim": 256,
    "hidden_act": "gelu_pytorch_tanh",
    "hidden_activation": "gelu_pytorch_tanh",
    "hidden_size": 3584,
    "initializer_range": 0.02,
    "intermediate_size": 14336,
    "max_position_embeddings": 8192,
    "model_type": "gemma2",
    "num_attention_heads": 16,
    "num_hidden_layers": 42,
    "num_key_value_heads": 8,
    "pad_token_id": 0,
    "query_pre_attn_scalar": 256,
    "rms_norm_eps": 1e-06,
    "rope_theta": 10000.0,
    "sliding_window": 4096,
    "sliding_window_size": 4096,
    "torch_dtype": "float32",
    "transformers_version": "4.42.0.dev0",
    "use_cache": True,
    "vocab_size": 256000,
}

PHI_3_MINI_4K = {  # microsoft/Phi-3-mini-4k-instruct
    "_name_or_path": "Phi-3-mini-4k-instruct",
    "architectures": ["Phi3ForCausalLM"],
    "attention_dropout": 0.0,
    "auto_map": {
        "AutoConfig": "configuration_phi3.Phi3Config",
        "AutoModelForCausalLM": "modeling_phi3.Phi3ForCausalLM",
    },
    "bos_token_id": 1,
    "embd_pdrop": 0.0,
    "eos_token_id": 32000,
    "hidden_act": "silu",
    "hidden_size": 3072,
    "initializer_range": 0.02,
    "intermediate_size": 8192,
    "max_position_embeddings": 4096,
    "model_type": "phi3",
    "num_attention_heads": 32,
    "num_hidden_layers": 32,
    "num_key_value_heads": 32,
    "original_max_position_embeddings": 4096,
    "pad_token_id": 32000,
    "resid_pdrop": 0.0,
    "rms_norm_eps": 1e-05,
    "rope_scaling": None,
    "rope_theta": 10000.0,
    "sliding_window": 2047,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.40.2",
    "use_cache": True,
    "attention_bias": False,
    "vocab_size": 32064,
}

OLMOE_1B_7B = {  # allenai/OLMoE-1B-7B-0924
    "architectures": ["OlmoeForCausalLM"],
    "attention_bias": False,
    "attention_dropout": 0.0,
    "clip_qkv": None,
    "eos_token_id": 50279,
    "hidden_act": "silu",
    "hidden_size": 2048,
    "initializer_range": 0.02,
    "intermediate_size": 1024,
    "max_position_embeddings": 4096,
    "model_type": "olmoe",
    "norm_topk_prob": False,
    "num_attention_heads": 16,
    "num_experts": 64,
    "num_experts_per_tok": 8,
    "num_hidden_layers": 16,
    "num_key_value_heads": 16,
    "output_router_logits": False,
    "pad_token_id": 1,
    "rms_norm_eps": 1e-05,
    "rope_scaling": None,
    "rope_theta": 10000.0,
    "router_aux_loss_coef": 0.01,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.43.0.dev0",
    "use_cache": True,
    "vocab_size": 50304,
}

# (catalog id, HF repo, config, attn_implementation, [(batch, seq_len), ...])
MODELS = [
    ("llama-3.2-1b", "meta-llama/Llama-3.2-1B", LLAMA_3_2_1B, "sdpa",
     [(1, 2048), (4, 1024), (1, 8192), (8, 4096)]),
    ("llama-3.2-1b", "meta-llama/Llama-3.2-1B", LLAMA_3_2_1B, "eager",
     [(1, 2048), (1, 8192)]),
    ("llama-3.1-8b", "meta-llama/Llama-3.1-8B", LLAMA_3_1_8B, "sdpa",
     [(1, 2048), (4, 1024), (1, 8192), (2, 8192)]),
    ("qwen3-8b", "Qwen/Qwen3-8B", QWEN3_8B, "sdpa",
     [(1, 2048), (4, 1024), (1, 8192)]),
    ("qwen2.5-7b", "Qwen/Qwen2.5-7B", QWEN2_5_7B, "sdpa",
     [(1, 2048), (4, 1024), (1, 8192)]),
    ("mistral-7b-v0.3", "mistralai/Mistral-7B-v0.3", MISTRAL_7B_V0_3, "sdpa",
     [(1, 2048), (4, 1024), (1, 8192)]),
    ("gemma-2-9b", "google/gemma-2-9b", GEMMA_2_9B, "sdpa",
     [(1, 2048), (4, 1024), (1, 8192)]),
    ("gemma-2-9b", "google/gemma-2-9b", GEMMA_2_9B, "eager",
     [(1, 2048), (4, 1024), (1, 8192)]),
    ("phi-3-mini-4k", "microsoft/Phi-3-mini-4k-instruct", PHI_3_MINI_4K, "sdpa",
     [(1, 2048), (4, 1024), (1, 4096), (4, 4096)]),
    ("olmoe-1b-7b", "allenai/OLMoE-1B-7B-0924", OLMOE_1B_7B, "sdpa",
     [(1, 2048), (4, 1024), (1, 4096), (8, 4096)]),
]

DTYPE = torch.bfloat16


def log(*a):
    print(*a, flush=True)


def shrink(cfg):
    """Tiny version of a config, for a CPU smoke test of the code paths."""
    c = copy.deepcopy(cfg)
    heads = 4
    kv = 2 if c.get("num_key_value_heads", heads) < c["num_attention_heads"] else 4
    c.update(hidden_size=64, intermediate_size=128, num_hidden_layers=2,
             num_attention_heads=heads, num_key_value_heads=kv, vocab_size=1000)
    if "head_dim" in c:
        c["head_dim"] = 16
    if c.get("sliding_window"):
        c["sliding_window"] = 24
    c.pop("auto_map", None)
    for k in ("pad_token_id", "bos_token_id", "eos_token_id"):
        c[k] = None
    return c


class Mem:
    def __init__(self, dev):
        self.cuda = dev.type == "cuda"

    def alloc(self):
        return torch.cuda.memory_allocated() if self.cuda else 0

    def peak(self):
        return torch.cuda.max_memory_allocated() if self.cuda else 0

    def reserved_peak(self):
        return torch.cuda.max_memory_reserved() if self.cuda else 0

    def reset(self):
        if self.cuda:
            torch.cuda.reset_peak_memory_stats()

    def sync(self):
        if self.cuda:
            torch.cuda.synchronize()

    def clean(self):
        gc.collect()
        if self.cuda:
            torch.cuda.synchronize()
            torch.cuda.empty_cache()


def cache_tensors(pkv):
    """All key/value tensors held by a transformers Cache (v5 API) or a
    legacy tuple-of-tuples."""
    out = []
    layers = getattr(pkv, "layers", None)
    if layers is not None:
        for layer in layers:
            for name in ("keys", "values"):
                t = getattr(layer, name, None)
                if isinstance(t, torch.Tensor):
                    out.append(t)
        return out
    for item in pkv:  # legacy format
        for t in item:
            if isinstance(t, torch.Tensor):
                out.append(t)
    return out


def storage_bytes(tensors):
    seen, total = set(), 0
    for t in tensors:
        s = t.untyped_storage()
        if s.data_ptr() in seen:
            continue
        seen.add(s.data_ptr())
        total += s.nbytes()
    return total


class SegmentTracer:
    """Reads (and resets) the allocator's peak at every hook event, so the
    forward is cut into segments: [start .. layer0 pre], [layer0], [between],
    [layer1], ... [norm], [lm_head], [after lm_head .. end]. The global peak
    is the max over segments."""

    def __init__(self, mem, base):
        self.mem, self.base = mem, base
        self.events = []  # (label, alloc_now_rel, peak_of_previous_segment_rel)
        self.handles = []

    def mark(self, label):
        self.mem.sync()
        self.events.append((label, self.mem.alloc() - self.base, self.mem.peak() - self.base))
        self.mem.reset()

    def attach(self, model):
        inner = model.model
        mods = [(f"layer{i}", m) for i, m in enumerate(inner.layers)]
        mods.append(("norm", inner.norm))
        mods.append(("lm_head", model.lm_head))
        for name, m in mods:
            self.handles.append(m.register_forward_pre_hook(
                lambda mod, args, _n=name: self.mark(f"{_n}:pre")))
            self.handles.append(m.register_forward_hook(
                lambda mod, args, out, _n=name: self.mark(f"{_n}:post")))

    def detach(self):
        for h in self.handles:
            h.remove()
        self.handles = []

    def summary(self, n_layers):
        """Peaks (relative to the allocation before the forward) of selected
        segments. The peak of segment X is the peak value read at X's post
        event."""
        ev = {label: (a, p) for label, a, p in self.events}
        out = {}
        last = f"layer{n_layers - 1}"
        for key, label in (("first_layer", "layer0"), ("last_layer", last),
                           ("final_norm", "norm"), ("lm_head", "lm_head")):
            pre, post = ev.get(f"{label}:pre"), ev.get(f"{label}:post")
            if pre and post:
                out[f"{key}_alloc_before"] = pre[0]
                out[f"{key}_peak"] = post[1]
                out[f"{key}_alloc_after"] = post[0]
        # peak over all decoder layers
        out["max_layer_peak"] = max(
            (p for label, a, p in self.events if label.startswith("layer") and label.endswith(":post")),
            default=0)
        out["after_lm_head_peak"] = self.events[-1][2] if self.events and self.events[-1][0] == "end" else None
        out["max_segment_peak"] = max((p for _, _, p in self.events), default=0)
        return out


def measure_point(model, cfg, mem, dev, batch, seq_len, trace=True):
    vocab = cfg.vocab_size
    mem.clean()
    g = torch.Generator(device=dev).manual_seed(1234)
    ids = torch.randint(0, vocab, (batch, seq_len), device=dev, generator=g)
    mem.clean()
    before = mem.alloc()
    mem.reset()
    t0 = time.time()
    with torch.inference_mode():
        out = model(input_ids=ids, use_cache=True)
    mem.sync()
    wall = time.time() - t0
    peak = mem.peak() - before
    reserved_peak = mem.reserved_peak()
    after = mem.alloc() - before
    kv = cache_tensors(out.past_key_values)
    kv_bytes = sum(t.numel() * t.element_size() for t in kv)
    kv_storage = storage_bytes(kv)
    kv_shapes = sorted({tuple(t.shape) for t in kv})
    logits = out.logits
    logits_bytes = logits.numel() * logits.element_size()
    logits_dtype = str(logits.dtype).replace("torch.", "")
    cache_cls = type(out.past_key_values).__name__
    layer_cls = sorted({type(l).__name__ for l in getattr(out.past_key_values, "layers", [])})
    del out, kv, logits
    mem.clean()
    leftover = mem.alloc() - before

    # same input, only the last position's logits
    peak_keep1 = None
    after_keep1 = None
    try:
        mem.reset()
        with torch.inference_mode():
            out = model(input_ids=ids, use_cache=True, logits_to_keep=1)
        mem.sync()
        peak_keep1 = mem.peak() - before
        after_keep1 = mem.alloc() - before
        del out
    except TypeError as e:  # model without logits_to_keep
        log("   logits_to_keep unsupported:", e)
    mem.clean()

    # per-segment trace (separate forward so hooks' syncs don't disturb the
    # headline numbers)
    segs = None
    if trace:
        tracer = SegmentTracer(mem, before)
        tracer.attach(model)
        mem.reset()
        try:
            with torch.inference_mode():
                out = model(input_ids=ids, use_cache=True)
            tracer.mark("end")
            segs = tracer.summary(cfg.num_hidden_layers)
            del out
        finally:
            tracer.detach()
        mem.clean()

    del ids
    mem.clean()
    return dict(
        prefill_peak_bytes=peak,
        after_forward_bytes=after,
        kv_bytes=kv_bytes,
        logits_bytes=logits_bytes,
        logits_dtype=logits_dtype,
        detail=dict(
            kv_storage_bytes=kv_storage,
            kv_tensor_shapes=[list(s) for s in kv_shapes],
            cache_class=cache_cls,
            cache_layer_classes=layer_cls,
            prefill_peak_logits_to_keep_1=peak_keep1,
            after_forward_logits_to_keep_1=after_keep1,
            max_memory_reserved_bytes=reserved_peak,
            leftover_after_free_bytes=leftover,
            forward_seconds=round(wall, 4),
            segments=segs,
        ),
    )


def run_model(entry, dev, mem, tiny, results, write):
    cat_id, repo, raw_cfg, attn, points = entry
    cfg_dict = shrink(raw_cfg) if tiny else raw_cfg
    if tiny:
        points = [(1, 32), (2, 16), (1, 48)]  # 48 > shrunken sliding window (24)
    log(f"== {cat_id} ({repo}) attn={attn}")
    d = dict(cfg_dict)
    model_type = d.pop("model_type")
    cfg = AutoConfig.for_model(model_type, **{k: v for k, v in d.items() if k not in ("auto_map",)})

    mem.clean()
    base = mem.alloc()
    mem.reset()
    t0 = time.time()
    with torch.device(dev):
        model = AutoModelForCausalLM.from_config(cfg, dtype=DTYPE, attn_implementation=attn)
    if next(model.parameters()).device.type != dev.type:  # device context not honoured
        log("   note: model was built on", next(model.parameters()).device, "- moving it")
        model.to(dev)
    model.eval()
    mem.sync()
    build_s = time.time() - t0
    weights_bytes = mem.alloc() - base
    build_peak = mem.peak() - base
    seen = set()
    param_count = 0
    param_bytes = 0
    for p in model.parameters():  # parameters() already de-duplicates tied weights
        if p.data_ptr() in seen:
            continue
        seen.add(p.data_ptr())
        param_count += p.numel()
        param_bytes += p.numel() * p.element_size()
    buffers = list(model.buffers())
    buffer_bytes = sum(b.numel() * b.element_size() for b in buffers)
    buffer_info = sorted({(n.split(".")[-1], str(b.dtype).replace("torch.", ""), tuple(b.shape))
                          for n, b in model.named_buffers()})
    attn_used = getattr(model.config, "_attn_implementation", None)
    experts_used = getattr(model.config, "_experts_implementation", None)
    param_dtypes = sorted({str(p.dtype).replace("torch.", "") for p in model.parameters()})
    log(f"   built in {build_s:.1f}s: params={param_count:,} weights_bytes={weights_bytes:,} "
        f"param_bytes={param_bytes:,} buffers={buffer_bytes:,} attn={attn_used} experts={experts_used}")

    # warm-up: one-off allocations (cuBLAS workspace, lazily built buffers)
    mem.clean()
    a0 = mem.alloc()
    with torch.inference_mode():
        out = model(input_ids=torch.zeros((1, 16), dtype=torch.long, device=dev), use_cache=True)
    del out
    mem.clean()
    warmup_residual = mem.alloc() - a0
    log(f"   warm-up residual {warmup_residual:,} bytes")

    for batch, seq_len in points:
        name = f"{cat_id}/{attn}/b{batch}-s{seq_len}"
        log(f"-- {name}")
        try:
            r = measure_point(model, cfg, mem, dev, batch, seq_len)
        except torch.cuda.OutOfMemoryError as e:
            log("   OOM:", str(e)[:200])
            mem.clean()
            continue
        det = r.pop("detail")
        det.update(
            hf_repo=repo,
            param_bytes=param_bytes,
            param_dtypes=param_dtypes,
            buffers=[list(x) for x in buffer_info],
            build_peak_bytes=build_peak,
            warmup_residual_bytes=warmup_residual,
            experts_implementation=experts_used,
        )
        point = dict(
            name=name,
            model_id=cat_id,
            config=raw_cfg,
            dtype="bfloat16",
            batch=batch,
            seq_len=seq_len,
            param_count=param_count,
            buffer_bytes=buffer_bytes,
            weights_bytes=weights_bytes,
            kv_bytes=r["kv_bytes"],
            prefill_peak_bytes=r["prefill_peak_bytes"],
            after_forward_bytes=r["after_forward_bytes"],
            logits_bytes=r["logits_bytes"],
            logits_dtype=r["logits_dtype"],
            attn_implementation=attn_used,
            notes="",
            detail=det,
        )
        log(f"   peak={r['prefill_peak_bytes']:,} after={r['after_forward_bytes']:,} "
            f"kv={r['kv_bytes']:,} (storage {det['kv_storage_bytes']:,}) logits={r['logits_bytes']:,} "
            f"{r['logits_dtype']} keep1_peak={det['prefill_peak_logits_to_keep_1']} "
            f"fwd={det['forward_seconds']}s")
        if det.get("segments"):
            log("   segments:", json.dumps(det["segments"]))
        results.append(point)
        write()

    del model
    mem.clean()
    log(f"   after free: allocated={mem.alloc():,}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.environ.get("OUT", "."), "torch_reference.json"))
    ap.add_argument("--only", default="", help="comma-separated catalog ids")
    ap.add_argument("--tiny", action="store_true", help="CPU smoke test with shrunken configs")
    ap.add_argument("--entry", type=int, default=None,
                    help="measure only MODELS[ENTRY] in this process (used internally)")
    ap.add_argument("--inprocess", action="store_true",
                    help="measure all models in this one process instead of one subprocess per model")
    args = ap.parse_args()

    dev = torch.device("cuda" if torch.cuda.is_available() and not args.tiny else "cpu")
    mem = Mem(dev)
    gpu = torch.cuda.get_device_name(0) if dev.type == "cuda" else platform.processor() or "cpu"
    total = torch.cuda.get_device_properties(0).total_memory if dev.type == "cuda" else 0
    doc = {
        "method": (
            "scripts/measure_torch_memory.py: random-init model built on the GPU in bf16 via "
            "AutoModelForCausalLM.from_config(cfg, dtype=bfloat16, attn_implementation=...) under "
            "`with torch.device('cuda')`, model.eval(); weights_bytes = torch.cuda.memory_allocated() "
            "delta over the build; one warm-up forward (1x16 tokens) then freed; prefill = one forward "
            "of random input_ids (batch, seq_len) with use_cache=True under torch.inference_mode(); "
            "prefill_peak_bytes = max_memory_allocated() - memory_allocated() just before the forward "
            "(peak stats reset there); after_forward_bytes = memory_allocated() - same baseline while "
            "the output (logits + DynamicCache) is alive; kv_bytes = sum(numel*element_size) over all "
            "key/value tensors of out.past_key_values; logits_bytes = out.logits.numel()*element_size. "
            "All byte counts exclude the CUDA context and the allocator's cached-but-free blocks. "
            f"torch {torch.__version__}, transformers {transformers.__version__}, "
            f"CUDA {torch.version.cuda}, GPU {gpu}."
        ),
        "device": f"{gpu} ({total / 2**30:.1f} GiB)" if total else gpu,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "cuda": torch.version.cuda,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
        "points": [],
    }
    results = doc["points"]

    def write():
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(doc, f, indent=1)

    log(f"torch {torch.__version__} transformers {transformers.__version__} device {doc['device']}")
    only = {s for s in args.only.split(",") if s}
    if args.entry is not None:
        run_model(MODELS[args.entry], dev, mem, args.tiny, results, write)
        write()
        return 0
    for i, entry in enumerate(MODELS):
        if only and entry[0] not in only:
            continue
        if args.inprocess:
            try:
                run_model(entry, dev, mem, args.tiny, results, write)
            except Exception as e:  # keep going with the next model
                import traceback
                traceback.print_exc()
                log(f"!! {entry[0]} failed: {e!r}")
                mem.clean()
            continue
        # One fresh process per model: nothing of an earlier model can stay
        # allocated (an untied lm_head was seen to outlive `del model`).
        import subprocess
        part = f"{args.out}.part{i}"
        cmd = [sys.executable, os.path.abspath(__file__), "--entry", str(i), "--out", part]
        if args.tiny:
            cmd.append("--tiny")
        rc = subprocess.call(cmd)
        if os.path.exists(part):
            with open(part) as f:
                results.extend(json.load(f)["points"])
            os.remove(part)
        if rc != 0:
            log(f"!! {entry[0]} exited with {rc}")
        write()
    log(f"wrote {len(results)} points to {args.out}")


if __name__ == "__main__":
    sys.exit(main())
