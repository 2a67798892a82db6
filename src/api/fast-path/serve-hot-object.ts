import type { IncomingMessage, ServerResponse } from 'node:http';
import { etagMatches, parseRangeHeader } from '../parse-range-header.js';
import type { HotObject } from './hot-output-cache.js';

/**
 * Answers a GET or HEAD from memory exactly as `sendObject` answers it from
 * the store: 304 on a matching If-None-Match, one byte range as 206 (416
 * when unsatisfiable, If-Range honoured), otherwise 200 with the whole body.
 * The headers were worked out when the object was loaded, so an answer is
 * one writeHead and one end. Returns the Content-Length sent (0 for a 304).
 */
export function serveHotObject(object: HotObject, req: IncomingMessage, res: ServerResponse, requestId: string): number {
  const id = ['X-Request-Id', requestId];
  if (etagMatches(req.headers['if-none-match'], object.etag)) {
    res.writeHead(304, [...id, ...object.common]);
    res.end();
    return 0;
  }
  // If-Range: a range only applies to the representation the client already has.
  const ifRange = req.headers['if-range'];
  const rangeHeader = ifRange && String(ifRange).trim() !== object.etag ? undefined : req.headers.range;
  const range = parseRangeHeader(rangeHeader, object.size);
  const head = req.method === 'HEAD';
  if (range.kind === 'unsatisfiable') {
    // Content-Length: 0 as Node sends for `res.status(416).end()`: without it, writeHead would pick chunked encoding.
    res.writeHead(416, [...id, ...object.common, 'Content-Range', `bytes */${object.size}`, 'Content-Length', '0']);
    res.end();
    return 0;
  }
  if (range.kind === 'partial') {
    res.writeHead(206, [
      ...id,
      ...object.common,
      'Content-Type',
      object.contentType,
      'Content-Range',
      `bytes ${range.start}-${range.end}/${object.size}`,
      'Content-Length',
      String(range.end - range.start + 1),
    ]);
    res.end(head ? undefined : object.body.subarray(range.start, range.end + 1));
    return range.end - range.start + 1;
  }
  res.writeHead(200, [...id, ...object.full]);
  res.end(head || object.size === 0 ? undefined : object.body);
  return object.size;
}
