// A pass-through HTTP proxy for `make test-real` that adds `Timing-Allow-Origin: *` to every
// response of the engine behind it, which is the one-line fix the load tester's page suggests
// (nginx `add_header`, Caddy `header`). llama-server cannot send that header itself; without
// it the browser zeroes the request's Resource Timing, so the load tester's start stamp stays
// on the fetch() clock and TTFT includes Chromium's own hop to its network service.
//
// Both tools (the browser and AIPerf) talk to this proxy, so they measure the same endpoint.
// Bodies stream through chunk by chunk (no buffering, Nagle off on both sides), keep-alive
// upstream. Usage: node tao-proxy.mjs <listen-port> <upstream-base-url>; prints "ready".
import http from "node:http";

const [port, upstream] = [Number(process.argv[2]), new URL(process.argv[3])];
if (!port || !upstream.port) {
  console.error("usage: node tao-proxy.mjs <listen-port> <upstream-base-url>");
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

const server = http.createServer({ noDelay: true }, (req, res) => {
  const up = http.request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: upstream.host },
      agent,
    },
    (ur) => {
      const headers = { ...ur.headers, "timing-allow-origin": "*" };
      res.writeHead(ur.statusCode ?? 502, headers);
      res.flushHeaders();
      ur.on("data", (c) => res.write(c));
      ur.on("end", () => res.end());
      ur.on("error", () => res.destroy());
    },
  );
  up.on("socket", (s) => s.setNoDelay(true));
  up.on("error", (e) => {
    if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain", "timing-allow-origin": "*" });
    res.end(`proxy: ${e.message}`);
  });
  req.on("data", (c) => up.write(c));
  req.on("end", () => up.end());
  // A client that goes away mid-stream (Stop, abort) stops the upstream request too.
  res.on("close", () => {
    if (!res.writableFinished) up.destroy();
  });
});
server.listen(port, "127.0.0.1", () => console.log("ready"));
