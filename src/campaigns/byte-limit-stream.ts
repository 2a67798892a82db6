import { Transform } from 'node:stream';
import { AppError } from '../errors/index.js';

/**
 * A pass-through that fails with PAYLOAD_TOO_LARGE once more than `maxBytes`
 * went through: the upload cap of a streamed body, which no body parser
 * enforces because none reads it.
 */
export function byteLimitStream(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) {
        callback(new AppError('PAYLOAD_TOO_LARGE', `recipients upload over ${maxBytes} bytes`, { details: { maxBytes } }));
        return;
      }
      callback(null, chunk);
    },
  });
}
