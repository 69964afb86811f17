// A static host for dist/, as static hosts configured for an SPA behave: files as they are,
// index.html for paths without a file extension (the SPA fallback; GitHub Pages does the
// same through 404.html), a 404 for missing files, `.wasm` as application/wasm. With --prefix /sub it
// serves the same build under a sub-path, rewriting index.html's absolute asset URLs, to
// check that the app works when hosted below the root.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const root = args.dir ?? "../dist";
const port = Number(args.port ?? 4173);
const prefix = (args.prefix ?? "").replace(/\/$/, "");
const types = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm",
  ".css": "text/css", ".svg": "image/svg+xml", ".json": "application/json", ".png": "image/png",
  ".txt": "text/plain; charset=utf-8", ".md": "text/plain; charset=utf-8",
};

async function file(path) {
  try {
    const s = await stat(path);
    return s.isFile() ? await readFile(path) : null;
  } catch {
    return null;
  }
}

function rewrite(html) {
  if (!prefix) return html;
  return html
    .toString()
    .replace(/(href|src)="\/(?!\/)/g, `$1="${prefix}/`)
    .replace(/'\/(inferlab[^']*)'/g, `'${prefix}/$1'`);
}

// Long share links (up to the app's 16 KiB limit and beyond, to test the refusal) must reach the app.
createServer({ maxHeaderSize: 64 * 1024 }, async (req, res) => {
  let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  if (prefix) {
    if (!path.startsWith(prefix)) {
      res.writeHead(404).end("outside the prefix");
      return;
    }
    path = path.slice(prefix.length) || "/";
  }
  const rel = normalize(path).replace(/^(\.\.[/\\])+/, "");
  let body = rel.endsWith("/") ? null : await file(join(root, rel));
  let status = 200;
  let type = types[extname(rel)] ?? "application/octet-stream";
  if (rel === "/" || rel === "/index.html") {
    body = rewrite(await file(join(root, "index.html")));
    type = types[".html"];
  } else if (!body && !extname(rel)) {
    body = rewrite(await file(join(root, "index.html")));
    type = types[".html"];
  } else if (!body) {
    body = rewrite(await file(join(root, "404.html")));
    status = 404;
    type = types[".html"];
  }
  const cache = /-[0-9a-f]{16}/.test(rel) ? "public, max-age=31536000, immutable" : "no-cache";
  res.writeHead(status, { "content-type": type, "cache-control": cache });
  res.end(body ?? "");
}).listen(port, "127.0.0.1", () => console.log(`serving ${root} on http://127.0.0.1:${port}${prefix}/`));
