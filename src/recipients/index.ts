/**
 * Recipient profiles: one living record per recipient (versioned, hashed,
 * bounded), RFC 7396 patches, streamed bulk upserts, and the mapping from
 * profile fields to a template's props, where sticky links read a
 * recipient's current data (RecipientSource: the store, or the CRM pull
 * connector). The routes live in src/api (recipient-routes.ts); refresh
 * modes live with sticky links in src/live (docs/data-spine.md).
 */
export { RECIPIENT_ID_PATTERN, assertRecipientId } from './recipient-id.js';
export { applyMergePatch, isJsonObject } from './merge-patch.js';
export { canonicalFields, type CanonicalFields } from './profile-fields.js';
export { PROFILE_HISTORY_LENGTH, readProfileHistory, type ProfileHistoryEntry } from './profile-history.js';
export { createProfileStore, type Profile, type ProfileStore, type ProfileStoreOptions, type ProfileVersion } from './profile-store.js';
export { bulkUpsertProfiles, type BulkUpsertOptions, type BulkUpsertReport } from './bulk-upsert.js';
export { propsFromProfile } from './props-from-profile.js';
export { stickyProps, type ProfileSnapshot, type RecipientSource } from './recipient-source.js';
export {
  createRecipientConnector,
  type RecipientConnector,
  type RecipientConnectorDeps,
  type RecipientConnectorOptions,
} from './create-recipient-connector.js';
