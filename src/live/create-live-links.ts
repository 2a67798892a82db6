import { z } from 'zod';
import { AppError, isAppError } from '../errors/index.js';
import { assertRecipientId } from '../recipients/index.js';
import { TEMPLATE_ID_PATTERN } from '../templates/index.js';
import { LIVE_ASSETS, liveAssetTarget, type LiveAsset } from './live-asset-target.js';
import { createLiveLinkResolver, type LiveLinkResolverDeps } from './live-link-resolver.js';
import { DETERMINISTIC_EXPIRY_STEP_S, openLiveToken, sealLiveToken } from './live-token.js';
import { isErased, recordSubject } from './subject-index.js';
import { recordOnUpdateLinks } from './sticky-on-update.js';

/** `POST /v1/live-links` body. */
export const liveLinksRequestSchema = z.strictObject({
  templateId: z.string().regex(TEMPLATE_ID_PATTERN, 'expected a template id'),
  channels: z.array(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/)).min(1).max(8),
  /** Left out with a recipientId: a sticky link (props read from the recipient's profile at every open). */
  props: z.record(z.string(), z.unknown()).optional(),
  campaignId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  recipientId: z.string().min(1).max(256).optional(),
  /** Seconds the links stay valid. */
  ttl: z.number().int().min(60).max(400 * 86_400).optional(),
  /** Keep the props server side (short URLs); automatic when they do not fit in a token. */
  storeProps: z.boolean().optional(),
  /**
   * Sticky links only: how they follow the profile. `on-open` (default)
   * shows the current version at every open; `on-update` also re-renders at
   * campaign priority as soon as the profile changes (through the API), so
   * the next open is a cache hit; `never` keeps showing what the first open
   * showed.
   */
  refresh: z.enum(['on-open', 'on-update', 'never']).optional(),
});

export type LiveLinksRequest = z.input<typeof liveLinksRequestSchema>;

export interface CreatedLiveLink {
  channel: string;
  /** The landing page. */
  url: string;
  /** Each deliverable's URL (rendered on first request). */
  assets: Record<'video' | 'poster' | 'preview' | 'still', string>;
  expiresAt: string;
}

/** Per call. */
export interface CreateLiveLinksCallOptions {
  /**
   * Same request, same links (send-time minting): deterministic tokens (see
   * SealLiveTokenOptions.deterministic) and content-addressed stored props,
   * so a repeated request gives identical URLs and stores nothing new.
   */
  deterministic?: boolean;
}

/** The same parts as opening a link: a link is opened once when it is made, to check it. */
export type CreateLiveLinksDeps = LiveLinkResolverDeps;

export interface CreateLiveLinksOptions {
  /** Default link lifetime. Default 30 days (the TTL of personalized outputs). */
  defaultTtlSeconds?: number;
  maxTokenLength?: number;
  /** Absolute URL prefix of links (PUBLIC_BASE_URL); empty gives root-relative URLs. */
  baseUrl?: string;
}

/**
 * Makes one sealed link per channel. Everything a link will need is checked
 * now (template, channels, props), so a link that was handed out always
 * opens. Nothing is rendered: the first open does that. With a recipient
 * id, every key the links can produce is recorded for erasure first.
 *
 * A recipient id and no props make sticky links: the token names the
 * recipient and carries no props; every open maps the recipient's current
 * profile through the template's profileMapping (the render key then makes
 * unchanged data a cache hit). Their render keys are only known at open, so
 * the open records them for erasure (createOnDemand).
 */
export function createLiveLinkFactory(deps: CreateLiveLinksDeps, options: CreateLiveLinksOptions = {}) {
  const resolver = createLiveLinkResolver(deps, { maxTokenLength: options.maxTokenLength, memoMs: 0 });
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');

  return async function createLiveLinks(body: unknown, call: CreateLiveLinksCallOptions = {}): Promise<{ links: CreatedLiveLink[] }> {
    const deterministic = call.deterministic === true;
    const parsed = liveLinksRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      throw new AppError('INVALID_ARGUMENT', 'Invalid live-links request', { details: { issues } });
    }
    const req = parsed.data;
    if (req.recipientId !== undefined && (await isErased(deps.redis, { recipientId: req.recipientId }))) {
      throw new AppError('SUBJECT_ERASED', 'this recipient was erased; no link is made for it');
    }
    const template = deps.registry.get(req.templateId);
    const sticky = req.props === undefined && req.recipientId !== undefined;
    if (sticky) {
      // A sticky link's recipient names a profile: the profiles' id rule, not the looser link one.
      assertRecipientId(req.recipientId);
      if (!template.profileMapping) {
        throw new AppError('INVALID_ARGUMENT', `template "${template.id}" declares no profileMapping, so it cannot make sticky links; pass props`, {
          details: { issues: [{ path: 'props', message: 'required: this template declares no profileMapping, so its links carry props' }] },
        });
      }
    }
    if (req.refresh !== undefined && !sticky) {
      throw new AppError('INVALID_ARGUMENT', 'refresh applies to sticky links only (a recipientId and no props)', {
        details: { issues: [{ path: 'refresh', message: 'only for sticky links: leave props out, or leave refresh out' }] },
      });
    }
    const props = sticky ? {} : (deps.registry.validateProps(template, req.props ?? {}) as Record<string, unknown>);
    for (const channel of req.channels) deps.profiles(template, channel); // unknown channel: fails before anything is stored
    const ttl = req.ttl ?? options.defaultTtlSeconds ?? 30 * 86_400;
    // Deterministic links expire up to an hour late (rounded up): what they point to must outlive them.
    const keepTtl = deterministic ? ttl + DETERMINISTIC_EXPIRY_STEP_S : ttl;
    const refresh = req.refresh === 'on-update' || req.refresh === 'never' ? { refresh: req.refresh } : {};
    const common = {
      templateId: template.id,
      ...(req.campaignId ? { campaignId: req.campaignId } : {}),
      ...(req.recipientId ? { recipientId: req.recipientId } : {}),
      ...refresh,
    };

    let propsRef: string | undefined;
    const seal = async (channel: string): Promise<string> => {
      if (sticky) return sealLiveToken(deps.keyring, { ...common, channel }, { ttlSeconds: ttl, maxLength: options.maxTokenLength, deterministic });
      if (!propsRef && !req.storeProps) {
        try {
          return sealLiveToken(deps.keyring, { ...common, channel, props }, { ttlSeconds: ttl, maxLength: options.maxTokenLength, deterministic });
        } catch (err) {
          if (!isAppError(err, 'PAYLOAD_TOO_LARGE')) throw err;
        }
      }
      propsRef ??= await deps.storedProps.put(props, {
        ttlSeconds: keepTtl,
        contentAddressed: deterministic,
        ...(req.recipientId ? { recipientId: req.recipientId } : {}),
      });
      return sealLiveToken(deps.keyring, { ...common, channel, propsRef }, { ttlSeconds: ttl, maxLength: options.maxTokenLength, deterministic });
    };

    const links: CreatedLiveLink[] = [];
    const renderKeys = new Set<string>();
    const deliverableKeys = new Set<string>();
    for (const channel of req.channels) {
      const token = await seal(channel);
      let exp: number;
      if (sticky) {
        // A sticky link's props (and keys) exist only at open; opening it now would refuse a profile pushed later.
        exp = openLiveToken(deps.keyring, token, { maxLength: options.maxTokenLength }).exp;
      } else {
        const link = await resolver.open(token);
        exp = link.payload.exp;
        renderKeys.add(link.master.renderKey);
        for (const asset of LIVE_ASSETS) {
          const target = liveAssetTarget(link, asset);
          if (target.kind === 'deliverable') deliverableKeys.add(target.key);
        }
      }
      const url = `${base}/l/${token}`;
      const at = (asset: LiveAsset) => `${url}/${asset}`;
      links.push({
        channel,
        url,
        assets: { video: at('video.mp4'), poster: at('poster.jpg'), preview: at('preview.gif'), still: at('still.png') },
        expiresAt: new Date(exp * 1000).toISOString(),
      });
    }
    if (sticky && req.refresh === 'on-update') {
      // What a profile change re-renders (createStickyRefresher); lives as long as the links.
      const links = req.channels.map((channel) => ({ templateId: template.id, channel, ...(req.campaignId ? { campaignId: req.campaignId } : {}) }));
      await recordOnUpdateLinks(deps.redis, req.recipientId!, links, keepTtl);
    }
    if (req.recipientId !== undefined && !sticky) {
      await recordSubject(deps.redis, req.recipientId, { renderKeys: [...renderKeys], deliverableKeys: [...deliverableKeys] }, { ttlSeconds: keepTtl });
    }
    return { links };
  };
}
