/** One readiness check's answer. `detail` says why, in words an operator can act on. */
export interface CheckResult {
  ok: boolean;
  detail: string;
}

/** A check: sync or async; a throw counts as not ok, with its message. */
export type ReadinessCheck = () => CheckResult | Promise<CheckResult>;

/** What `/readyz` answers: 200 with status `ready` when every check is ok, else 503 `unavailable`. */
export interface ReadinessReport {
  status: 'ready' | 'unavailable';
  checks: Record<string, CheckResult>;
}

export interface ReadinessOptions {
  /** A check that takes longer fails (a probe must answer quickly). Default 2 s. */
  checkTimeoutMs?: number;
}

/**
 * Readiness as a set of named checks, run in parallel on each probe. Checks
 * can be added or replaced later (`set`): a worker serves `/readyz` from its
 * first second, with "warming up" checks that turn into real ones once the
 * browsers, ffmpeg or encoders are there.
 */
export function createReadiness(initial: Record<string, ReadinessCheck> = {}, options: ReadinessOptions = {}) {
  const checks = new Map<string, ReadinessCheck>(Object.entries(initial));
  const timeoutMs = options.checkTimeoutMs ?? 2_000;

  const run = async (check: ReadinessCheck): Promise<CheckResult> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<CheckResult>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
      });
      return await Promise.race([Promise.resolve().then(check), timeout]);
    } catch (err) {
      return { ok: false, detail: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    /** Adds or replaces a check. */
    set(name: string, check: ReadinessCheck): void {
      checks.set(name, check);
    },
    /** A check that fails with `detail` until it is replaced (e.g. "warming up"). */
    pending(name: string, detail: string): void {
      checks.set(name, () => ({ ok: false, detail }));
    },
    names: (): string[] => [...checks.keys()],
    async check(): Promise<ReadinessReport> {
      const entries = await Promise.all([...checks].map(async ([name, check]) => [name, await run(check)] as const));
      const ok = entries.every(([, result]) => result.ok);
      return { status: ok ? 'ready' : 'unavailable', checks: Object.fromEntries(entries) };
    },
  };
}

export type Readiness = ReturnType<typeof createReadiness>;
