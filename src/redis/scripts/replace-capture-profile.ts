import { defineScript } from '../run-script.js';

/**
 * Writes a template version's capture profile and its render count only if
 * both are still what the writer read (compare and set): the blend of a new
 * render into the stored average is computed in Node (src/pipeline, where
 * the profile's alphabet lives), and two renders of one version finishing
 * together must not both blend into the same old average, one of them lost.
 * The loser reads again and retries (src/renders/capture-profiles.ts).
 * KEYS: the profile, its render count. ARGV: the profile read ('' when
 * none), the count read ('' when none), the new profile, the new count, TTL s.
 * Returns 1 when written, 0 when another writer came first.
 */
export const replaceCaptureProfile = defineScript('replaceCaptureProfile', `
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] or (redis.call('GET', KEYS[2]) or '') ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[5])
redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[5])
return 1
`);
