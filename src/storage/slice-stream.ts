import { Readable } from 'node:stream';

/**
 * The bytes [skip, skip + length) of `body`, as a byte stream. The source is
 * destroyed once the slice is out (or the slice is destroyed), so a wider
 * download stops early.
 */
export function sliceStream(body: Readable, skip: number, length: number): Readable {
  return Readable.from(
    (async function* () {
      let position = 0;
      const end = skip + length;
      try {
        for await (const data of body) {
          const chunk = data as Buffer;
          const from = Math.max(skip - position, 0);
          const to = Math.min(end - position, chunk.length);
          position += chunk.length;
          if (to > from) yield chunk.subarray(from, to);
          if (position >= end) break;
        }
      } finally {
        body.destroy();
      }
    })(),
    { objectMode: false },
  );
}
