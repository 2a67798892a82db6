import fc from 'fast-check';

/**
 * fast-check arbitraries of upload files (CSV / JSON Lines), shared by the
 * record splitter's properties and the API fuzz suite: well-formed files
 * that say what they hold, damage to apply to any bytes, and chunkings.
 */

export const ENDINGS = ['\n', '\r\n', '\r'] as const;

/** A field's bytes: letters, spaces, commas, quotes, line breaks, NUL, multi-byte and invalid UTF-8. */
export const fieldBytes = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('a', 'b', 'Z', '1', '-', 'é', '€', '😀', ' ') },
      { weight: 2, arbitrary: fc.constantFrom(',', '"', '\n', '\r', '\r\n', '\t') },
      { weight: 1, arbitrary: fc.constantFrom('\0', '\uFFFD', '\xff') },
    ),
    { maxLength: 12 },
  )
  .map((parts) => Buffer.concat(parts.map((p) => (p === '\xff' ? Buffer.from([0xff]) : Buffer.from(p)))));

export const needsQuotes = (b: Buffer) => b.some((x) => x === 0x2c || x === 0x22 || x === 0x0a || x === 0x0d) || b.length === 0;
export const quote = (b: Buffer) => Buffer.concat([Buffer.from('"'), Buffer.from(b.toString('latin1').replaceAll('"', '""'), 'latin1'), Buffer.from('"')]);

/** A well-formed CSV file and what it holds. */
export const wellFormedCsv = fc
  .record({
    bom: fc.boolean(),
    width: fc.integer({ min: 1, max: 5 }),
    rows: fc.array(fc.array(fieldBytes, { minLength: 5, maxLength: 5 }), { maxLength: 12 }),
    endings: fc.array(fc.constantFrom(...ENDINGS), { minLength: 13, maxLength: 13 }),
    blankAfter: fc.array(fc.boolean(), { minLength: 13, maxLength: 13 }),
    trailing: fc.boolean(),
  })
  .map(({ bom, width, rows, endings, blankAfter, trailing }) => {
    const records = rows.map((row) => row.slice(0, width));
    const parts: Buffer[] = bom ? [Buffer.from([0xef, 0xbb, 0xbf])] : [];
    records.forEach((record, r) => {
      // Quote what must be quoted (and, for an all-blank single field, always: it would read as a blank line).
      const encoded = record.map((f) => (needsQuotes(f) || (record.length === 1 && /^[ \t]*$/.test(f.toString('latin1'))) ? quote(f) : f));
      parts.push(Buffer.concat(encoded.flatMap((f, i) => (i === 0 ? [f] : [Buffer.from(','), f]))));
      if (r < records.length - 1 || trailing) parts.push(Buffer.from(endings[r]!));
      if (blankAfter[r] && (r < records.length - 1 || trailing)) parts.push(Buffer.from(`  ${endings[r]}`));
    });
    return { bytes: Buffer.concat(parts), records };
  });

/** Damage applied to bytes: a stray quote, a cut, an oversized run, a NUL, an invalid byte. */
export const damage = fc.array(
  fc.record({
    kind: fc.constantFrom('quote', 'cut', 'big', 'nul', 'invalid', 'cr'),
    at: fc.nat(),
    size: fc.integer({ min: 1, max: 300 }),
  }),
  { maxLength: 3 },
);

export function damaged(bytes: Buffer, edits: { kind: string; at: number; size: number }[]): Buffer {
  let out = bytes;
  for (const { kind, at, size } of edits) {
    const i = out.length === 0 ? 0 : at % (out.length + 1);
    const insert = (b: Buffer) => (out = Buffer.concat([out.subarray(0, i), b, out.subarray(i)]));
    if (kind === 'cut') out = out.subarray(0, i);
    else if (kind === 'quote') insert(Buffer.from('"'));
    else if (kind === 'big') insert(Buffer.alloc(size, 0x78));
    else if (kind === 'nul') insert(Buffer.from([0]));
    else if (kind === 'invalid') insert(Buffer.from([0xc3]));
    else insert(Buffer.from('\r'));
  }
  return out;
}

/** Splits bytes at random points (1-byte chunks included) to prove chunking changes nothing. */
export const cuts = fc.array(fc.nat(), { maxLength: 8 });
export function chunked(bytes: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => (bytes.length === 0 ? 0 : p % bytes.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of at) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

