import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got: headers, raw body, arrival time. */
export interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Reply = { status: number; headers?: Record<string, string> };

/**
 * A CRM receiver on loopback. Each request gets the next reply of its
 * path's script (the last one repeats; default 200), and is recorded.
 */
export async function startWebhookReceiver() {
  const received: ReceivedWebhook[] = [];
  const scripts = new Map<string, Reply[]>();
  const waiters: { count: number; path: string | undefined; resolve: () => void }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const script = scripts.get(path) ?? [];
      const reply = (script.length > 1 ? script.shift() : script[0]) ?? { status: 200 };
      res.writeHead(reply.status, reply.headers ?? {}).end('ok');
      for (const w of [...waiters]) {
        if (received.filter((r) => w.path === undefined || r.path === w.path).length >= w.count) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    at: (path: string) => received.filter((r) => r.path === path),
    script(path: string, replies: Reply[]) {
      scripts.set(path, [...replies]);
    },
    /** Resolves once `count` requests (to `path`, when given) have arrived; rejects after `timeoutMs`. */
    waitFor(count: number, path?: string, timeoutMs = 20_000): Promise<void> {
      if (received.filter((r) => path === undefined || r.path === path).length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`receiver: ${count} requests to ${path ?? '*'} not seen in ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ count, path, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
