// Shared by the load tester's accuracy/capacity specs and e2e/bench-loadtest.mjs: start the
// test server (tools/testserver), run the load tester in the page through its UI, and compare
// what the browser measured with the send times the server recorded (GET /debug/requests).
import { spawn } from "node:child_process";
import http from "node:http";
import https from "node:https";
import { existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function serverBinary() {
  const candidates = [
    process.env.INFERLAB_TESTSERVER,
    path.join(root, "target", "release", "inferlab-testserver"),
    path.join(root, "target", "debug", "inferlab-testserver"),
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`inferlab-testserver not built; looked in: ${candidates.join(", ")}`);
  return found;
}

/** Starts the test server; resolves with its URLs (one per listener) once all are printed. */
export function startServer(args, listeners = 1) {
  return new Promise((resolve, reject) => {
    const proc = spawn(serverBinary(), ["--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error("the test server printed no URL within 15 s"));
    }, 15_000);
    proc.once("error", (e) => (clearTimeout(timer), reject(e)));
    proc.once("exit", (code) => (clearTimeout(timer), reject(new Error(`the test server exited early (code ${code})`))));
    const urls = [];
    createInterface({ input: proc.stdout }).on("line", (line) => {
      urls.push(line.trim().replace(/\/$/, ""));
      if (urls.length === listeners) {
        clearTimeout(timer);
        proc.removeAllListeners("exit");
        resolve({ url: urls[0], urls, proc });
      }
    });
  });
}

/** A request to the test server from Node, accepting its self-signed certificate. */
export function request(url, method = "GET") {
  const mod = url.startsWith("https:") ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { method, rejectUnauthorized: false }, (res) => {
      const parts = [];
      res.on("data", (d) => parts.push(d));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(parts).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

export async function serverRecords(url) {
  const res = await request(`${url}/debug/requests`);
  if (res.status !== 200) throw new Error(`/debug/requests: HTTP ${res.status}`);
  return JSON.parse(res.body).requests;
}

export const resetServer = (url) => request(`${url}/debug/reset`, "POST");

/** Lower median, the value an HDR histogram reports as p50. */
export function lowerMedian(values) {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.max(0, Math.ceil(v.length / 2) - 1)];
}

export function quantile(values, q) {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))];
}

/** The server's truth for streamed chat requests: TTFT, ITL, TPOT, E2E medians. */
export function truth(recs) {
  const done = (r) => r.events.find((e) => e.kind === "done")?.ms ?? r.token_chunks_ms.at(-1);
  const ttft = recs.map((r) => r.token_chunks_ms[0] - r.received_ms);
  const itl = recs.flatMap((r) => r.token_chunks_ms.slice(1).map((t, i) => t - r.token_chunks_ms[i]));
  const e2e = recs.map((r) => done(r) - r.received_ms);
  const tpot = recs
    .filter((r) => r.sent_tokens > 1)
    .map((r) => (done(r) - r.token_chunks_ms[0]) / (r.sent_tokens - 1));
  return { ttft: lowerMedian(ttft), itl: lowerMedian(itl), tpot: lowerMedian(tpot), e2e: lowerMedian(e2e) };
}

export async function cellValue(page, id) {
  return Number(await page.getByTestId(id).getAttribute("data-value"));
}

/** The test server of the accuracy runs: TLS + HTTP/2, TTFT 50 ms, one token per 10 ms. */
export const ACCURACY_SERVER = ["--tls", "--ttft-ms", "50", "--itl-ms", "10"];

/** max(1 ms, 2 %) of the truth: the accuracy goal. */
export const goal = (truthMs) => Math.max(1, 0.02 * truthMs);

/** The summary cells `runInPage` and `runBare` read. */
const RUN_CELLS = ["ttft-p50", "itl-p50", "tpot-p50", "e2e-p50", "ttft-p99", "requests-ok", "requests-failed", "output-tps-system"];

/** The `/loadtest` link of a run against `urls` (the model name is the test server's). */
function runPath({ urls, users, requests, maxTokens }) {
  const q = new URLSearchParams({ url: urls.join(" "), users: String(users), requests: String(requests), max_tokens: String(maxTokens), model: "inferlab-test" });
  return `/loadtest?${q}`;
}

/**
 * Runs the load tester in `page` through its UI against `urls` (space-separated base URLs,
 * round robin) and waits for the end, reading the streams in the stream workers unless
 * `inWorker` is false. Returns the browser's p50 cells and the export JSON.
 */
export async function runInPage(page, { urls, users, requests, maxTokens, warmup, timeoutMs = 120_000, inWorker = true }) {
  await page.goto(runPath({ urls, users, requests, maxTokens }));
  await page.getByLabel("Warm-up requests").fill(String(warmup));
  const unique = page.getByLabel(/unique prompts/i);
  if ((await unique.count()) > 0 && !(await unique.isChecked())) await unique.check();
  await page.getByLabel(/read streams in a worker/i).setChecked(inWorker);
  await page.getByTestId("run").click();
  await page.getByTestId("confirm-run").click();
  await page.waitForSelector('[data-testid="run-status"][data-phase="finished"]', { timeout: timeoutMs });
  const cells = {};
  for (const id of RUN_CELLS) cells[id] = await cellValue(page, id);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-json").click()]);
  const doc = JSON.parse(readFileSync(await download.path(), "utf8"));
  return { cells, doc };
}

/**
 * Joins browser records with server records through the unique-prompt tag `[req N]` and
 * measures, per token chunk, how much later than the server's send time the page stamped it
 * beyond the least-delayed chunk of the run (clock offset unknown, so relative):
 * the client-added latency. Also events/s: over the run's busy window (ramp-up and tail
 * included, so below the offered rate even for a perfect client) and `sustained`, while
 * every stream is open (from the last stream's first token to the first stream's last),
 * side by side with what the server sent in its own such window.
 */
export function clientAdded(doc, serverRecs) {
  const byNonce = new Map();
  for (const r of serverRecs) {
    const m = /\[req (\d+)\]/.exec(r.prompt ?? "");
    if (m) byNonce.set(Number(m[1]), r);
  }
  const deltas = [];
  let events = 0;
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const b of doc.records) {
    if (b.warmup || b.error) continue;
    events += b.event_times.length;
    if (b.event_times.length) {
      t0 = Math.min(t0, b.event_times[0]);
      t1 = Math.max(t1, b.event_times.at(-1));
    }
    const s = byNonce.get(b.id);
    if (!s || s.token_chunks_ms.length !== b.tokens.length) continue;
    b.tokens.forEach((tok, i) => deltas.push(tok.t - s.token_chunks_ms[i]));
  }
  const base = deltas.reduce((a, b) => Math.min(a, b), Infinity);
  const added = deltas.map((d) => d - base);
  const sustained = allOpenRate(
    doc.records.filter((r) => !r.warmup && !r.error && r.tokens.length).map((r) => [r.tokens[0].t, r.tokens.at(-1).t, r.event_times]),
    serverRecs.filter((r) => r.token_chunks_ms.length).map((r) => [r.token_chunks_ms[0], r.token_chunks_ms.at(-1), r.token_chunks_ms]),
  );
  const clocks = doc.records.reduce((acc, r) => ((acc[r.clock ?? "fetch"] = (acc[r.clock ?? "fetch"] ?? 0) + 1), acc), {});
  return {
    joined: added.length,
    p50: quantile(added, 0.5),
    p99: quantile(added, 0.99),
    eventsPerS: events / Math.max(1e-9, (t1 - t0) / 1000),
    events,
    sustained,
    clocks,
  };
}

/** Events per second inside the window in which all of `streams` ([first, last, stamps]) are open. */
function allOpenRate(tab, server) {
  const rate = (streams) => {
    if (!streams.length) return { perS: 0, ms: 0 };
    const lo = streams.reduce((a, s) => Math.max(a, s[0]), -Infinity);
    const hi = streams.reduce((a, s) => Math.min(a, s[1]), Infinity);
    if (!(hi > lo)) return { perS: 0, ms: 0 };
    const n = streams.reduce((a, s) => a + s[2].filter((t) => t >= lo && t <= hi).length, 0);
    return { perS: n / ((hi - lo) / 1000), ms: hi - lo };
  };
  return { tab: rate(tab), server: rate(server) };
}

/**
 * `runInPage` for a page of bare-chromium.mjs (no Playwright, no DevTools Network domain):
 * the same steps through the same UI, done by JavaScript in the page. `base` is the app's
 * origin. Returns the same `{ cells, doc }`.
 */
export async function runBare(page, base, { urls, users, requests, maxTokens, warmup, timeoutMs = 120_000, inWorker = true }) {
  await page.goto(base + runPath({ urls, users, requests, maxTokens }));
  await page.waitFor(`!!document.querySelector('[data-testid="run"]')`, 30_000);
  await page.evaluate(`(() => {
    const w = document.getElementById("lt-warmup");
    w.value = ${JSON.stringify(String(warmup))};
    w.dispatchEvent(new Event("input", { bubbles: true }));
    w.dispatchEvent(new Event("change", { bubbles: true }));
    const box = (text) => [...document.querySelectorAll("label")].find((l) => l.textContent.includes(text))?.querySelector("input");
    const unique = box("unique prompts");
    if (unique && !unique.checked) unique.click();
    const worker = box("read streams in a worker");
    if (worker && worker.checked !== ${inWorker}) worker.click();
    document.querySelector('[data-testid="run"]').click();
  })()`);
  await page.waitFor(`!!document.querySelector('[data-testid="confirm-run"]')`, 10_000);
  await page.evaluate(`document.querySelector('[data-testid="confirm-run"]').click()`);
  await page.waitFor(`document.querySelector('[data-testid="run-status"]')?.dataset.phase === "finished"`, timeoutMs);
  const cells = await page.evaluate(`Object.fromEntries(${JSON.stringify(RUN_CELLS)}.map((id) => [id, Number(document.querySelector('[data-testid="' + id + '"]')?.dataset.value)]))`);
  const doc = JSON.parse(await page.download(`document.querySelector('[data-testid="export-json"]').click()`));
  return { cells, doc };
}

/**
 * The machine's floor: Node's own HTTP/2 client (one process, no IPC) running the load
 * tester's closed loop (`users` users × `perUser` requests after as many warm-ups, TTFT 50 ms,
 * ITL 10 ms, 32 tokens) against a fresh test server, TTFT from its request() call. Returns
 * its TTFT p50 (lower median) and the server's for the same requests, ms. What the browser
 * adds beyond this is Chromium's multi-process pipeline competing for the same cores.
 */
export async function nativeFloor(users, perUser = 4) {
  const http2 = await import("node:http2");
  const server = await startServer(ACCURACY_SERVER, 1);
  const client = http2.connect(server.url, { rejectUnauthorized: false });
  const ttfts = [];
  const one = (i) => new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = client.request({ ":method": "POST", ":path": "/v1/chat/completions", "content-type": "application/json" });
    let first = null;
    req.on("data", (d) => { if (first === null && d.toString().includes('"content"')) first = performance.now(); });
    req.on("end", () => { ttfts.push(first - t0); resolve(); });
    req.on("error", reject);
    req.end(JSON.stringify({ model: "m", messages: [{ role: "user", content: `[req ${i}] hi` }], stream: true, max_tokens: 32 }));
  });
  const loop = async (u) => { for (let k = 0; k < perUser; k++) await one(u * 100 + k); };
  try {
    await Promise.all([...Array(users).keys()].map(loop)); // warm-up
    ttfts.length = 0;
    const before = (await serverRecords(server.url)).length;
    await Promise.all([...Array(users).keys()].map((u) => loop(u + 1000)));
    const t = truth((await serverRecords(server.url)).slice(before));
    return { ttft: lowerMedian(ttfts), truthTtft: t.ttft };
  } finally {
    client.close();
    server.proc.kill();
  }
}
