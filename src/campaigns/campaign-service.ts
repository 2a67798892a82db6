import type { Redis } from 'ioredis';
import type { Readable } from 'node:stream';
import { AppError, isAppError } from '../errors/index.js';
import { type RenderOutputIndex, type RenderRegistry, type Renders, createDeliverablePlan, type DeliverablePlan, type DeliverableRequests } from '../renders/index.js';
import type { RenderJobOptions } from '../queue/index.js';
import type { ObjectStore } from '../storage/index.js';
import type { TemplateRegistry } from '../templates/index.js';
import { assertCampaignId, newCampaignId } from './campaign-id.js';
import { allCampaignKeys, campaignKeys } from './campaign-keys.js';
import type { CampaignStatus, CreateCampaignInput } from './campaign.schema.js';
import { planChannels, type ChannelPlan } from './channel-variants.js';
import type { Template } from '../composition/index.js';
import type { ChannelProfileResolver } from '../encode/index.js';
import { fanOut, type CampaignReport, type FanOutDeliveries } from './fan-out.js';
import { manifestStream, type ManifestFormat } from './manifest-stream.js';
import { markDoneIfComplete, readCampaignMeta, settleForeignKeys, toCampaignStatus } from './read-campaign-status.js';
import type { JsonSchemaNode } from './recipient-row.js';

export interface CampaignServiceDeps {
  /** Campaign state lives here (counters, manifest, errors); any ioredis client on the farm's Redis. */
  redis: Redis;
  /** The render lifecycle (createRenders on the render queue); campaigns never reach BullMQ themselves. */
  renders: Pick<Renders, 'queueNew'>;
  registry: RenderRegistry & Pick<TemplateRegistry, 'jsonSchema'>;
  index: Pick<RenderOutputIndex, 'get'>;
  store: Pick<ObjectStore, 'head'>;
  /** The job options the queue was made with (createRenderQueue().jobOptions); default B's defaults. */
  jobOptions?: RenderJobOptions;
  /** Channel profiles (template + config overrides). With `deliverables`, each master's channel deliverables are made too. */
  profiles?: ChannelProfileResolver;
  /** The render -> transcode chain; without it a campaign makes masters only. */
  deliverables?: DeliverableRequests;
  /** Live links, for `lazy` campaigns (nothing rendered until a link is opened). */
  live?: LazyCampaignLinks;
  /** Engagement `delivered` events (src/engagement createDeliveryTracker); none recorded without it. */
  deliveries?: FanOutDeliveries;
  /** Which recipients were erased (src/live areErased): their rows are refused. Without it, none are checked. */
  erased?: (recipientIds: readonly string[]) => Promise<boolean[]>;
}

/** What lazy campaigns need from the Live-link domain. */
export interface LazyCampaignLinks {
  /** Stores one recipient's validated props (recorded for erasure); returns their id. */
  storeProps(props: Record<string, unknown>, recipientId: string): Promise<string>;
  /** The Live link URL of one recipient on one channel. */
  linkUrl(input: { templateId: string; channel: string; propsRef: string; campaignId: string; recipientId: string }): string;
}

export interface CampaignServiceOptions {
  /** Rows per addBulk chunk. Default 500. */
  chunkSize?: number;
  /** Largest CSV record or JSON line. Default 64 KiB. */
  maxRecordBytes?: number;
  /** Reports (invalid rows, warnings) kept per campaign (all are counted). Default 100,000. */
  maxStoredErrors?: number;
  /** Campaign data (manifest, errors, counters) expires after this. Default 30 days. */
  retentionSeconds?: number;
  /** Prefix of output URLs in manifests. Default '' (relative `/v1/outputs/<key>`). */
  outputBaseUrl?: string;
}

/** Per variant, the deliverables of every channel that renders it (shared specs once). */
function deliverablePlans(template: Template, plan: ChannelPlan): DeliverablePlan[] {
  return plan.variants.map((_, v) =>
    createDeliverablePlan({
      templateId: template.id,
      posterSeconds: template.posterFrame / template.fps,
      priorityClass: 'campaign',
      specs: plan.channels.flatMap((_, c) => (plan.variantIndex[c] === v ? plan.profiles![c]!.deliverables : [])),
    }),
  );
}

export interface CampaignErrorsPage {
  campaignId: string;
  /** Every invalid row, stored or not. */
  invalid: number;
  /** Every warning, stored or not. */
  warnings: number;
  offset: number;
  /** Invalid rows (`reason`) and warnings (`warning`), in file order. */
  errors: CampaignReport[];
}

export type CampaignService = ReturnType<typeof createCampaignService>;

/**
 * Campaigns: fan-out of a recipients file into renders, then counters,
 * manifest and invalid rows, all kept in Redis so any API or CLI process can
 * answer for any campaign.
 */
export function createCampaignService(deps: CampaignServiceDeps, options: CampaignServiceOptions = {}) {
  const limits = {
    chunkSize: options.chunkSize ?? 500,
    maxRecordBytes: options.maxRecordBytes ?? 64 * 1024,
    maxStoredErrors: options.maxStoredErrors ?? 100_000,
    ttlSeconds: options.retentionSeconds ?? 30 * 86_400,
  };
  const outputBaseUrl = (options.outputBaseUrl ?? '').replace(/\/+$/, '');
  const fanOutDeps = deps;

  return {
    /**
     * Creates a campaign and fans its recipients out; resolves once the whole
     * file is queued, with the status. Template, mode and channels are checked
     * before anything is stored. If reading the file fails part way (upload
     * cut, size cap), the campaign is kept as `failed` with what was queued,
     * and the error is thrown.
     */
    async create(input: CreateCampaignInput & { onCreated?: (id: string) => void }): Promise<CampaignStatus> {
      const lazy = input.mode === 'lazy';
      if (input.mode === 'email-assets' || (lazy && !deps.live)) {
        const available = deps.live ? '"prerender" or "lazy"' : '"prerender"';
        throw new AppError('INVALID_ARGUMENT', `Campaign mode "${input.mode}" is not available here; use ${available}.`, {
          details: { mode: input.mode, issues: [{ path: 'mode', message: `use ${available}` }] },
        });
      }
      if (input.format !== 'csv' && input.format !== 'jsonl') {
        throw new AppError('INVALID_ARGUMENT', 'Recipients must be CSV or JSON Lines.');
      }
      const template = deps.registry.get(input.templateId);
      const plan = planChannels(template, input.channels, input.variant, deps.profiles);
      const withDeliverables = Boolean(deps.deliverables && plan.profiles) && !lazy;
      const bundle = await deps.registry.bundle(template.id);
      const id = newCampaignId();
      const keys = campaignKeys(id);
      const createdAt = Date.now();
      await deps.redis
        .multi()
        .hset(keys.meta, {
          templateId: template.id,
          templateVersion: bundle.version,
          mode: input.mode,
          channels: plan.channels.join(','),
          channelVariants: plan.variantIndex.map((i) => plan.variants[i]).join(','),
          variantIndex: plan.variantIndex.join(','),
          deliverables: withDeliverables ? '1' : '0',
          state: 'ingesting',
          createdAt,
        })
        .expire(keys.meta, limits.ttlSeconds)
        .exec();
      input.onCreated?.(id);
      try {
        await fanOut(
          lazy ? { ...fanOutDeps, storeProps: deps.live!.storeProps } : fanOutDeps,
          {
            lazy,
            campaignId: id,
            templateId: template.id,
            variants: plan.variants,
            ...(withDeliverables ? { deliverablePlans: deliverablePlans(template, plan) } : {}),
            jsonSchema: deps.registry.jsonSchema(template) as JsonSchemaNode,
            recipients: input.recipients,
            format: input.format,
            channels: { names: plan.channels, variantIndex: plan.variantIndex },
          },
          limits,
        );
      } catch (err) {
        const code = isAppError(err) ? err.code : 'INTERNAL';
        // An upload that cannot be read names its line (no personal data): kept for `status`.
        const message = isAppError(err) && typeof err.details.line === 'number' ? { errorMessage: err.message } : {};
        await deps.redis.hset(keys.meta, { state: 'failed', error: code, ...message, ingestedAt: Date.now() }).catch(() => undefined);
        throw err;
      }
      await deps.redis.hset(keys.meta, { state: 'rendering', ingestedAt: Date.now() });
      await markDoneIfComplete(deps.redis, id);
      return this.status(id);
    },

    /** Counts, progress and ETA. Also settles renders other producers owned (see settleForeignKeys). */
    async status(id: string): Promise<CampaignStatus> {
      assertCampaignId(id);
      let meta = await readCampaignMeta(deps.redis, id);
      if (meta.state === 'rendering' && (await settleForeignKeys(deps.redis, deps.index, id)) > 0) {
        await markDoneIfComplete(deps.redis, id);
        meta = await readCampaignMeta(deps.redis, id);
      }
      return toCampaignStatus(id, meta);
    },

    /** The manifest (valid recipients in file order) as a stream; NOT_FOUND before any byte when unknown. */
    async manifest(id: string, format: ManifestFormat = 'csv'): Promise<Readable> {
      assertCampaignId(id);
      if (format !== 'csv' && format !== 'jsonl') throw new AppError('INVALID_ARGUMENT', 'format must be csv or jsonl');
      const meta = await readCampaignMeta(deps.redis, id);
      const channels = (meta.channels ?? '').split(',');
      const template = meta.deliverables === '1' && deps.profiles ? deps.registry.get(meta.templateId ?? '') : undefined;
      const live = meta.mode === 'lazy' ? deps.live : undefined;
      return manifestStream(deps.redis, id, format, {
        ...(live
          ? { link: (channel: string, propsRef: string, recipientId: string) => live.linkUrl({ templateId: meta.templateId!, channel, propsRef, campaignId: id, recipientId }) }
          : {}),
        channels,
        variantIndex: (meta.variantIndex ?? '').split(',').map(Number),
        outputBaseUrl,
        ...(template ? { deliverables: channels.map((channel) => deps.profiles!(template, channel).deliverables) } : {}),
      });
    },

    /** Invalid rows, in file order, a page at a time: line number, reason and field paths, never values. */
    async errors(id: string, page: { offset?: number; limit?: number } = {}): Promise<CampaignErrorsPage> {
      assertCampaignId(id);
      const meta = await readCampaignMeta(deps.redis, id);
      const offset = Math.max(0, Math.floor(page.offset ?? 0));
      const limit = Math.min(10_000, Math.max(1, Math.floor(page.limit ?? 1000)));
      const rows = await deps.redis.lrange(campaignKeys(id).errors, offset, offset + limit - 1);
      return {
        campaignId: id,
        invalid: Number(meta.invalid ?? 0),
        warnings: Number(meta.warnings ?? 0),
        offset,
        errors: rows.map((row) => JSON.parse(row) as CampaignReport),
      };
    },

    /** Removes everything stored about a campaign (not its outputs, which other campaigns may share). */
    async delete(id: string): Promise<boolean> {
      assertCampaignId(id);
      return (await deps.redis.del(...allCampaignKeys(id))) > 0;
    },
  };
}
