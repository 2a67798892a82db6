import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildBrowserScript } from '../../templates/index.js';

const CLIENT_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client/main.ts');

/** The compiled dashboard client. */
export interface DashboardClient {
  /** Minified JavaScript (Chart.js included). */
  script: string;
  /** First 16 hex characters of its SHA-256: its URL changes when the code does, so it can be cached for good. */
  hash: string;
  /** Size of `script` in bytes. */
  bytes: number;
  /** `script` gzipped once at build time (about a third of its size), for clients that accept gzip. */
  gzipped: Buffer;
}

/**
 * Compiles the dashboard's client (`client/main.ts` and the parts of
 * Chart.js it registers) into one minified script. Takes a few hundred
 * milliseconds: call it once and keep the result (see
 * {@link lazyDashboardClient}).
 */
export async function buildDashboardClient(): Promise<DashboardClient> {
  const script = await buildBrowserScript(CLIENT_ENTRY, 'the dashboard client');
  return {
    script,
    hash: createHash('sha256').update(script).digest('hex').slice(0, 16),
    bytes: Buffer.byteLength(script),
    gzipped: gzipSync(script, { level: 9 }),
  };
}

/**
 * The client built on first use and kept in memory: an API that never
 * serves the dashboard never pays for the build. Concurrent first requests
 * share one build; a failed build is retried by the next request.
 */
export function lazyDashboardClient(build: () => Promise<DashboardClient> = buildDashboardClient): () => Promise<DashboardClient> {
  let pending: Promise<DashboardClient> | undefined;
  return () => {
    pending ??= build().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}
