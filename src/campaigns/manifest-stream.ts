import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { deliverableKey } from '../cache/index.js';
import type { DeliverableSpec } from '../encode/index.js';
import type { ObjectStore } from '../storage/index.js';
import { campaignKeys } from './campaign-keys.js';
import { readManifestPart } from './manifest-parts.js';

export type ManifestFormat = 'csv' | 'jsonl';

export interface ManifestLayout {
  channels: string[];
  /** For each channel, the index of its render key in a stored manifest row. */
  variantIndex: number[];
  /** Prefix of output URLs, e.g. `https://farm.example` (empty: relative URLs). */
  outputBaseUrl: string;
  /** Per channel, the deliverables cut from its master: each gets a `<channel>_<file>_url` column. */
  deliverables?: DeliverableSpec[][];
  /** Lazy campaigns: the Live link of one row and channel, from the row's stored-props id. */
  link?: (channel: string, propsRef: string, recipientId: string) => string;
  /** Which of these recipients were erased (same order): their rows are left out. Without it, none are. */
  erased?: (recipientIds: readonly string[]) => Promise<boolean[]>;
}

/** A Live link's own URLs, as lazy manifests list them. */
const LINK_ASSETS = [['url', ''], ['video_url', '/video.mp4'], ['poster_url', '/poster.jpg'], ['preview_url', '/preview.gif']] as const;

/** Legacy manifest rows, or part names, read per Redis round trip. */
const PAGE = 1000;

/**
 * The manifest's rows in file order, a page at a time: first the rows of
 * chunks committed while rows lived in a Redis list (a campaign fanned out
 * across the upgrade has both), then each committed part from the store.
 */
async function* storedRowPages(redis: Redis, store: Pick<ObjectStore, 'get'>, id: string): AsyncGenerator<string[]> {
  const keys = campaignKeys(id);
  for (const listKey of [keys.manifest, keys.manifestParts]) {
    for (let start = 0; ; start += PAGE) {
      const entries = await redis.lrange(listKey, start, start + PAGE - 1);
      if (listKey === keys.manifest) {
        if (entries.length > 0) yield entries;
      } else {
        for (const part of entries) yield await readManifestPart(store, part);
      }
      if (entries.length < PAGE) break;
    }
  }
}

/**
 * The stored rows less those of recipients erased since the fan-out: the
 * parts are written once and kept for the campaign's retention, so an erased
 * recipient's id and URLs are dropped when the manifest is read, one lookup
 * per page. Tombstones outlive campaign retention (DEFAULT_TOMBSTONE_TTL_S).
 */
async function* rowPages(redis: Redis, store: Pick<ObjectStore, 'get'>, id: string, erased: ManifestLayout['erased']): AsyncGenerator<string[]> {
  for await (const rows of storedRowPages(redis, store, id)) {
    if (!erased) {
      yield rows;
      continue;
    }
    const flags = await erased(rows.map((row) => row.split(' ', 1)[0]!));
    yield rows.filter((_, i) => !flags[i]);
  }
}

/**
 * The manifest as a stream, a part at a time out of the store (never loaded whole): one
 * line per valid recipient, in file order, with each channel's render key,
 * master URL and deliverable URLs. CSV columns: `recipientId,<channel>_renderKey,
 * <channel>_url,<channel>_<file>_url...` (e.g. `email_preview_gif_url`);
 * JSON Lines: `{"recipientId", "channels": {"<channel>": {"renderKey", "url", "deliverables": {"<file>": url}}}}`.
 * Recipient ids, keys and URLs need no CSV quoting: ids are /[A-Za-z0-9_-]/
 * and keys hex (the base URL is quoted when it needs to be).
 */
export function manifestStream(redis: Redis, store: Pick<ObjectStore, 'get'>, id: string, format: ManifestFormat, layout: ManifestLayout): Readable {
  const url = (key: string) => `${layout.outputBaseUrl}/v1/outputs/${key}`;
  const specs = layout.channels.map((_, i) => layout.deliverables?.[i] ?? []);
  const column = (channel: string, spec: DeliverableSpec) => `${channel}_${spec.name.replace(/[.-]/g, '_')}_url`;
  // A deliverable's key is derived from its master's, so its URL is known before it exists.
  const deliverableUrls = (channel: number, masterKey: string) => specs[channel]!.map((spec) => url(deliverableKey(masterKey, spec)));
  async function* lines(): AsyncGenerator<string> {
    if (layout.link) return yield* lazyLines(layout.link);
    if (format === 'csv') {
      const header = layout.channels.flatMap((c, i) => [`${c}_renderKey`, `${c}_url`, ...specs[i]!.map((spec) => column(c, spec))]);
      yield `${['recipientId', ...header].join(',')}\n`;
    }
    for await (const rows of rowPages(redis, store, id, layout.erased)) {
      let out = '';
      for (const row of rows) {
        const [recipientId = '', ...keys] = row.split(' ');
        const perChannel = layout.variantIndex.map((i) => keys[i] ?? '');
        if (format === 'csv') {
          const cells = perChannel.flatMap((key, i) => [key, url(key), ...deliverableUrls(i, key)].map((v, j) => (j === 0 ? v : csvField(v))));
          out += `${[recipientId, ...cells].join(',')}\n`;
        } else {
          const channels = Object.fromEntries(
            layout.channels.map((c, i) => {
              const files = Object.fromEntries(specs[i]!.map((spec, j) => [spec.name, deliverableUrls(i, perChannel[i]!)[j]]));
              return [c, { renderKey: perChannel[i], url: url(perChannel[i]!), ...(specs[i]!.length > 0 ? { deliverables: files } : {}) }];
            }),
          );
          out += `${JSON.stringify({ recipientId, channels })}\n`;
        }
      }
      yield out;
    }
  }
  /** Lazy campaigns: links sealed now (a fresh token per read; each opens the same stored props). */
  async function* lazyLines(link: NonNullable<ManifestLayout['link']>): AsyncGenerator<string> {
    if (format === 'csv') yield `${['recipientId', ...layout.channels.flatMap((c) => LINK_ASSETS.map(([name]) => `${c}_${name}`))].join(',')}\n`;
    for await (const rows of rowPages(redis, store, id, layout.erased)) {
      let out = '';
      for (const row of rows) {
        const [recipientId = '', ref = ''] = row.split(' ');
        const urls = layout.channels.map((c) => link(c, ref, recipientId));
        if (format === 'csv') out += `${[recipientId, ...urls.flatMap((u) => LINK_ASSETS.map(([, suffix]) => csvField(u + suffix)))].join(',')}\n`;
        else {
          const channels = Object.fromEntries(layout.channels.map((c, i) => [c, Object.fromEntries(LINK_ASSETS.map(([name, suffix]) => [name, urls[i] + suffix]))]));
          out += `${JSON.stringify({ recipientId, channels })}\n`;
        }
      }
      yield out;
    }
  }
  return Readable.from(lines(), { objectMode: false });
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
