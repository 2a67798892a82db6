import http from 'node:http';
import https from 'node:https';
import { pinnedLookup } from '../../render/index.js';
import type { PinnedWebhookUrl } from './check-webhook-url.js';

/** Why a delivery attempt failed, as recorded per endpoint and shown on the dashboard. */
export type WebhookErrorClass =
  | 'http_status'
  | 'redirect'
  | 'timeout'
  | 'connection'
  | 'tls'
  | 'dns'
  | 'forbidden_address'
  | 'endpoint_disabled'
  | 'endpoint_deleted'
  | 'failing_too_long';

/** What one POST gave. `status` is set whenever the receiver answered. */
export type PostWebhookResult =
  | { kind: 'response'; status: number; retryAfter: string | undefined; durationMs: number }
  | { kind: 'error'; errorClass: 'timeout' | 'connection' | 'tls'; message: string; durationMs: number };

export interface PostWebhookOptions {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Bytes of the answer read before the connection is dropped (its body is never used). */
  maxResponseBytes: number;
  userAgent: string;
}

const TLS_CODES = /^(CERT_|ERR_TLS|ERR_SSL|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_CERT)/;

/**
 * POSTs one signed body to a pinned endpoint. Never follows a redirect (the
 * caller sees the 3xx status), never throws: every outcome is a value, so
 * the caller records it the same way. The whole exchange, response
 * included, fits in `timeoutMs`.
 */
export function postWebhook(target: PinnedWebhookUrl, options: PostWebhookOptions): Promise<PostWebhookResult> {
  const { checked, addresses } = target;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise<PostWebhookResult>((resolve) => {
    let settled = false;
    const signal = AbortSignal.timeout(options.timeoutMs);
    const finish = (result: PostWebhookResult) => {
      if (settled) return;
      settled = true;
      req.destroy();
      resolve(result);
    };
    const secure = checked.url.protocol === 'https:';
    const body = Buffer.from(options.body);
    const req = (secure ? https.request : http.request)({
      protocol: checked.url.protocol,
      // The name, not the address: TLS checks the certificate (and SNI) against it and Host carries it.
      hostname: checked.host,
      port: checked.port,
      path: `${checked.url.pathname}${checked.url.search}`,
      method: 'POST',
      headers: {
        ...options.headers,
        'content-type': 'application/json',
        'content-length': String(body.length),
        'user-agent': options.userAgent,
        'accept-encoding': 'identity',
      },
      lookup: pinnedLookup(addresses),
      // A connection per request: a pooled socket pinned for another endpoint is never reused.
      agent: false,
      signal,
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (signal.aborted) return finish({ kind: 'error', errorClass: 'timeout', message: `no answer within ${options.timeoutMs} ms`, durationMs: elapsed() });
      const code = err.code ?? '';
      const errorClass = TLS_CODES.test(code) ? 'tls' : 'connection';
      finish({ kind: 'error', errorClass, message: `${code || err.name}: ${err.message}`.slice(0, 300), durationMs: elapsed() });
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const retryAfter = res.headers['retry-after'];
      let received = 0;
      const done = () => finish({ kind: 'response', status, retryAfter, durationMs: elapsed() });
      // The body is drained (so keep-alive peers see a clean end) up to the cap, then dropped.
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > options.maxResponseBytes) done();
      });
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    req.end(body);
  });
}
