// Diagnostic (not part of make test): where does the browser's TTFT excess live at N streams?
// Usage: node probe-delays.mjs [users=64] [requests=256] [page|bare]   (needs ../dist and
// INFERLAB_TESTSERVER). Per request, against the test server's own stamps (relative to the
// run's least delayed chunk): fetch/requestStart → server receipt, each chunk's delivery delay
// (with the h2 read-hold correction, `h2_hold_ms`, already applied; `delivery_ms` added back),
// the Resource Timing corrections and the TTFT error. PROBE_SERVER="--tls --ttft-ms 50 ..."
// sets the server's flags (without --tls: HTTP/1.1); PROBE_CURVE=1 prints the median delay of
// the k-th chunk (how Chromium's 1 ms HTTP/2 read hold was found: every chunk but the last late).
// `bare` drives Chromium over a bare DevTools pipe (bare-chromium.mjs) instead of Playwright.
import { launchChromium, serveDist } from "./browser.mjs";
import { launchBare } from "./bare-chromium.mjs";
import { ACCURACY_SERVER, runBare, runInPage, serverRecords, startServer, truth } from "./loadtest-harness.mjs";
const users = Number(process.argv[2] ?? 64), requests = Number(process.argv[3] ?? 256), inWorker = process.argv[4] !== "page";
const bare = process.argv[4] === "bare";
const port = Number(process.env.E2E_PORT ?? 4173) + 3;
const web = await serveDist(port);
const browser = bare ? await launchBare({ extraArgs: ["--ignore-certificate-errors"] }) : await launchChromium();
const q = (a, p) => { const v = [...a].sort((x, y) => x - y); return v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))]; };
try {
  const server = await startServer(process.env.PROBE_SERVER?.split(" ") ?? ACCURACY_SERVER, 1);
  const ctx = bare ? null : await browser.newContext({ baseURL: `http://127.0.0.1:${port}`, ignoreHTTPSErrors: true });
  const opts = { urls: [server.url], users, requests, maxTokens: 32, warmup: users, inWorker };
  const { cells, doc } = bare ? await runBare(await browser.newPage(), `http://127.0.0.1:${port}`, opts) : await runInPage(await ctx.newPage(), opts);
  const srv = (await serverRecords(server.url)).filter((r) => r.api === "chat" && r.stream);
  const t = truth(srv);
  const by = new Map(); for (const r of srv) { const m = /\[req (\d+)\]/.exec(r.prompt ?? ""); if (m) by.set(Number(m[1]), r); }
  const pairs = doc.records.filter((b) => !b.warmup && !b.error && by.has(b.id)).map((b) => [b, by.get(b.id)]);
  const off = Math.min(...pairs.flatMap(([b, s]) => b.tokens.map((k, i) => k.t + (b.delivery_ms ?? 0) - s.token_chunks_ms[i])));
  const cols = {
    "fetch->srv recv": ([b, s]) => s.received_ms + off - (b.t_fetch ?? b.t_start),
    "start->srv recv": ([b, s]) => s.received_ms + off - b.t_start,
    "tok0 raw delay": ([b, s]) => b.tokens[0].t + (b.delivery_ms ?? 0) - s.token_chunks_ms[0] - off,
    "tok1 raw delay": ([b, s]) => b.tokens[1].t + (b.delivery_ms ?? 0) - s.token_chunks_ms[1] - off,
    "tokN raw delay": ([b, s]) => b.tokens.at(-1).t + (b.delivery_ms ?? 0) - s.token_chunks_ms.at(-1) - off,
    "delivery_ms": ([b]) => b.delivery_ms ?? NaN,
    "delivery_end_ms": ([b]) => b.delivery_end_ms ?? NaN,
    "ttft err": ([b, s]) => (b.tokens[0].t - b.t_start) - (s.token_chunks_ms[0] - s.received_ms),
  };
  console.log(`${users} users ${inWorker ? "worker" : "page"}${bare ? " (bare pipe)" : ""}: ttft p50 ${cells["ttft-p50"]} vs ${t.ttft.toFixed(2)}; e2e ${cells["e2e-p50"]} vs ${t.e2e.toFixed(2)}; clocks ${JSON.stringify(doc.records.reduce((a, r) => ((a[r.clock] = (a[r.clock] ?? 0) + 1), a), {}))}`);
  for (const [k, f] of Object.entries(cols)) { const v = pairs.map(f).filter(Number.isFinite); console.log(`  ${k.padEnd(16)} p10 ${q(v, .1).toFixed(2)} p50 ${q(v, .5).toFixed(2)} p90 ${q(v, .9).toFixed(2)} (n ${v.length})`); }
  if (process.env.PROBE_CURVE) {
    // Median raw delay of the k-th token chunk over all requests: how delivery settles in a stream.
    const n = Math.min(...pairs.map(([b, s]) => Math.min(b.tokens.length, s.token_chunks_ms.length)));
    const curve = [...Array(n).keys()].map((i) => q(pairs.map(([b, s]) => b.tokens[i].t + (b.delivery_ms ?? 0) - s.token_chunks_ms[i] - off), 0.5));
    console.log(`  raw delay by chunk: ${curve.map((v) => v.toFixed(2)).join(" ")}`);
  }
  await ctx?.close(); server.proc.kill();
} finally { await browser.close(); web.kill(); }
