import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  computeWebhookSignature,
  decodeWebhookSecret,
  describeBadWebhookSecret,
  generateWebhookSecret,
  signWebhook,
  verifyWebhookSignature,
} from '../../../../src/engagement/webhooks/index.js';

/** The signature computed straight from the spec with node:crypto, independent of the code under test. */
function reference(secret: string, id: string, ts: number, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')}`;
}

describe('webhook signing (Standard Webhooks)', () => {
  const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
  const body = '{"type":"engagement.batch","events":[{"id":"evt_12345678"}]}';

  it('signs HMAC-SHA256(decoded secret, id.timestamp.body) as v1,<base64>', () => {
    expect(computeWebhookSignature(secret, 'msg_abc', 1_700_000_000, body)).toBe(reference(secret, 'msg_abc', 1_700_000_000, body));
    const headers = signWebhook([secret], 'msg_abc', 1_700_000_000, body);
    expect(headers).toEqual({ 'webhook-id': 'msg_abc', 'webhook-timestamp': '1700000000', 'webhook-signature': reference(secret, 'msg_abc', 1_700_000_000, body) });
  });

  it('matches the published Standard Webhooks test vector', () => {
    // From the standard-webhooks / svix reference libraries' tests.
    const sig = computeWebhookSignature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(sig).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('generates whsec_ secrets of 32 random bytes that decode', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(decodeWebhookSecret(a)).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(a);
  });

  it('says what is wrong with a bad secret', () => {
    expect(describeBadWebhookSecret('abc')).toMatch(/starts with "whsec_"/);
    expect(describeBadWebhookSecret('whsec_***')).toMatch(/base64/);
    expect(describeBadWebhookSecret(`whsec_${randomBytes(8).toString('base64')}`)).toMatch(/24 to 64 bytes.*it is 8/);
    expect(() => decodeWebhookSecret('nope')).toThrowError(/invalid webhook secret/);
  });

  it('sends one signature per secret while a secret rotates; each verifies with its own secret', () => {
    const fresh = generateWebhookSecret();
    const headers = signWebhook([fresh, secret], 'msg_rot', 1_700_000_000, body);
    const entries = headers['webhook-signature'].split(' ');
    expect(entries).toEqual([reference(fresh, 'msg_rot', 1_700_000_000, body), reference(secret, 'msg_rot', 1_700_000_000, body)]);
    const common = { id: 'msg_rot', timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'], body, nowSeconds: 1_700_000_010 };
    expect(verifyWebhookSignature({ ...common, secret: fresh })).toMatchObject({ ok: true, index: 0 });
    expect(verifyWebhookSignature({ ...common, secret })).toMatchObject({ ok: true, index: 1 });
    expect(verifyWebhookSignature({ ...common, secret: generateWebhookSecret() })).toMatchObject({ ok: false, reason: 'no_match' });
  });
});

describe('verifyWebhookSignature', () => {
  const secret = generateWebhookSecret();
  const body = '{"hello":"crm"}';
  const ts = 1_700_000_000;
  const good = { secret, id: 'msg_1', timestamp: String(ts), signature: computeWebhookSignature(secret, 'msg_1', ts, body), body, nowSeconds: ts + 5 };

  it('accepts a valid signature, also a Buffer body and among unknown versions', () => {
    expect(verifyWebhookSignature(good)).toMatchObject({ ok: true, index: 0, secretIndex: 0 });
    expect(verifyWebhookSignature({ ...good, body: Buffer.from(body) }).ok).toBe(true);
    expect(verifyWebhookSignature({ ...good, signature: `v1a,xyz ${good.signature}` })).toMatchObject({ ok: true, index: 1 });
  });

  it('names each failure', () => {
    expect(verifyWebhookSignature({ ...good, secret: 'sk_live_x' })).toMatchObject({ ok: false, reason: 'bad_secret' });
    expect(verifyWebhookSignature({ ...good, timestamp: 'yesterday' })).toMatchObject({ ok: false, reason: 'bad_timestamp' });
    const late = verifyWebhookSignature({ ...good, nowSeconds: ts + 301 });
    expect(late).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(!late.ok && late.message).toMatch(/301 s in the past, over the 300 s tolerance/);
    expect(verifyWebhookSignature({ ...good, nowSeconds: ts + 301, toleranceSeconds: 600 }).ok).toBe(true);
    expect(verifyWebhookSignature({ ...good, signature: 'v2,abc' })).toMatchObject({ ok: false, reason: 'no_signature' });
    expect(verifyWebhookSignature({ ...good, body: '{"hello": "crm"}' })).toMatchObject({ ok: false, reason: 'no_match' });
    expect(verifyWebhookSignature({ ...good, id: 'msg_2' })).toMatchObject({ ok: false, reason: 'no_match' });
  });
});
