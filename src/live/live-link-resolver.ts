import type { Redis } from 'ioredis';
import type { Template } from '../composition/index.js';
import type { ChannelProfile, ChannelProfileResolver } from '../encode/index.js';
import { AppError } from '../errors/index.js';
import { createRenderJobPreparer, type PreparedRenderJob, type RenderRegistry } from '../renders/index.js';
import type { RenderJobOptions } from '../queue/index.js';
import type { LiveKeyring } from './live-keyring.js';
import type { LiveTokenPayload } from './live-token.schema.js';
import { openLiveToken } from './live-token.js';
import type { StoredProps } from './stored-props.js';
import { isErased, subjectHash } from './subject-index.js';

/** An opened, checked Live link: everything its routes need. */
export interface LiveLink {
  token: string;
  payload: LiveTokenPayload;
  template: Template;
  /** Validated props, defaults filled in. */
  props: Record<string, unknown>;
  profile: ChannelProfile;
  /** The master render of this link (live priority). */
  master: PreparedRenderJob;
}

export interface LiveLinkResolverDeps {
  registry: RenderRegistry;
  redis: Redis;
  keyring: LiveKeyring;
  storedProps: StoredProps;
  profiles: ChannelProfileResolver;
  jobOptions: RenderJobOptions;
}

export interface LiveLinkResolverOptions {
  maxTokenLength?: number;
  /** Opened links are kept this long in memory (hot links skip the crypto, Redis and props checks). Default 2 s. */
  memoMs?: number;
  /** Most links kept in memory. Default 10 000. */
  memoSize?: number;
  /**
   * Whether the memo may answer now: false while this process cannot hear
   * erasures (ErasureBroadcast.live()), so it re-checks every link. Default: always.
   */
  memoUsable?: () => boolean;
}

/**
 * Opens a token and everything behind it, in the order that keeps abuse
 * cheap: length and authenticity first (no Redis, no cache lookup for a
 * forged token), then expiry, then erasure, then the props and the render
 * key. The short memo is what lets a hot link serve at nginx-like rates.
 * An erasure drops the subject's links from it at once (`forget`, called
 * for every erasure of any API process), and an opening that was under way
 * when an erasure happened is not memoised; the memo's shortness only
 * matters while erasures cannot be heard (`memoUsable`).
 */
export function createLiveLinkResolver(deps: LiveLinkResolverDeps, options: LiveLinkResolverOptions = {}) {
  const memoMs = options.memoMs ?? 2_000;
  const memoSize = options.memoSize ?? 10_000;
  const memoUsable = options.memoUsable ?? (() => true);
  /** Memoised links, with the subject hash of their recipient (none: the link names no recipient). */
  const memo = new Map<string, { link: LiveLink; until: number; subject?: string }>();
  /** Bumped by every erasure: an opening that started before it does not reach the memo. */
  let generation = 0;

  async function resolve(token: string): Promise<LiveLink> {
    const payload = openLiveToken(deps.keyring, token, { maxLength: options.maxTokenLength });
    if (payload.recipientId !== undefined && (await isErased(deps.redis, { recipientId: payload.recipientId }))) {
      throw new AppError('SUBJECT_ERASED', 'the recipient of this link was erased');
    }
    const raw = payload.props ?? (payload.propsRef ? await deps.storedProps.get(payload.propsRef) : undefined);
    if (!raw) throw new AppError('TOKEN_EXPIRED', 'the stored props of this link have expired');
    const template = deps.registry.get(payload.templateId);
    const profile = deps.profiles(template, payload.channel);
    const prepare = await createRenderJobPreparer(
      { registry: deps.registry, jobOptions: deps.jobOptions },
      { templateId: template.id, variant: profile.variant, format: 'mp4', priorityClass: 'live', ...(payload.campaignId ? { campaignId: payload.campaignId } : {}) },
    );
    const master = prepare(raw);
    return { token, payload, template, props: master.data.props, profile, master };
  }

  return {
    async open(token: string): Promise<LiveLink> {
      const now = Date.now();
      const usable = memoUsable();
      const hit = usable ? memo.get(token) : undefined;
      if (hit && hit.until > now && hit.link.payload.exp * 1000 > now) return hit.link;
      const started = generation;
      const link = await resolve(token);
      if (!usable || started !== generation) return link;
      if (memo.size >= memoSize) memo.delete(memo.keys().next().value!);
      const recipientId = link.payload.recipientId;
      memo.set(token, { link, until: now + memoMs, ...(recipientId === undefined ? {} : { subject: subjectHash(recipientId) }) });
      return link;
    },

    /** Drops the links of an erased subject (its sha256 hash) from the memo. */
    forget(subject: string): void {
      generation++;
      for (const [token, entry] of memo) if (entry.subject === subject) memo.delete(token);
    },
  };
}

export type LiveLinkResolver = ReturnType<typeof createLiveLinkResolver>;
