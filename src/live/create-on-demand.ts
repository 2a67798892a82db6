import { createDeliverablePlan, restoreFromStore, storedOutput, type DeliverableRequests, type RenderOutputIndex, type Renders } from '../renders/index.js';
import { AppError, CancelledError, type ErrorCode, errorCodes } from '../errors/index.js';
import type { ObjectInfo, ObjectStore } from '../storage/index.js';
import type { ColdRenderLimiter } from './cold-render-limiter.js';
import type { AssetTarget } from './live-asset-target.js';
import type { LiveLink } from './live-link-resolver.js';

export interface OnDemandDeps {
  /** The render lifecycle (src/renders createRenders, with the transcode queue: failed deliverables are retried). */
  renders: Pick<Renders, 'lookup' | 'request' | 'streamingLive' | 'retryDeliverable'>;
  deliverables: DeliverableRequests;
  /** With `restore`, an output whose done record expired is found in the store at the target's storage key. */
  index: Pick<RenderOutputIndex, 'get' | 'restore'>;
  store: Pick<ObjectStore, 'head'>;
  limiter: ColdRenderLimiter;
  /** Records what a recipient's link makes, so an erasure finds it (lazy links render long after they were made). */
  recordSubject?: (recipientId: string, items: { renderKeys: string[]; deliverableKeys: string[] }) => Promise<void>;
}

export interface OnDemandOptions {
  /** Longest a request waits for an output before 503 + Retry-After. Default 60 s. */
  waitTimeoutMs?: number;
}

/** Who asks: budgets are per client (IP) and per link (token). */
export interface Requester {
  client: string;
  link: string;
}

/**
 * The cold path of Live URLs. Every output has one render job (its key),
 * so concurrent requests from any number of API processes make one render;
 * within a process, concurrent requests for one key also share one check
 * and one wait (single flight), so a herd costs Redis one poll, not one per
 * client. Only a request that starts a render spends the cold-render budget:
 * joining a render in flight, or a cached hit, is free.
 */
export function createOnDemand(deps: OnDemandDeps, options: OnDemandOptions = {}) {
  const waitTimeoutMs = options.waitTimeoutMs ?? 60_000;
  const ensuring = new Map<string, Promise<void>>();
  const waiting = new Map<string, Promise<ObjectInfo>>();

  const lookup = (target: Pick<AssetTarget, 'key' | 'storageKey'>): Promise<ObjectInfo | undefined> => deps.renders.lookup(target.key, target.storageKey);

  /** The master once (requestOnce); only a request that starts a render spends the cold-render budget. */
  async function ensureMaster(link: LiveLink, who: Requester): Promise<void> {
    await deps.renders.request(link.master, {
      beforeAdd: async () => {
        const decision = await deps.limiter.check(who);
        if (!decision.allowed) {
          throw new AppError('RATE_LIMITED', `cold render budget spent (${decision.scope})`, {
            details: { retryAfterSeconds: decision.retryAfterSeconds, scope: decision.scope },
          });
        }
      },
    });
  }

  async function ensure(link: LiveLink, target: AssetTarget, who: Requester): Promise<void> {
    if (link.payload.recipientId !== undefined && deps.recordSubject) {
      await deps.recordSubject(link.payload.recipientId, {
        renderKeys: [link.master.renderKey],
        deliverableKeys: target.kind === 'deliverable' ? [target.key] : [],
      });
    }
    await ensureMaster(link, who);
    if (target.kind === 'master') return;
    const record = await deps.index.get(target.key);
    if (record?.state === 'failed') await deps.renders.retryDeliverable(target.key);
    const plan = createDeliverablePlan({
      templateId: link.template.id,
      posterSeconds: link.template.posterFrame / link.template.fps,
      priorityClass: 'live',
      specs: [target.spec],
    });
    await deps.deliverables.request([{ renderKey: link.master.renderKey, masterStorageKey: link.master.storageKey, plan }]);
  }

  async function wait(key: string, storageKey: string): Promise<ObjectInfo> {
    const deadline = Date.now() + waitTimeoutMs;
    for (let delay = 50; ; delay = Math.min(500, delay * 1.5)) {
      const record = await deps.index.get(key);
      // No record: not made yet, or done and expired (the store then has it).
      const info = record ? await storedOutput(deps.store, record) : await restoreFromStore(deps, key, storageKey);
      if (info) return info;
      if (record?.state === 'failed') {
        const code = (record.error && record.error in errorCodes ? record.error : 'INTERNAL') as ErrorCode;
        throw new AppError(code, `the output ${key} failed to render (${record.error ?? 'unknown'})`);
      }
      if (Date.now() + delay > deadline) throw new AppError('NOT_READY', `output ${key} not ready after ${waitTimeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  const shared = <T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> => {
    let promise = map.get(key);
    if (!promise) {
      promise = make().finally(() => map.delete(key));
      map.set(key, promise);
    }
    return promise;
  };

  return {
    lookup,
    /** Starts what the target needs (render and/or transcode) unless it is in flight. May throw RATE_LIMITED. */
    ensure: (link: LiveLink, target: AssetTarget, who: Requester) => shared(ensuring, target.key, () => ensure(link, target, who)),
    /** Resolves when the target is stored (NOT_READY after the timeout; the render's own error if it failed). */
    async wait(target: AssetTarget, signal?: AbortSignal): Promise<ObjectInfo> {
      const done = shared(waiting, target.key, () => wait(target.key, target.storageKey));
      if (!signal) return done;
      const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new CancelledError('client left')), { once: true }));
      return Promise.race([done, aborted]);
    },
    /** True when the master is being rendered by a live job, which streams its bytes. */
    streaming: (link: LiveLink): Promise<boolean> => deps.renders.streamingLive(link.master.renderKey),
  };
}

export type OnDemand = ReturnType<typeof createOnDemand>;
