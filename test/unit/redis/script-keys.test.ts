import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INGEST_SCRIPT } from '../../../src/engagement/ingest-script.js';
import * as redisModule from '../../../src/redis/index.js';
import { defineScript, type RedisScript } from '../../../src/redis/index.js';
import { callCount, undeclaredKeyUses } from './lua-key-check.js';

/**
 * Redis Cluster routes a script by the keys it declares, so every key a
 * script touches must come in KEYS (docs/redis-cluster.md). Every script
 * of the farm is checked, and the check itself is checked on scripts that
 * break the rule.
 */
const repoRoot = path.resolve(import.meta.dirname, '../../..');
const scripts: RedisScript[] = [
  ...Object.values(redisModule).filter((v): v is RedisScript => typeof v === 'object' && v !== null && 'lua' in v && 'sha' in v),
  INGEST_SCRIPT,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

describe('every Lua script declares the keys it touches', () => {
  it('checks every script defined in src/ and workers/', () => {
    const defined = ['src', 'workers']
      .flatMap((d) => sourceFiles(path.join(repoRoot, d)))
      .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/defineScript\('([^']+)'/g)].map((m) => m[1]!));
    expect(defined.length).toBeGreaterThanOrEqual(18);
    expect(scripts.map((s) => s.name).sort()).toEqual([...new Set(defined)].sort());
  });

  for (const script of scripts) {
    it(script.name, () => {
      expect(callCount(script.lua)).toBeGreaterThan(0);
      expect(undeclaredKeyUses(script.lua)).toEqual([]);
    });
  }
});

describe('the key check', () => {
  const bad = (lua: string) => undeclaredKeyUses(defineScript('t', lua).lua);

  it('refuses a key built in the script, read from ARGV or from the data', () => {
    expect(bad(`return redis.call('GET', '{mastercut}:x')`)).toEqual(["GET '{mastercut}:x'"]);
    expect(bad(`return redis.call('GET', KEYS[1] .. ':suffix')`)).toEqual(["GET KEYS[1] .. ':suffix'"]);
    expect(bad(`redis.call('DEL', ARGV[1])`)).toEqual(['DEL ARGV[1]']);
    expect(bad(`local k = KEYS[1] .. ARGV[1]\nredis.call('DEL', k)`)).toEqual(['DEL k']);
    expect(bad(`local k = redis.call('GET', KEYS[1])\nredis.call('DEL', k)`)).toEqual(['DEL k']);
    expect(bad(`local t = {}\nt.a = ARGV[1]\nredis.call('DEL', t.a)`)).toEqual(['DEL t.a']);
    expect(bad(`local c = ARGV[1]\nredis.call(c, KEYS[1])`)).toEqual(['(command not a literal) c']);
  });

  it('follows KEYS through locals, tables, loops and local functions', () => {
    expect(bad(`local a, b = KEYS[1], ARGV[1]\nredis.call('DEL', a)\nredis.call('DEL', b)`)).toEqual(['DEL b']);
    expect(bad(`for i, key in ipairs(KEYS) do redis.call('DEL', key) end`)).toEqual([]);
    expect(bad(`local seen = {}\nseen[KEYS[1]] = true\nfor k in pairs(seen) do redis.call('DEL', k) end`)).toEqual([]);
    expect(bad(`local function pick(i)\n  local c = {}\n  c.x = KEYS[i]\n  return c\nend\nlocal b = pick(1)\nredis.call('DEL', b.x)`)).toEqual([]);
    expect(bad(`redis.call('TIME')`)).toEqual([]);
  });
});
