import { describe, expect, it } from 'vitest';
import { createDelayRenderRegistry } from '../../../src/composition/index.js';

function fresh(defaultTimeoutMs = 1000) {
  const registry = createDelayRenderRegistry();
  registry.reset({ enabled: true, defaultTimeoutMs });
  return registry;
}

describe('createDelayRenderRegistry', () => {
  it('waits until every hold is released', async () => {
    const r = fresh();
    const a = r.delay('data');
    const b = r.delay('logo');
    expect(r.pending().map((p) => p.label)).toEqual(['data', 'logo']);
    let done = false;
    const waiting = r.waitForAll().then((res) => {
      done = true;
      return res;
    });
    r.release(a);
    await Promise.resolve();
    expect(done).toBe(false);
    r.release(b);
    r.release(b); // twice is harmless
    expect(await waiting).toEqual({ ok: true });
  });

  it('names the label of a hold that times out', async () => {
    const r = fresh(5000);
    r.delay('fast', { timeoutMs: 10_000 });
    r.delay('Img cdn.example.com', { timeoutMs: 30 });
    const res = await r.waitForAll();
    expect(res).toMatchObject({ ok: false, reason: 'timeout', pending: { label: 'Img cdn.example.com', timeoutMs: 30 } });
  });

  it('ends the wait on cancel and remembers the error until reset', async () => {
    const r = fresh();
    r.delay('never');
    const waiting = r.waitForAll();
    r.cancel(new Error('boom'));
    const res = await waiting;
    expect(res.ok).toBe(false);
    expect(res.ok === false && res.reason === 'cancelled' && res.error.message).toBe('boom');
    expect(r.cancelledWith()?.message).toBe('boom');
    r.reset({ enabled: true, defaultTimeoutMs: 1000 });
    expect(r.cancelledWith()).toBeNull();
    expect(r.pending()).toEqual([]);
  });

  it('does nothing while disabled (live player)', async () => {
    const r = createDelayRenderRegistry();
    r.reset({ enabled: false, defaultTimeoutMs: 1000 });
    expect(r.delay('x')).toBe(-1);
    expect(r.pending()).toEqual([]);
    expect(await r.waitForAll()).toEqual({ ok: true });
  });

  it('gives unlabelled holds a label and rejects a bad timeout', () => {
    const r = fresh();
    const h = r.delay();
    expect(r.pending()[0]!.label).toBe(`delayRender #${h}`);
    expect(() => r.delay('x', { timeoutMs: 0 })).toThrow(/timeoutMs must be > 0/);
  });
});
