import { defineScript } from '../run-script.js';
import { markDoneIfCompleteLua } from './mark-campaign-done.js';

/**
 * Counts one channel deliverable of one campaign as cut or failed, once:
 * the campaign's waiter entry (`<campaignId> <channel>`) is removed from the
 * deliverable's waiter set, and only the call that removes it counts. Then
 * the campaign turns `done` if that was the last thing it waited for.
 *
 * KEYS: meta, the deliverable's waiter set. ARGV: waiter entry, channel,
 * outcome (`cut` | `failed`), now. Returns 0 not counted, 1 counted, 2
 * counted and the campaign is done now.
 */
export const countDeliverableOutcome = defineScript('countDeliverableOutcome', `
if redis.call('SREM', KEYS[2], ARGV[1]) == 0 then return 0 end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'dl:' .. ARGV[2] .. ':' .. ARGV[3], 1)
redis.call('HINCRBY', KEYS[1], 'dlSettled', 1)
${markDoneIfCompleteLua('ARGV[4]')}
if became_done then return 2 end
return 1
`);
