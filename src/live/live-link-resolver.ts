import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisKeys } from '../redis/index.js';
import type { Template } from '../composition/index.js';
import type { ChannelProfile, ChannelProfileResolver } from '../encode/index.js';
import { AppError } from '../errors/index.js';
import { createRenderJobPreparer, type PreparedRenderJob, type RenderRegistry } from '../renders/index.js';
import type { RenderJobOptions } from '../queue/index.js';
import type { LiveKeyring } from './live-keyring.js';
import { stickyProps, type RecipientSource } from '../recipients/index.js';
import { isStickyPayload, type LiveTokenPayload } from './live-token.schema.js';
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
  /**
   * A sticky link: the profile version its props came from, and the pin
   * that names exactly these props (set when the link was opened through a
   * pin, or once `pin` made one).
   */
  sticky?: StickyVersion;
}

/** Which profile version a sticky link's open showed. */
export interface StickyVersion {
  version: number;
  hash: string;
  pin?: string;
}

/** What a pin keeps: the props one open showed, and the version they came from. */
interface PinnedProps {
  props: Record<string, unknown>;
  version: number;
  hash: string;
}

export interface LiveLinkResolverDeps {
  registry: RenderRegistry;
  redis: Redis;
  keyring: LiveKeyring;
  storedProps: StoredProps;
  profiles: ChannelProfileResolver;
  jobOptions: RenderJobOptions;
  /** Where sticky links read the recipient's current data; without it a sticky link answers RECIPIENT_PROFILE_MISSING. */
  recipients?: RecipientSource;
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

  /** The props of a link and, for a sticky link, the version they show. */
  async function propsOf(token: string, payload: LiveTokenPayload, template: Template, pin: string | undefined): Promise<{ raw: Record<string, unknown>; sticky?: StickyVersion }> {
    if (!isStickyPayload(payload)) {
      if (pin !== undefined) throw new AppError('NOT_FOUND', 'only sticky links have pinned versions');
      const raw = payload.props ?? (payload.propsRef ? await deps.storedProps.get(payload.propsRef) : undefined);
      if (!raw) throw new AppError('TOKEN_EXPIRED', 'the stored props of this link have expired');
      return { raw };
    }
    if (pin !== undefined) {
      // Owned: a pin is the content id of these props for this recipient, so no other recipient's pin opens here.
      const kept = (await deps.storedProps.getOwned(pin, payload.recipientId)) as PinnedProps | undefined;
      if (!kept) throw new AppError('PROFILE_VERSION_GONE', 'the pinned version of this sticky link is gone');
      return { raw: kept.props, sticky: { version: kept.version, hash: kept.hash, pin } };
    }
    if (payload.refresh === 'never') return firstShown(token, payload.recipientId, payload.exp, template);
    return current(payload.recipientId, template);
  }

  async function current(recipientId: string, template: Template): Promise<{ raw: Record<string, unknown>; sticky: StickyVersion }> {
    const snapshot = deps.recipients ? await deps.recipients.current(recipientId) : undefined;
    return { raw: stickyProps(template, snapshot), sticky: { version: snapshot!.version, hash: snapshot!.hash } };
  }

  /**
   * A refresh-never sticky link: what its first open showed, kept as a pin
   * and remembered by the token's hash for the link's life. Concurrent first
   * opens agree (SET NX: the first pin written wins).
   */
  async function firstShown(token: string, recipientId: string, exp: number, template: Template): Promise<{ raw: Record<string, unknown>; sticky: StickyVersion }> {
    const key = redisKeys.stickyFirstPin(createHash('sha256').update(token).digest('hex'));
    const remembered = await deps.redis.get(key);
    const kept = remembered ? ((await deps.storedProps.getOwned(remembered, recipientId)) as PinnedProps | undefined) : undefined;
    if (remembered && kept) return { raw: kept.props, sticky: { version: kept.version, hash: kept.hash, pin: remembered } };
    const now = await current(recipientId, template);
    const ttlSeconds = Math.max(60, exp - Math.floor(Date.now() / 1000));
    const pin = await keep({ props: now.raw, version: now.sticky.version, hash: now.sticky.hash }, recipientId, ttlSeconds);
    const won = await deps.redis.set(key, pin, 'EX', ttlSeconds, 'NX');
    if (won === null && !remembered) return firstShown(token, recipientId, exp, template);
    if (won === null) await deps.redis.set(key, pin, 'EX', ttlSeconds); // the remembered pin was erased or expired
    return { raw: now.raw, sticky: { ...now.sticky, pin } };
  }

  const keep = (kept: PinnedProps, recipientId: string, ttlSeconds: number) =>
    deps.storedProps.put(kept as unknown as Record<string, unknown>, { contentAddressed: true, recipientId, ttlSeconds });

  async function resolve(token: string, pin: string | undefined): Promise<LiveLink> {
    const payload = openLiveToken(deps.keyring, token, { maxLength: options.maxTokenLength });
    if (payload.recipientId !== undefined && (await isErased(deps.redis, { recipientId: payload.recipientId }))) {
      throw new AppError('SUBJECT_ERASED', 'the recipient of this link was erased');
    }
    const template = deps.registry.get(payload.templateId);
    const { raw, sticky } = await propsOf(token, payload, template, pin);
    const profile = deps.profiles(template, payload.channel);
    const prepare = await createRenderJobPreparer(
      { registry: deps.registry, jobOptions: deps.jobOptions },
      { templateId: template.id, variant: profile.variant, format: 'mp4', priorityClass: 'live', ...(payload.campaignId ? { campaignId: payload.campaignId } : {}) },
    );
    const master = prepare(raw);
    return { token, payload, template, props: master.data.props, profile, master, ...(sticky ? { sticky } : {}) };
  }

  return {
    /**
     * Opens a link. A sticky link reads its recipient's current profile
     * (memoised like any link, so an update shows within one memo period);
     * with `pin` it shows exactly the version that pin names.
     */
    async open(token: string, pin?: string): Promise<LiveLink> {
      const now = Date.now();
      const usable = memoUsable();
      const memoKey = pin === undefined ? token : `${token}/${pin}`;
      const hit = usable ? memo.get(memoKey) : undefined;
      if (hit && hit.until > now && hit.link.payload.exp * 1000 > now) return hit.link;
      const started = generation;
      const link = await resolve(token, pin);
      if (!usable || started !== generation) return link;
      if (memo.size >= memoSize) memo.delete(memo.keys().next().value!);
      const recipientId = link.payload.recipientId;
      memo.set(memoKey, { link, until: now + memoMs, ...(recipientId === undefined ? {} : { subject: subjectHash(recipientId) }) });
      return link;
    },

    /**
     * Keeps the props a sticky link's open showed and returns the pin that
     * names them, so the landing page's poster, GIF and MP4 show that same
     * version whatever the profile does meanwhile. Content-addressed: the
     * same props of the same recipient are the same pin, stored once, for
     * the link's remaining life; recorded under the recipient for erasure.
     */
    async pin(link: LiveLink): Promise<string | undefined> {
      if (!link.sticky || !isStickyPayload(link.payload)) return undefined;
      if (link.sticky.pin) return link.sticky.pin;
      const ttlSeconds = Math.max(60, link.payload.exp - Math.floor(Date.now() / 1000));
      const pin = await keep({ props: link.props, version: link.sticky.version, hash: link.sticky.hash }, link.payload.recipientId, ttlSeconds);
      // Kept on the (memoised) link: the page views of one memo period write the pin once, not once each.
      link.sticky.pin = pin;
      return pin;
    },

    /**
     * The profile version a pin keeps, when the pin is the recipient's own
     * (its id is recomputed from the recipient and the content); undefined
     * for another recipient's pin, a gone one, or none at all. What a
     * landing page's beacons record as the version they showed.
     */
    async pinnedVersion(recipientId: string, pin: string): Promise<number | undefined> {
      const kept = (await deps.storedProps.getOwned(pin, recipientId)) as PinnedProps | undefined;
      return kept && Number.isSafeInteger(kept.version) ? kept.version : undefined;
    },

    /** Drops the links of an erased subject (its sha256 hash) from the memo. */
    forget(subject: string): void {
      generation++;
      for (const [token, entry] of memo) if (entry.subject === subject) memo.delete(token);
    },
  };
}

export type LiveLinkResolver = ReturnType<typeof createLiveLinkResolver>;
