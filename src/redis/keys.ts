/**
 * Every `{mastercut}` Redis key of the farm is built here, in the manner of
 * BullMQ's QueueKeys: one place names the layout, so a script's KEYS, a
 * MULTI block and a reader agree on it, and the hash tag that keeps them all
 * in one Redis Cluster slot cannot be forgotten.
 */

/** The Redis Cluster hash tag every key (BullMQ's included) starts with. */
export const HASH_TAG = '{mastercut}';

/** BullMQ's queue prefix: its keys are `<prefix>:<queue>:<suffix>`. */
export const QUEUE_PREFIX = HASH_TAG;

/** The key of a BullMQ job hash (what `queue.toKey(jobId)` returns). */
export function bullJobKey(queueName: string, jobId: string, prefix: string = QUEUE_PREFIX): string {
  return `${prefix}:${queueName}:${jobId}`;
}

/** BullMQ's keys that hold a queue's backlog (jobs not yet finished). */
export function backlogKeys(queueName: string, prefix: string = QUEUE_PREFIX): { wait: string; paused: string; active: string; prioritized: string; delayed: string } {
  const base = `${prefix}:${queueName}`;
  return { wait: `${base}:wait`, paused: `${base}:paused`, active: `${base}:active`, prioritized: `${base}:prioritized`, delayed: `${base}:delayed` };
}

/**
 * The farm's own keys under `base` (default `{mastercut}:`). Tests pass a
 * base of their own (still under the hash tag) to keep runs apart.
 */
export function createRedisKeys(base = `${HASH_TAG}:`) {
  if (!base.startsWith(HASH_TAG)) throw new Error(`Redis key base must start with ${HASH_TAG} (one Cluster slot): ${base}`);
  const campaignBase = (id: string) => `${base}cmp:${id}`;
  return {
    base,
    /** Hash: the output index record of one render or deliverable key. */
    output: (key: string) => `${base}out:${key}`,
    /** Set: plan ids waiting for a master to be published (the render -> transcode chain). */
    wanted: (renderKey: string) => `${base}want:${renderKey}`,
    /** String: one stored deliverable plan (JSON). */
    plan: (planId: string) => `${base}plan:${planId}`,
    /** Stream: a live render's bytes as they are encoded. */
    renderStream: (renderKey: string) => `${base}stream:${renderKey}`,
    /** String (PX): the render worker that put a campaign job back for this waiting Live job, so one worker does it. */
    livePreemption: (jobId: string) => `${base}preempt:${jobId}`,
    /**
     * String (EX): the capture profile of one template version, one byte per frame
     * (src/pipeline/capture-profile.ts: a measured time, or an older worker's letter), the average
     * of its whole renders (or a split's join, until a whole render comes). The render queue cuts
     * split masters of that version by it (src/renders/capture-profiles.ts).
     */
    captureProfile: (templateId: string, templateVersion: string) => `${base}capprof:${templateId}:${templateVersion}`,
    /** String (EX): how many whole renders the version's capture profile averages (decimal), beside it. */
    captureProfileRenders: (templateId: string, templateVersion: string) => `${base}capprofn:${templateId}:${templateVersion}`,
    /** Hash: one worker's heartbeat. */
    worker: (role: string, id: string) => `${base}workers:${role}:${id}`,
    /** SCAN pattern of the worker heartbeats of one role, or of all. */
    workerPattern: (role?: string) => `${base}workers:${role ?? '*'}:*`,
    /** Redis keys of one campaign (all share the hash tag with the queue and the output index). */
    campaign: (id: string) => {
      const meta = campaignBase(id);
      return {
        /** Hash: parameters, state and counters. */
        meta,
        /**
         * List, file order: the object-store names of the manifest parts, one per committed
         * fan-out chunk (src/campaigns/manifest-parts.ts); the rows themselves are in the store.
         */
        manifestParts: `${meta}:mparts`,
        /**
         * Legacy list, file order: `recipientId key1 key2...` rows of chunks committed before the
         * manifest moved to the object store; read (before the parts), never written.
         */
        manifest: `${meta}:manifest`,
        /** List of JSON invalid-row reports (line, reason, field paths; never values). */
        errors: `${meta}:errors`,
        /**
         * Legacy hash of all the campaign's render keys (claiming chunk, then outcome), written
         * before the key hash moved per fan-out chunk (campaignChunkKeys): deleted with the
         * campaign, never read.
         */
        keys: `${meta}:keys`,
        /** Legacy set of keys counted rendered (older still): deleted with the campaign, never read. */
        rendered: `${meta}:rendered`,
        /** Legacy set of keys counted failed (older still): deleted with the campaign, never read. */
        failed: `${meta}:failed`,
        /**
         * Set of `<chunk> <render key>`: keys whose job another producer owns (its hooks name
         * another campaign, or none), with the fan-out chunk that claimed them (where their outcome is counted).
         */
        foreign: `${meta}:foreign`,
        /**
         * Sticky campaigns: set of the lines whose recipient had no usable profile when the upload
         * was counted. The fan-out keeps that verdict, so a profile pushed or deleted between the
         * two passes never makes the manifest disagree with the counts.
         */
        unprofiled: `${meta}:unprofiled`,
      };
    },
    /**
     * Hash of the render keys one fan-out chunk of a campaign claimed, new to the campaign: key ->
     * the outcome counted for it (`` none yet, `r` rendered, `f` failed), plus `#s` (keys settled)
     * and, once the chunk is committed, `#n` (keys claimed). Deleted when `#s` reaches `#n`, so
     * a campaign holds the hashes of its unsettled chunks only (about window / chunk size of them),
     * whatever its length. A chunk re-run after a crash finds its own claims here; keys of earlier
     * chunks are told apart by their job (job id = render key, its data names the campaign).
     */
    campaignChunkKeys: (id: string, chunk: number) => `${campaignBase(id)}:keys:${chunk}`,
    /**
     * Set: the campaigns waiting on one deliverable, as `<campaignId> <channel>` (a campaign
     * counts it once per channel when it is cut or fails). Lives until the deliverable settles.
     */
    deliverableWaiters: (deliverableKey: string) => `${base}cmpdl:${deliverableKey}`,
    /** String: stored props of a Live link. */
    storedProps: (id: string) => `${base}props:${id}`,
    /** Sorted set: a sliding-window log of cold renders of one client (hashed). */
    coldClient: (digest: string) => `${base}cold:c:${digest}`,
    /** Sorted set: a sliding-window log of cold renders of one link (hashed). */
    coldLink: (digest: string) => `${base}cold:l:${digest}`,
    /** Hash: one recipient profile (fields JSON, version, hash, updatedAt), by recipient id. */
    recipientProfile: (recipientId: string) => `${base}rcp:${recipientId}`,
    /** List: a recipient's last profile versions, newest first, `<version>:<updatedAt ISO>` (capped; the metrics' version history). */
    recipientHistory: (recipientId: string) => `${base}rcph:${recipientId}`,
    /** List: the same history for a CRM connector's copies (see recipientConnectorCache). */
    recipientConnectorHistory: (recipientId: string) => `${base}rcpch:${recipientId}`,
    /** Hash: the last profile a CRM connector answered for a recipient (the profile layout); lives TTL + stale-if-error. */
    recipientConnectorCache: (recipientId: string) => `${base}rcpc:${recipientId}`,
    /** String: present while that connector copy is fresh (PX = the connector TTL). */
    recipientConnectorFresh: (recipientId: string) => `${base}rcpf:${recipientId}`,
    /** Set: `templateId|channel|campaignId[|cut]` of a recipient's sticky links made with refresh on-update (re-rendered, `cut`: re-cut, on a profile change). */
    stickyOnUpdate: (recipientId: string) => `${base}stku:${recipientId}`,
    /** String: the pin a refresh-never sticky link showed on its first open (by sha256 of the token). */
    stickyFirstPin: (tokenHash: string) => `${base}stkn:${tokenHash}`,
    /** Set of what belongs to one recipient (by subject hash). */
    subject: (subjectHash: string) => `${base}subject:${subjectHash}`,
    /** Tombstone of an erased recipient (by subject hash). */
    tombstone: (subjectHash: string) => `${base}tomb:${subjectHash}`,
    /** Tombstone of an erased render/deliverable key (value: erase time in ms). */
    keyTombstone: (key: string) => `${base}tomb:key:${key}`,
    /** Stream: the audit log of erasures. */
    audit: `${base}audit`,
    /** Pub/sub channel of erasures. */
    erasures: `${base}erasures`,
  };
}

export type RedisKeys = ReturnType<typeof createRedisKeys>;
export type CampaignKeys = ReturnType<RedisKeys['campaign']>;

/** The farm's keys under the default base. */
export const redisKeys: RedisKeys = createRedisKeys();
