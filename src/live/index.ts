/**
 * Live links: sealed tokens and their keyring, stored props, the cold-render
 * budget, CTA redirects, and the per-recipient registry behind erasure.
 * The routes live in src/api (live-routes.ts); the landing page in landing/.
 */
export {
  createLiveKeyring,
  devKeyring,
  parseLiveKeyring,
  resolveLiveKeyring,
  LIVE_KEY_BYTES,
  LIVE_KEY_ID_PATTERN,
  type LiveKey,
  type LiveKeyring,
  type LiveKeyringConfig,
} from './live-keyring.js';
export {
  fromLiveTokenWire,
  isStickyPayload,
  liveTokenPayloadSchema,
  liveTokenWireSchema,
  toLiveTokenWire,
  STORED_PROPS_ID_PATTERN,
  type LiveTokenInput,
  type LiveTokenPayload,
  type LiveTokenWire,
} from './live-token.schema.js';
export {
  openLiveToken,
  sealLiveToken,
  DEFAULT_LIVE_TOKEN_MAX_LENGTH,
  DETERMINISTIC_EXPIRY_STEP_S,
  LIVE_TOKEN_VERSION,
  type OpenLiveTokenOptions,
  type SealLiveTokenOptions,
} from './live-token.js';
export { createStoredProps, type PutStoredPropsOptions, type StoredProps, type StoredPropsOptions } from './stored-props.js';
export {
  createColdRenderLimiter,
  type ColdRenderDecision,
  type ColdRenderLimiter,
  type ColdRenderLimiterOptions,
  type RenderBudget,
} from './cold-render-limiter.js';
export { resolveCtaUrl } from './resolve-cta-url.js';
export {
  areErased,
  isErased,
  tombstoneKey,
  parseSubjectMembers,
  recordSubject,
  resolveSubjectHash,
  subjectHash,
  subjectMembers,
  wasKeyErasedSince,
  DEFAULT_SUBJECT_TTL_S,
  type SubjectItems,
  type SubjectRef,
} from './subject-index.js';
export {
  eraseSubject,
  DEFAULT_KEY_TOMBSTONE_TTL_S,
  DEFAULT_TOMBSTONE_TTL_S,
  IN_FLIGHT_MARGIN_MS,
  type EraseCounts,
  type EraseSubjectDeps,
  type EraseSubjectOptions,
  type EraseSubjectResult,
} from './erase-subject.js';
export { createErasureBroadcast, type ErasureBroadcast, type ErasureBroadcastDeps, type ErasureBroadcastOptions } from './erasure-broadcast.js';
export { createLiveLinkResolver, type LiveLink, type LiveLinkResolver, type LiveLinkResolverDeps, type StickyVersion } from './live-link-resolver.js';
export { createLiveLinkFactory, liveLinksRequestSchema, type CreateLiveLinksCallOptions, type CreatedLiveLink, type LiveLinksRequest } from './create-live-links.js';
export { LIVE_ASSETS, liveAssetTarget, type AssetTarget, type LiveAsset } from './live-asset-target.js';
export { createOnDemand, type OnDemand, type OnDemandDeps, type Requester } from './create-on-demand.js';
export { createMinter, type MintAnswer, type Minter, type MinterDeps, type MinterOptions } from './create-minter.js';
export { createMintQueryParser, MINT_RESERVED_PARAMS, type MintQueryRegistry, type MintRequest } from './mint-query.js';
export { createLandingPage, landingPageStyles, type LandingPage } from './landing/index.js';
export { createStickyRefresher, type StickyRefresher, type StickyRefresherDeps, type StickyRefreshResult } from './create-sticky-refresher.js';
export { formatOnUpdateLink, parseOnUpdateLink, recordOnUpdateLinks, type StickyOnUpdateLink } from './sticky-on-update.js';
