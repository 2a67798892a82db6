import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startApiServer, type ApiServer } from '../../../src/api/main.js';
import { loadConfig, type Config } from '../../../src/config/index.js';
import type { EngagementEventInput, InteractionEventType } from '../../../src/engagement/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { TEST_LIVE_KEYS } from '../../helpers/worker-process.js';
import { untilFannedOut } from '../../helpers/campaign-fanned-out.js';

export const API_KEY = 'dashboard-test-key-0123456789';
export const OTHER_KEY = 'dashboard-other-key-9876543210';
export const SESSION_SECRET = 'dashboard-test-session-secret-0123456789abcdef';

export interface DashboardHarness {
  redis: EmbeddedRedis;
  api: ApiServer;
  /** The config the API was started with (a second API process can share it). */
  config: Config;
  /** `http://127.0.0.1:port`. */
  url: string;
  /** fetch against the API: the API key unless `auth: false`, redirects never followed. */
  call(pathname: string, init?: RequestInit & { auth?: boolean }): Promise<Response>;
  /** Creates a small real campaign (JSON body, `prerender`, no worker: it stays `rendering`). Returns its id. */
  createCampaign(channels?: string[]): Promise<string>;
  /** Posts events through `POST /v1/events` with the API key; fails the test unless every one was accepted or a duplicate. */
  postEvents(events: EngagementEventInput[]): Promise<void>;
  close(): Promise<void>;
}

/** Recipients of the small campaign: loyalty-tier props, the template the campaign e2e test uses. */
const RECIPIENTS = [
  ['r01', 'Ana', 'Silver', 'Gold', 1200, 800, 2015],
  ['r02', 'Ben', 'Gold', 'Platinum', 30000, 20000, 2012],
  ['r03', 'Cy', 'Platinum', 'Diamond', 80000, 5000, 2009],
  ['r04', 'Dee', 'Silver', 'Diamond', 100, 99900, 2021],
  ['r05', 'Eve', 'Gold', 'Diamond', 45000, 55000, 2018],
  ['r06', 'Fay', 'Silver', 'Gold', 10, 990, 2023],
].map(([recipientId, firstName, currentTier, nextTier, points, pointsToNextTier, memberSince]) => ({
  recipientId,
  firstName,
  currentTier,
  nextTier,
  points,
  pointsToNextTier,
  memberSince,
}));

/**
 * The API exactly as `mastercut serve` wires it (startApiServer, in this
 * process), dashboard included, on a private redis-server and a temp store.
 */
export async function startDashboardHarness(env: Record<string, string> = {}): Promise<DashboardHarness> {
  const redis = await startTestRedis();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-dashboard-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: redis.url,
    API_KEYS: `${OTHER_KEY},${API_KEY}`,
    STORAGE_ROOT: path.join(dir, 'storage'),
    MASTERCUT_CACHE_DIR: '.cache/test',
    LIVE_KEYS: TEST_LIVE_KEYS,
    METRICS_PORT: '0',
    DASHBOARD_SESSION_SECRET: SESSION_SECRET,
    DASHBOARD_REFRESH_MS: '1000',
    ...env,
  });
  const api = await startApiServer(config, { port: 0, host: '127.0.0.1', fastPath: false, logger: pino({ level: 'silent' }) });
  const call: DashboardHarness['call'] = (pathname, init = {}) => {
    const { auth = true, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (auth && !headers.has('authorization')) headers.set('authorization', `Bearer ${API_KEY}`);
    return fetch(`${api.url}${pathname}`, { redirect: 'manual', ...rest, headers });
  };
  return {
    redis,
    api,
    config,
    url: api.url,
    call,
    async createCampaign(channels = ['email', 'web', 'sms']) {
      const res = await call('/v1/campaigns', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ templateId: 'loyalty-tier', channels, mode: 'prerender', recipients: RECIPIENTS }),
      });
      const body = (await res.json()) as { id: string; state: string };
      if (res.status !== 202) throw new Error(`campaign not created: ${res.status} ${JSON.stringify(body)}`);
      await untilFannedOut(api.url, body.id, { authorization: `Bearer ${API_KEY}` });
      return body.id;
    },
    async postEvents(events) {
      const res = await call('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
      const body = (await res.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
      if (res.status !== 202 || body.rejected.length > 0) throw new Error(`events refused: ${res.status} ${JSON.stringify(body)}`);
    },
    async close() {
      await api.close();
      await redis.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const HASH = (letter: string) => letter.repeat(64);

/**
 * A small event log over the campaign's six recipients, with something in
 * every figure: three channels, an email link scanner (an open half a
 * second after delivery: a bot), a recipient rendered from other props on
 * one channel (consistency drift), responses from a minute to 40 minutes
 * after delivery (the time-to-first-response histogram), shares and clicks.
 */
export function dashboardEvents(campaignId: string, t0: number): EngagementEventInput[] {
  let n = 0;
  const event = (type: InteractionEventType, recipientId: string, channel: string, atMs: number, meta: Record<string, string> = {}): EngagementEventInput => ({
    id: `dash-${campaignId.slice(4)}-${String(++n).padStart(3, '0')}`,
    type,
    campaignId,
    recipientId,
    channel,
    templateId: 'loyalty-tier',
    ts: t0 + atMs,
    meta,
  });
  const s = 1000;
  const min = 60 * s;
  return [
    event('delivered', 'r01', 'email', 0, { propsHash: HASH('a') }),
    event('delivered', 'r01', 'web', 0, { propsHash: HASH('a') }),
    event('impression', 'r01', 'email', 1 * min),
    event('page_view', 'r01', 'web', 90 * s),
    event('play', 'r01', 'web', 100 * s),
    event('progress_25', 'r01', 'web', 105 * s),
    event('progress_50', 'r01', 'web', 110 * s),
    event('progress_75', 'r01', 'web', 115 * s),
    event('complete', 'r01', 'web', 120 * s),
    event('cta_click', 'r01', 'web', 200 * s, { ctaId: 'upgrade' }),
    event('delivered', 'r02', 'email', 1 * s, { propsHash: HASH('b') }),
    event('impression', 'r02', 'email', 5 * min),
    event('page_view', 'r02', 'email', 5.5 * min),
    event('play', 'r02', 'email', 6 * min),
    event('share', 'r02', 'email', 7 * min),
    event('delivered', 'r03', 'email', 2 * s, { propsHash: HASH('c') }),
    event('delivered', 'r03', 'web', 2 * s, { propsHash: HASH('d') }),
    event('delivered', 'r03', 'sms', 2 * s, { propsHash: HASH('c') }),
    event('impression', 'r03', 'email', 20 * min),
    event('page_view', 'r03', 'sms', 30 * min),
    event('delivered', 'r04', 'sms', 3 * s, { propsHash: HASH('e') }),
    event('page_view', 'r04', 'sms', 40 * min),
    event('play', 'r04', 'sms', 41 * min),
    event('delivered', 'r05', 'email', 4 * s, { propsHash: HASH('f') }),
    // A link scanner: opens half a second after the delivery.
    event('impression', 'r05', 'email', 4.5 * s),
    event('delivered', 'r06', 'web', 5 * s, { propsHash: HASH('0') }),
  ];
}
