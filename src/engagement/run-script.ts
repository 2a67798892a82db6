import type { Redis } from 'ioredis';
import { defineScript, scriptRunner } from '../redis/index.js';

/**
 * Runs a Lua script by its SHA1 (EVALSHA) with the farm's one runner
 * (src/redis), which loads it on NOSCRIPT (first call, a restart, a SCRIPT
 * FLUSH). Saves sending the script body with every batch.
 */
export function createScriptRunner(redis: Redis, lua: string) {
  return scriptRunner(redis, defineScript('engagement', lua));
}
