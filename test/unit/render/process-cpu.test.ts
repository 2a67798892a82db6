import { describe, expect, it } from 'vitest';
import { createTreeCpuClock } from '../../../src/render/index.js';

describe('createTreeCpuClock', () => {
  it('reads the CPU time of this process tree: it advances with work done, never backwards', async () => {
    const clock = createTreeCpuClock(process.pid);
    const start = await clock();
    let now = start;
    // Spin until the kernel has counted at least one tick of ours (10 ms): an event, not a deadline.
    let sink = 0;
    while (now === start) {
      for (let i = 0; i < 1e6; i++) sink += Math.sqrt(i);
      const next = await clock();
      expect(next).toBeGreaterThanOrEqual(now);
      now = next;
    }
    expect(sink).toBeGreaterThan(0);
    expect(now - start).toBeGreaterThanOrEqual(10);
  });
});
