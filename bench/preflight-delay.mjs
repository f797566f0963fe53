// A pass-through HTTP proxy that holds every OPTIONS request for a fixed time before forwarding
// it, for bench.mjs's emulated link.
//
// Chromium's DevTools network emulation (Network.emulateNetworkConditions) delays every request
// a page makes except CORS preflights: checked on Chromium 156 with a 200 ms latency, a keyed
// fetch that needs a preflight took 208 ms, the same as a simple one. On a real link the
// preflight costs a round trip of its own, so the benchmark puts this proxy in front of the API
// and lets it add the link's latency to the preflights alone; everything else is left to the
// emulation. Requests are forwarded unchanged (the Host header too, so the API's absolute
// pagination links point back at the proxy).

import { Agent, createServer, request } from 'node:http';

/** Starts the proxy on a free loopback port; resolves with its URL, a counter and `close()`. */
export async function startPreflightDelay(target, delayMs) {
  const to = new URL(target);
  const agent = new Agent({ keepAlive: true });
  let delayed = 0;
  const server = createServer((req, res) => {
    const forward = () => {
      const upstream = request({
        host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers, agent,
      }, (answer) => {
        res.writeHead(answer.statusCode, answer.rawHeaders);
        answer.pipe(res);
      });
      upstream.on('error', (e) => {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(`preflight-delay: ${e.message}`);
      });
      req.pipe(upstream);
    };
    if (req.method === 'OPTIONS') {
      delayed += 1;
      setTimeout(forward, delayMs);
    } else {
      forward();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** How many OPTIONS requests were held so far. */
    get delayed() { return delayed; },
    close: () => new Promise((ok) => {
      agent.destroy();
      server.closeAllConnections();
      server.close(ok);
    }),
  };
}
