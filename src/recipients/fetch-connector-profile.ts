import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { pinnedLookup, type CheckedUrl } from '../render/index.js';

/** What one GET to the CRM gave. Never thrown: the connector decides (stale copy, 503). */
export type ConnectorAnswer =
  | { kind: 'profile'; body: Buffer }
  | { kind: 'none' }
  | { kind: 'failed'; reason: string };

export interface FetchConnectorOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  /** Bytes of body read at most; a longer answer is a failure (never a truncated profile). */
  maxBytes: number;
  userAgent: string;
}

/**
 * One signed GET to a pinned CRM address. 200 is a profile body, 404 says
 * the recipient has none, anything else (other statuses, redirects, a
 * timeout, a cut or oversized body) is a failure. The whole exchange fits in
 * `timeoutMs`. Reasons name statuses and error codes, never the body.
 */
export function fetchConnectorProfile(checked: CheckedUrl, addresses: LookupAddress[], options: FetchConnectorOptions): Promise<ConnectorAnswer> {
  return new Promise<ConnectorAnswer>((resolve) => {
    let settled = false;
    const signal = AbortSignal.timeout(options.timeoutMs);
    const finish = (answer: ConnectorAnswer) => {
      if (settled) return;
      settled = true;
      req.destroy();
      resolve(answer);
    };
    const secure = checked.url.protocol === 'https:';
    const req = (secure ? https.request : http.request)({
      protocol: checked.url.protocol,
      // The name, not the address: TLS checks the certificate (and SNI) against it and Host carries it.
      hostname: checked.host,
      port: checked.port,
      path: `${checked.url.pathname}${checked.url.search}`,
      method: 'GET',
      headers: { ...options.headers, accept: 'application/json', 'accept-encoding': 'identity', 'user-agent': options.userAgent },
      lookup: pinnedLookup(addresses),
      // A connection per request: a pooled socket pinned for another host is never reused.
      agent: false,
      signal,
    });
    req.on('error', (err: NodeJS.ErrnoException) =>
      finish({ kind: 'failed', reason: signal.aborted ? `no answer within ${options.timeoutMs} ms` : `connection failed (${err.code ?? err.name})` }),
    );
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status === 404) return finish({ kind: 'none' });
      if (status !== 200) return finish({ kind: 'failed', reason: `answered HTTP ${status}` });
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > options.maxBytes) finish({ kind: 'failed', reason: `answered more than ${options.maxBytes} bytes` });
        else chunks.push(chunk);
      });
      res.on('error', () => finish({ kind: 'failed', reason: 'the answer broke off' }));
      res.on('close', () => {
        if (!res.complete) finish({ kind: 'failed', reason: signal.aborted ? `no answer within ${options.timeoutMs} ms` : 'the answer broke off' });
      });
      res.on('end', () => finish({ kind: 'profile', body: Buffer.concat(chunks) }));
    });
    req.end();
  });
}
