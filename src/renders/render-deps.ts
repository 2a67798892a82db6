import type { OutputRecord } from './output-record.schema.js';
import type { TemplateRegistry } from '../templates/index.js';

/**
 * The part of the output index (engineer A's `createOutputIndex`) the queue
 * uses. Declared structurally so the queue depends on the contract only.
 */
export interface RenderOutputIndex {
  get(key: string): Promise<OutputRecord | undefined>;
  set(record: OutputRecord): Promise<void>;
  /** Merges a patch and refreshes updatedAt; resolves false when there is no record. */
  update(key: string, patch: Partial<Omit<OutputRecord, 'key' | 'updatedAt'>>): Promise<boolean | void>;
  delete?(key: string): Promise<boolean>;
  /** Re-creates an expired done record (createOutputIndex's restore); without it a missing record is not looked up in the store. */
  restore?(record: OutputRecord): Promise<'restored' | 'exists' | 'erased'>;
}

/** What validation and keys need from the template registry. */
export type RenderRegistry = Pick<TemplateRegistry, 'get' | 'resolveVariant' | 'validateProps' | 'bundle'>;
