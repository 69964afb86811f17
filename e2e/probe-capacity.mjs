// Diagnostic (outside make test / make bench): where the CPU goes while one tab reads many
// SSE streams from the test server. Prints events/s (whole run and while every stream is
// open), the server's own send rate in the same window, the client-added latency and the CPU
// each process used (Chromium's by --type, the test server, this Node process).
//   node probe-capacity.mjs [users] [itl_ms] [max_tokens] [worker|page] [profile]
// `profile` also records a CPU profile of the page's main thread and prints its top entries.
import { readFileSync, readdirSync } from "node:fs";
import { launchChromium, serveDist } from "./browser.mjs";
import { clientAdded, runInPage, serverRecords, startServer } from "./loadtest-harness.mjs";

const [users = 500, itl = 10, maxTokens = 300] = process.argv.slice(2, 5).map(Number);
const inWorker = (process.argv[5] ?? "worker") === "worker";
const profile = process.argv[6] === "profile";
const port = Number(process.env.E2E_PORT ?? 4173) + 5;
const origins = Math.ceil(users / 128);

function cpuTimes() {
  const tick = 100; // USER_HZ
  const out = new Map();
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // Chromium rewrites its argv into one string: look for the flags anywhere in it.
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      const comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      const type = /--type=(\S+)/.exec(cmd)?.[1];
      const sub = /--utility-sub-type=(\S+)/.exec(cmd)?.[1];
      const name = /chrom|playwright/.test(cmd)
        ? `chromium ${type ?? (/--renderer-client-id/.test(cmd) ? "renderer" : /--gpu-preferences/.test(cmd) ? "gpu" : /--remote-debugging-pipe/.test(cmd) ? "browser" : "other")}${sub ? " " + sub : ""}`
        : comm;
      out.set(pid, { name, s: (Number(f[11]) + Number(f[12])) / tick });
    } catch {}
  }
  return out;
}

const web = await serveDist(port);
const browser = await launchChromium();
const server = await startServer(["--tls", "--ttft-ms", "1000", "--itl-ms", String(itl), "--extra-listeners", String(origins - 1)], origins);
const ctx = await browser.newContext({ baseURL: `http://127.0.0.1:${port}`, ignoreHTTPSErrors: true });
try {
  const page = await ctx.newPage();
  let cdp = null;
  if (profile) {
    cdp = await ctx.newCDPSession(page);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  }
  const c0 = cpuTimes();
  const w0 = performance.now();
  if (cdp) await cdp.send("Profiler.start");
  const { cells, doc } = await runInPage(page, { urls: server.urls, users, requests: users, maxTokens, warmup: 0, timeoutMs: 300_000, inWorker });
  const prof = cdp ? (await cdp.send("Profiler.stop")).profile : null;
  const wall = (performance.now() - w0) / 1000;
  const c1 = cpuTimes();
  const srv = (await serverRecords(server.url)).filter((r) => r.api === "chat" && r.stream);
  const ca = clientAdded(doc, srv);
  console.log(`${users} users, ITL ${itl} ms (${(users * 1000 / itl) | 0} events/s offered), ${maxTokens} tokens, ${inWorker ? "worker" : "page"}; ${cells["requests-ok"]} ok / ${cells["requests-failed"]} failed; ${wall.toFixed(1)} s wall`);
  const { tab, server: sent } = ca.sustained;
  console.log(`  events/s whole run ${ca.eventsPerS | 0}; all streams open: tab ${tab.perS | 0} over ${tab.ms.toFixed(0)} ms, server sent ${sent.perS | 0} over ${sent.ms.toFixed(0)} ms`);
  console.log(`  client-added latency p50 ${ca.p50.toFixed(1)} ms, p99 ${ca.p99.toFixed(1)} ms`);
  const by = new Map();
  for (const [pid, { name, s }] of c1) by.set(name, (by.get(name) ?? 0) + s - (c0.get(pid)?.s ?? 0));
  console.log(`  CPU s over ${wall.toFixed(1)} s: ` + [...by].filter(([, s]) => s > 0.05).sort((a, b) => b[1] - a[1]).map(([n, s]) => `${n} ${s.toFixed(1)}`).join(", "));
  if (prof) {
    const self = new Map();
    const dt = prof.timeDeltas;
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    prof.samples.forEach((id, i) => {
      const n = byId.get(id);
      const k = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").pop()}`;
      self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0));
    });
    const tot = [...self.values()].reduce((a, b) => a + b, 0);
    console.log("  page main thread, self time:");
    for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`    ${(100 * us / tot).toFixed(1).padStart(5)} %  ${k}`);
  }
} finally {
  await ctx.close();
  server.proc.kill();
  await browser.close();
  web.kill();
}
