import os from 'node:os';
import { z } from 'zod';
import { DEFAULT_SCANNER_CIDRS, describeBadCidr } from './cidr.js';
import { parseRedisUrl } from './redis-url.js';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
const list = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean));
/** Comma-separated CIDRs, each checked; `none` is the empty list. */
const cidrList = list.transform((cidrs) => (cidrs.length === 1 && cidrs[0] === 'none' ? [] : cidrs)).superRefine((cidrs, ctx) => {
  for (const cidr of cidrs) {
    const why = describeBadCidr(cidr);
    if (why) ctx.addIssue({ code: 'custom', message: `"${cidr}": ${why}` });
  }
});

/**
 * Every setting mastercut reads from the environment, with its default.
 * `.env.example` documents the same names; keep them in step.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  // Paths
  MASTERCUT_CACHE_DIR: z.string().default('.cache'),
  MASTERCUT_OUT_DIR: z.string().default('out'),

  // Binaries (empty: found on PATH)
  MASTERCUT_CHROMIUM_PATH: z.string().optional(),
  MASTERCUT_FFMPEG_PATH: z.string().optional(),
  MASTERCUT_FFPROBE_PATH: z.string().optional(),

  // Renderer
  RENDER_POOL_SIZE: int(1, 64).default(Math.max(1, os.availableParallelism())),
  RENDER_RECYCLE_AFTER: int(1, 100_000).default(100),
  RENDER_BROWSER_MEMORY_MB: int(128, 65_536).default(1536),
  RENDER_JPEG_QUALITY: int(1, 100).default(90),
  RENDER_FRAME_TIMEOUT_MS: int(100, 600_000).default(30_000),
  RENDER_TIMEOUT_MS: int(1_000, 86_400_000).default(15 * 60_000),
  RENDER_DELAY_TIMEOUT_MS: int(100, 600_000).default(20_000),
  RENDER_CHUNK_FRAMES: int(1, 1_000).default(10),
  /** Split renders (docs/split-render.md): a video of at least this many frames is cut into chunks. */
  RENDER_SPLIT_MIN_FRAMES: int(2, 10_000_000).default(240),
  /**
   * The most chunks one split render is cut into; 1 (the default) never
   * splits. A master is cut into one chunk per render slot free for it (its
   * own, plus the idle slots of the live render workers: heartbeats less
   * active jobs), at most this many, and only while no other render waits.
   * Off by default: slots are not cores (two slots of one worker share its
   * CPU), and a split output is not byte-identical to a whole one
   * (docs/split-render.md, "When").
   */
  RENDER_SPLIT_CHUNKS: int(1, 256).default(1),
  /**
   * A split Live master that streams waits in its slot this long for each
   * next chunk; a later chunk parks the master (its stream ends with PARKED,
   * and it joins once its chunks are done). Long enough for one chunk's render
   * on a loaded worker; shorter frees the slot sooner from a lost chunk.
   */
  RENDER_SPLIT_STREAM_WAIT_MS: int(1_000, 3_600_000).default(60_000),
  /**
   * A Live render that has waited this long with every slot of a render
   * worker busy makes that worker put one campaign render back in the queue
   * (not failed, not counted as an attempt) and take the Live render. 0 never does.
   */
  RENDER_LIVE_PREEMPT_AFTER_MS: int(0, 600_000).default(1000),
  /** auto: Chromium's own sandbox when not root and a sandboxed trial launch works; on (a failed trial stops the start); off (--no-sandbox). */
  RENDER_CHROMIUM_SANDBOX: z.enum(['auto', 'on', 'off']).default('auto'),

  // Encoder
  ENCODE_CRF: int(0, 51).default(20),
  ENCODE_PRESET: z
    .enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'])
    .default('veryfast'),

  // <Video> footage (src/footage)
  /** Memory for decoded <Video> frames per render worker process (LRU); 0 keeps none. */
  VIDEO_FRAME_CACHE_MB: int(0, 65_536).default(256),

  // Template studio (`mastercut studio`, src/studio)
  /** A farm's API, e.g. https://farm.example.com: enables "copy Live URL" in the studio. */
  STUDIO_FARM_URL: z.string().url().optional(),
  /** An API key of that farm (one of its API_KEYS). */
  STUDIO_FARM_API_KEY: z.string().min(1).optional(),

  // Remote assets named in props
  REMOTE_ASSET_MAX_BYTES: int(1024, 512 * 1024 * 1024).default(10 * 1024 * 1024),
  REMOTE_ASSET_TIMEOUT_MS: int(100, 120_000).default(10_000),
  /** Tests only: lets remote assets come from loopback/private addresses. */
  REMOTE_ASSET_ALLOW_PRIVATE: bool.default(false),

  // Farm (queue, API, storage)
  /** redis://host:port for one server, redis-cluster://host:port?seeds=host:port,... for a Redis Cluster (docs/redis-cluster.md). */
  REDIS_URL: z
    .string()
    .superRefine((url, ctx) => {
      const target = parseRedisUrl(url);
      if (typeof target === 'string') ctx.addIssue({ code: 'custom', message: target });
    })
    .optional(),
  API_PORT: int(0, 65_535).default(8080),
  API_KEYS: list.default([]),
  STORAGE_ROOT: z.string().default('out/storage'),
  /** fs: files under STORAGE_ROOT (one machine or a shared volume); s3: a bucket (any S3-compatible server). */
  STORAGE_DRIVER: z.enum(['fs', 's3']).default('fs'),
  /** fs only: least recently used outputs are evicted above this many bytes (0: no budget). */
  STORAGE_MAX_BYTES: z.coerce.number().int().min(0).default(0),
  /** fs only: personalized outputs are deleted this many days after they were stored (0: never). On S3 use a bucket lifecycle rule. */
  OUTPUT_TTL_DAYS: int(0, 3_650).default(30),
  /** How often the API sweeps the fs store (budget, TTL, stale temp files). */
  STORAGE_SWEEP_INTERVAL_S: int(10, 86_400).default(600),
  S3_BUCKET: z.string().optional(),
  S3_PREFIX: z.string().optional(),
  S3_REGION: z.string().optional(),
  /** An S3-compatible server, e.g. http://127.0.0.1:9000 (MinIO); unset for AWS. */
  S3_ENDPOINT: z.string().url().optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),
  /** stream: the API streams objects; redirect: it answers 302 to a presigned URL. */
  S3_SERVE: z.enum(['stream', 'redirect']).default('stream'),
  S3_PRESIGN_TTL_S: int(1, 604_800).default(300),
  /** Prefix of output URLs in manifests, e.g. https://farm.example.com (default: relative URLs). */
  PUBLIC_BASE_URL: z.string().url().optional(),

  // Render workers and jobs
  WORKER_CONCURRENCY: int(1, 64).default(1),
  WORKER_SHUTDOWN_GRACE_MS: int(0, 3_600_000).default(30_000),
  WORKER_LOCK_DURATION_MS: int(1_000, 600_000).default(30_000),
  WORKER_STALLED_INTERVAL_MS: int(1_000, 600_000).default(30_000),
  /** What a worker does when Redis may evict keys (BullMQ then loses jobs). */
  REDIS_EVICTION_CHECK: z.enum(['warn', 'refuse']).default('refuse'),
  /** Operations port of every process (/metrics, /healthz, /readyz), apart from API_PORT; 0 picks a free one (logged). */
  METRICS_PORT: int(0, 65_535).default(9464),
  METRICS_HOST: z.string().default('0.0.0.0'),
  JOB_ATTEMPTS: int(1, 100).default(3),
  JOB_BACKOFF_MS: int(0, 3_600_000).default(2_000),
  /** Finished jobs carry props (personal data): they are removed after these ages. */
  JOB_KEEP_COMPLETED_S: int(0, 30 * 86_400).default(3_600),
  /**
   * At most this many completed jobs stay (the newest), whatever their age (0: no cap). By age alone they
   * grow as render rate x JOB_KEEP_COMPLETED_S (~1.2 KB each), so the cap keeps Redis bounded at any rate.
   */
  JOB_KEEP_COMPLETED_COUNT: int(0, 10_000_000).default(10_000),
  JOB_KEEP_FAILED_S: int(0, 30 * 86_400).default(86_400),
  /**
   * A `done` output index record expires this long after it turned done (0: never). The object store is the
   * durable index (a miss looks there and re-creates the record), so Redis holds only recent outputs:
   * render rate x this x ~360 B. 15 min keeps 116 renders/s (10M a day) at ~38 MB of records, ~150 MB with
   * deliverables, beside a 100,000-job window (docs/capacity.md section 3).
   */
  OUTPUT_INDEX_DONE_TTL_S: int(0, 365 * 86_400).default(900),

  // Live URLs
  /** `id:base64(32 bytes),...`; the first seals new links, the others still open them while keys rotate. */
  LIVE_KEYS: z.string().optional(),
  /** Key ids refused even while still listed (a leaked key). */
  LIVE_RETIRED_KEY_IDS: z.string().optional(),
  LIVE_TOKEN_MAX_LENGTH: int(256, 8_192).default(2_048),
  /** Default lifetime of a link (and of its stored props). */
  LIVE_LINK_TTL_S: int(60, 400 * 86_400).default(30 * 86_400),
  /** Cold renders (cache misses that start a render) per client IP and per link, per window. */
  COLD_RENDER_LIMIT_PER_CLIENT: int(1, 1_000_000).default(30),
  COLD_RENDER_LIMIT_PER_LINK: int(1, 1_000_000).default(10),
  COLD_RENDER_WINDOW_S: int(1, 86_400).default(60),
  /** Longest a cold asset request waits for its render before 503 + Retry-After. */
  LIVE_WAIT_TIMEOUT_MS: int(1_000, 600_000).default(60_000),

  // Send-time minting (GET /v1/live-links/mint, docs/send-time-minting.md)
  /** Keys that can only mint links (an ESP holds one), comma separated; each differs from every API and admin key. Empty: minting is off. */
  MINT_KEYS: list.default([]).superRefine((keys, ctx) => {
    keys.forEach((key, i) => {
      if (key.length < 24) ctx.addIssue({ code: 'custom', message: `entry ${i + 1} is shorter than 24 characters (use e.g. \`openssl rand -base64 32\`)` });
    });
  }),
  /** Mints per second per mint key, in each API process (a token bucket in memory, not shared). */
  MINT_RATE_LIMIT_PER_S: int(1, 10_000_000).default(2_000),
  /** Mints a key may make at once above the rate, in each API process. */
  MINT_RATE_BURST: int(1, 100_000_000).default(10_000),

  // Transcode workers (channel deliverables)
  /** auto: probe NVENC/NVDEC/VAAPI at start; cpu, nvidia or vaapi force one path. */
  TRANSCODE_ENCODERS: z.enum(['auto', 'cpu', 'nvidia', 'vaapi']).default('auto'),
  TRANSCODE_VAAPI_DEVICE: z.string().optional(),
  TRANSCODE_GPU_CONCURRENCY: int(0, 64).default(2),
  TRANSCODE_CPU_CONCURRENCY: int(0, 64).default(1),
  /** NVENC sessions the card allows at once (consumer GeForce cards cap them). */
  TRANSCODE_NVENC_SESSIONS: int(1, 1_000).default(8),
  /** Adds a VP9 WebM twin to every MP4 deliverable. */
  TRANSCODE_WEBM: bool.default(false),
  /** JSON overrides of the channel profiles, e.g. {"sms":{"deliverables":[...]}}. */
  CHANNEL_PROFILES_JSON: z.string().optional(),

  // Campaign dashboard (/dashboard, src/engagement/dashboard)
  /** HMAC key of dashboard session cookies; unset: random per process (sessions end at restart, and differ between replicas). */
  DASHBOARD_SESSION_SECRET: z.string().min(32, { message: 'at least 32 characters, e.g. `openssl rand -base64 32`' }).optional(),
  DASHBOARD_SESSION_TTL_S: int(60, 30 * 86_400).default(8 * 3_600),
  /** How often an open dashboard refreshes while its campaign renders. */
  DASHBOARD_REFRESH_MS: int(1_000, 600_000).default(5_000),

  // Engagement events (POST /v1/events, src/engagement)
  /** Approximate length cap of the events stream ({mastercut}:events, XADD MAXLEN ~). */
  EVENTS_STREAM_MAXLEN: int(1_000, 1_000_000_000).default(1_000_000),
  /** How long an event id is remembered, so a re-sent event counts once. */
  EVENTS_DEDUPE_TTL_S: int(60, 365 * 86_400).default(7 * 86_400),
  /** A campaign's engagement aggregates expire this many days after its last event. */
  EVENTS_RETENTION_DAYS: int(1, 3_650).default(90),
  /** Largest POST /v1/events body. */
  EVENTS_MAX_BODY_BYTES: int(1_024, 16 * 1024 * 1024).default(64 * 1024),
  /** Events per client IP per minute on the keyless (browser beacon) path. */
  EVENTS_RATE_LIMIT_PER_MIN: int(1, 1_000_000).default(600),
  /** An open or click sooner than this after a delivery of its channel is a link scanner (bot). */
  EVENTS_BOT_MIN_DELAY_MS: int(0, 3_600_000).default(2_000),
  /** An event stamped more than this ahead of the server clock is refused. */
  EVENTS_MAX_CLOCK_SKEW_S: int(0, 86_400).default(300),
  /** Address ranges of link scanners (CIDR, comma separated): their events are bots. Default: Google's crawler and Microsoft Exchange Online Protection; none: no range. */
  EVENTS_SCANNER_CIDRS: cidrList.default([...DEFAULT_SCANNER_CIDRS]),
  /** Address ranges of mail privacy proxies (CIDR, comma separated): their opens are machine-likely. */
  EVENTS_PROXY_CIDRS: cidrList.default([]),

  // Conversions and LTV (src/engagement)
  /** Conversions within this many days after a recipient's first engagement are attributed; LTV counts this long after the first touch. */
  CONVERSION_WINDOW_DAYS: int(1, 365).default(30),
  /** Query parameter the CTA redirect adds to the brand's URL (the pixel's click reference); "none" adds nothing. */
  CONVERSION_CLICK_PARAM: z.string().regex(/^([A-Za-z_][A-Za-z0-9_-]{0,31})$/, { message: 'a query parameter name such as mc_click, or none' }).default('mc_click'),
  /** Conversions browsers (pixel, beacon) may report per campaign recipient; the API-key path has no cap. */
  CONVERSION_BROWSER_MAX_PER_RECIPIENT: int(1, 100_000).default(20),
  /** Largest order import (POST /v1/conversions/import). */
  CONVERSION_IMPORT_MAX_BYTES: int(1_024, 16 * 1024 ** 3).default(256 * 1024 * 1024),
  /** An LTV cohort with fewer recipients is flagged not significant (no interval). */
  LTV_MIN_RECIPIENTS: int(2, 10_000_000).default(100),
  /** An LTV cohort with fewer converters (per currency) is flagged not significant. */
  LTV_MIN_CONVERTERS: int(1, 10_000_000).default(10),

  // Campaigns (src/campaigns)
  /** Render jobs one campaign keeps queued at most; the fan-out feeds the rest as they finish (bounds Redis per campaign). */
  CAMPAIGN_WINDOW: int(1, 10_000_000).default(10_000),

  // Recipient profiles (src/recipients)
  /** Largest recipient profile, in bytes of canonical JSON (PUT / PATCH / bulk rows over it are refused). */
  RECIPIENT_PROFILE_MAX_BYTES: int(256, 1024 * 1024).default(16 * 1024),
  /** Largest bulk profiles upload (POST /v1/recipients/bulk), decompressed. */
  RECIPIENT_BULK_MAX_BYTES: int(1_024, 16 * 1024 ** 3).default(1024 ** 3),
  /** Pull connector: sticky links read GET <url>/<recipientId> from the brand's CRM instead of the profile store. Unset: the store. */
  RECIPIENT_CONNECTOR_URL: z.string().url({ message: 'an absolute https URL, e.g. https://crm.example/mastercut/profiles' }).optional(),
  /** Signs connector requests like webhooks (whsec_<base64>, 24-64 bytes); required with RECIPIENT_CONNECTOR_URL. */
  RECIPIENT_CONNECTOR_SECRET: z.string().optional(),
  /** A connector answer is fresh this long: opens within it never call the CRM. */
  RECIPIENT_CONNECTOR_TTL_S: int(1, 86_400).default(60),
  /** After the TTL, while the CRM fails, the last answer is still served this long; 0 never serves stale data. */
  RECIPIENT_CONNECTOR_STALE_IF_ERROR_S: int(0, 30 * 86_400).default(3_600),
  /** Budget of one connector request (DNS, connect, TLS, answer). */
  RECIPIENT_CONNECTOR_TIMEOUT_MS: int(100, 60_000).default(3_000),
  /** Retry-After of the 503 a sticky link answers when the CRM fails and no copy is left. */
  RECIPIENT_CONNECTOR_RETRY_AFTER_S: int(1, 3_600).default(30),
  /** Tests only: accept an http:// connector URL. */
  RECIPIENT_CONNECTOR_ALLOW_HTTP: bool.default(false),
  /** Tests only: accept a connector that resolves to loopback/private/link-local addresses (the webhook SSRF guard). */
  RECIPIENT_CONNECTOR_ALLOW_PRIVATE: bool.default(false),

  // CRM webhooks (src/engagement/webhooks)
  /** Tests only: accept http:// endpoint URLs. */
  WEBHOOK_ALLOW_HTTP: bool.default(false),
  /** Tests only: accept endpoints that resolve to loopback/private/link-local addresses. */
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  /** Delays between delivery attempts, in seconds (one retry per entry). */
  WEBHOOK_RETRY_SCHEDULE_S: z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, { message: 'expected comma-separated whole seconds, e.g. 5,300,1800' })
    .default('5,300,1800,7200,18000,36000,36000'),
  /** An endpoint failing without a single success for longer than this is disabled. */
  WEBHOOK_DISABLE_AFTER_S: int(1, 365 * 86_400).default(5 * 86_400),
  /** After a secret rotation the old secret keeps signing (a second signature) this long. */
  WEBHOOK_SECRET_OVERLAP_S: int(0, 30 * 86_400).default(86_400),
  /** Budget of one delivery request (DNS, connect, TLS, response). */
  WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(10_000),
  /** Deliveries in flight per webhook worker process. */
  WEBHOOK_CONCURRENCY: int(1, 1_000).default(16),

  // Ops: queue dashboard and scaling advice (src/ops/admin, src/ops/scaling)
  /** Keys of the admin UI (/admin/queues), separate from API_KEYS; empty turns the UI off. */
  ADMIN_API_KEYS: list.default([]),
  /** The queue dashboard shows but cannot retry, clean, pause or remove. */
  BULL_BOARD_READ_ONLY: bool.default(false),
  /** Backlogs should drain within this many seconds: the target of the recommended worker count. */
  OPS_TARGET_DRAIN_S: int(1, 30 * 86_400).default(3_600),
  OPS_MIN_WORKERS: int(0, 10_000).default(1),
  OPS_MAX_WORKERS: int(1, 10_000).default(100),
  /** Jobs one worker runs at once, per queue, assumed while none is online, e.g. render=1,transcode=2. */
  OPS_WORKER_CONCURRENCY: z
    .string()
    .regex(/^\s*[A-Za-z0-9_-]+\s*=\s*[1-9]\d*\s*(,\s*[A-Za-z0-9_-]+\s*=\s*[1-9]\d*\s*)*$/, { message: 'expected queue=N pairs, e.g. render=1,transcode=2' })
    .optional(),
});

export type Env = z.output<typeof envSchema>;
