// make bench: the load tester's accuracy and capacity against issue #5's goals, measured in
// headless Chromium (release build in ../dist) against tools/testserver over TLS + HTTP/2.
//   - accuracy: TTFT, ITL, TPOT, E2E p50 within max(1 ms, 2 %) of the server's recorded send
//     times, at 1 and at 64 concurrent streams;
//   - capacity: >= 500 concurrent streams in one tab and >= 50,000 SSE events/s; the
//     client-added latency p99 (page stamp − server send time, beyond the run's least
//     delayed chunk). The server offers more than the goal (500 streams × one event per
//     8 ms = 62,500/s) and events/s is what the tab stamped while every stream was open
//     (the whole run's average includes the 1 s TTFT and the launch ramp, so it stays below
//     the offered rate even for a perfect client; it is printed too).
// Prints MEETS or MISSES per goal; never claims a figure it did not measure.
import { launchChromium, serveDist } from "./browser.mjs";
import { launchBare } from "./bare-chromium.mjs";
import { clientAdded, goal, runBare, runInPage, serverRecords, startServer, truth } from "./loadtest-harness.mjs";

const port = Number(process.env.E2E_PORT ?? 4173) + 3;
const web = await serveDist(port);
const browser = await launchChromium();
const verdict = (ok) => (ok ? "MEETS" : "MISSES");
const f = (x) => (x >= 0 ? "+" : "") + x.toFixed(2);
let misses = 0;

// `inWorker`: the default transport (fetch and read in the stream workers); false = the page
// transport, measured for comparison only (its misses are not counted).
// `bare`: drive Chromium over a bare DevTools pipe instead of Playwright (bare-chromium.mjs:
// no Network domain reporting every request to this process), for comparison only.
async function accuracy(users, requests, inWorker = true, bare = false) {
  const server = await startServer(["--tls", "--ttft-ms", "50", "--itl-ms", "10"], 1);
  const ctx = bare ? null : await browser.newContext({ baseURL: `http://127.0.0.1:${port}`, ignoreHTTPSErrors: true });
  const bareBrowser = bare ? await launchBare({ extraArgs: ["--ignore-certificate-errors"] }) : null;
  try {
    const opts = { urls: [server.url], users, requests, maxTokens: 32, warmup: users, inWorker };
    const { cells, doc } = bare ? await runBare(await bareBrowser.newPage(), `http://127.0.0.1:${port}`, opts) : await runInPage(await ctx.newPage(), opts);
    const srv = (await serverRecords(server.url)).filter((r) => r.api === "chat" && r.stream);
    const t = truth(srv);
    const ca = clientAdded(doc, srv);
    console.log(`${users} stream(s), HTTP/2 (${srv[0]?.http_version}), ${inWorker ? "worker" : "page (comparison)"} transport${bare ? ", bare DevTools pipe (comparison)" : ""}, ${cells["requests-ok"]} ok / ${cells["requests-failed"]} failed, clocks ${JSON.stringify(ca.clocks)}`);
    for (const [name, id, s] of [["TTFT", "ttft-p50", t.ttft], ["ITL", "itl-p50", t.itl], ["TPOT", "tpot-p50", t.tpot], ["E2E", "e2e-p50", t.e2e]]) {
      const b = cells[id];
      const ok = Math.abs(b - s) <= goal(s);
      misses += ok || !inWorker || bare ? 0 : 1;
      console.log(`  ${name.padEnd(4)} p50 browser ${b.toFixed(2)} ms, server ${s.toFixed(2)} ms: ${f(b - s)} ms (goal ±${goal(s).toFixed(2)}) ${verdict(ok)}`);
    }
    console.log(`  client-added latency p50 ${ca.p50.toFixed(2)} ms, p99 ${ca.p99.toFixed(2)} ms (${ca.joined} chunks); token gaps under 0.05 ms ${(100 * (doc.summary.itl_together_share ?? 0)).toFixed(1)} %`);
  } finally {
    await ctx?.close();
    await bareBrowser?.close();
    server.proc.kill();
  }
}

async function capacity(users, origins, itl, maxTokens, requests, inWorker = true) {
  // A 1 s TTFT: every stream is still open when the tab has launched the last one (launching
  // 500 takes a while on a loaded 2-core box), so the server-side peak shows what the tab holds.
  const server = await startServer(["--tls", "--ttft-ms", "1000", "--itl-ms", String(itl), "--extra-listeners", String(origins - 1)], origins);
  const ctx = await browser.newContext({ baseURL: `http://127.0.0.1:${port}`, ignoreHTTPSErrors: true });
  try {
    const page = await ctx.newPage();
    const t0 = Date.now();
    const { cells, doc } = await runInPage(page, { urls: server.urls, users, requests, maxTokens, warmup: 0, timeoutMs: 300_000, inWorker });
    const wall = (Date.now() - t0) / 1000;
    const srv = (await serverRecords(server.url)).filter((r) => r.api === "chat" && r.stream);
    const ev = srv.flatMap((r) => [[r.received_ms, 1], [r.finished_ms ?? Infinity, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let open = 0, peak = 0;
    for (const [, d] of ev) peak = Math.max(peak, (open += d));
    const ca = clientAdded(doc, srv);
    const planned = (users * 1000) / itl;
    console.log(`${inWorker ? "worker" : "page (comparison)"} transport: ${users} users over ${origins} origins (ITL ${itl} ms: ${planned} events/s planned), ${requests} requests × ${maxTokens} tokens, ${wall.toFixed(0)} s wall; ${cells["requests-ok"]} ok / ${cells["requests-failed"]} failed`);
    const streamsOk = peak >= 500 && cells["requests-failed"] === 0;
    const { tab, server: sent } = ca.sustained;
    const eventsOk = tab.perS >= 50_000;
    if (inWorker) misses += (streamsOk ? 0 : 1) + (eventsOk ? 0 : 1);
    console.log(`  concurrent HTTP/2 streams (server-side peak): ${peak} (goal >= 500) ${verdict(streamsOk)}`);
    console.log(`  SSE events/s in the tab while all ${users} streams were open: ${Math.round(tab.perS)} over ${tab.ms.toFixed(0)} ms (goal >= 50000) ${verdict(eventsOk)}`);
    console.log(`    the server sent ${Math.round(sent.perS)}/s in its own such window; whole run incl. ramp: ${Math.round(ca.eventsPerS)}/s (${ca.events} events)`);
    console.log(`  client-added latency p50 ${ca.p50.toFixed(2)} ms, p99 ${ca.p99.toFixed(2)} ms (${ca.joined} chunks; clocks ${JSON.stringify(ca.clocks)})`);
    const share = doc.summary.itl_together_share ?? 0;
    console.log(`  token gaps under 0.05 ms (read together): ${(100 * share).toFixed(1)} % (the page warns from 20 %); ITL p50 ${cells["itl-p50"].toFixed(2)} ms`);
  } finally {
    await ctx.close();
    server.proc.kill();
  }
}

// The machine's floor: Node's own HTTP/2 client (one process, no IPC) running the same closed
// loop, TTFT from its request() call. What the browser adds beyond this is Chromium's
// multi-process pipeline (renderer, network service) competing for the same cores.
async function nativeFloor(users, perUser = 4) {
  const http2 = await import("node:http2");
  const server = await startServer(["--tls", "--ttft-ms", "50", "--itl-ms", "10"], 1);
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
    const b = [...ttfts].sort((x, y) => x - y)[Math.ceil(ttfts.length / 2) - 1];
    console.log(`  machine floor: Node's HTTP/2 client, ${users} stream(s): TTFT p50 ${b.toFixed(2)} ms vs server ${t.ttft.toFixed(2)} ms: ${f(b - t.ttft)} ms`);
  } finally {
    client.close();
    server.proc.kill();
  }
}

try {
  console.log(`cores: ${(await import("node:os")).cpus().length} (Chromium, the test server and this script share them)`);
  await accuracy(1, 20);
  await nativeFloor(1);
  await accuracy(64, 256);
  await accuracy(64, 256, false);
  await accuracy(64, 256, true, true);
  await nativeFloor(64);
  await capacity(500, 4, 8, 500, 500);
  await capacity(500, 4, 8, 500, 500, false);
  console.log(misses ? `${misses} goal(s) MISSED (see above)` : "all load-tester goals met");
} finally {
  await browser.close();
  web.kill();
}
