import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import type { TemplateRegistry } from '../../templates/index.js';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Same value as the bundle route sends: the path names the bundle's content hash. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * `/b/<templateId>/<version>/<file>` for a file at the top of the bundle
 * that a landing page loads: its scripts and stylesheets (`player.js`,
 * `bundle.js`). Static files (images, fonts, footage) stay with Express:
 * they can be large, are already compressed, and want Range.
 */
const BUNDLE_FILE_PATH = /^\/b\/([a-z0-9][a-z0-9-]{0,63})\/([0-9a-f]{8,64})\/([A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}\.(?:m?js|css))$/;

const CONTENT_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

export type BundleEncoding = 'br' | 'gzip' | 'identity';

/** One encoding of a bundle file, with its response headers worked out once. */
export interface BundleVariant {
  encoding: BundleEncoding;
  etag: string;
  body: Buffer;
  /** Headers of a 304 (and the start of a 200's): ETag, Cache-Control, Vary, nosniff. */
  common: readonly string[];
  /** `common` plus Content-Type, Content-Encoding and Content-Length: the headers of a 200. */
  full: readonly string[];
}

/** A bundle file held in memory in each encoding a browser may ask for. */
export interface BundleFile {
  br: BundleVariant;
  gzip: BundleVariant;
  identity: BundleVariant;
}

export interface BundleFileCacheOptions {
  /** Larger files are left to Express. Default 4 MiB (the full `bundle.js` is about 720 KB). */
  maxFileBytes?: number;
}

export interface BundleFileCacheStats {
  files: number;
  /** Bytes held, every encoding counted. */
  bytes: number;
  hits: number;
}

/**
 * Landing-page bundle files (see BUNDLE_FILE_PATH) held in memory with
 * brotli and gzip variants made once. A template bundle is named by its
 * content hash and holds no personal data, so unlike the hot output cache
 * there is nothing to re-check: a file is valid for as long as its template's
 * bundle has that version, which a running process never changes. Express's
 * `sendFile` cost a stat, an open and a stream per request, and sent 240 KB
 * uncompressed (about 70 KB as brotli) while the landing page waited on it.
 *
 * Only files of a template's current bundle are held (the registry is asked
 * which version that is, so a made-up path is never read), which bounds
 * memory by the templates' files. `warm` loads a template's `player.js`
 * before any page names it.
 */
export function createBundleFileCache(deps: { registry: Pick<TemplateRegistry, 'bundle'> }, options: BundleFileCacheOptions = {}) {
  const maxFileBytes = options.maxFileBytes ?? 4 * 1024 * 1024;
  const files = new Map<string, BundleFile>();
  const loading = new Map<string, Promise<BundleFile | undefined>>();
  let bytes = 0;
  let hits = 0;

  async function read(urlPath: string): Promise<BundleFile | undefined> {
    const match = BUNDLE_FILE_PATH.exec(urlPath);
    if (!match) return undefined;
    const [, templateId, version, file] = match as unknown as [string, string, string, string];
    // Throws for an unknown template (caught by `load`): then Express answers, as it always did.
    const bundle = await deps.registry.bundle(templateId);
    if (bundle.version !== version) return undefined;
    // The pattern allows no separator and no leading dot: the file is directly inside the bundle.
    const body = await readFile(path.join(bundle.dir, file));
    if (body.length > maxFileBytes) return undefined;
    const contentType = CONTENT_TYPES[file.slice(file.lastIndexOf('.') + 1)]!;
    const hash = createHash('sha256').update(body).digest('base64url').slice(0, 27);
    // Made once per file, so the best ratio is worth its time (on the thread pool, off the event loop).
    const [br, gz] = await Promise.all([
      brotli(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } }),
      gzipAsync(body, { level: zlib.Z_BEST_COMPRESSION }),
    ]);
    return {
      br: variant('br', `"${hash}-br"`, br, contentType),
      gzip: variant('gzip', `"${hash}-gz"`, gz, contentType),
      identity: variant('identity', `"${hash}"`, body, contentType),
    };
  }

  /** Loads `urlPath` once (concurrent calls share the load); resolves undefined when it is no bundle file to hold. */
  function load(urlPath: string): Promise<BundleFile | undefined> {
    const held = files.get(urlPath);
    if (held) return Promise.resolve(held);
    let pending = loading.get(urlPath);
    if (!pending) {
      pending = read(urlPath)
        .catch(() => undefined)
        .then((file) => {
          loading.delete(urlPath);
          if (file && !files.has(urlPath)) {
            files.set(urlPath, file);
            bytes += file.br.body.length + file.gzip.body.length + file.identity.body.length;
          }
          return file;
        });
      loading.set(urlPath, pending);
    }
    return pending;
  }

  return {
    /** Whether `urlPath` is a bundle file path this cache may hold. */
    handles: (urlPath: string): boolean => BUNDLE_FILE_PATH.test(urlPath),

    /**
     * The file to answer `urlPath` with from memory, or undefined: then
     * Express serves it this time, and its load starts (a path that is no
     * file of a current bundle is never held).
     */
    find(urlPath: string): BundleFile | undefined {
      const held = files.get(urlPath);
      if (held) {
        hits++;
        return held;
      }
      void load(urlPath);
      return undefined;
    },

    /** Loads each template's `player.js` (the landing page's script), building its bundle if needed. Never rejects. */
    async warm(templateIds: readonly string[]): Promise<void> {
      for (const id of templateIds) {
        try {
          const bundle = await deps.registry.bundle(id);
          await load(`/b/${id}/${bundle.version}/player.js`);
        } catch {
          // A template whose bundle fails to build: its pages fall back to the poster, as before.
        }
      }
    },

    stats: (): BundleFileCacheStats => ({ files: files.size, bytes, hits }),
  };
}

export type BundleFileCache = ReturnType<typeof createBundleFileCache>;

/**
 * The encoding to send for this Accept-Encoding: brotli, else gzip, else the
 * file as it is. A coding with `q=0` is refused; `*` stands for any coding
 * not named.
 */
export function chooseBundleEncoding(acceptEncoding: string | undefined): BundleEncoding {
  if (!acceptEncoding) return 'identity';
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const accepts = (coding: string) => (q.get(coding) ?? q.get('*') ?? 0) > 0;
  if (accepts('br')) return 'br';
  if (accepts('gzip')) return 'gzip';
  return 'identity';
}

function variant(encoding: BundleEncoding, etag: string, body: Buffer, contentType: string): BundleVariant {
  // Vary: a cache keeps each encoding apart; nosniff as the bundle route sends it.
  const common = ['ETag', etag, 'Cache-Control', IMMUTABLE, 'Vary', 'Accept-Encoding', 'X-Content-Type-Options', 'nosniff'];
  const full = [...common, 'Content-Type', contentType, ...(encoding === 'identity' ? [] : ['Content-Encoding', encoding]), 'Content-Length', String(body.length)];
  return { encoding, etag, body, common, full };
}
