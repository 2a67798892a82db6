import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script the farm runs. Every key it touches must come in KEYS (Redis
 * Cluster proxies refuse keys a script builds itself); ARGV carries values only.
 */
export interface RedisScript {
  /** For error messages and tests. */
  readonly name: string;
  readonly lua: string;
  /** SHA1 of `lua`: what EVALSHA names it by. */
  readonly sha: string;
}

/** Defines a script once, at module load: its SHA1 is computed here, not per call. */
export function defineScript(name: string, lua: string): RedisScript {
  return Object.freeze({ name, lua, sha: createHash('sha1').update(lua).digest('hex') });
}

export type ScriptArg = string | number | Buffer;

function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT');
}

/**
 * Runs a script by its SHA1 (EVALSHA), so the body is not sent with every
 * call. When the server does not know it (first call, a restart, a failover,
 * a SCRIPT FLUSH) the same call is made with EVAL, which also caches the
 * body on that server: it travels once per server, not once per call. EVAL
 * rather than SCRIPT LOAD: SCRIPT LOAD names no key, so a Redis Cluster
 * client would send it to a random primary, not the one the keys live on.
 */
export async function runScript(redis: Redis, script: RedisScript, keys: readonly string[], args: readonly ScriptArg[] = []): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!isNoScript(err)) throw err;
    return redis.eval(script.lua, keys.length, ...keys, ...args);
  }
}

/** `runScript` bound to one client and script, for code that calls it in a loop. */
export function scriptRunner(redis: Redis, script: RedisScript) {
  return (keys: readonly string[], args: readonly ScriptArg[] = []): Promise<unknown> => runScript(redis, script, keys, args);
}
