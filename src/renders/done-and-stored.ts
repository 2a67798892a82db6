import { outputFormatSchema } from '../encode/index.js';
import type { ObjectInfo, ObjectStore } from '../storage/index.js';
import type { OutputRecord } from './output-record.schema.js';
import type { RenderOutputIndex } from './render-deps.js';
import { renderOutputKey } from './render-job.schema.js';

/**
 * The one rule for "this output is there": the output index says done AND
 * the store holds the object. The index is the fast check, the store the
 * truth: an output deleted (or evicted, or erased) after it was indexed is
 * rendered again, never served as a dangling record.
 *
 * `storageKey` defaults to the record's (deliverables are found that way);
 * producers that computed it pass their own.
 */
export async function storedOutput(
  store: Pick<ObjectStore, 'head'>,
  record: Pick<OutputRecord, 'state' | 'storageKey'> | undefined,
  storageKey: string | undefined = record?.storageKey,
): Promise<ObjectInfo | undefined> {
  if (record?.state !== 'done' || !storageKey) return undefined;
  return store.head(storageKey);
}

type LookupDeps = { index: Pick<RenderOutputIndex, 'get' | 'restore'>; store: Pick<ObjectStore, 'head'> };
/** Fields a re-created record carries besides what the store says (all optional: a by-key lookup knows none). */
export type RestoredFields = Partial<Omit<OutputRecord, 'key' | 'state' | 'storageKey' | 'size' | 'updatedAt'>>;

/**
 * The done-record retention's fallback (OUTPUT_INDEX_DONE_TTL_S): a key with
 * no record may be done, its record expired. The store is asked at the
 * storage key the caller derived from the key (`renders/<key>.<format>`,
 * `deliverables/<key>/<name>`); a found object re-creates the done record so
 * the next read is one Redis read again. An erased key is never found: the
 * erasure deletes its objects, and its tombstone (set first) refuses the
 * re-creation, which this reads as "not there" even when the object has not
 * been deleted yet.
 */
export async function restoreFromStore(deps: LookupDeps, key: string, storageKey: string | undefined, fields: RestoredFields = {}): Promise<ObjectInfo | undefined> {
  if (!storageKey || !deps.index.restore) return undefined;
  const info = await deps.store.head(storageKey);
  if (!info) return undefined;
  const outcome = await deps.index.restore({ ...fields, key, state: 'done', storageKey, size: info.size, contentType: info.contentType, updatedAt: Date.now() });
  return outcome === 'erased' ? undefined : info;
}

/** `storedOutput` of a key: one index read, then the store (and, without a record, restoreFromStore). */
export async function lookupOutput(deps: LookupDeps, key: string, storageKey?: string, fields?: RestoredFields): Promise<ObjectInfo | undefined> {
  const record = await deps.index.get(key);
  if (!record) return restoreFromStore(deps, key, storageKey, fields);
  return storedOutput(deps.store, record, storageKey ?? record.storageKey);
}

/**
 * A master known by its key alone (status and output routes): its record,
 * else the store at `renders/<key>.<format>` for each format (HEADs in
 * parallel, only on a miss). A deliverable's file name is not derivable from
 * its key, so an expired deliverable record is found only by callers that
 * know the name (Live URLs, the transcode worker).
 */
export async function findStoredByKey(deps: LookupDeps, key: string): Promise<{ record: OutputRecord; info: ObjectInfo } | { record: OutputRecord | undefined; info: undefined }> {
  const record = await deps.index.get(key);
  if (record) return { record, info: await storedOutput(deps.store, record) };
  if (!deps.index.restore) return { record, info: undefined };
  const candidates = outputFormatSchema.options.map((format) => renderOutputKey(key, format));
  const found = await Promise.all(candidates.map((candidate) => deps.store.head(candidate)));
  const at = found.findIndex((info) => info !== undefined);
  const storageKey = candidates[at];
  const info = found[at];
  if (!storageKey || !info) return { record, info: undefined };
  const restored: OutputRecord = { key, state: 'done', storageKey, size: info.size, contentType: info.contentType, updatedAt: Date.now() };
  if ((await deps.index.restore(restored)) === 'erased') return { record, info: undefined };
  return { record: restored, info };
}
