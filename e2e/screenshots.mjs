// Screenshots of every route, light and dark, wide and narrow, for looking at what users see.
// Usage: node screenshots.mjs [baseURL] [outDir]
import { mkdirSync } from "node:fs";
import { launchChromium } from "./browser.mjs";
import { join } from "node:path";

const base = process.argv[2] ?? "http://127.0.0.1:4173";
const out = process.argv[3] ?? "screenshots";
mkdirSync(out, { recursive: true });
const browser = await launchChromium();
// ROUTES: comma-separated paths (a comma inside a query stays: only ",/" splits).
const routes = (process.env.ROUTES ?? "/calculator,/tokenizer,/loadtest").split(/,(?=\/)/);
const wait = Number(process.env.WAIT ?? 300);
for (const scheme of ["light", "dark"]) {
  for (const [name, width] of [["wide", 1366], ["narrow", 375]]) {
    const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme: scheme });
    page.on("console", (m) => m.type() === "error" && console.log(`console error: ${m.text()}`));
    page.on("pageerror", (e) => console.log(`page error: ${e}`));
    for (const r of routes) {
      await page.goto(base + r);
      await page.waitForSelector("h1");
      await page.waitForTimeout(wait);
      const file = join(out, `${r.replace(/[/?=&]+/g, "_").replace(/^_/, "") || "root"}-${scheme}-${name}.png`);
      await page.screenshot({ path: file, fullPage: process.env.FULL === "1" });
      console.log(file);
    }
    await page.close();
  }
}
await browser.close();
