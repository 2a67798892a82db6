import type { Redis } from 'ioredis';
import { blendCaptureProfile, blendWeight, isCaptureProfile, isMeasuredProfile, type CaptureProfile } from '../pipeline/index.js';
import { redisKeys, replaceCaptureProfile, runScript, type RedisKeys } from '../redis/index.js';

/**
 * The capture profile of each template version (src/pipeline/capture-profile.ts),
 * kept in Redis so that every render worker cuts a split master of that
 * version by capture cost (planRenderSplit), not by frame count: whole
 * renders record it, averaged, the next split reads it.
 */
export interface CaptureProfiles {
  /** The version's profile, or undefined when none was recorded or it does not cover `frames` frames. */
  get(templateId: string, templateVersion: string, frames: number): Promise<CaptureProfile | undefined>;
  /**
   * Blends a whole render's `profile` (the whole composition's) into the
   * version's: the mean of its first `averagedRenders` whole renders, then
   * an exponential moving average that weighs each new one 1/`averagedRenders`
   * (blendCaptureProfile). A stored profile of another length or of the
   * letter form, or a letter `profile`, is replaced, not blended.
   */
  record(templateId: string, templateVersion: string, profile: CaptureProfile): Promise<void>;
  /**
   * Keeps a split master's `profile` (its chunks' end to end) only where the
   * version has no usable one, as a start that the next whole render
   * replaces: a chunk's profile holds what a whole render's does not (the
   * start of a chunk in its first frames, the encoder's flush before each
   * seam), which planChunks counts apart (`chunkStartMs`). Refreshes the
   * stored one's TTL otherwise: the version is in use.
   */
  seed(templateId: string, templateVersion: string, profile: CaptureProfile): Promise<void>;
}

export interface CaptureProfilesOptions {
  keys?: RedisKeys;
  /**
   * How long an unused profile is kept, in seconds (refreshed by each
   * record). Default 30 days: a template version nobody renders any more
   * leaves nothing behind, one in use is recorded again by its renders.
   */
  ttlSeconds?: number;
  /**
   * How many whole renders a profile averages before each new one weighs a
   * fixed 1/n. Default CAPTURE_PROFILE_RENDERS (8). 1 keeps only the last.
   */
  averagedRenders?: number;
}

/**
 * Default `averagedRenders`. A template version is immutable (its bundle's
 * hash), so its profile changes only with the render's noise and the
 * machines: 8 renders divide the noise of one (frames' 10 ms ticks, encodes
 * landing late) by about sqrt(8), and a new machine type still shows within
 * a few tens of renders.
 */
export const CAPTURE_PROFILE_RENDERS = 8;

/** Two writers of one version at once: the one that lost reads the new average and blends again. */
const MAX_TRIES = 4;

/** Profiles in Redis under redisKeys.captureProfile (one byte per frame), with the count of renders averaged beside them. */
export function createCaptureProfiles(redis: Redis, options: CaptureProfilesOptions = {}): CaptureProfiles {
  const keys = options.keys ?? redisKeys;
  const ttlSeconds = options.ttlSeconds ?? 30 * 24 * 3600;
  const averaged = Math.max(1, Math.floor(options.averagedRenders ?? CAPTURE_PROFILE_RENDERS));
  const keysOf = (templateId: string, templateVersion: string) => [keys.captureProfile(templateId, templateVersion), keys.captureProfileRenders(templateId, templateVersion)];

  /** Writes what `next` makes of the stored pair, if no other writer changed it since it was read. */
  const replace = async (pair: string[], next: (stored: string | null, renders: string | null) => [string, number] | undefined): Promise<void> => {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const [stored, renders] = await redis.mget(pair[0]!, pair[1]!);
      const wanted = next(stored ?? null, renders ?? null);
      if (!wanted) {
        await redis.multi().expire(pair[0]!, ttlSeconds).expire(pair[1]!, ttlSeconds).exec();
        return;
      }
      const written = await runScript(redis, replaceCaptureProfile, pair, [stored ?? '', renders ?? '', wanted[0], String(wanted[1]), ttlSeconds]);
      if (written === 1) return;
    }
    // Still contended after MAX_TRIES: this render's profile is left out of the average, which the others made.
  };

  return {
    async get(templateId, templateVersion, frames) {
      const stored = await redis.get(keys.captureProfile(templateId, templateVersion));
      // A profile of another length (a version string reused, a partial write by an old worker) cuts nothing.
      return isCaptureProfile(stored, frames) ? stored : undefined;
    },
    async record(templateId, templateVersion, profile) {
      if (!isCaptureProfile(profile, profile.length) || profile.length === 0) return;
      await replace(keysOf(templateId, templateVersion), (stored, renders) => {
        const blendable = isCaptureProfile(stored, profile.length) && isMeasuredProfile(stored) && isMeasuredProfile(profile);
        // A count with no blendable profile beside it (a profile deleted, of another length, letters) counts nothing.
        const count = blendable ? Math.max(0, Number.parseInt(renders ?? '0', 10) || 0) : 0;
        return [blendCaptureProfile(blendable ? stored : undefined, profile, blendWeight(count, averaged)), count + 1];
      });
    },
    async seed(templateId, templateVersion, profile) {
      if (!isCaptureProfile(profile, profile.length) || profile.length === 0) return;
      await replace(keysOf(templateId, templateVersion), (stored) => {
        // A measured profile stored is kept; a letter one only gives way to a measured one.
        if (isCaptureProfile(stored, profile.length) && (isMeasuredProfile(stored) || !isMeasuredProfile(profile))) return undefined;
        // Counted 0: the next whole render replaces it (blendWeight(0) is 1).
        return [profile, 0];
      });
    },
  };
}
