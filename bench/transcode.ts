/**
 * Transcode benchmark (prints figures; not a test).
 *
 *   npx tsx bench/transcode.ts [--encoders cpu|auto] [--concurrency 2]
 *
 * Makes a 10 s 1280x720 landscape master and a 10 s 720x1280 portrait one
 * (30 fps, H.264 + AAC, like the render worker's), then cuts the full email +
 * web + sms deliverable set from them, one deliverable after another, exactly
 * as a transcode worker does (transcodeDeliverable: probe, encode, verify).
 * Round 1 runs them one at a time and prints per deliverable the wall time and
 * the CPU time of its child processes (ffmpeg + ffprobe). Round 2 runs the
 * same set `--concurrency` at a time (a worker's CPU slots; default 2, the
 * cores of the target machine). Both print the set's wall time and speed as a
 * multiple of real time (10 s of video / wall time).
 *
 * `--encoders auto` uses detectEncoders() (GPU when one works); `cpu` (the
 * default) forces the CPU. Exit status 1 when a deliverable fails, or when a
 * GPU run had to fall back to the CPU (its figures would not be the GPU's).
 *
 * How child CPU time is measured: /proc/self/stat fields 16-17 (cutime,
 * cstime) hold the user and system time of every child this process has
 * waited for (proc(5)). Node reaps each ffmpeg/ffprobe before their exit
 * event fires, so the difference of those fields across one deliverable is
 * exactly the CPU its processes used, threads included. process.cpuUsage()
 * would only count Node itself, and a child's /proc/<pid>/stat is gone by the
 * time it has exited.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import {
  CPU_CAPS,
  describeCaps,
  detectEncoders,
  resolveChannelProfile,
  transcodeDeliverable,
  type EncoderCaps,
  type TranscodeDeliverableResult,
} from '../src/encode/index.js';

const run = promisify(execFile);
const { values } = parseArgs({ options: { encoders: { type: 'string', default: 'cpu' }, concurrency: { type: 'string', default: '2' } } });
const concurrency = Math.max(1, Number.parseInt(values.concurrency, 10) || 1);
if (values.encoders !== 'cpu' && values.encoders !== 'auto') {
  console.error(`--encoders must be cpu or auto, not ${values.encoders}`);
  process.exit(64);
}

const SECONDS = 10;
const CHANNELS = ['email', 'web', 'sms'] as const;

/** Clock ticks per second of the /proc times (USER_HZ, 100 on nearly every Linux). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds of all waited-for children so far (cutime + cstime of this process). */
function childrenCpuSec(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name (which may contain spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / CLK_TCK;
}

async function makeMaster(dir: string, name: string, width: number, height: number): Promise<string> {
  const file = path.join(dir, name);
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=30:duration=${SECONDS}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${SECONDS}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', file,
  ]);
  return file;
}

async function pickCaps(): Promise<EncoderCaps> {
  if (values.encoders === 'cpu') return CPU_CAPS;
  const { caps, report } = await detectEncoders();
  console.log(`detected: ${describeCaps(caps, report)}`);
  return caps;
}

function note(r: TranscodeDeliverableResult): string {
  if (r.passThrough) return 'pass-through (master published as is)';
  const parts: string[] = [];
  if (r.gifStep !== undefined) parts.push(`gif step ${r.gifStep}`);
  if (r.bitrateK !== undefined) parts.push(`video ${r.bitrateK} kbit/s`);
  if (r.fellBackToCpu) parts.push(`GPU FAILED, redone on CPU: ${r.gpuError?.slice(0, 120) ?? ''}`);
  return parts.join(', ');
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-bench-transcode-'));
let failed = false;
try {
  const ffmpegVersion = (await run('ffmpeg', ['-hide_banner', '-version'])).stdout.split('\n')[0];
  console.log(`machine: ${os.cpus().length} cores, node ${process.version}, ${ffmpegVersion}`);
  // Other processes on the machine stretch wall times; the load average says how much was going on.
  console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const caps = await pickCaps();
  console.log(`encoders: ${describeCaps(caps)}`);
  const madeAt = performance.now();
  const masters = {
    landscape: await makeMaster(dir, 'landscape.mp4', 1280, 720),
    portrait: await makeMaster(dir, 'portrait.mp4', 720, 1280),
  } as Record<string, string>;
  console.log(`masters: landscape 1280x720 and portrait 720x1280, ${SECONDS} s, 30 fps, H.264+AAC (made in ${((performance.now() - madeAt) / 1000).toFixed(1)} s, not counted)`);
  console.log('');
  console.log(`${'deliverable'.padEnd(20)} ${'pipeline'.padEnd(14)} ${'wall s'.padStart(7)} ${'cpu s'.padStart(7)} ${'size'.padStart(10)}  note`);

  // Round 1: one deliverable at a time, so each one's child CPU time is its own.
  const jobs = CHANNELS.flatMap((channel) => {
    const profile = resolveChannelProfile(channel);
    return profile.deliverables.map((spec) => ({ channel, spec, master: masters[profile.variant] as string, wallSec: 0 }));
  });
  const transcode = async (job: (typeof jobs)[number]): Promise<TranscodeDeliverableResult> =>
    transcodeDeliverable({ masterPath: job.master, spec: job.spec, outDir: await mkdtemp(path.join(dir, `${job.channel}-`)), caps, posterSeconds: 1 });
  const seqStart = performance.now();
  const cpuStart = childrenCpuSec();
  for (const job of jobs) {
    const label = `${job.channel}/${job.spec.name}`;
    const t0 = performance.now();
    const c0 = childrenCpuSec();
    try {
      const r = await transcode(job);
      job.wallSec = (performance.now() - t0) / 1000;
      const cpu = childrenCpuSec() - c0;
      const size = r.files.reduce((sum, f) => sum + f.size, 0);
      if (r.fellBackToCpu) failed = true;
      console.log(
        `${label.padEnd(20)} ${r.pipeline.padEnd(14)} ${job.wallSec.toFixed(2).padStart(7)} ${cpu.toFixed(2).padStart(7)} ${`${(size / 1000).toFixed(1)} KB`.padStart(10)}  ${note(r)}`,
      );
    } catch (err) {
      failed = true;
      console.log(`${label.padEnd(20)} FAILED: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}`);
    }
  }
  const seqWall = (performance.now() - seqStart) / 1000;
  const cpu = childrenCpuSec() - cpuStart;

  // Round 2: the same set as a worker with `concurrency` CPU slots runs it,
  // longest first (by round 1) so the short ones fill the gaps.
  const queue = [...jobs].sort((a, b) => b.wallSec - a.wallSec);
  const parStart = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const r = await transcode(job).catch(() => null);
        if (!r || r.fellBackToCpu) failed = true;
      }
    }),
  );
  const parWall = (performance.now() - parStart) / 1000;

  console.log('');
  console.log(`whole set (email + web + sms), one at a time: wall ${seqWall.toFixed(2)} s for ${SECONDS} s of video = ${(SECONDS / seqWall).toFixed(2)}x real time`);
  console.log(`whole set, ${concurrency} at a time (a worker with ${concurrency} CPU slots): wall ${parWall.toFixed(2)} s = ${(SECONDS / parWall).toFixed(2)}x real time`);
  console.log(`child CPU time of the set (ffmpeg + ffprobe): ${cpu.toFixed(2)} s; load average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(failed ? 'checks: FAILED (see above)' : 'checks: every output passed its ffprobe checks (codec, size, duration, fps, audio, budgets, faststart), in both rounds');
} finally {
  await rm(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
