// make bench: the calculator's recompute time in the release wasm build, in headless Chromium.
// Serves ../dist itself on 127.0.0.1 and prints ms per recompute and per input-to-paint.
import { chromium } from "@playwright/test";
import { spawn } from "node:child_process";

const port = 4190;
const server = spawn("node", ["serve.mjs", "--dir", "../dist", "--port", String(port)], { stdio: "ignore" });
await new Promise((r) => setTimeout(r, 500));
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
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
} finally {
  await browser.close();
  server.kill();
}
