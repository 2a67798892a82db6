import { AppError } from '../errors/index.js';

/** Recipient ids end up in Redis keys, manifests and URLs: short and plain only. Campaign rows use the same rule. */
export const RECIPIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Throws INVALID_ARGUMENT unless `id` is a recipient id. */
export function assertRecipientId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !RECIPIENT_ID_PATTERN.test(id)) {
    throw new AppError('INVALID_ARGUMENT', 'a recipient id is 1 to 64 letters, digits, _ or -', {
      details: { issues: [{ path: 'recipientId', message: 'expected 1 to 64 of A-Z a-z 0-9 _ -' }] },
    });
  }
}
