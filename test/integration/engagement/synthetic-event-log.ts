import { createHash } from 'node:crypto';
import { ENGAGEMENT_RESPONSE_TYPES, type EngagementEventInput, type InteractionEventType } from '../../../src/engagement/index.js';

/** mulberry32: a small seeded PRNG, so a failing log can be regenerated. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How a group of events reaches ingestion: the context the test passes. */
export type SyntheticGroup = 'farmDeliveries' | 'senderDeliveries' | 'responses' | 'scanner' | 'proxy' | 'conversions';

/** A synthetic event: the input the test posts, in its group (conversions carry their order fields). */
export type SyntheticEvent = EngagementEventInput & { id: string; ts: number; recipientId: string; channel?: string; meta?: Record<string, string | number | boolean>; bot?: boolean; orderId?: string; value?: number; currency?: string };

export interface SyntheticLog {
  campaignId: string;
  groups: Record<SyntheticGroup, SyntheticEvent[]>;
}

/** What every ingestion context means for the expected answer. */
export const SCANNER_CLIENT = { userAgent: 'Mozilla/5.0 (compatible; Mimecast URL Protect)', method: 'GET' };
/** Apple Mail Privacy Protection's bare user agent: its opens are machine-likely. */
export const PROXY_CLIENT = { userAgent: 'Mozilla/5.0', method: 'GET' };

const CHANNELS = ['email', 'sms', 'web'] as const;
const RESPONSES = ENGAGEMENT_RESPONSE_TYPES;
const CURRENCIES = ['EUR', 'USD', 'JPY'] as const;
export const T0 = 1_750_000_000_000;
const MIN = 60_000;
const DAY = 1440 * MIN;

/**
 * A campaign's event log with every kind of case the metrics must get
 * right: several channels per recipient, deliveries by the farm and by the
 * sender (an ESP reports later: the touch), repeated deliveries, drifted
 * props hashes, responses before the delivery, responses in channels never
 * delivered, scanner opens and clicks right after any delivery (arriving
 * before or after it), clicks on two CTAs within a second, trusted bot
 * events, a scanner user agent, privacy-proxy opens, and conversions in
 * three currencies (some outside the window, some before any engagement,
 * some reported twice).
 */
export function generateSyntheticLog(seed: number, recipients: number, minDelayMs = 2000): SyntheticLog {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const campaignId = `cmp-synth-${seed}`;
  let serial = 0;
  const groups: SyntheticLog['groups'] = { farmDeliveries: [], senderDeliveries: [], responses: [], scanner: [], proxy: [], conversions: [] };
  const event = (type: InteractionEventType, recipientId: string, channel: string, ts: number, meta: Record<string, string> = {}, bot = false): SyntheticEvent => ({
    id: `ev${seed}x${(serial++).toString(36).padStart(6, '0')}`,
    type,
    campaignId,
    recipientId,
    channel,
    templateId: 'year-recap',
    ts: Math.round(ts),
    meta,
    bot,
  });
  for (let r = 0; r < recipients; r++) {
    const rid = `r${r}`;
    const props = createHash('sha256').update(`props-${seed}-${r}`).digest('hex');
    const delivered = CHANNELS.filter(() => random() < 0.7);
    const firstDelivery: Record<string, number> = {};
    for (const channel of delivered) {
      const at = T0 + Math.floor(random() * 3_600_000);
      firstDelivery[channel] = at;
      // 12% of recipients have drifted props in one channel.
      const drift = channel === delivered[delivered.length - 1] && delivered.length > 1 && random() < 0.12;
      const hash = drift ? `drift-${r}` : props;
      groups.farmDeliveries.push(event('delivered', rid, channel, at, { propsHash: hash }));
      if (random() < 0.15) groups.farmDeliveries.push(event('delivered', rid, channel, at + 60_000 + Math.floor(random() * 60_000), { propsHash: hash }));
      // The sender reports its own delivery later (the moment the customer was reached).
      const sent = random() < 0.4 ? at + 10 * MIN + Math.floor(random() * 3_600_000) : undefined;
      if (sent !== undefined) groups.senderDeliveries.push(event('delivered', rid, channel, sent));
      if (random() < 0.2) {
        // A link scanner fetches and clicks at once after a delivery (the farm's or the sender's).
        const base = sent !== undefined && random() < 0.5 ? sent : at;
        groups.responses.push(event(pick(['impression', 'cta_click'] as const), rid, channel, base + Math.floor(random() * (minDelayMs - 1)), { ctaId: 'main' }));
      }
    }
    const active = CHANNELS.filter(() => random() < 0.45);
    for (const channel of active) {
      const base = (firstDelivery[channel] ?? T0 + 1_800_000) + (random() < 0.05 ? -120_000 : 0);
      const count = 1 + Math.floor(random() * 5);
      for (let k = 0; k < count; k++) {
        const type = pick(RESPONSES);
        // Log-spread delays, some of them before a late sender delivery.
        const delay = random() < 0.5 ? minDelayMs + Math.floor(random() * 600_000) : Math.floor(Math.exp(random() * 13) * 1000) + minDelayMs;
        const ts = base + delay + k * 1500;
        groups.responses.push(event(type, rid, channel, ts, type === 'cta_click' ? { ctaId: pick(['main', 'main', 'offers']) } : {}));
      }
      if (random() < 0.05) groups.responses.push(event(pick(RESPONSES), rid, channel, base + 5_000, {}, true));
      if (random() < 0.06) {
        // Two CTAs within a second: a scanner following every link (both clicks are bots, in any order).
        const at = base + 3 * MIN + Math.floor(random() * MIN);
        groups.responses.push(event('cta_click', rid, channel, at, { ctaId: 'main' }), event('cta_click', rid, channel, at + Math.floor(random() * 900), { ctaId: 'offers' }));
      }
    }
    if (random() < 0.1) groups.scanner.push(event('cta_click', rid, pick(CHANNELS), T0 + 7_200_000, { ctaId: 'main' }));
    if (delivered.length > 0 && random() < 0.15) groups.proxy.push(event('impression', rid, delivered[0]!, firstDelivery[delivered[0]!]! + 30 * MIN));
    const orders = random() < 0.25 ? 1 + Math.floor(random() * 3) : 0;
    for (let k = 0; k < orders; k++) {
      const currency = pick(CURRENCIES);
      const value = currency === 'JPY' ? 100 + Math.floor(random() * 20_000) : Math.round(random() * 50_000) / 100;
      // Mostly within days; some past the 30-day window, some before the delivery.
      const ts = T0 + Math.floor((random() < 0.1 ? -1 : random() < 0.15 ? 31 + random() * 20 : random() * 29) * DAY) + Math.floor(random() * DAY);
      const order = { id: `cv${seed}x${(serial++).toString(36)}`, type: 'conversion' as const, campaignId, recipientId: rid, ts, value, currency, orderId: `ord-${seed}-${r}-${k}`, meta: {} };
      groups.conversions.push(order);
      // The same order reported again (a replayed pixel, the backend after the pixel): counted once.
      if (random() < 0.1) groups.conversions.push({ ...order, id: `cv${seed}x${(serial++).toString(36)}` });
    }
  }
  return { campaignId, groups };
}
