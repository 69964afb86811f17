// Shared by the scripts outside Playwright's test runner (make bench, screenshots): Debian's
// Chromium with the project's headless flags, and ../dist served on 127.0.0.1.
import { chromium } from "@playwright/test";
import { spawn } from "node:child_process";

/** Headless Chromium as the brief prescribes (Playwright adds a fresh --user-data-dir). */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Serves ../dist on `port` (serve.mjs, the SPA-fallback static host); kill() the result. */
export async function serveDist(port) {
  const web = spawn("node", ["serve.mjs", "--dir", "../dist", "--port", String(port)], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 500));
  return web;
}
