import type { IncomingMessage, ServerResponse } from 'node:http';
import { etagMatches } from '../parse-range-header.js';
import { chooseBundleEncoding, type BundleFile } from './bundle-file-cache.js';

/**
 * Answers a GET or HEAD for a bundle file from memory: the encoding the
 * request's Accept-Encoding prefers (brotli, gzip, none), 304 on a matching
 * If-None-Match (each encoding has its own ETag). No Range: a script is
 * fetched whole, and a server may always ignore Range. Returns the
 * Content-Length sent (0 for a 304).
 */
export function serveBundleFile(file: BundleFile, req: IncomingMessage, res: ServerResponse, requestId: string): number {
  const variant = file[chooseBundleEncoding(req.headers['accept-encoding'])];
  const id = ['X-Request-Id', requestId];
  if (etagMatches(req.headers['if-none-match'], variant.etag)) {
    res.writeHead(304, [...id, ...variant.common]);
    res.end();
    return 0;
  }
  res.writeHead(200, [...id, ...variant.full]);
  res.end(req.method === 'HEAD' ? undefined : variant.body);
  return variant.body.length;
}
