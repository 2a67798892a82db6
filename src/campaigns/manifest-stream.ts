import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { campaignKeys } from './campaign-keys.js';

export type ManifestFormat = 'csv' | 'jsonl';

export interface ManifestLayout {
  channels: string[];
  /** For each channel, the index of its render key in a stored manifest row. */
  variantIndex: number[];
  /** Prefix of output URLs, e.g. `https://farm.example` (empty: relative URLs). */
  outputBaseUrl: string;
}

/** Manifest rows read per Redis round trip. */
const PAGE = 1000;

/**
 * The manifest as a stream, paged out of Redis (never loaded whole): one
 * line per valid recipient, in file order, with each channel's render key
 * and output URL. CSV columns: `recipientId,<channel>_renderKey,<channel>_url...`;
 * JSON Lines: `{"recipientId", "channels": {"<channel>": {"renderKey", "url"}}}`.
 * Recipient ids, keys and URLs need no CSV quoting: ids are /[A-Za-z0-9_-]/
 * and keys hex (the base URL is quoted when it needs to be).
 */
export function manifestStream(redis: Redis, id: string, format: ManifestFormat, layout: ManifestLayout): Readable {
  const listKey = campaignKeys(id).manifest;
  const url = (key: string) => `${layout.outputBaseUrl}/v1/outputs/${key}`;
  async function* lines(): AsyncGenerator<string> {
    if (format === 'csv') yield `${['recipientId', ...layout.channels.flatMap((c) => [`${c}_renderKey`, `${c}_url`])].join(',')}\n`;
    for (let start = 0; ; start += PAGE) {
      const rows = await redis.lrange(listKey, start, start + PAGE - 1);
      if (rows.length === 0) return;
      let out = '';
      for (const row of rows) {
        const [recipientId = '', ...keys] = row.split(' ');
        const perChannel = layout.variantIndex.map((i) => keys[i] ?? '');
        if (format === 'csv') {
          out += `${[recipientId, ...perChannel.flatMap((key) => [key, csvField(url(key))])].join(',')}\n`;
        } else {
          const channels = Object.fromEntries(layout.channels.map((c, i) => [c, { renderKey: perChannel[i], url: url(perChannel[i]!) }]));
          out += `${JSON.stringify({ recipientId, channels })}\n`;
        }
      }
      yield out;
      if (rows.length < PAGE) return;
    }
  }
  return Readable.from(lines(), { objectMode: false });
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
