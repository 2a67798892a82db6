import type { Redis } from 'ioredis';
import type { RenderOutputIndex, RenderRegistry, Renders, DeliverableRequests } from '../renders/index.js';
import type { RenderJobOptions } from '../queue/index.js';
import type { ObjectStore } from '../storage/index.js';
import type { TemplateRegistry } from '../templates/index.js';
import type { ChannelProfileResolver } from '../encode/index.js';
import type { RecipientSource } from '../recipients/index.js';
import type { OnCampaignCompleted } from './campaign-completed-event.js';
import type { FanOutDeliveries } from './fan-out.js';

export interface CampaignServiceDeps {
  /** Campaign state lives here (counters, manifest, errors); any ioredis client on the farm's Redis. */
  redis: Redis;
  /** The render lifecycle (createRenders on the render queue); campaigns never reach BullMQ themselves. */
  renders: Pick<Renders, 'queueNew'>;
  registry: RenderRegistry & Pick<TemplateRegistry, 'jsonSchema'>;
  /** With `restore`, an expired done record is found in the store (done-record retention). */
  index: Pick<RenderOutputIndex, 'get' | 'restore'>;
  /** Outputs are checked here; uploads and manifest parts are stored here (put) and read back (get). */
  store: Pick<ObjectStore, 'head' | 'put' | 'get' | 'delete'>;
  /**
   * Hands a stored campaign to the durable fan-out (src/campaigns createFanOutQueue): a job
   * any API process may run, resumed after a crash. Without it, `accept` runs it in this process.
   */
  scheduleFanOut?: (campaignId: string) => Promise<void>;
  /** Told when a campaign turns `done` in this process (the API hands it to the webhook dispatcher: `campaign.completed`). */
  onCompleted?: OnCampaignCompleted;
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
  /** Where sticky campaigns read profiles (the profile store or the CRM connector); without it (or `live`), `links: sticky` is refused. */
  recipients?: RecipientSource;
}

/** What lazy and sticky campaigns need from the Live-link domain. */
export interface LazyCampaignLinks {
  /** Stores one recipient's validated props (recorded for erasure); returns their id. */
  storeProps(props: Record<string, unknown>, recipientId: string): Promise<string>;
  /** The Live link URL of one recipient on one channel: with `propsRef` a sealed-props link, without it a sticky one. */
  linkUrl(input: { templateId: string; channel: string; propsRef?: string; campaignId: string; recipientId: string; refresh?: 'on-update' | 'never' }): string;
  /**
   * Sticky `on-update` campaigns: records a recipient's links (per channel; `cut` when the
   * campaign prerendered deliverables) so that a profile change re-renders and re-cuts them.
   */
  rememberOnUpdate?(recipientId: string, links: readonly { templateId: string; channel: string; campaignId: string; cut: boolean }[]): Promise<void>;
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
  /**
   * Render jobs one campaign keeps queued at most (CAMPAIGN_WINDOW) when its fan-out runs as a job
   * (`runFanOut(id, { windowed: true })`). Default 10,000. The in-process `create` is not windowed:
   * it returns once the whole file is queued.
   */
  window?: number;
  /** How often a full window is looked at again. Default 250 ms. */
  windowPollMs?: number;
}
