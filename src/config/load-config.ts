import path from 'node:path';
import { AppError } from '../errors/index.js';
import { envSchema, type Env } from './config.schema.js';

/** The validated, frozen configuration; built once at process start. */
export interface Config {
  env: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  cacheDir: string;
  outDir: string;
  binaries: { chromium?: string; ffmpeg?: string; ffprobe?: string };
  render: {
    poolSize: number;
    recycleAfterRenders: number;
    memoryCeilingBytes: number;
    jpegQuality: number;
    frameTimeoutMs: number;
    renderTimeoutMs: number;
    delayRenderTimeoutMs: number;
    chunkFrames: number;
    /** Split renders: from how many frames, into how many chunks. */
    split: { minFrames: number; chunks: number };
    /** A streaming split Live master's wait for each next chunk before it parks. */
    splitStreamWaitMs: number;
    /** Put a campaign render back for a Live render waiting this long (0: never). */
    livePreemptAfterMs: number;
    chromiumSandbox: Env['RENDER_CHROMIUM_SANDBOX'];
  };
  encode: { crf: number; preset: Env['ENCODE_PRESET'] };
  remoteAssets: { maxBytes: number; timeoutMs: number; allowPrivateAddresses: boolean };
  /** Decoded <Video> frames (src/footage). */
  footage: { cacheMaxBytes: number };
  /** `mastercut studio`: the farm its "copy Live URL" asks, when both are set. */
  studio: { farmUrl?: string; farmApiKey?: string };
  farm: { redisUrl?: string; apiPort: number; apiKeys: string[]; publicBaseUrl?: string };
  storage: {
    driver: Env['STORAGE_DRIVER'];
    root: string;
    maxBytes: number;
    ttlSeconds: number;
    sweepIntervalMs: number;
    s3?: { bucket: string; prefix?: string; region?: string; endpoint?: string; forcePathStyle: boolean; serve: 'stream' | 'redirect'; presignTtlSeconds: number };
  };
  worker: {
    concurrency: number;
    graceMs: number;
    lockDurationMs: number;
    stalledIntervalMs: number;
    evictionCheck: Env['REDIS_EVICTION_CHECK'];
  };
  /** The operations port (src/ops): /metrics, /healthz, /readyz. */
  metrics: { port: number; host: string };
  jobs: { attempts: number; backoffDelayMs: number; completedRetentionSeconds: number; completedRetentionCount: number; failedRetentionSeconds: number };
  /** The output index (src/renders createOutputIndex): how long a done record stays in Redis (0: forever). */
  outputIndex: { doneTtlSeconds: number };
  live: {
    keys?: string;
    retiredKeyIds?: string;
    tokenMaxLength: number;
    linkTtlSeconds: number;
    coldPerClient: number;
    coldPerLink: number;
    coldWindowSeconds: number;
    waitTimeoutMs: number;
  };
  transcode: {
    encoders: Env['TRANSCODE_ENCODERS'];
    vaapiDevice?: string;
    gpuConcurrency: number;
    cpuConcurrency: number;
    nvencSessions: number;
    webm: boolean;
    /** Parsed CHANNEL_PROFILES_JSON (validated where profiles are resolved). */
    profileOverrides?: Record<string, unknown>;
  };
  /** The campaign dashboard (src/engagement/dashboard). */
  dashboard: { sessionSecret?: string; sessionTtlSeconds: number; refreshMs: number };
  /** Engagement events (src/engagement). */
  events: {
    streamMaxLen: number;
    dedupeTtlSeconds: number;
    retentionSeconds: number;
    maxBodyBytes: number;
    perClientPerMinute: number;
    minResponseDelayMs: number;
    maxClockSkewMs: number;
    scannerCidrs: string[];
    proxyCidrs: string[];
  };
  /** Conversions, attribution and LTV (src/engagement). */
  conversions: {
    windowMs: number;
    /** Null: the CTA redirect adds no click reference. */
    clickParam: string | null;
    browserMaxPerRecipient: number;
    importMaxBytes: number;
    minRecipients: number;
    minConverters: number;
  };
  /** Campaigns (src/campaigns). */
  campaigns: {
    /** Render jobs one campaign keeps queued at most (its fan-out waits for room). */
    window: number;
  };
  /** Recipient profiles (src/recipients). */
  recipients: {
    /** Largest profile, in bytes of canonical JSON. */
    profileMaxBytes: number;
    /** Largest bulk upload (decompressed). */
    bulkMaxBytes: number;
    /** The CRM pull connector of sticky links; undefined: they read the profile store. */
    connector?: {
      baseUrl: string;
      secret: string;
      ttlSeconds: number;
      staleIfErrorSeconds: number;
      timeoutMs: number;
      retryAfterSeconds: number;
      allowHttp: boolean;
      allowPrivateAddresses: boolean;
    };
  };
  /** CRM webhooks (src/engagement/webhooks). */
  webhooks: {
    allowHttp: boolean;
    allowPrivateAddresses: boolean;
    retryScheduleMs: number[];
    disableAfterMs: number;
    secretOverlapMs: number;
    timeoutMs: number;
    concurrency: number;
  };
  /** Send-time minting (GET /v1/live-links/mint); the rate is per key and per API process. */
  mint: { keys: string[]; ratePerSecond: number; burst: number };
  /** The queue dashboard (src/ops/admin). */
  admin: { apiKeys: string[]; readOnly: boolean };
  /** Scaling advice (src/ops/scaling). */
  scaling: { targetDrainSeconds: number; minWorkers: number; maxWorkers: number; workerConcurrency: Record<string, number> };
}

/**
 * Validates the environment against the schema and reports every problem at
 * once, so a misconfigured deployment is fixed in one pass.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Readonly<Config> {
  // Empty strings in .env files mean "unset", not "set to nothing".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`);
    throw new AppError('CONFIG_INVALID', `Invalid configuration:\n${lines.join('\n')}\nSee .env.example for every setting.`);
  }
  const e = parsed.data;
  if (e.STORAGE_DRIVER === 's3' && !e.S3_BUCKET) {
    throw new AppError('CONFIG_INVALID', 'Invalid configuration:\n  - S3_BUCKET: required when STORAGE_DRIVER=s3\nSee .env.example for every setting.');
  }
  if (e.RECIPIENT_CONNECTOR_URL && !e.RECIPIENT_CONNECTOR_SECRET) {
    throw new AppError(
      'CONFIG_INVALID',
      'Invalid configuration:\n  - RECIPIENT_CONNECTOR_SECRET: required when RECIPIENT_CONNECTOR_URL is set (whsec_ then base64 of 24-64 random bytes; the CRM verifies requests with it)\nSee .env.example for every setting.',
    );
  }
  const sharedMintKey = e.MINT_KEYS.findIndex((key) => e.API_KEYS.includes(key) || e.ADMIN_API_KEYS.includes(key));
  if (sharedMintKey !== -1) {
    // The position only: the key itself is a secret.
    throw new AppError(
      'CONFIG_INVALID',
      `Invalid configuration:\n  - MINT_KEYS: entry ${sharedMintKey + 1} is also an API or admin key; a mint key must only mint, so it must differ from every API_KEYS and ADMIN_API_KEYS entry\nSee .env.example for every setting.`,
    );
  }
  return deepFreeze({
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    cacheDir: path.resolve(cwd, e.MASTERCUT_CACHE_DIR),
    outDir: path.resolve(cwd, e.MASTERCUT_OUT_DIR),
    binaries: { chromium: e.MASTERCUT_CHROMIUM_PATH, ffmpeg: e.MASTERCUT_FFMPEG_PATH, ffprobe: e.MASTERCUT_FFPROBE_PATH },
    render: {
      poolSize: e.RENDER_POOL_SIZE,
      recycleAfterRenders: e.RENDER_RECYCLE_AFTER,
      memoryCeilingBytes: e.RENDER_BROWSER_MEMORY_MB * 1024 * 1024,
      jpegQuality: e.RENDER_JPEG_QUALITY,
      frameTimeoutMs: e.RENDER_FRAME_TIMEOUT_MS,
      renderTimeoutMs: e.RENDER_TIMEOUT_MS,
      delayRenderTimeoutMs: e.RENDER_DELAY_TIMEOUT_MS,
      chunkFrames: e.RENDER_CHUNK_FRAMES,
      split: { minFrames: e.RENDER_SPLIT_MIN_FRAMES, chunks: e.RENDER_SPLIT_CHUNKS },
      splitStreamWaitMs: e.RENDER_SPLIT_STREAM_WAIT_MS,
      livePreemptAfterMs: e.RENDER_LIVE_PREEMPT_AFTER_MS,
      chromiumSandbox: e.RENDER_CHROMIUM_SANDBOX,
    },
    encode: { crf: e.ENCODE_CRF, preset: e.ENCODE_PRESET },
    remoteAssets: {
      maxBytes: e.REMOTE_ASSET_MAX_BYTES,
      timeoutMs: e.REMOTE_ASSET_TIMEOUT_MS,
      allowPrivateAddresses: e.REMOTE_ASSET_ALLOW_PRIVATE,
    },
    footage: { cacheMaxBytes: e.VIDEO_FRAME_CACHE_MB * 1024 * 1024 },
    studio: { farmUrl: e.STUDIO_FARM_URL, farmApiKey: e.STUDIO_FARM_API_KEY },
    farm: {
      redisUrl: e.REDIS_URL,
      apiPort: e.API_PORT,
      apiKeys: e.API_KEYS,
      publicBaseUrl: e.PUBLIC_BASE_URL,
    },
    storage: {
      driver: e.STORAGE_DRIVER,
      root: path.resolve(cwd, e.STORAGE_ROOT),
      maxBytes: e.STORAGE_MAX_BYTES,
      ttlSeconds: e.OUTPUT_TTL_DAYS * 86_400,
      sweepIntervalMs: e.STORAGE_SWEEP_INTERVAL_S * 1000,
      s3: e.S3_BUCKET
        ? {
            bucket: e.S3_BUCKET,
            prefix: e.S3_PREFIX,
            region: e.S3_REGION,
            endpoint: e.S3_ENDPOINT,
            forcePathStyle: e.S3_FORCE_PATH_STYLE,
            serve: e.S3_SERVE,
            presignTtlSeconds: e.S3_PRESIGN_TTL_S,
          }
        : undefined,
    },
    worker: {
      concurrency: e.WORKER_CONCURRENCY,
      graceMs: e.WORKER_SHUTDOWN_GRACE_MS,
      lockDurationMs: e.WORKER_LOCK_DURATION_MS,
      stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
      evictionCheck: e.REDIS_EVICTION_CHECK,
    },
    metrics: { port: e.METRICS_PORT, host: e.METRICS_HOST },
    events: {
      streamMaxLen: e.EVENTS_STREAM_MAXLEN,
      dedupeTtlSeconds: e.EVENTS_DEDUPE_TTL_S,
      retentionSeconds: e.EVENTS_RETENTION_DAYS * 86_400,
      maxBodyBytes: e.EVENTS_MAX_BODY_BYTES,
      perClientPerMinute: e.EVENTS_RATE_LIMIT_PER_MIN,
      minResponseDelayMs: e.EVENTS_BOT_MIN_DELAY_MS,
      maxClockSkewMs: e.EVENTS_MAX_CLOCK_SKEW_S * 1000,
      scannerCidrs: e.EVENTS_SCANNER_CIDRS,
      proxyCidrs: e.EVENTS_PROXY_CIDRS,
    },
    conversions: {
      windowMs: e.CONVERSION_WINDOW_DAYS * 86_400_000,
      clickParam: e.CONVERSION_CLICK_PARAM === 'none' ? null : e.CONVERSION_CLICK_PARAM,
      browserMaxPerRecipient: e.CONVERSION_BROWSER_MAX_PER_RECIPIENT,
      importMaxBytes: e.CONVERSION_IMPORT_MAX_BYTES,
      minRecipients: e.LTV_MIN_RECIPIENTS,
      minConverters: e.LTV_MIN_CONVERTERS,
    },
    campaigns: { window: e.CAMPAIGN_WINDOW },
    recipients: {
      profileMaxBytes: e.RECIPIENT_PROFILE_MAX_BYTES,
      bulkMaxBytes: e.RECIPIENT_BULK_MAX_BYTES,
      ...(e.RECIPIENT_CONNECTOR_URL
        ? {
            connector: {
              baseUrl: e.RECIPIENT_CONNECTOR_URL,
              secret: e.RECIPIENT_CONNECTOR_SECRET!,
              ttlSeconds: e.RECIPIENT_CONNECTOR_TTL_S,
              staleIfErrorSeconds: e.RECIPIENT_CONNECTOR_STALE_IF_ERROR_S,
              timeoutMs: e.RECIPIENT_CONNECTOR_TIMEOUT_MS,
              retryAfterSeconds: e.RECIPIENT_CONNECTOR_RETRY_AFTER_S,
              allowHttp: e.RECIPIENT_CONNECTOR_ALLOW_HTTP,
              allowPrivateAddresses: e.RECIPIENT_CONNECTOR_ALLOW_PRIVATE,
            },
          }
        : {}),
    },
    jobs: {
      attempts: e.JOB_ATTEMPTS,
      backoffDelayMs: e.JOB_BACKOFF_MS,
      completedRetentionSeconds: e.JOB_KEEP_COMPLETED_S,
      completedRetentionCount: e.JOB_KEEP_COMPLETED_COUNT,
      failedRetentionSeconds: e.JOB_KEEP_FAILED_S,
    },
    outputIndex: { doneTtlSeconds: e.OUTPUT_INDEX_DONE_TTL_S },
    live: {
      keys: e.LIVE_KEYS,
      retiredKeyIds: e.LIVE_RETIRED_KEY_IDS,
      tokenMaxLength: e.LIVE_TOKEN_MAX_LENGTH,
      linkTtlSeconds: e.LIVE_LINK_TTL_S,
      coldPerClient: e.COLD_RENDER_LIMIT_PER_CLIENT,
      coldPerLink: e.COLD_RENDER_LIMIT_PER_LINK,
      coldWindowSeconds: e.COLD_RENDER_WINDOW_S,
      waitTimeoutMs: e.LIVE_WAIT_TIMEOUT_MS,
    },
    transcode: {
      encoders: e.TRANSCODE_ENCODERS,
      vaapiDevice: e.TRANSCODE_VAAPI_DEVICE,
      gpuConcurrency: e.TRANSCODE_GPU_CONCURRENCY,
      cpuConcurrency: e.TRANSCODE_CPU_CONCURRENCY,
      nvencSessions: e.TRANSCODE_NVENC_SESSIONS,
      webm: e.TRANSCODE_WEBM,
      profileOverrides: parseJsonObject(e.CHANNEL_PROFILES_JSON, 'CHANNEL_PROFILES_JSON'),
    },
    dashboard: { sessionSecret: e.DASHBOARD_SESSION_SECRET, sessionTtlSeconds: e.DASHBOARD_SESSION_TTL_S, refreshMs: e.DASHBOARD_REFRESH_MS },
    webhooks: {
      allowHttp: e.WEBHOOK_ALLOW_HTTP,
      allowPrivateAddresses: e.WEBHOOK_ALLOW_PRIVATE,
      retryScheduleMs: e.WEBHOOK_RETRY_SCHEDULE_S.split(',').map((s) => Number(s.trim()) * 1000),
      disableAfterMs: e.WEBHOOK_DISABLE_AFTER_S * 1000,
      secretOverlapMs: e.WEBHOOK_SECRET_OVERLAP_S * 1000,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      concurrency: e.WEBHOOK_CONCURRENCY,
    },
    mint: { keys: e.MINT_KEYS, ratePerSecond: e.MINT_RATE_LIMIT_PER_S, burst: e.MINT_RATE_BURST },
    admin: { apiKeys: e.ADMIN_API_KEYS, readOnly: e.BULL_BOARD_READ_ONLY },
    scaling: {
      targetDrainSeconds: e.OPS_TARGET_DRAIN_S,
      minWorkers: Math.min(e.OPS_MIN_WORKERS, e.OPS_MAX_WORKERS),
      maxWorkers: e.OPS_MAX_WORKERS,
      workerConcurrency: Object.fromEntries(
        (e.OPS_WORKER_CONCURRENCY ?? '').split(',').filter((p) => p.includes('=')).map((p) => {
          const [name, n] = p.split('=');
          return [name!.trim(), Number(n)];
        }),
      ),
    },
  });
}

function parseJsonObject(text: string | undefined, name: string): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('CONFIG_INVALID', `Invalid configuration:\n  - ${name}: not valid JSON\nSee .env.example for every setting.`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new AppError('CONFIG_INVALID', `Invalid configuration:\n  - ${name}: expected a JSON object\nSee .env.example for every setting.`);
  }
  return value as Record<string, unknown>;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
