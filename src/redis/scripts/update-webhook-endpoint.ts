import { defineScript } from '../run-script.js';

/**
 * HSET only when the endpoint still exists (a delete racing a worker must
 * not resurrect a half endpoint), and bump the registry version in the same
 * step so dispatchers reload.
 * KEYS: endpoint hash, registry version. ARGV: field value...
 */
export const updateWebhookEndpoint = defineScript('updateWebhookEndpoint', `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
redis.call('INCR', KEYS[2])
return 1
`);
