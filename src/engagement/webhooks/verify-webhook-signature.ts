import { timingSafeEqual } from 'node:crypto';
import { computeWebhookSignature } from './sign-webhook.js';
import { describeBadWebhookSecret } from './webhook-secret.js';

export interface VerifyWebhookInput {
  /** The receiver's secret (`whsec_...`); several while it rotates. */
  secret: string | readonly string[];
  /** The `webhook-id` header. */
  id: string;
  /** The `webhook-timestamp` header (seconds since the epoch). */
  timestamp: string | number;
  /** The `webhook-signature` header: space-separated `v1,<base64>` entries. */
  signature: string;
  /** The raw body exactly as received (re-serialized JSON will not verify). */
  body: string | Buffer;
  /** Largest accepted distance between the timestamp and now. Default 300 s. */
  toleranceSeconds?: number;
  /** Seconds since the epoch; default now. */
  nowSeconds?: number;
}

/** Why a signature did not verify; each reason is its own case, never a message to match. */
export type WebhookVerifyFailure = 'bad_secret' | 'bad_timestamp' | 'timestamp_out_of_tolerance' | 'no_signature' | 'no_match';

export type WebhookVerifyResult =
  | { ok: true; /** The signature entry that matched. */ matched: string; /** Its position in the header. */ index: number; /** Which secret (index into `secret`). */ secretIndex: number }
  | { ok: false; reason: WebhookVerifyFailure; message: string };

/**
 * Verifies a Standard Webhooks delivery, for CRM receivers, the CLI and
 * tests. Comparison is constant-time per entry; entries that are not `v1`
 * are ignored as the spec asks.
 */
export function verifyWebhookSignature(input: VerifyWebhookInput): WebhookVerifyResult {
  const secrets = typeof input.secret === 'string' ? [input.secret] : [...input.secret];
  if (secrets.length === 0) return { ok: false, reason: 'bad_secret', message: 'no secret given' };
  for (const [i, secret] of secrets.entries()) {
    const why = describeBadWebhookSecret(secret);
    if (why) return { ok: false, reason: 'bad_secret', message: `secret ${secrets.length > 1 ? `#${i + 1} ` : ''}is malformed: ${why}` };
  }
  const ts = String(input.timestamp).trim();
  if (!/^\d{1,15}$/.test(ts)) return { ok: false, reason: 'bad_timestamp', message: `webhook-timestamp "${ts.slice(0, 40)}" is not whole seconds since the epoch` };
  const tolerance = input.toleranceSeconds ?? 300;
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  const skew = now - Number(ts);
  if (Math.abs(skew) > tolerance) {
    const when = skew > 0 ? `${skew} s in the past` : `${-skew} s in the future`;
    return { ok: false, reason: 'timestamp_out_of_tolerance', message: `webhook-timestamp is ${when}, over the ${tolerance} s tolerance (replayed or clock skew)` };
  }
  const entries = input.signature.split(' ').filter(Boolean);
  const v1 = entries.filter((e) => e.startsWith('v1,'));
  if (v1.length === 0) return { ok: false, reason: 'no_signature', message: 'webhook-signature holds no "v1,<base64>" entry' };
  for (const [secretIndex, secret] of secrets.entries()) {
    const expected = Buffer.from(computeWebhookSignature(secret, input.id, Number(ts), input.body));
    for (const [index, entry] of entries.entries()) {
      const given = Buffer.from(entry);
      if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, matched: entry, index, secretIndex };
    }
  }
  return {
    ok: false,
    reason: 'no_match',
    message: `none of the ${v1.length} v1 signature(s) matches this secret over id.timestamp.body (wrong secret, or the body was altered or re-serialized)`,
  };
}
