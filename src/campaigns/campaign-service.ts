import type { Redis } from 'ioredis';
import { PassThrough, type Readable } from 'node:stream';
import { AppError, isAppError } from '../errors/index.js';
import { type RenderOutputIndex, type RenderRegistry, type Renders, createDeliverablePlan, type DeliverablePlan, type DeliverableRequests } from '../renders/index.js';
import type { RenderJobOptions } from '../queue/index.js';
import type { ObjectStore } from '../storage/index.js';
import type { TemplateRegistry } from '../templates/index.js';
import { assertCampaignId, newCampaignId } from './campaign-id.js';
import { allCampaignKeys, campaignKeys } from './campaign-keys.js';
import type { CampaignStatus, CreateCampaignInput, RecipientsFormat } from './campaign.schema.js';
import { recipientsObjectKey } from './recipients-object-key.js';
import type { OnCampaignCompleted } from './campaign-completed-event.js';
import { planChannels, type ChannelPlan } from './channel-variants.js';
import type { Template } from '../composition/index.js';
import type { ChannelProfileResolver } from '../encode/index.js';
import { fanOut, recordUpload, type CampaignReport, type FanOutDeliveries, type FanOutDeps, type FanOutPlan } from './fan-out.js';
import { manifestStream, type ManifestFormat } from './manifest-stream.js';
import { markDoneIfComplete, readCampaignMeta, settleForeignKeys, toCampaignStatus } from './read-campaign-status.js';
import type { JsonSchemaNode } from './recipient-row.js';
import type { StickyRowProps } from './scan-chunks.js';
import { stickyProps } from '../recipients/index.js';
import type { CampaignServiceDeps, CampaignServiceOptions } from './campaign-service-deps.js';

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

/** Why a sticky row of a recipient without a profile is not rendered. */
const STICKY_NO_PROFILE = 'recipient has no profile: PUT /v1/recipients/<recipientId> first (a sticky campaign never renders defaults)';

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

/** `links` and `refresh` checked before anything is stored: each problem a 400 that names it. */
function checkLinks(template: Template, input: CreateCampaignInput, stickyAvailable: boolean): void {
  const refuse = (path: string, message: string) => {
    throw new AppError('INVALID_ARGUMENT', `${path}: ${message}`, { details: { issues: [{ path, message }] } });
  };
  if (input.links !== 'sticky') {
    if (input.refresh !== undefined) refuse('refresh', 'applies to sticky links only: add links=sticky, or leave refresh out');
    return;
  }
  if (!stickyAvailable) refuse('links', 'sticky links are not available here (no Live links or recipient profiles); use links=sealed');
  if (!template.profileMapping) refuse('links', `template "${template.id}" declares no profileMapping, so it cannot make sticky links; use links=sealed`);
}

/**
 * Campaigns: fan-out of a recipients file into renders, then counters,
 * invalid rows in Redis and manifest parts in the object store, so any API or
 * CLI process can answer for any campaign.
 */
export function createCampaignService(deps: CampaignServiceDeps, options: CampaignServiceOptions = {}) {
  const limits = {
    chunkSize: options.chunkSize ?? 500,
    maxRecordBytes: options.maxRecordBytes ?? 64 * 1024,
    maxStoredErrors: options.maxStoredErrors ?? 100_000,
    ttlSeconds: options.retentionSeconds ?? 30 * 86_400,
  };
  const outputBaseUrl = (options.outputBaseUrl ?? '').replace(/\/+$/, '');
  
  /** What the fan-out of a stored campaign needs, rebuilt from its meta hash by whichever process runs it. */
  async function planOf(id: string, meta: Record<string, string>, recipients: Readable): Promise<{ deps: FanOutDeps; plan: FanOutPlan }> {
    const lazy = meta.mode === 'lazy';
    const template = deps.registry.get(meta.templateId!);
    const plan = planChannels(template, (meta.channels ?? '').split(','), meta.variant || undefined, deps.profiles);
    const withDeliverables = meta.deliverables === '1';
    const sticky = meta.links === 'sticky';
    const onUpdate = sticky && meta.refresh === 'on-update';
    return {
      deps: {
        ...deps,
        ...(lazy ? { storeProps: deps.live!.storeProps } : {}),
        ...(sticky ? { stickyProps: (ids: readonly string[]) => readStickyProps(template, ids) } : {}),
        ...(onUpdate
          ? {
              rememberOnUpdate: async (ids: readonly string[]) => {
                const links = plan.channels.map((channel) => ({ templateId: template.id, channel, campaignId: id, cut: withDeliverables }));
                await Promise.all(ids.map((recipientId) => deps.live!.rememberOnUpdate!(recipientId, links)));
              },
            }
          : {}),
      },
      plan: {
        lazy,
        ...(sticky ? { sticky: { onUpdate } } : {}),
        campaignId: id,
        templateId: template.id,
        variants: plan.variants,
        ...(withDeliverables ? { deliverablePlans: deliverablePlans(template, plan), channelSpecs: plan.profiles!.map((profile) => profile.deliverables) } : {}),
        jsonSchema: deps.registry.jsonSchema(template) as JsonSchemaNode,
        recipients,
        format: meta.format as RecipientsFormat,
        channels: { names: plan.channels, variantIndex: plan.variantIndex },
      },
    };
  }

  /**
   * Sticky rows' props: each recipient's current profile through the template's mapping. No
   * profile, or one that lacks a mapped field, makes the row invalid (reported with its line):
   * a sticky campaign never renders a recipient with the template's defaults. A source that
   * cannot answer (CRM down) fails the pass, as any other Redis or store error does.
   */
  async function readStickyProps(template: Template, ids: readonly string[]): Promise<StickyRowProps[]> {
    const snapshots = await Promise.all(ids.map((recipientId) => deps.recipients!.current(recipientId)));
    return snapshots.map((snapshot): StickyRowProps => {
      try {
        return { ok: true, props: stickyProps(template, snapshot) };
      } catch (err) {
        if (isAppError(err, 'RECIPIENT_PROFILE_MISSING')) return { ok: false, reason: STICKY_NO_PROFILE };
        if (!isAppError(err, 'PROFILE_INCOMPLETE') && !isAppError(err, 'INVALID_PROPS')) throw err;
        const issues = Array.isArray(err.details.issues) ? (err.details.issues as { path: string; message: string }[]) : [];
        return { ok: false, reason: 'profile incomplete: it lacks fields the template maps', issues: issues.map(({ path, message }) => ({ path, message })) };
      }
    });
  }

  /** Marks a campaign failed with the error's code (and its message when it names a line: no personal data). */
  async function markFailed(id: string, err: unknown): Promise<void> {
    const code = isAppError(err) ? err.code : 'INTERNAL';
    const message = isAppError(err) && typeof err.details.line === 'number' ? { errorMessage: err.message } : {};
    await deps.redis.hset(campaignKeys(id).meta, { state: 'failed', error: code, ...message, ingestedAt: Date.now() }).catch(() => undefined);
  }

  /** Marks a complete campaign done; the one call that turns it done tells `onCompleted`. */
  async function completeIfDone(id: string): Promise<void> {
    if ((await markDoneIfComplete(deps.redis, id)) && deps.onCompleted) await deps.onCompleted(id).catch(() => undefined);
  }

  const service = {
    /**
     * Accepts a campaign: checks template, mode and channels before anything
     * is stored, then streams the recipients into the object store (one
     * atomic put: a cut upload leaves no file) while every record is counted
     * valid or invalid (GET /errors answers as soon as this returns), and
     * hands the stored file to the fan-out (`scheduleFanOut`, a durable job;
     * without it, this process runs it in the background). Resolves with the
     * status once the file is stored, state `ingesting`. If reading the file
     * fails part way (upload cut, size cap), the campaign is kept as `failed`
     * with the rows counted so far, nothing queued, and the error is thrown.
     */
    async accept(input: CreateCampaignInput & { onCreated?: (id: string) => void }, run: 'schedule' | 'none' = 'schedule'): Promise<CampaignStatus> {
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
      const sticky = input.links === 'sticky';
      checkLinks(template, input, Boolean(deps.live?.rememberOnUpdate && deps.recipients));
      const plan = planChannels(template, input.channels, input.variant, deps.profiles);
      const withDeliverables = Boolean(deps.deliverables && plan.profiles) && !lazy;
      const bundle = await deps.registry.bundle(template.id);
      const id = newCampaignId();
      const keys = campaignKeys(id);
      const source = recipientsObjectKey(id, input.format);
      await deps.redis
        .multi()
        .hset(keys.meta, {
          templateId: template.id,
          templateVersion: bundle.version,
          mode: input.mode,
          channels: plan.channels.join(','),
          channelVariants: plan.variantIndex.map((i) => plan.variants[i]).join(','),
          variantIndex: plan.variantIndex.join(','),
          variant: input.variant ?? '',
          links: sticky ? 'sticky' : 'sealed',
          refresh: sticky ? (input.refresh ?? 'on-open') : '',
          deliverables: withDeliverables ? '1' : '0',
          format: input.format,
          source,
          state: 'ingesting',
          createdAt: Date.now(),
        })
        .expire(keys.meta, limits.ttlSeconds)
        .exec();
      input.onCreated?.(id);
      const meta = await readCampaignMeta(deps.redis, id);
      // One read of the upload, two readers: the store and the row check. pipe() paces the
      // source to the slower one; a failure of either stops both (neither waits on the other).
      const toStore = new PassThrough();
      const toCheck = new PassThrough();
      input.recipients.pipe(toStore);
      input.recipients.pipe(toCheck);
      const stop = (err: unknown) => {
        input.recipients.unpipe();
        toStore.destroy(err as Error);
        toCheck.destroy(err as Error);
      };
      input.recipients.once('error', stop);
      // Each consumer sees the error through its own read; these only keep it from being "unhandled".
      for (const branch of [toStore, toCheck]) branch.on('error', () => undefined);
      // The upload may have failed while the campaign was being written (a cap hit, a cut connection).
      if (input.recipients.errored) stop(input.recipients.errored);
      else if (input.recipients.destroyed) stop(new AppError('INVALID_ARGUMENT', 'the recipients upload ended early'));
      try {
        const { deps: scanDeps, plan: scanPlan } = await planOf(id, meta, toCheck);
        await Promise.all([
          deps.store.put(source, toStore, { contentType: input.format === 'csv' ? 'text/csv' : 'application/x-ndjson' }).catch((err: unknown) => {
            stop(err);
            throw err;
          }),
          recordUpload(scanDeps, scanPlan, limits).catch((err: unknown) => {
            stop(err);
            throw err;
          }),
        ]);
      } catch (err) {
        await markFailed(id, err);
        // The file holds personal data and will never be fanned out.
        await deps.store.delete(source).catch(() => undefined);
        throw err;
      }
      await deps.redis.hset(keys.meta, { uploadedAt: Date.now() });
      if (run === 'schedule') {
        if (deps.scheduleFanOut) await deps.scheduleFanOut(id);
        else void service.runFanOut(id, { windowed: true }).catch(() => undefined);
      }
      return service.status(id);
    },

    /**
     * The fan-out of a stored campaign, from its checkpoint: what the durable
     * fan-out job runs (and runs again after a crash). Does nothing for a
     * campaign whose fan-out already ended. A stored file gone missing, or a
     * row the file cannot be read at, fails the campaign.
     */
    async runFanOut(id: string, run: { windowed?: boolean; signal?: AbortSignal } = {}): Promise<void> {
      assertCampaignId(id);
      const meta = await readCampaignMeta(deps.redis, id);
      if (meta.state !== 'ingesting' || !meta.uploadedAt) return;
      const object = await deps.store.get(meta.source!);
      if (!object) {
        const err = new AppError('NOT_FOUND', 'the stored recipients file is gone');
        await markFailed(id, err);
        throw err;
      }
      try {
        const { deps: fanDeps, plan } = await planOf(id, meta, object.body);
        const window = run.windowed
          ? { size: options.window ?? 10_000, pollMs: options.windowPollMs ?? 250, settle: async () => void (await settleForeignKeys(deps.redis, deps, id)) }
          : undefined;
        await fanOut(fanDeps, plan, limits, { chunk: Number(meta.fanOutChunk ?? 0), entries: Number(meta.fanOutEntries ?? 0) }, window, run.signal);
      } catch (err) {
        object.body.destroy();
        // A superseded runner leaves the campaign to the one ahead of it.
        if (!isAppError(err)) throw err;
        await markFailed(id, err);
        await deps.store.delete(meta.source!).catch(() => undefined);
        throw err;
      }
      await deps.redis.hset(campaignKeys(id).meta, { state: 'rendering', ingestedAt: Date.now() });
      // Every row is in the manifest now: the uploaded file (personal data) is not kept.
      await deps.store.delete(meta.source!).catch(() => undefined);
      await completeIfDone(id);
    },

    /**
     * Creates a campaign and fans its recipients out in this process;
     * resolves once the whole file is queued, with the status. Unwindowed:
     * for embedders and tests with small files; the API and the CLI run the
     * windowed fan-out (`accept` then `runFanOut`). Same checks and errors as `accept`.
     */
    async create(input: CreateCampaignInput & { onCreated?: (id: string) => void }): Promise<CampaignStatus> {
      const accepted = await service.accept(input, 'none');
      await service.runFanOut(accepted.id);
      return service.status(accepted.id);
    },

    /** Counts, progress and ETA. Also settles renders other producers owned (see settleForeignKeys). */
    async status(id: string): Promise<CampaignStatus> {
      assertCampaignId(id);
      let meta = await readCampaignMeta(deps.redis, id);
      if (meta.state === 'rendering' && (await settleForeignKeys(deps.redis, deps, id)) > 0) {
        await completeIfDone(id);
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
      const sticky = meta.links === 'sticky' ? deps.live : undefined;
      const refresh = meta.refresh === 'on-update' || meta.refresh === 'never' ? { refresh: meta.refresh as 'on-update' | 'never' } : {};
      const live = meta.mode === 'lazy' ? deps.live : undefined;
      return manifestStream(deps.redis, deps.store, id, format, {
        // Sticky links name the recipient (the row's render keys, if any, are what they open now).
        ...(sticky
          ? { link: (channel: string, _ref: string, recipientId: string) => sticky.linkUrl({ templateId: meta.templateId!, channel, campaignId: id, recipientId, ...refresh }) }
          : live
            ? { link: (channel: string, propsRef: string, recipientId: string) => live.linkUrl({ templateId: meta.templateId!, channel, propsRef, campaignId: id, recipientId }) }
            : {}),
        channels,
        variantIndex: (meta.variantIndex ?? '').split(',').map(Number),
        outputBaseUrl,
        ...(deps.erased ? { erased: deps.erased } : {}),
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
      // The per-chunk key hashes up to the checkpoint (most are gone already: deleted once settled).
      const chunks = Number((await deps.redis.hget(campaignKeys(id).meta, 'fanOutChunk')) ?? 0);
      return (await deps.redis.del(...allCampaignKeys(id, chunks))) > 0;
    },
  };
  return service;
}
