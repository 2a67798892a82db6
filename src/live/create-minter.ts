import type { CreateLiveLinksCallOptions, CreatedLiveLink } from './create-live-links.js';
import { createMintQueryParser, type MintQueryRegistry, type MintRequest } from './mint-query.js';
import { subjectHash } from './subject-index.js';

export interface MinterDeps {
  registry: MintQueryRegistry;
  /** createLiveLinkFactory's function: the one implementation of making links. */
  createLinks(body: MintRequest, call: CreateLiveLinksCallOptions): Promise<{ links: CreatedLiveLink[] }>;
  /**
   * Whether remembered answers may be served now: false while this process
   * cannot hear erasures (ErasureBroadcast.live()). Default: always.
   */
  usable?: () => boolean;
}

export interface MinterOptions {
  /** Most answers kept in memory (least recently used go first), about 2 KB each with their key. Default 50 000 (~100 MB). */
  cacheSize?: number;
  /** Link lifetime (LIVE_LINK_TTL_S): when a remembered answer stops being the one a fresh mint gives. */
  ttlSeconds: number;
}

/** One answer, as sent: the JSON of a CreatedLiveLink, built once (only it is kept: about 1.5 KB). */
export interface MintAnswer {
  json: string;
}

interface Remembered {
  answer: MintAnswer;
  /** Until then a fresh mint gives this very answer (its expiry rounds to the same hour). */
  until: number;
  subject?: string;
}

/**
 * Send-time minting: one deterministic Live link per query (see
 * createLiveLinks' `deterministic`). An ESP calls it for every message,
 * sometimes several times per recipient, with thousands of connections, so:
 * - the answer to a query string is remembered (bounded LRU) until the hour
 *   its expiry rounds to changes, which is exactly while a fresh mint would
 *   give the same answer: a repeat costs no crypto and no Redis;
 * - identical queries in flight share one mint (single flight);
 * - an erasure drops its subject's answers at once, and nothing is
 *   remembered while erasures cannot be heard, or from a mint that was under
 *   way when an erasure happened.
 * Nothing renders: the link's first open does that.
 */
export function createMinter(deps: MinterDeps, options: MinterOptions) {
  const parse = createMintQueryParser(deps.registry);
  const cacheSize = options.cacheSize ?? 50_000;
  const usable = deps.usable ?? (() => true);
  const remembered = new Map<string, Remembered>();
  const inFlight = new Map<string, Promise<MintAnswer>>();
  let generation = 0;

  async function mintFresh(query: () => Record<string, unknown>): Promise<{ answer: MintAnswer; expiresAt: string; request: MintRequest }> {
    const request = parse(query());
    const { links } = await deps.createLinks(request, { deterministic: true });
    const link = links[0]!;
    return { answer: { json: JSON.stringify(link) }, expiresAt: link.expiresAt, request };
  }

  return {
    /**
     * The answer for a query. `cacheKey` is the raw query string: the same
     * string is the same query, so a hit needs no parsing at all; `query`
     * parses it (called on a miss only).
     */
    mint(cacheKey: string, query: () => Record<string, unknown>): Promise<MintAnswer> {
      const now = Date.now();
      const open = usable();
      if (open) {
        const hit = remembered.get(cacheKey);
        if (hit && hit.until > now) {
          // Re-inserted: a Map iterates in insertion order, so its first key is the least recently used.
          remembered.delete(cacheKey);
          remembered.set(cacheKey, hit);
          return Promise.resolve(hit.answer);
        }
        if (hit) remembered.delete(cacheKey);
        const pending = inFlight.get(cacheKey);
        if (pending) return pending;
      }
      const started = generation;
      const work = mintFresh(query).then(({ answer, expiresAt, request }) => {
        if (open && usable() && started === generation) {
          const exp = Date.parse(expiresAt) / 1000;
          // A mint at time t gives this expiry while t + ttl is within (exp - 1 h, exp].
          const until = (exp - options.ttlSeconds) * 1000;
          if (until > Date.now()) {
            if (remembered.size >= cacheSize) remembered.delete(remembered.keys().next().value!);
            const subject = request.recipientId === undefined ? undefined : subjectHash(request.recipientId);
            remembered.set(cacheKey, { answer, until, ...(subject ? { subject } : {}) });
          }
        }
        return answer;
      });
      if (!open) return work;
      inFlight.set(cacheKey, work);
      const done = () => inFlight.delete(cacheKey);
      work.then(done, done);
      return work;
    },

    /** Drops the answers of an erased subject (its sha256 hash). */
    forget(subject: string): void {
      generation++;
      for (const [key, entry] of remembered) if (entry.subject === subject) remembered.delete(key);
    },

    /** How many answers are remembered (tests, metrics). */
    size: () => remembered.size,
  };
}

export type Minter = ReturnType<typeof createMinter>;
