import type { Readable } from 'node:stream';
import { z } from 'zod';
import { TEMPLATE_ID_PATTERN } from '../templates/index.js';
import type { UploadFormat } from '../uploads/index.js';

/** Recipients file formats. */
export type RecipientsFormat = UploadFormat;

/** Campaign modes: `prerender` renders every master and deliverable now; `lazy` makes Live links that render on first open; `email-assets` is not built yet. */
export const campaignModeSchema = z.enum(['prerender', 'lazy', 'email-assets']);

/** What a campaign's links carry: the row's props (`sealed`), or the recipient whose profile gives them (`sticky`). */
export const campaignLinksSchema = z.enum(['sealed', 'sticky']);

/** How a sticky campaign's links follow a profile change (the same modes as POST /v1/live-links). */
export const campaignRefreshSchema = z.enum(['on-open', 'on-update', 'never']);

/** The parameters of a new campaign, whatever carries them (query string, JSON body, CLI flags). */
export const campaignParamsSchema = z.object({
  templateId: z.string().regex(TEMPLATE_ID_PATTERN, 'expected a template id'),
  /** A list, or one comma-separated string (query strings, CLI flags). */
  channels: z.union([z.array(z.string().max(32)).max(16), z.string().max(200)]).transform((value) =>
    (Array.isArray(value) ? value : value.split(',')).map((c) => c.trim()).filter(Boolean),
  ),
  mode: campaignModeSchema.default('prerender'),
  variant: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'expected a variant name').optional(),
  /**
   * `sealed` (default): each row's props are the campaign's (sealed in lazy links, rendered in
   * prerender). `sticky`: rows name recipients with profiles; links name the recipient and every
   * open shows the current profile version (docs/data-spine.md).
   */
  links: campaignLinksSchema.default('sealed'),
  /** Sticky links only: how they follow the profile. Default `on-open`. */
  refresh: campaignRefreshSchema.optional(),
});

export type CampaignParams = z.output<typeof campaignParamsSchema>;

/** Input of CampaignService.create. */
export interface CreateCampaignInput {
  templateId: string;
  channels: readonly string[];
  mode: z.infer<typeof campaignModeSchema>;
  /** Renders every channel in this variant instead of the channel table's. */
  variant?: string;
  /** Default `sealed`. */
  links?: z.infer<typeof campaignLinksSchema>;
  /** Sticky campaigns only; default `on-open`. */
  refresh?: z.infer<typeof campaignRefreshSchema>;
  /** The recipients file, streamed: it is never read whole. */
  recipients: Readable;
  format: RecipientsFormat;
}

/** Where a campaign stands. */
export type CampaignState = 'ingesting' | 'rendering' | 'done' | 'failed';

export interface CampaignCounts {
  /** Data records read (valid + invalid, always: every record of the file is one or the other). */
  total: number;
  valid: number;
  invalid: number;
  /** Warnings about accepted content (NUL bytes, invalid UTF-8, duplicate columns); not rows. */
  warnings: number;
  /** Records (valid + invalid) the fan-out has passed so far: `total` once it ended. */
  fannedOut: number;
  /** Distinct renders the valid rows need (duplicates and shared variants render once). */
  renders: number;
  /** Renders handed to the queue (added, or joined to a job already queued by someone else). */
  queued: number;
  /** Renders that were already done before the campaign (counted in `rendered` too). */
  cached: number;
  /** Distinct renders with an output. */
  rendered: number;
  /** Distinct renders that failed for good. */
  failed: number;
}

export interface CampaignStatus {
  id: string;
  templateId: string;
  templateVersion: string;
  mode: string;
  channels: string[];
  /** The variant each channel renders, same order as `channels`. */
  channelVariants: string[];
  /** `sealed` or `sticky`. */
  links: string;
  /** Sticky campaigns: `on-open`, `on-update` or `never`. */
  refresh?: string;
  state: CampaignState;
  counts: CampaignCounts;
  /** Share of the renders with an outcome (rendered or failed), 0..1. */
  progress: number;
  /** Seconds left at the rate renders have finished so far; absent until one has. */
  etaSeconds?: number;
  createdAt: string;
  ingestedAt?: string;
  finishedAt?: string;
  /** Error code when ingestion stopped (state `failed`). */
  error?: string;
  /** What stopped it, e.g. the line of a quote that is never closed (no personal data). */
  errorMessage?: string;
  /** Reports (invalid rows and warnings) not stored (over the cap); they are still counted. */
  errorsDropped: number;
  /**
   * Per channel, its deliverables (poster, GIF, MP4...): wanted (`queued`), `cut`, `failed`.
   * Present when the campaign makes deliverables; it is `done` only once every one is cut or failed.
   */
  deliverables?: Record<string, DeliverableCounts>;
}

export interface DeliverableCounts {
  queued: number;
  cut: number;
  failed: number;
}
