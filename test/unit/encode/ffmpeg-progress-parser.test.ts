import { describe, expect, it } from 'vitest';
import { createProgressParser, type FfmpegProgress } from '../../../src/encode/index.js';

const block1 = 'frame=12\nfps=0.00\nstream_0_0_q=28.0\nbitrate=N/A\ntotal_size=48\nout_time_us=400000\nout_time_ms=400000\nout_time=00:00:00.400000\ndup_frames=0\ndrop_frames=0\nspeed=0.8x\nprogress=continue\n';
const block2 = 'frame=30\nfps=0.00\ntotal_size=N/A\nout_time_us=1000000\nspeed=N/A\nprogress=end\n';

describe('createProgressParser', () => {
  it('emits one report per block, even when chunks split lines', () => {
    const seen: FfmpegProgress[] = [];
    const feed = createProgressParser((p) => seen.push(p));
    const all = block1 + block2;
    for (let i = 0; i < all.length; i += 7) feed(Buffer.from(all.slice(i, i + 7)));
    expect(seen).toEqual([
      { frame: 12, outTimeSec: 0.4, speed: 0.8, totalSizeBytes: 48, done: false },
      { frame: 30, outTimeSec: 1, speed: null, totalSizeBytes: null, done: true },
    ]);
  });

  it('does not emit for an unfinished block or for noise', () => {
    const seen: FfmpegProgress[] = [];
    const feed = createProgressParser((p) => seen.push(p));
    feed('some error line\nframe=3\nout_time_us=100\n');
    expect(seen).toHaveLength(0);
    feed('progress=continue\n');
    expect(seen).toEqual([{ frame: 3, outTimeSec: 0.0001, speed: null, totalSizeBytes: null, done: false }]);
  });
});
