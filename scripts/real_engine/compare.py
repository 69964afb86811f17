#!/usr/bin/env python3
"""The two halves of `make test-real`'s comparison (called by run.sh).

`trace`: turns what our browser load tester sent (e2e/real/compare.spec.mjs saved every request
body and the JSON export with each request's `t_start`) into an AIPerf `single_turn` trace with
`timestamp`s, so AIPerf replays the *same prompts at the same send offsets* (--fixed-schedule):
one workload, two clients.

`report`: prints ours vs AIPerf for the medians (p50) and system output tokens/s, with the
difference and PASS/FAIL against the 5 % goal, and exits 1 on a FAIL.

Definitions (both tools, checked in AIPerf 0.13.0's source, aiperf/metrics/types/):
  TTFT  request start -> first chunk with content (AIPerf: first *content* response; the
        role-only first chunk counts for neither).
  TPOT  (E2E - TTFT) / (output tokens - 1) per request (AIPerf calls it "inter_token_latency").
  ITL   every gap between token-carrying chunks (AIPerf: "inter_chunk_latency"); llama-server
        sends one token per chunk.
  E2E   request start -> [DONE] (ours) / last content chunk (AIPerf "request_latency"); the
        finish and usage chunks follow the last token within a fraction of a millisecond.
  tok/s all output tokens / (last finish - first start) ("output_token_throughput").

Engine-speed normalisation: the two runs happen one after the other on a shared 2-core machine,
so the engine itself can be a few % faster in one than in the other. llama-server logs its own
per-request timings (prompt eval ms, eval ms / tokens); the report subtracts each run's median
server time and adds the mean of the two, so what remains compared is the client-side part plus
a common engine speed. Raw figures are printed too.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

GOAL_PCT = 5.0


def cmd_trace(args: argparse.Namespace) -> int:
    sent = json.loads(Path(args.requests).read_text())
    doc = json.loads(Path(args.export).read_text())
    recs = sorted((r for r in doc["records"] if not r.get("warmup")), key=lambda r: r["t_start"])
    if len(recs) != len(sent):
        sys.exit(f"trace: {len(recs)} measured records but {len(sent)} sent bodies")
    t0 = recs[0]["t_start"]
    with open(args.out, "w", encoding="utf-8") as f:
        for rec, req in zip(recs, sent):
            msgs = req["body"]["messages"]
            if len(msgs) != 1 or msgs[0]["role"] != "user":
                sys.exit("trace: only single user-message prompts can be replayed (pick a suite without -sys)")
            line = {"type": "single_turn", "text": msgs[0]["content"], "timestamp": round(rec["t_start"] - t0, 3)}
            f.write(json.dumps(line) + "\n")
    print(f"trace: {len(recs)} requests over {recs[-1]['t_start'] - t0:.0f} ms -> {args.out}")
    return 0


TIMING = re.compile(r"id +(\d+) \| task (\d+) \|\s+(prompt eval|eval) time = +([\d.]+) ms / +(\d+) tokens")


def server_timings(log: Path, start: int, end: int) -> list[dict]:
    """Per-request llama-server timings logged between two line numbers."""
    lines = log.read_text(errors="replace").splitlines()[start:end]
    by_task: dict[str, dict] = {}
    for line in lines:
        m = TIMING.search(line)
        if m:
            t = by_task.setdefault(m.group(2), {})
            key = "prompt" if m.group(3) == "prompt eval" else "gen"
            t[f"{key}_ms"], t[f"{key}_n"] = float(m.group(4)), int(m.group(5))
    return [t for t in by_task.values() if "prompt_ms" in t and "gen_ms" in t and t["gen_n"] > 1]


def aiperf_metric(data: dict, tag: str, stat: str) -> float:
    m = data.get(tag)
    if m is None:
        m = next((x for x in data.get("records", []) if x.get("tag") == tag), None)
    if m is None:
        raise KeyError(f"AIPerf export has no {tag}")
    return float(m[stat])


def to_ms(unit: str | None, v: float) -> float:
    return {"ns": v / 1e6, "us": v / 1e3, "s": v * 1e3}.get((unit or "ms").lower(), v)


def cmd_report(args: argparse.Namespace) -> int:
    out = Path(args.out)
    cells = json.loads((out / "browser-cells.json").read_text())
    ai = json.loads(next((out / "aiperf").rglob("profile_export_aiperf.json")).read_text())
    metrics = ai.get("metrics", ai)
    phases = json.loads((out / "phases.json").read_text())
    log = out / "llama-server.log"
    srv = {k: server_timings(log, *phases[k]) for k in ("browser", "aiperf")}

    def med(k: str, f) -> float:
        return statistics.median(f(t) for t in srv[k])

    parts = {
        "prompt": lambda t: t["prompt_ms"],
        "per_token": lambda t: t["gen_ms"] / t["gen_n"],
        "total": lambda t: t["prompt_ms"] + t["gen_ms"],
    }
    eng = {k: {p: med(k, f) for p, f in parts.items()} for k in srv}
    common = {p: (eng["browser"][p] + eng["aiperf"][p]) / 2 for p in parts}

    def ai_ms(tag: str) -> float:
        m = metrics.get(tag) or {}
        return to_ms(m.get("unit"), aiperf_metric(metrics, tag, "p50"))

    rows = [
        # name, ours, AIPerf, server part subtracted before comparing, unit, larger is better
        ("TTFT p50", cells["ttft-p50"], ai_ms("time_to_first_token"), "prompt", "ms"),
        ("TPOT p50", cells["tpot-p50"], ai_ms("inter_token_latency"), "per_token", "ms"),
        ("ITL p50", cells["itl-p50"], ai_ms("inter_chunk_latency"), "per_token", "ms"),
        ("E2E p50", cells["e2e-p50"], ai_ms("request_latency"), "total", "ms"),
        ("output tok/s", cells["output-tps-system"], aiperf_metric(metrics, "output_token_throughput", "avg"), None, "tok/s"),
    ]
    recs = json.loads((out / "browser-export.json").read_text()).get("records", [])
    clocks: dict[str, int] = {}
    for r in recs:
        if not r.get("warmup"):
            clocks[r.get("clock") or "fetch"] = clocks.get(r.get("clock") or "fetch", 0) + 1
    print(f"browser stamps' clocks: {clocks} (resource: re-based on Resource Timing, needs "
          "Timing-Allow-Origin; fetch: from the fetch() call)")
    print()
    print(f"llama-server's own timings (median per request), browser run vs AIPerf run:")
    for p, label in (("prompt", "prompt eval ms"), ("per_token", "decode ms/token"), ("total", "total ms")):
        print(f"  {label:16} {eng['browser'][p]:9.2f} {eng['aiperf'][p]:9.2f}   ({100 * (eng['browser'][p] / eng['aiperf'][p] - 1):+.1f} %)")
    print()
    hdr = f"{'metric':14} {'ours raw':>10} {'AIPerf raw':>11} {'diff':>7}   {'ours norm':>10} {'AIPerf norm':>11} {'diff':>7}   goal ±{GOAL_PCT:g} %"
    print(hdr)
    print("-" * len(hdr))
    failed, result = 0, []
    for name, ours, peer, part, unit in rows:
        raw = 100 * (ours / peer - 1)
        if part:
            n_ours = ours - eng["browser"][part] + common[part]
            n_peer = peer - eng["aiperf"][part] + common[part]
        else:
            n_ours, n_peer = ours, peer
        norm = 100 * (n_ours / n_peer - 1)
        ok = abs(norm) <= GOAL_PCT
        failed += not ok
        result.append({"metric": name, "unit": unit, "ours": ours, "aiperf": peer, "diff_pct": raw,
                       "ours_norm": n_ours, "aiperf_norm": n_peer, "diff_norm_pct": norm, "pass": ok})
        print(f"{name:14} {ours:10.2f} {peer:11.2f} {raw:+6.1f}%   {n_ours:10.2f} {n_peer:11.2f} {norm:+6.1f}%   {'PASS' if ok else 'FAIL'}")
    (out / "comparison.json").write_text(json.dumps({"engine": eng, "rows": result}, indent=2))
    print(f"\nreal-engine: {len(rows) - failed} passed, {failed} failed")
    return 1 if failed else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("trace")
    t.add_argument("--requests", required=True)
    t.add_argument("--export", required=True)
    t.add_argument("--out", required=True)
    r = sub.add_parser("report")
    r.add_argument("--out", required=True)
    args = ap.parse_args()
    return cmd_trace(args) if args.cmd == "trace" else cmd_report(args)


if __name__ == "__main__":
    raise SystemExit(main())
