/**
 * Split render benchmark (prints figures; not a test).
 *
 *   npx tsx bench/split-render.ts [runs=1] [year-recap|recap-30s]
 *
 * One render worker process pinned to one core (`taskset -c 0`) renders a
 * whole video, the way a cold MP4 is rendered today; then two worker
 * processes pinned to one core each (`taskset -c 0`, `-c 1`) render it as a
 * split render (docs/split-render.md): one chunk each, joined here by stream
 * copy with the soundtrack encoded once. Each worker is a render engine with
 * one browser (bench/split-render-worker.ts); its Chromium and ffmpeg inherit
 * its core. Workers are started and warmed (browser launched, bundle built)
 * before anything is timed.
 *
 * Each split is run twice: cut by frame count (equal halves) and cut by
 * capture cost (planChunks with the template's capture profile, each frame's
 * CPU time, and a start for the second chunk: CHUNK_START_MS), the way the
 * render queue cuts a template version it has a profile for. The queue keeps
 * a version's profile as the average of its whole renders (blendCaptureProfile,
 * weights as CAPTURE_PROFILE_RENDERS gives them), and so does this bench: the
 * profile is the average of `profileRenders` untimed whole renders on core 0
 * before the runs (4th argument, default 2: a version the farm has rendered
 * a few times) and of every run's whole render since. 0 there cuts the first
 * runs by one render's profile, as the queue does for a new version.
 *
 * Cases: `year-recap` landscape (8 s, 240 frames) and `recap-30s` (30 s, 900
 * frames; bench/split-render-templates.ts). For each: wall time of all three,
 * speed-up of each cut (target >= 1.7x), the chunks' and the join's share, and the seam
 * checks: frame count, durations, first video/audio at 0, picture times,
 * a keyframe and audio packet continuity at each seam, PSNR of the split
 * against the whole render at each side of each seam, and the largest
 * difference of their decoded sound.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { findFfmpeg, findFfprobe } from '../src/encode/index.js';
import { createFootageServer } from '../src/footage/index.js';
import { blendCaptureProfile, blendWeight, CHUNK_START_MS, costOfFrames, createSplitRender, planChunks, type CaptureProfile, type RenderRequest, type RenderResult } from '../src/pipeline/index.js';
import { CAPTURE_PROFILE_RENDERS } from '../src/renders/index.js';
import { audioDifference, checkSplitVideo, describeSplitCheck, framePsnr } from '../test/helpers/split-checks.js';
import { repoRoot, TSX_LOADER } from './live-farm.js';
import { benchRegistry } from './split-render-templates.js';
import { cpuDuring } from './tree-cpu.js';

const runs = Number(process.argv[2] ?? 1);
/** A third argument keeps one case (`year-recap` or `recap-30s`, or `all`): a 30 s run alone takes ~10 min on a loaded VM. */
const only = process.argv[3] === 'all' ? undefined : process.argv[3];
/** Untimed whole renders whose profiles the cost cut starts from (averaged, as the render queue keeps them). */
const profileRenders = Number(process.argv[4] ?? 2);
const CASES = [
  { templateId: 'year-recap', frames: 240 },
  { templateId: 'recap-30s', frames: 900 },
].filter((c) => only === undefined || c.templateId === only);
const FPS = 30;

interface Worker {
  core: number;
  proc: ChildProcess;
  render(request: RenderRequest): Promise<RenderResult>;
}

/** Starts a render worker under `taskset -c <core>` and waits for its engine. */
async function startWorker(core: number): Promise<Worker> {
  const proc = spawn('taskset', ['-c', String(core), process.execPath, '--import', TSX_LOADER, path.join(repoRoot, 'bench/split-render-worker.ts')], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  const pending = new Map<number, { resolve: (r: RenderResult) => void; reject: (e: Error) => void }>();
  let next = 0;
  const ready = new Promise<void>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`worker on core ${core} exited (${code})`)));
    proc.on('message', (message: { ready?: true; id?: number; result?: RenderResult; error?: string }) => {
      if (message.ready) return resolve();
      const waiter = pending.get(message.id!);
      pending.delete(message.id!);
      if (message.error) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result!);
    });
  });
  await ready;
  return {
    core,
    proc,
    render: (request) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        proc.send({ id, request });
      }),
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const frameFigures = (r: RenderResult) => `${r.framesCaptured} captured + ${r.framesReused} reused, first frame ${r.timeToFirstFrameMs} ms`;
/** The profile's measured time in all, and the cost cut it gives two chunks: what the cost cut below is planned from. */
function describeProfile(profile: CaptureProfile, frames: number): string {
  const costs = costOfFrames(profile);
  const sum = (from: number, to: number) => costs.slice(from, to).reduce((a, b) => a + b, 0);
  const [first, second] = planChunks({ start: 0, end: frames }, { minFrames: 2, chunks: 2 }, costs);
  const [, alone] = planChunks({ start: 0, end: frames }, { minFrames: 2, chunks: 2, chunkStartMs: 0 }, costs);
  return `${(sum(0, frames) / 1000).toFixed(2)} s measured over ${frames} frames; cut in two at frame ${second!.start} (${alone!.start} without the chunk start of ${CHUNK_START_MS} ms): ${(sum(first!.start, first!.end) / 1000).toFixed(2)} s + ${(sum(second!.start, second!.end) / 1000).toFixed(2)} s`;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-split-bench-'));
  const config = loadConfig(process.env);
  const registry = await benchRegistry(config.cacheDir);
  const [ffmpegPath, ffprobePath] = await Promise.all([findFfmpeg({ path: config.binaries.ffmpeg }), findFfprobe({ path: config.binaries.ffprobe })]);
  const media = createFootageServer({ ffmpegPath, ffprobePath }, { cacheMaxBytes: 64 * 1024 * 1024 });
  const workers = await Promise.all([startWorker(0), startWorker(1)]);
  try {
    console.log(`bench/split-render.ts on ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}`);
    console.log('  whole: 1 render worker process on core 0 (taskset -c 0), one browser, renders the whole MP4 (today\'s cold render)');
    console.log('  split: 2 render worker processes on cores 0 and 1 (taskset -c 0 / -c 1), one browser each, one chunk each; joined by concat stream copy, soundtrack encoded once');
    // Warm-up: each worker launches its browser and builds (or finds) both bundles.
    for (const { templateId } of CASES) {
      await Promise.all(workers.map((w, i) => w.render({ templateId, variant: 'landscape', out: path.join(dir, `warm-${templateId}-${i}.mp4`), frames: { start: 0, end: 1 }, chunk: true })));
    }
    const splitRender = createSplitRender({ registry, media, ffmpegPath }, { minFrames: 2, chunks: workers.length });
    for (const testCase of CASES) {
      const whole: number[] = [];
      const wholeCpu: number[] = [];
      const cuts = { equal: { wall: [] as number[], cpu: [] as number[], seams: [] as number[] }, cost: { wall: [] as number[], cpu: [] as number[], seams: [] as number[] } };
      console.log(`\n${testCase.templateId} landscape 1280x720, ${testCase.frames} frames at ${FPS} fps (${testCase.frames / FPS} s), ${runs} run(s), alternating which goes first; cost cut by the average profile of ${profileRenders} untimed whole render(s) and the runs' own so far (at most ${CAPTURE_PROFILE_RENDERS} weighed alike), chunk start ${CHUNK_START_MS} ms`);
      let lastWhole = '';
      let lastSplit = '';
      /** The whole renders' capture profile, averaged: what the cost cut is planned from (the queue keeps it per template version). */
      let profile: CaptureProfile | undefined;
      let profiled = 0;
      const addProfile = (fresh: CaptureProfile) => {
        profile = blendCaptureProfile(profile, fresh, blendWeight(profiled++, CAPTURE_PROFILE_RENDERS));
      };
      for (let i = 0; i < profileRenders; i++) {
        const result = await workers[0]!.render({ templateId: testCase.templateId, variant: 'landscape', props: { firstName: `Profile${i}` }, out: path.join(dir, `${testCase.templateId}-profile-${i}.mp4`) });
        addProfile(result.captureProfile);
        console.log(`  profile render ${i + 1} (untimed, core 0): its capture profile: ${describeProfile(result.captureProfile, testCase.frames)}`);
      }
      for (let run = 0; run < runs; run++) {
        const props = { firstName: `Run${run}` };
        const request = { templateId: testCase.templateId, variant: 'landscape', props };
        const doWhole = async () => {
          const out = path.join(dir, `${testCase.templateId}-${run}-whole.mp4`);
          const started = performance.now();
          const { value: result, cpu } = await cpuDuring([workers[0]!.proc.pid!], () => workers[0]!.render({ ...request, out }));
          whole.push(performance.now() - started);
          wholeCpu.push(cpu[0]!);
          lastWhole = out;
          addProfile(result.captureProfile);
          console.log(`  run ${run + 1} whole (1 worker): ${seconds(whole.at(-1)!)} wall, ${cpu[0]!.toFixed(2)} CPU s (${frameFigures(result)})`);
          console.log(`    its capture profile: ${describeProfile(result.captureProfile, testCase.frames)}`);
          console.log(`    the average of ${profiled} whole renders' profiles: ${describeProfile(profile!, testCase.frames)}`);
        };
        const doSplit = async (cut: 'equal' | 'cost') => {
          const out = path.join(dir, `${testCase.templateId}-${run}-split-${cut}.mp4`);
          const started = performance.now();
          const chunkResults: RenderResult[] = [];
          const { value: result, cpu } = await cpuDuring([...workers.map((w) => w.proc.pid!), process.pid], () =>
            splitRender({ ...request, out }, async (chunk, index) => (chunkResults[index] = await workers[index % workers.length]!.render(chunk)), cut === 'cost' ? profile : undefined),
          );
          cuts[cut].wall.push(performance.now() - started);
          // The join runs in this process (its ffmpeg), whose tree holds the workers too: take theirs out.
          // The bench's own /proc polling stays in, so this is an upper bound.
          const joinCpu = cpu.at(-1)! - cpu.slice(0, -1).reduce((a, b) => a + b, 0);
          cuts[cut].cpu.push(Math.max(...cpu.slice(0, -1)) + joinCpu);
          cuts[cut].seams = result.chunks.slice(1).map((c) => c.start);
          if (cut === 'cost') lastSplit = out;
          const chunks = result.chunks
            .map((c, i) => `chunk ${i} [${c.start}, ${c.end}) on core ${workers[i % workers.length]!.core} ${seconds(c.wallMs)} wall, ${cpu[i]!.toFixed(2)} CPU s (${frameFigures(chunkResults[i]!)})`)
            .join('; ');
          console.log(`  run ${run + 1} split, ${cut} cut (2 workers): ${seconds(cuts[cut].wall.at(-1)!)} wall = ${chunks}; join ${result.joinMs} ms wall, ${joinCpu.toFixed(2)} CPU s`);
        };
        // The cost cut needs a profile: the whole render goes first on the first run when none was made before.
        if (run % 2 === 0) {
          await doWhole();
          await doSplit('equal');
          await doSplit('cost');
        } else {
          await doSplit('cost');
          await doSplit('equal');
          await doWhole();
        }
      }
      for (const cut of ['equal', 'cost'] as const) {
        const { wall, cpu } = cuts[cut];
        console.log(
          `  ${cut} cut: median wall time whole ${seconds(median(whole))}, split ${seconds(median(wall))}: speed-up ${(median(whole) / median(wall)).toFixed(2)}x (target >= 1.7x), load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
        );
        console.log(
          `  ${cut} cut on dedicated cores (CPU seconds: whole ${median(wholeCpu).toFixed(2)}; split = busiest worker + join ${median(cpu).toFixed(2)}): speed-up ${(median(wholeCpu) / median(cpu)).toFixed(2)}x`,
        );
      }
      const seam = cuts.cost.seams[0]!;
      const check = await checkSplitVideo(lastSplit, { fps: FPS, seams: cuts.cost.seams });
      const reference = await checkSplitVideo(lastWhole, { fps: FPS, seams: [] });
      console.log(`  seam checks of the last split render, cost cut (seam at frame ${seam}):`);
      for (const line of describeSplitCheck(check, FPS)) console.log(`    ${line}`);
      console.log(`    whole render: frames ${reference.frames}, video ${reference.videoDurationSec.toFixed(4)} s, audio ${reference.audioDurationSec?.toFixed(4) ?? 'none'} s`);
      const sampled = [0, seam - 1, seam, seam + 1, testCase.frames - 1];
      const psnr = await framePsnr(lastSplit, lastWhole, sampled);
      console.log(`    PSNR split vs whole: ${psnr.map((db, i) => `frame ${sampled[i]} ${db === Infinity ? 'identical' : `${db.toFixed(1)} dB`}`).join(', ')}`);
      const sound = await audioDifference(lastSplit, lastWhole);
      console.log(`    decoded sound split vs whole: ${sound.samples} samples, largest difference ${sound.maxDiff}`);
    }
  } finally {
    for (const worker of workers) worker.proc.send({ stop: true });
    await Promise.all(workers.map((w) => new Promise((resolve) => (w.proc.exitCode === null ? w.proc.once('exit', resolve) : resolve(null)))));
    media.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
