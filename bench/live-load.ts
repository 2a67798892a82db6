/**
 * A small HTTP/1.1 load generator for bench/live.ts, run as its own process
 * so its work never shares an event loop with the server it measures.
 *
 *   npx tsx bench/live-load.ts '{"url":"http://127.0.0.1:8080/f.mp4","connections":50,"durationMs":10000}'
 *
 * Prints one JSON line: requests, rate, latency percentiles, failures.
 *
 * Why raw sockets and not fetch or an http.Agent: on a 2-core machine the
 * client gets one core, and a client that parses headers into objects and
 * wraps every body in a stream runs out of CPU before nginx does, which
 * would make any server look as fast as nginx. This one writes a fixed
 * request, finds the end of the headers, reads `Content-Length`, and counts
 * body bytes without copying them. Keep-alive, one request in flight per
 * connection (no pipelining), reconnect when the server closes.
 */
import net from 'node:net';

export interface LoadOptions {
  url: string;
  connections: number;
  /** Measured time; requests finished during the warm-up before it are not counted. */
  durationMs: number;
  warmupMs?: number;
  /** Every response must be 200 with exactly this many body bytes (else it counts as a failure). */
  expectBytes?: number;
  /** Extra request headers (e.g. authorization). */
  headers?: Record<string, string>;
  /** Each `{n}` in the URL becomes a new serial number per request: every request a distinct one (first calls). */
  distinct?: boolean;
}

export interface LoadResult {
  requests: number;
  failures: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Body bytes per second, in MB/s. */
  mbPerSec: number;
  /** CPU seconds this load generator used (warm-up included): near 1 per second means it was the limit. */
  clientCpuS: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** Runs the load and resolves with its figures. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  const extra = Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  // `{n}` is percent-encoded by URL parsing.
  const target = `${url.pathname}${url.search}`.replaceAll('%7Bn%7D', '{n}');
  const fixed = Buffer.from(`GET ${target} HTTP/1.1\r\nHost: ${url.host}\r\n${extra}Connection: keep-alive\r\n\r\n`);
  let serial = 0;
  const request = (): Buffer => (options.distinct ? Buffer.from(fixed.toString('latin1').replaceAll('{n}', String(serial++)), 'latin1') : fixed);
  const port = Number(url.port || 80);
  const warmupMs = options.warmupMs ?? 1_000;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const measureFrom = started + warmupMs;
  const stopAt = measureFrom + options.durationMs;
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let failures = 0;
  let bodyBytes = 0;

  const record = (ms: number) => {
    if (count === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[count++] = ms;
  };

  const connection = () =>
    new Promise<void>((done) => {
      let socket: net.Socket;
      let head: Buffer | undefined;
      let remaining = -1;
      let status = 0;
      let length = 0;
      let sentAt = 0;

      const send = () => {
        if (performance.now() >= stopAt) {
          socket.end();
          return done();
        }
        head = undefined;
        remaining = -1;
        sentAt = performance.now();
        socket.write(request());
      };
      const finish = () => {
        const now = performance.now();
        if (sentAt >= measureFrom && now <= stopAt) {
          const ok = status === 200 && (options.expectBytes === undefined || length === options.expectBytes);
          if (ok) {
            record(now - sentAt);
            bodyBytes += length;
          } else failures++;
        }
        send();
      };
      const onData = (chunk: Buffer) => {
        if (remaining < 0) {
          head = head ? Buffer.concat([head, chunk]) : chunk;
          const end = head.indexOf(HEADER_END);
          if (end < 0) return;
          const text = head.toString('latin1', 0, end);
          status = Number(text.slice(9, 12));
          const match = /\r\ncontent-length:\s*(\d+)/i.exec(text);
          if (!match) {
            // Chunked bodies are never what this bench serves: count and reconnect.
            failures++;
            socket.destroy();
            return;
          }
          length = Number(match[1]);
          remaining = length - (head.length - end - 4);
          head = undefined;
        } else remaining -= chunk.length;
        if (remaining === 0) finish();
      };
      const open = () => {
        socket = net.connect({ host: url.hostname, port, noDelay: true });
        socket.on('data', onData);
        socket.once('connect', send);
        socket.once('error', () => undefined);
        socket.once('close', () => {
          if (performance.now() >= stopAt) return done();
          // The server closed (keep-alive limit, error): an unfinished request is a failure.
          if (remaining !== 0 && sentAt >= measureFrom) failures++;
          open();
        });
      };
      open();
    });

  await Promise.all(Array.from({ length: options.connections }, connection));
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = latencies.subarray(0, count).sort();
  const at = (q: number) => (count === 0 ? Number.NaN : sorted[Math.min(count - 1, Math.floor(q * count))]!);
  const seconds = options.durationMs / 1000;
  return {
    requests: count,
    failures,
    seconds,
    rps: count / seconds,
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p99Ms: at(0.99),
    maxMs: count === 0 ? Number.NaN : sorted[count - 1]!,
    mbPerSec: bodyBytes / seconds / 1e6,
    clientCpuS: (cpu.user + cpu.system) / 1e6,
  };
}

// Run as a child process: options in argv[2], the result as one JSON line on stdout.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const result = await runLoad(JSON.parse(process.argv[2]!) as LoadOptions);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
