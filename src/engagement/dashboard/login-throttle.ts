export interface LoginThrottleOptions {
  /** Failed logins allowed per client in one window. */
  maxFailures: number;
  windowMs: number;
  /** Clients tracked at once; past it the table is cleared (a flood must not grow memory). */
  maxClients?: number;
}

export interface LoginThrottle {
  /** Seconds to wait when `client` is over its budget, else 0. */
  retryAfterSeconds(client: string, now?: number): number;
  failed(client: string, now?: number): void;
  succeeded(client: string): void;
}

/**
 * Counts failed dashboard logins per client address in fixed windows, in
 * this process's memory. API keys are long random strings, so this is not
 * what keeps them safe; it keeps the form from being an unmetered oracle.
 */
export function createLoginThrottle(options: LoginThrottleOptions): LoginThrottle {
  const maxClients = options.maxClients ?? 10_000;
  const table = new Map<string, { failures: number; resetAt: number }>();
  const entry = (client: string, now: number) => {
    const found = table.get(client);
    if (found && found.resetAt > now) return found;
    if (table.size >= maxClients) table.clear();
    const fresh = { failures: 0, resetAt: now + options.windowMs };
    table.set(client, fresh);
    return fresh;
  };
  return {
    retryAfterSeconds(client, now = Date.now()) {
      const found = table.get(client);
      if (!found || found.resetAt <= now || found.failures < options.maxFailures) return 0;
      return Math.ceil((found.resetAt - now) / 1000);
    },
    failed(client, now = Date.now()) {
      entry(client, now).failures++;
    },
    succeeded(client) {
      table.delete(client);
    },
  };
}
