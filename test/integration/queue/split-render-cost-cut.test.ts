import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { JoinChunksRequest, RenderRequest } from '../../../src/pipeline/index.js';
import { createCaptureProfiles, enqueueRender, waitForRender, type RenderJobContext, type RenderSplitContext } from '../../../src/renders/index.js';
import { fakeRender, registry, useQueueKit } from './queue-test-kit.js';

/**
 * The render queue cuts a split master by its template version's capture
 * profile (docs/capacity.md section 5, "Cutting by capture cost"): a whole render records the profile
 * in Redis, the next split of that version follows it, a join seeds the
 * profile from the chunks' where the version has none (the averaging of whole
 * renders is in test/integration/renders/capture-profiles.test.ts), and a
 * version without one is cut by frame count. Stand-in renders (no Chromium); the real media of a cost cut is in
 * test/integration/render/split-render-cost-cut.test.ts.
 */
const env = useQueueKit({ attempts: 2, backoffDelayMs: 50 });

// `reference` has 150 frames: 30 animated, then 120 still (reused, half the cost): 90 in all, 30 per chunk of 3.
const PROFILE = 'c'.repeat(30) + 'r'.repeat(120);

interface Recorder {
  renderVideo: RenderJobContext['renderVideo'];
  renders: { frames?: { start: number; end: number }; chunk: boolean }[];
  joins: JoinChunksRequest[];
}

/** A fake render that reports the frames of PROFILE it covered, as the engine does. */
function recorder(): Recorder {
  const fake = fakeRender({ delayMs: 10 });
  const rec: Recorder = {
    renders: [],
    joins: [],
    renderVideo: async (request: RenderRequest) => {
      rec.renders.push({ frames: request.frames, chunk: request.chunk === true });
      const result = await fake.renderVideo(request);
      const frames = request.frames ?? { start: 0, end: PROFILE.length - 1 };
      // The version rendered is the one queued (no deploy in between), as the real engine reports it.
      const templateVersion = (await registry.bundle(request.templateId)).version;
      return { ...result, templateVersion, captureProfile: PROFILE.slice(frames.start, frames.end + 1) };
    },
  };
  return rec;
}

function split(rec: Recorder, store: RenderSplitContext['store']): RenderSplitContext {
  return {
    options: { minFrames: 100, chunks: 3 },
    frameCount: (templateId) => registry.get(templateId).durationInFrames,
    joinChunks: async (request) => {
      rec.joins.push(request);
      await writeFile(request.out, `joined ${request.chunks.length} parts`);
    },
    store,
  };
}

const chunkFrames = (rec: Recorder) =>
  rec.renders
    .filter((r) => r.chunk)
    .map((r) => r.frames!)
    .sort((a, b) => a.start - b.start);

describe('split renders cut by the template version capture profile', () => {
  it('a whole render records the profile; the next split follows it and its join records it again; no profile: equal cuts', async () => {
    const { kit } = env;
    const profiles = createCaptureProfiles(kit.redis, { keys: kit.keys });
    const version = (await registry.bundle('reference')).version;
    const profileKey = kit.keys.captureProfile('reference', version);

    // Without a profile the version is cut by frame count.
    const first = recorder();
    const firstWorker = kit.startWorker({ renderVideo: first.renderVideo, split: split(first, kit.store), captureProfiles: profiles });
    const a = await enqueueRender(kit.deps, { templateId: 'reference', props: { name: 'Ana', points: 1 }, priorityClass: 'api' });
    expect((await waitForRender(kit.deps, a.renderKey, 30_000)).state).toBe('done');
    expect(chunkFrames(first)).toEqual([
      { start: 0, end: 49 },
      { start: 50, end: 99 },
      { start: 100, end: 149 },
    ]);
    // The join seeded the version's profile with the chunks' end to end (it had none).
    expect(await kit.redis.get(profileKey)).toBe(PROFILE);
    await firstWorker.shutdown(0);

    // A whole render (this worker does not split) records it too.
    await kit.redis.del(profileKey);
    const whole = recorder();
    const wholeWorker = kit.startWorker({ renderVideo: whole.renderVideo, captureProfiles: profiles });
    const b = await enqueueRender(kit.deps, { templateId: 'reference', props: { name: 'Bea', points: 2 }, priorityClass: 'api' });
    expect((await waitForRender(kit.deps, b.renderKey, 30_000)).state).toBe('done');
    expect(whole.renders).toEqual([{ frames: undefined, chunk: false }]);
    expect(await kit.redis.get(profileKey)).toBe(PROFILE);
    expect(await kit.redis.ttl(profileKey)).toBeGreaterThan(0);
    await wholeWorker.shutdown(0);

    // The next split of the version is cut by capture cost: 30 each.
    const costed = recorder();
    kit.startWorker({ renderVideo: costed.renderVideo, split: split(costed, kit.store), captureProfiles: profiles });
    kit.startWorker({ renderVideo: costed.renderVideo, split: split(costed, kit.store), captureProfiles: profiles });
    const c = await enqueueRender(kit.deps, { templateId: 'reference', props: { name: 'Cai', points: 3 }, priorityClass: 'api' });
    expect((await waitForRender(kit.deps, c.renderKey, 30_000)).state).toBe('done');
    expect(chunkFrames(costed)).toEqual([
      { start: 0, end: 29 },
      { start: 30, end: 89 },
      { start: 90, end: 149 },
    ]);
    expect(costed.joins).toHaveLength(1);
    expect(costed.joins[0]!.range).toEqual({ start: 0, end: 150 });
    expect(costed.joins[0]!.chunks.map((ch) => ch.frames)).toEqual([30, 60, 60]);

    // A stored profile of the wrong length (another composition length) is ignored: equal cuts.
    await kit.redis.set(profileKey, 'c'.repeat(40));
    expect(await profiles.get('reference', version, 150)).toBeUndefined();
    costed.renders.length = 0;
    const d = await enqueueRender(kit.deps, { templateId: 'reference', props: { name: 'Dan', points: 4 }, priorityClass: 'api' });
    expect((await waitForRender(kit.deps, d.renderKey, 30_000)).state).toBe('done');
    expect(chunkFrames(costed).map((f) => f.start)).toEqual([0, 50, 100]);
  }, 60_000);
});
