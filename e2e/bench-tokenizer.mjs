// make bench, "speed and size" of the tokenizer (issue #4): Llama 3 encode speed on 1 MiB of
// English and 1 MiB of mixed text for
//   ours        the app's tokenizer worker (release wasm, `window.wasmBindings.bench_tokenizer`),
//   JS ports    @huggingface/tokenizers and @huggingface/transformers (AutoTokenizer) in a page of
//               the same headless Chromium, from their browser bundles served on 127.0.0.1,
//   native      Python `tokenizers` (scripts/bench_tokenizer_native.py), one thread,
// with load times (Llama 3's 9.1 MB tokenizer.json; Gemma 3's 33 MB one for ours), the worker
// wasm size, an id check of every engine against the others, and the issue's goals as ratios:
// ours ≥ 1.5× the JavaScript port, within 2× of native.
//
// Every missing piece is skipped with a line saying what to run; every step has a timeout and the
// whole run a watchdog. Texts: scripts/gen_tokenizer_expected.py --make-bench-texts (English =
// Python's documentation topics, mixed = the tokenizer conformance corpus cycled; both 1 MiB,
// deterministic for a given Python). Usage: cd e2e && node bench-tokenizer.mjs
import { launchChromium } from "./browser.mjs";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants as zc } from "node:zlib";

const root = fileURLToPath(new URL("..", import.meta.url));
const here = fileURLToPath(new URL(".", import.meta.url));
const port = Number(process.env.E2E_PORT ?? 4173) + 3;
const origin = `http://127.0.0.1:${port}`;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LOAD_RUNS = 3;
const SAMPLE_CHARS = 16 * 1024; // the id check through the app's token view, whose text box takes seconds to fill at this size
const dist = process.env.DIST ?? join(root, "dist"); // the release build to measure
const fixtures = join(root, "core/tokenize/tests/fixtures/downloaded");
const jsModules = join(here, "bench-js/node_modules/@huggingface");
const python = process.env.PYTHON ?? "python3"; // the one with `tokenizers` (texts: any python3)

const cleanups = [];
async function cleanup() {
  const fs = cleanups.splice(0).reverse();
  for (const f of fs) await within(10_000, "cleanup", Promise.resolve().then(f)).catch(() => {});
}
// Never hang: the whole comparison gets 9 minutes, each browser step its own limit below.
const watchdog = setTimeout(async () => {
  console.log("tokenizer bench: TIMEOUT after 9 min, stopping");
  await cleanup();
  process.exit(1);
}, 9 * 60_000);
function skip(why) {
  console.log(`SKIP tokenizer speed comparison: ${why}`);
  return cleanup().then(() => process.exit(0));
}
function within(ms, what, promise) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, reject) => (t = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms))),
  ]).finally(() => clearTimeout(t));
}
const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1e3);
const tps = (tokens, ms) => tokens / (ms / 1e3);
const fmtInt = (n) => Math.round(n).toLocaleString("en");
const sha = (buf) => createHash("sha256").update(buf).digest("hex").slice(0, 12);
// The id-check sample: a textarea turns CR LF and CR into LF, so the sample is given that way to
// every engine (the whole-text checks keep the CRs).
const idSample = (n) => textBytes[n].toString("utf8").slice(0, SAMPLE_CHARS).replace(/\r\n?/g, "\n");
function firstDiff(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

// ---- what is at hand ---------------------------------------------------------------------------
if (!existsSync(join(dist, "index.html")) || !existsSync(join(dist, "tokenizer_worker_bg.wasm")))
  await skip("no release build in dist/ (trunk build --release)");
const llama3 = join(fixtures, "llama3");
if (!existsSync(join(llama3, "tokenizer.json")))
  await skip("no Llama 3 tokenizer fixture (python3 scripts/gen_tokenizer_expected.py --fetch)");
const gemma3 = existsSync(join(fixtures, "gemma3/tokenizer.json")) ? join(fixtures, "gemma3") : null;
const haveJs = {
  "tokenizers.js": existsSync(join(jsModules, "tokenizers/dist/tokenizers.min.mjs")),
  "transformers.js": existsSync(join(jsModules, "transformers/dist/transformers.min.js")),
};
const jsVersion = (name) => JSON.parse(readFileSync(join(jsModules, name, "package.json"), "utf8")).version;

const tmp = mkdtempSync(join(tmpdir(), "inferlab-tokbench-"));
cleanups.push(() => rmSync(tmp, { recursive: true, force: true }));
const texts = join(tmp, "texts");
const made = spawnSync("python3", [join(root, "scripts/gen_tokenizer_expected.py"), "--make-bench-texts", texts], {
  timeout: 120_000, encoding: "utf8",
});
if (made.status !== 0) await skip(`could not make the bench texts with python3: ${(made.stderr || made.error?.message || "").trim().split("\n").pop()}`);
const textNames = ["english", "mixed"];
const textBytes = Object.fromEntries(textNames.map((n) => [n, readFileSync(join(texts, `${n}.txt`))]));

console.log(`machine load average at start: ${loadavg().map((l) => l.toFixed(2)).join(" ")}; best of ${RUNS} runs per engine`);
for (const n of textNames) {
  const b = textBytes[n];
  console.log(`text ${n}: ${b.length} bytes, ${b.toString("utf8").length} UTF-16 units, sha256 ${sha(b)}…`);
}

// ---- one origin for the app, the fixtures, the texts and the JS bundles ------------------------
const www = join(tmp, "www");
mkdirSync(join(www, "bench/lib"), { recursive: true });
mkdirSync(join(www, "bench/models"), { recursive: true });
for (const e of readdirSync(dist)) symlinkSync(join(dist, e), join(www, e));
symlinkSync(texts, join(www, "bench/texts"));
symlinkSync(llama3, join(www, "bench/models/llama3"));
if (gemma3) symlinkSync(gemma3, join(www, "bench/models/gemma3"));
// `.js` names: serve.mjs types `.mjs` as octet-stream, which Chromium refuses for modules.
if (haveJs["tokenizers.js"]) symlinkSync(join(jsModules, "tokenizers/dist/tokenizers.min.mjs"), join(www, "bench/lib/tokenizers.js"));
if (haveJs["transformers.js"]) symlinkSync(join(jsModules, "transformers/dist/transformers.min.js"), join(www, "bench/lib/transformers.js"));
writeFileSync(join(www, "bench/index.html"), '<!doctype html><meta charset="utf-8"><title>tokenizer bench</title>\n');

const server = spawn("node", [join(here, "serve.mjs"), "--dir", www, "--port", String(port)], { stdio: "ignore" });
cleanups.push(() => server.kill());
{
  const until = Date.now() + 10_000;
  for (;;) {
    const ok = await fetch(`${origin}/bench/index.html`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > until) await skip(`the static server on port ${port} did not come up (port taken? set E2E_PORT)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const launching = launchChromium();
cleanups.push(() => launching.then((b) => b.close()));
const browser = await within(60_000, "launch Chromium", launching).catch((e) => skip(`no Chromium: ${e.message.split("\n")[0]}`));
const context = await browser.newContext();
// Offline by construction: anything not asked of 127.0.0.1 is refused and counted.
const refused = [];
await context.route(/.*/, (route) => {
  const u = new URL(route.request().url());
  if (u.hostname === "127.0.0.1" || u.protocol === "data:" || u.protocol === "blob:") return route.continue();
  refused.push(u.href);
  return route.abort();
});

const llamaUrl = `${origin}/bench/models/llama3/tokenizer.json`;
// engine -> { label, load_ms, import_ms?, extra?, encode(name) → { ms, tokens }, runs: { name: [ms] }, tokens: { name } }
const engines = {};
const sampleIds = {}; // engine -> { name: ids of idSample(name) }
const fullIds = {}; // engine -> { name: ids of the whole text }
const loadTexts = (page) => within(60_000, "texts in the page", page.evaluate(async (names) => {
  window.__texts = {};
  for (const n of names) window.__texts[n] = await (await fetch(`/bench/texts/${n}.txt`)).text();
}, textNames));

try {
  // ---- ours: the app's worker ----------------------------------------------------------------------
  {
    const page = await context.newPage();
    await within(60_000, "app page", page.goto(`${origin}/calculator`));
    await within(60_000, "app start", page.waitForSelector("[data-testid=fits]"));
    await loadTexts(page);
    const bench = (tok, name) =>
      within(180_000, `bench_tokenizer ${name}`, page.evaluate(([t, n]) =>
        window.wasmBindings.bench_tokenizer(t, n ? window.__texts[n] : "x"), [tok, name]));
    // Start the worker on a small bundled tokenizer, so the loads below are the tokenizer alone.
    const t0 = Date.now();
    await bench("bert-base-uncased", null);
    const workerStart = Date.now() - t0;
    const [loadMs, overheadMs] = await bench(llamaUrl, null);
    let gemmaLoad = null;
    if (gemma3) [gemmaLoad] = await bench(`${origin}/bench/models/gemma3/tokenizer.json`, null);
    let loads = 0; // each load under a new key (a query on the URL), so the worker really loads
    engines.ours = {
      label: "ours (wasm worker, release)", loads: [loadMs], extra: { workerStart, gemmaLoad, overheadMs },
      load: async () => (await bench(`${llamaUrl}?load=${++loads}`, null))[0],
      encode: async (n) => {
        const [, ms, tokens] = await bench(llamaUrl, n);
        return { ms, tokens };
      },
    };
  }
  // Ours, ids: the app's own token view on the id sample of each text.
  {
    const page = await context.newPage();
    sampleIds.ours = {};
    for (const n of textNames) {
      await within(60_000, "tokenizer page", page.goto(`${origin}/tokenizer?view=ids&tok=${encodeURIComponent(llamaUrl)}`));
      await within(60_000, "tokenizer load", page.waitForSelector("[data-testid=token-count]"));
      await page.locator("#tok-text").fill(idSample(n), { timeout: 120_000 });
      sampleIds.ours[n] = await within(120_000, "token view", page.waitForFunction(() => {
        const busy = document.querySelector(".tok-result")?.getAttribute("aria-busy");
        const count = document.querySelector("[data-testid=token-count]")?.dataset.value;
        const ids = document.querySelector("[data-testid=token-ids]")?.dataset.value;
        if (busy !== "false" || !count || count === "0" || !ids) return null;
        const parsed = JSON.parse(ids);
        return parsed.length === Number(count) ? parsed : null;
      }, null, { polling: 200, timeout: 120_000 }).then((h) => h.jsonValue()));
    }
    await page.close();
  }

  // ---- the JavaScript ports, each in its own page's main thread -------------------------------------
  for (const engine of ["tokenizers.js", "transformers.js"]) {
    if (!haveJs[engine]) {
      console.log(`SKIP ${engine}: not installed (npm --prefix e2e/bench-js ci; make bench does it)`);
      continue;
    }
    const page = await context.newPage();
    await within(60_000, "bench page", page.goto(`${origin}/bench/index.html`));
    await loadTexts(page);
    // Load = fetch + JSON.parse + build, as the worker's load is; the module import is timed apart.
    // tokenizers.js's load is split into its parts, to show where a load's time goes.
    const importMs = await within(60_000, `${engine} import`, page.evaluate(async (engine) => {
      const t0 = performance.now();
      if (engine === "tokenizers.js") {
        const { Tokenizer } = await import("/bench/lib/tokenizers.js");
        window.__load = async () => {
          const t0 = performance.now();
          const [json, config] = await Promise.all(["tokenizer", "tokenizer_config"].map((f) =>
            fetch(`/bench/models/llama3/${f}.json`).then((r) => r.text())));
          const t1 = performance.now();
          const parsed = [JSON.parse(json), JSON.parse(config)];
          const t2 = performance.now();
          const tok = new Tokenizer(...parsed);
          const t3 = performance.now();
          window.__encode = (text) => tok.encode(text, { add_special_tokens: false }).ids;
          return { ms: t3 - t0, parts: { fetch: t1 - t0, "JSON.parse": t2 - t1, build: t3 - t2 } };
        };
      } else {
        const T = await import("/bench/lib/transformers.js");
        Object.assign(T.env, { allowRemoteModels: false, allowLocalModels: true, localModelPath: "/bench/models/", useBrowserCache: false });
        window.__load = async () => {
          const t0 = performance.now();
          const tok = await T.AutoTokenizer.from_pretrained("llama3");
          window.__encode = (text) => tok.encode(text, { add_special_tokens: false });
          return { ms: performance.now() - t0 };
        };
      }
      return performance.now() - t0;
    }, engine));
    const jsLoad = async () => {
      const r = await within(180_000, `${engine} load`, page.evaluate(() => window.__load()));
      if (r.parts) engines[engine].parts.push(r.parts);
      return r.ms;
    };
    const pkg = engine === "tokenizers.js" ? "tokenizers" : "transformers";
    engines[engine] = {
      label: `@huggingface/${pkg} ${jsVersion(pkg)}`, import_ms: importMs, parts: [], load: jsLoad,
      encode: (n) => within(180_000, `${engine} encode ${n}`, page.evaluate((n) => {
        const t0 = performance.now();
        window.__ids = window.__encode(window.__texts[n]);
        return { ms: performance.now() - t0, tokens: window.__ids.length };
      }, n)),
    };
    engines[engine].loads = [await jsLoad()];
    fullIds[engine] = {};
    sampleIds[engine] = {};
    for (const n of textNames) {
      await engines[engine].encode(n); // warm-up run, and the whole-text ids for the check
      fullIds[engine][n] = await page.evaluate(() => Array.from(window.__ids));
      sampleIds[engine][n] = await page.evaluate((s) => Array.from(window.__encode(s)), idSample(n));
    }
  }

  // ---- native: Python tokenizers, one process answering one encode at a time ------------------------
  {
    const proc = spawn(python, [join(root, "scripts/bench_tokenizer_native.py"), "--serve"], { stdio: ["pipe", "pipe", "pipe"] });
    cleanups.push(() => proc.kill());
    let err = "";
    proc.stderr.on("data", (d) => (err += d));
    const waiting = []; // one { resolve, reject } per request, answered in order
    createInterface({ input: proc.stdout }).on("line", (l) => {
      const w = waiting.shift();
      try {
        w?.resolve(JSON.parse(l));
      } catch (e) {
        w?.reject(e);
      }
    });
    const gone = (why) => () => waiting.splice(0).forEach((w) => w.reject(new Error(`${why}: ${err.trim().split("\n").pop()}`)));
    proc.on("exit", gone("exited"));
    proc.on("error", (e) => gone(`could not start ${python} (${e.code})`)());
    const next = (what, ms) => within(ms, what, new Promise((resolve, reject) => waiting.push({ resolve, reject })));
    try {
      const ready = await next("native load", 120_000);
      const ask = async (n, idsOut) => {
        proc.stdin.write(JSON.stringify({ text: join(texts, `${n}.txt`), ids_out: idsOut }) + "\n");
        const r = await next(`native encode ${n}`, 120_000);
        if (r.error) throw new Error(r.error);
        return { ms: r.encode_ms, tokens: r.tokens };
      };
      fullIds.native = {};
      for (const n of textNames) {
        const out = join(tmp, "ids", `${n}.ids.json`);
        await ask(n, out); // warm-up run, and the ids for the check
        fullIds.native[n] = JSON.parse(readFileSync(out, "utf8"));
      }
      const load = async () => {
        proc.stdin.write(JSON.stringify({ load: true }) + "\n");
        const r = await next("native load", 120_000);
        if (r.error) throw new Error(r.error);
        return r.load_ms;
      };
      engines.native = { label: ready.engine, loads: [ready.load_ms], load, encode: (n) => ask(n, null) };
    } catch (e) {
      console.log(`SKIP native: ${e.message}`);
    }
  }

  // ---- the timed runs: round-robin, so a load change on the shared machine hits every engine ------
  for (const e of Object.values(engines)) {
    e.runs = Object.fromEntries(textNames.map((n) => [n, []]));
    e.tokens = {};
  }
  const names = Object.keys(engines);
  for (let r = 0; r < LOAD_RUNS - 1; r++) {
    for (let k = 0; k < names.length; k++) {
      const e = engines[names[(k + r) % names.length]];
      e.loads.push(await e.load());
    }
  }
  for (let r = 0; r < RUNS; r++) {
    for (const n of textNames) {
      for (let k = 0; k < names.length; k++) {
        const e = engines[names[(k + r) % names.length]]; // a different engine first each round
        const { ms, tokens } = await e.encode(n);
        e.runs[n].push(ms);
        e.tokens[n] = tokens;
      }
    }
  }
} catch (e) {
  console.log(`tokenizer bench: failed: ${e.message.split("\n")[0]}`);
}
await cleanup();
clearTimeout(watchdog);

// ---- report ----------------------------------------------------------------------------------
const worker = readFileSync(join(dist, "tokenizer_worker_bg.wasm"));
const workerBr = brotliCompressSync(worker, { params: { [zc.BROTLI_PARAM_QUALITY]: 11 } }).length;
console.log(`\ntokenizer worker wasm: ${(worker.length / 1e6).toFixed(2)} MB raw, ${(workerBr / 1e3).toFixed(0)} KB brotli (q 11)`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2;
};
const best = (e, n) => (e?.runs?.[n]?.length ? Math.min(...e.runs[n]) : null);
const timed = Object.entries(engines).filter(([, e]) => e.runs?.[textNames[0]]?.length);
console.log(`\nLlama 3 encode of 1 MiB, best of ${RUNS} round-robin runs (median in brackets; MB = 10^6 bytes):`);
for (const [, e] of timed) {
  const cells = textNames.map((n) => {
    const b = best(e, n);
    const m = median(e.runs[n]);
    return `${n} ${mbps(textBytes[n].length, b).toFixed(2)} MB/s (${mbps(textBytes[n].length, m).toFixed(2)}), ${fmtInt(tps(e.tokens[n], b))} tokens/s`;
  });
  console.log(`  ${e.label.padEnd(32)} ${cells.join(";  ")}`);
}
const llamaMB = (readFileSync(join(llama3, "tokenizer.json")).length / 1e6).toFixed(1);
console.log(`\nload of Llama 3's ${llamaMB} MB tokenizer.json (+ tokenizer_config.json), best of ${LOAD_RUNS} round-robin (median):`);
for (const [name, e] of Object.entries(engines)) {
  const how = name === "native" ? "Tokenizer.from_file, no fetch" : name === "ours" ? "fetch from 127.0.0.1 + parse + build, in the started worker" : `fetch + JSON.parse + build; module import ${e.import_ms.toFixed(0)} ms more`;
  const b = Math.min(...e.loads);
  let parts = "";
  if (e.parts?.length) {
    const p = e.parts.find((x) => Object.values(x).reduce((a, y) => a + y, 0) >= b - 1) ?? e.parts[0];
    parts = `; that run: ${Object.entries(p).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")} ms`;
  }
  console.log(`  ${e.label.padEnd(32)} ${b.toFixed(0)} ms (${median(e.loads).toFixed(0)}) (${how}${parts})`);
}
if (engines.ours?.extra) {
  const { workerStart, gemmaLoad, overheadMs } = engines.ours.extra;
  if (gemmaLoad != null) console.log(`  ours, Gemma 3's ${(readFileSync(join(gemma3, "tokenizer.json")).length / 1e6).toFixed(1)} MB tokenizer.json: ${gemmaLoad.toFixed(0)} ms`);
  console.log(`  ours: worker start + BERT load ${workerStart} ms; a 1-character count, page → worker → page: ${overheadMs.toFixed(1)} ms`);
}

// The verdict uses the median of the per-round ratios: within a round the engines run seconds
// apart, so a change of load on the shared machine mostly cancels; a best-of-N ratio can pair
// one engine's lucky quiet second with the other's busy one.
console.log(`\nratios of speed: median of the ${RUNS} per-round ratios (from the best runs in brackets); goals of issue #4:`);
const ratio = (a, b, n) => ({ best: best(a, n) / best(b, n), median: median(a.runs[n].map((x, i) => x / b.runs[n][i])) });
for (const n of textNames) {
  const ours = engines.ours;
  if (!ours?.runs?.[n]?.length) continue;
  for (const js of ["tokenizers.js", "transformers.js"]) {
    if (!engines[js]?.runs?.[n]?.length) continue;
    const x = ratio(engines[js], ours, n);
    console.log(`  ${n}: ours ÷ ${engines[js].label} = ${x.median.toFixed(2)}× (${x.best.toFixed(2)}×); goal ≥ 1.5×: ${x.median >= 1.5 ? "met" : "MISSED"}`);
  }
  if (engines.native?.runs?.[n]?.length) {
    const x = ratio(ours, engines.native, n);
    console.log(`  ${n}: ${engines.native.label} ÷ ours = ${x.median.toFixed(2)}× (${x.best.toFixed(2)}×); goal ≤ 2×: ${x.median <= 2 ? "met" : "MISSED"}`);
  }
}

console.log("\nids (Llama 3, add_special_tokens false):");
for (const n of textNames) {
  console.log(`  ${n}: whole-text token counts: ${timed.map(([name, e]) => `${name} ${e.tokens[n]}`).join(", ")}`);
  for (const js of ["tokenizers.js", "transformers.js"]) {
    const ours = sampleIds.ours?.[n];
    const theirs = sampleIds[js]?.[n];
    if (ours && theirs) {
      const d = firstDiff(ours, theirs);
      console.log(`  ${n}: first ${SAMPLE_CHARS} chars, CRs as LF (${ours.length} ids), ours (the app's token view) vs ${js}: ${d < 0 ? "identical" : `DIFFER at id ${d}: ours ${JSON.stringify(ours.slice(d, d + 5))} vs ${JSON.stringify(theirs.slice(d, d + 5))}`}`);
    }
    const full = fullIds[js]?.[n];
    const nat = fullIds.native?.[n];
    if (full && nat) {
      const d = firstDiff(nat, full);
      console.log(`  ${n}: whole text, native vs ${js}: ${d < 0 ? "identical" : `DIFFER from id ${d}: native ${JSON.stringify(nat.slice(d, d + 5))} vs ${JSON.stringify(full.slice(d, d + 5))}`}`);
    }
  }
}
if (refused.length) console.log(`requests refused (not 127.0.0.1): ${refused.length}, e.g. ${refused[0]}`);
console.log(`machine load average at end: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
