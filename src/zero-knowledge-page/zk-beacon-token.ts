import { parseHeaderPart, ZK_ENVELOPE_VERSION } from '../zero-knowledge/index.js';

/** Engagement of zero-knowledge links is counted under `zk:<campaign>`, never under a farm campaign's id. */
export const ZK_CAMPAIGN_PREFIX = 'zk:';

/** Who a beacon of a zero-knowledge page is about: what `POST /v1/events` fills in. */
export interface ZeroKnowledgeSubject {
  templateId: string;
  channel: string;
  campaignId?: string;
  recipientId: string;
}

/** Whether a beacon's `token` is a zero-knowledge link's clear header (`zk1.<header>`) rather than a Live URL token. */
export function isZeroKnowledgeBeaconToken(token: string): boolean {
  return token.startsWith(`${ZK_ENVELOPE_VERSION}.`);
}

/**
 * The subject of a zero-knowledge page's beacon: its token is the link's
 * clear header, so the recipient is the brand's pseudonymous id. Nothing in
 * it is signed by the farm (the brand mints offline, with no farm secret):
 * anyone can post such events. That is why they are kept under
 * `zk:<campaign>`, apart from the farm's campaigns, whose beacons carry
 * sealed Live tokens. A link without a campaign records nothing.
 *
 * @throws AppError ZK_LINK_INVALID for anything but a valid `zk1.<header>`.
 */
export function openZeroKnowledgeBeaconToken(token: string): ZeroKnowledgeSubject {
  const header = parseHeaderPart(token);
  return {
    templateId: header.templateId,
    channel: header.channel,
    recipientId: header.pseudonymousId,
    ...(header.campaignId === undefined ? {} : { campaignId: `${ZK_CAMPAIGN_PREFIX}${header.campaignId}` }),
  };
}

/**
 * Wraps the Live token opener of `POST /v1/events` so it also takes the
 * beacons of zero-knowledge pages (see openZeroKnowledgeBeaconToken).
 */
export function withZeroKnowledgeBeacons<S>(openLiveToken: (token: string, pin?: string) => Promise<S>): (token: string, pin?: string) => Promise<S | ZeroKnowledgeSubject> {
  // A zero-knowledge page has no profile, so no pin: its beacons record no version.
  return async (token, pin) => (isZeroKnowledgeBeaconToken(token) ? openZeroKnowledgeBeaconToken(token) : openLiveToken(token, pin));
}
