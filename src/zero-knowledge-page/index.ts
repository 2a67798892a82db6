/**
 * The farm's side of zero-knowledge links (minted by the brand with
 * src/zero-knowledge): the page at `/z/:envelope`, which decrypts and plays
 * in the browser and makes the MP4 there, the refusal of every server-side
 * asset, and the subject of the page's engagement beacons.
 */
export { createZeroKnowledgeRoutes, type ZeroKnowledgeRoutesDeps } from './create-zk-routes.js';
export {
  isZeroKnowledgeBeaconToken,
  openZeroKnowledgeBeaconToken,
  withZeroKnowledgeBeacons,
  ZK_CAMPAIGN_PREFIX,
  type ZeroKnowledgeSubject,
} from './zk-beacon-token.js';
export { zeroKnowledgePageCsp } from './zk-page-csp.js';
export { renderZeroKnowledgePage, type ZeroKnowledgePageInput } from './render-zk-page.js';
export type { ZeroKnowledgePageData } from './zk-page-data.js';
