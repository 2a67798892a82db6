import { describe, expect, it } from 'vitest';
import { OrderedFrameSink } from '../../../src/render/ordered-frame-sink.js';
import { computeProgress } from '../../../src/render/index.js';

describe('OrderedFrameSink', () => {
  it('writes frames in order whatever order they arrive in', async () => {
    const written: number[] = [];
    const sink = new OrderedFrameSink(10, async (frame) => void written.push(frame));
    for (const frame of [12, 10, 14, 11, 13]) sink.put(frame, Buffer.from([frame]));
    await sink.flush();
    expect(written).toEqual([10, 11, 12, 13, 14]);
    expect(sink.buffered).toBe(0);
  });

  it('holds a producer that runs too far ahead until the writer catches up', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sink = new OrderedFrameSink(0, async (frame) => {
      if (frame === 0) await gate;
    });
    sink.put(0, Buffer.alloc(1));
    let admitted = false;
    const waiting = sink.waitForRoom(5, 5).then(() => (admitted = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(admitted).toBe(false);
    release();
    await waiting;
    expect(admitted).toBe(true);
  });

  it('surfaces a write error to waiting producers and to flush', async () => {
    const sink = new OrderedFrameSink(0, async () => {
      throw new Error('ffmpeg died');
    });
    sink.put(0, Buffer.alloc(1));
    await expect(sink.flush()).rejects.toThrow('ffmpeg died');
    await expect(sink.waitForRoom(100, 1)).rejects.toThrow('ffmpeg died');
    expect(() => sink.put(1, Buffer.alloc(1))).toThrow('ffmpeg died');
  });
});

describe('computeProgress', () => {
  it('derives fps and ETA from frames and elapsed time', () => {
    const p = computeProgress(30, 150, 5, 0, 2000);
    expect(p.fps).toBe(15);
    expect(p.etaSeconds).toBe(8);
    expect(computeProgress(0, 150, 0, 0, 10).etaSeconds).toBeUndefined();
  });
});
