import { createHmac } from 'node:crypto';
import { decodeWebhookSecret } from './webhook-secret.js';

/** The three Standard Webhooks headers of one delivery attempt. */
export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * One `v1,<base64>` signature: HMAC-SHA256 keyed with the secret's decoded
 * bytes over `id.timestamp.body` (https://www.standardwebhooks.com/).
 */
export function computeWebhookSignature(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  const mac = createHmac('sha256', decodeWebhookSecret(secret));
  mac.update(`${id}.${timestamp}.`);
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}

/**
 * Headers for one attempt: one signature per active secret, space
 * separated, newest first, so a receiver that knows either the old or the
 * new secret accepts the message while a secret rotates.
 */
export function signWebhook(secrets: readonly string[], id: string, timestamp: number, body: string | Buffer): WebhookSignatureHeaders {
  if (secrets.length === 0) throw new Error('signWebhook needs at least one secret');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => computeWebhookSignature(s, id, timestamp, body)).join(' '),
  };
}
