import { describe, expect, it } from 'vitest';
import { createPlaybackClock } from '../../../src/composition/index.js';

describe('createPlaybackClock', () => {
  it('derives the frame from elapsed time without drift', () => {
    const c = createPlaybackClock({ fps: 30, durationInFrames: 300 });
    expect(c.play(1000)).toEqual(['play']);
    c.tick(1000 + 1000 / 3); // 10 frames exactly
    expect(c.frame()).toBe(10);
    // Many irregular ticks land on the same frame as one big one.
    for (let t = 1000; t <= 5000; t += 7.3) c.tick(t);
    c.tick(5000);
    expect(c.frame()).toBe(120);
  });

  it('reports each quartile once, then complete, and stops without loop', () => {
    const c = createPlaybackClock({ fps: 10, durationInFrames: 20 });
    c.play(0);
    const events = [];
    for (let t = 0; t <= 3000; t += 50) events.push(...c.tick(t).filter((e) => e !== 'frame'));
    expect(events).toEqual(['progress_25', 'progress_50', 'progress_75', 'complete']);
    expect(c.isPlaying()).toBe(false);
    expect(c.frame()).toBe(19);
    // Playing again restarts from 0 and reports the quartiles again.
    expect(c.play(5000)).toEqual(['play', 'frame']);
    expect(c.frame()).toBe(0);
    expect(c.tick(5000 + 600)).toContain('progress_25');
  });

  it('fires skipped quartiles in order when a tick jumps ahead, and loops', () => {
    const c = createPlaybackClock({ fps: 10, durationInFrames: 20, loop: true });
    c.play(0);
    expect(c.tick(1500)).toEqual(['frame', 'progress_25', 'progress_50', 'progress_75']);
    expect(c.tick(2100)).toEqual(['complete', 'frame']);
    expect(c.frame()).toBe(1);
    expect(c.isPlaying()).toBe(true);
  });

  it('pauses, seeks and resumes from the seeked frame', () => {
    const c = createPlaybackClock({ fps: 25, durationInFrames: 100 });
    c.play(0);
    c.tick(400);
    expect(c.pause(400)).toEqual(['pause']);
    expect(c.tick(2000)).toEqual([]);
    expect(c.frame()).toBe(10);
    expect(c.seek(50, 2000)).toEqual(['frame']);
    expect(c.seek(500, 2000)).toEqual(['frame']);
    expect(c.frame()).toBe(99);
    c.seek(50, 3000);
    c.play(3000);
    c.tick(3200);
    expect(c.frame()).toBe(55);
  });
});
