import type { ObjectInfo, ObjectStore } from '../storage/index.js';
import type { OutputRecord } from './output-record.schema.js';
import type { RenderOutputIndex } from './render-deps.js';

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

/** `storedOutput` of a key: one index read, then the store. */
export async function lookupOutput(
  deps: { index: Pick<RenderOutputIndex, 'get'>; store: Pick<ObjectStore, 'head'> },
  key: string,
  storageKey?: string,
): Promise<ObjectInfo | undefined> {
  const record = await deps.index.get(key);
  return storedOutput(deps.store, record, storageKey ?? record?.storageKey);
}
