import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { SecureContext } from 'node:tls';
import { AppError } from '../../errors/index.js';
import type { CheckedUrl } from './check-url.js';
import { pinnedLookup } from './pinned-lookup.js';
import { allowedTypes, normalizeType, sniffType, type AllowedAssetType, type AssetKind } from './asset-kind.js';

/** What one request (one hop) gave: a redirect to follow, or a vetted body of the wanted kind. */
export type HopResult =
  | { kind: 'redirect'; location: string }
  | { kind: 'body'; contentType: AllowedAssetType; body: Buffer };

export interface RequestAssetSettings {
  maxBytes: number;
  userAgent: string;
  /** Built once by the fetcher when an extra CA is configured. */
  secureContext: SecureContext | undefined;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

type HopErrorCode = 'ASSET_FETCH_FAILED' | 'ASSET_TOO_LARGE' | 'ASSET_BAD_TYPE';

function assetError(code: HopErrorCode, host: string, why: string, retryable?: boolean): AppError {
  return new AppError(code, `remote asset from "${host}" ${why}`, { details: { host }, retryable });
}

/**
 * Performs one GET against the pinned addresses and returns either the
 * redirect target or the body, after checking status, declared type, size
 * (declared and streamed) and magic bytes. Cancellation and the deadline
 * come in through `signal`; the caller turns that abort into the right error.
 */
export function requestAsset(
  checked: CheckedUrl,
  addresses: LookupAddress[],
  settings: RequestAssetSettings,
  signal: AbortSignal,
  assetKind: AssetKind = 'image',
): Promise<HopResult> {
  const { host, url } = checked;
  return new Promise<HopResult>((resolve, reject) => {
    let settled = false;
    const finish = (err: unknown, result?: HopResult) => {
      if (settled) return;
      settled = true;
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(result!);
    };
    const secure = url.protocol === 'https:';
    const request = secure ? https.request : http.request;
    const req = request({
      protocol: url.protocol,
      // The name, not the address: TLS verifies the certificate (and SNI) against it and Host carries it.
      hostname: host,
      port: checked.port,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: {
        accept: allowedTypes(assetKind).join(','),
        // No compression: the bytes we count and sniff are the bytes we store.
        'accept-encoding': 'identity',
        'user-agent': settings.userAgent,
      },
      lookup: pinnedLookup(addresses),
      // A private connection per request: no pooled socket from another pin is ever reused.
      agent: false,
      signal,
      ...(secure && settings.secureContext ? { secureContext: settings.secureContext } : {}),
    });
    req.on('error', (err) => finish(err));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (REDIRECTS.has(status)) {
        const location = res.headers.location;
        res.destroy();
        if (location) finish(null, { kind: 'redirect', location });
        else finish(assetError('ASSET_FETCH_FAILED', host, `answered HTTP ${status} without a Location`, false));
        return;
      }
      if (status < 200 || status > 299) {
        const retryable = status >= 500 || status === 429 || status === 408;
        finish(assetError('ASSET_FETCH_FAILED', host, `answered HTTP ${status}`, retryable));
        return;
      }
      const declared = normalizeType(assetKind, res.headers['content-type']);
      if (!declared) {
        const shown = (res.headers['content-type'] ?? 'no content type').split(';')[0]!.slice(0, 80);
        const allowed = allowedTypes(assetKind).join(', ');
        finish(assetError('ASSET_BAD_TYPE', host, `has type ${shown}; only ${allowed} are allowed`));
        return;
      }
      const declaredLength = Number(res.headers['content-length']);
      if (Number.isFinite(declaredLength) && declaredLength > settings.maxBytes) {
        const why = `declares ${declaredLength} bytes, over the ${settings.maxBytes}-byte limit`;
        finish(assetError('ASSET_TOO_LARGE', host, why));
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > settings.maxBytes) {
          finish(assetError('ASSET_TOO_LARGE', host, `sent more than the ${settings.maxBytes}-byte limit`));
        } else chunks.push(chunk);
      });
      res.on('error', (err) => finish(err));
      res.on('close', () => {
        if (res.complete) return;
        finish(assetError('ASSET_FETCH_FAILED', host, 'closed the connection before the body was complete'));
      });
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const actual = sniffType(assetKind, body);
        if (actual !== declared) {
          const what = actual ? `contains ${actual}` : `does not contain an allowed ${assetKind}`;
          finish(assetError('ASSET_BAD_TYPE', host, `is declared ${declared} but ${what}`));
          return;
        }
        finish(null, { kind: 'body', contentType: declared, body });
      });
    });
    req.end();
  });
}
