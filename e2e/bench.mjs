// make bench: the calculator's recompute time and the tokenizer worker's speed in the release
// wasm build, in headless Chromium.
// Serves ../dist itself on 127.0.0.1 and prints ms per recompute and per input-to-paint.
import { readFileSync } from "node:fs";
import { launchChromium, serveDist } from "./browser.mjs";

// E2E_PORT + 2: beside the tests' ports, so two checkouts can run make bench side by side.
const port = Number(process.env.E2E_PORT ?? 4173) + 2;
const server = await serveDist(port);
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/calculator?model=llama-3.1-70b&gpus=4&tp=4`);
  await page.waitForSelector("[data-testid=fits]");
  const pure = await page.evaluate(() => window.wasmBindings.bench_calculator(2000));
  console.log(`calculator recompute (evaluate + GPU table), wasm release: ${pure.toFixed(4)} ms per input change`);
  // Input to painted numbers: type a value, wait for the new data-value, over 50 changes.
  const perInput = await page.evaluate(async () => {
    const input = document.getElementById("users");
    const cell = () => document.querySelector("[data-testid=kv-bytes]").dataset.value;
    const times = [];
    for (let i = 0; i < 50; i++) {
      const before = cell();
      const t0 = performance.now();
      input.value = String(2 + i);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      while (cell() === before) await new Promise((r) => requestAnimationFrame(r));
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { p50: times[25], max: times[49] };
  });
  console.log(`calculator input → updated DOM (incl. URL replace, render, frame wait): p50 ${perInput.p50.toFixed(2)} ms, max ${perInput.max.toFixed(2)} ms`);
  // Tokenizer worker (release wasm): load a bundled tokenizer, then count 1 MiB of English.
  const english = readFileSync(new URL("../README.md", import.meta.url), "utf8").replace(/[^\x20-\x7e\n]/g, " ");
  let text = "";
  while (text.length < 1 << 20) text += english;
  text = text.slice(0, 1 << 20);
  for (const tok of ["qwen3", "gpt-4o"]) {
    await page.goto(`http://127.0.0.1:${port}/tokenizer?tok=${tok}`);
    await page.waitForSelector("[data-testid=token-count]", { timeout: 60_000 });
    await page.goto(`http://127.0.0.1:${port}/calculator`); // a fresh worker: measure the load too
    await page.waitForSelector("[data-testid=fits]");
    const [loadMs, countMs, tokens] = await page.evaluate(([t, x]) => window.wasmBindings.bench_tokenizer(t, x), [tok, text]);
    const [, countMs2] = await page.evaluate(([t, x]) => window.wasmBindings.bench_tokenizer(t, x), [tok, text]);
    const best = Math.min(countMs, countMs2);
    console.log(`tokenizer ${tok} in the worker (wasm release): load ${loadMs.toFixed(0)} ms; 1 MiB English (README) ${tokens} tokens in ${best.toFixed(0)} ms = ${(1 / (best / 1000)).toFixed(2)} MiB/s, ${Math.round(tokens / (best / 1000)).toLocaleString("en")} tokens/s`);
  }
} finally {
  await browser.close();
  server.kill();
}
