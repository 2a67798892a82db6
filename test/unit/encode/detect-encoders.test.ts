import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectEncoders, listRenderNodes, type DetectEncodersOptions } from '../../../src/encode/detect-encoders.js';
import { describeCaps } from '../../../src/encode/describe-caps.js';
import { CPU_CAPS, usesGpu } from '../../../src/encode/encoder-caps.js';
import type { CandidateCheck } from '../../../src/encode/detection-report.js';
import type { ProbeId } from '../../../src/encode/encoder-probes.js';
import type { CommandResult, CommandRunner } from '../../../src/encode/run-command.js';
import { isAppError } from '../../../src/errors/index.js';
import { valueAfter } from './args-helpers.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/ffmpeg');
const read = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');

const listing = {
  encoders: read('debian-bookworm/encoders.txt'),
  hwaccels: read('debian-bookworm/hwaccels.txt'),
  filters: read('debian-bookworm/filters.txt'),
};
const VERSION = 'ffmpeg version 6.1.1-3ubuntu5 Copyright (c) 2000-2023 the FFmpeg developers\nbuilt with gcc 13 (Ubuntu 13.2.0-23ubuntu3)\n';

const OK: CommandResult = { code: 0, stdout: '', stderr: '' };
const fail = (fixture: string): CommandResult => ({ code: 1, stdout: '', stderr: read(`probe/${fixture}.stderr.txt`) });

// What each probe of a recorded machine answers; a probe missing here fails the test if it runs.
type Answers = Partial<Record<ProbeId, CommandResult>>;

const noGpu: Answers = {
  h264_nvenc: fail('nvenc-no-driver'),
  nvdec: fail('nvdec-no-driver'),
  h264_qsv: fail('qsv-no-device'),
};
const nvencMachine: Answers = { h264_nvenc: OK, hevc_nvenc: OK, nvdec: OK, h264_qsv: fail('qsv-no-device') };
const h200: Answers = { h264_nvenc: fail('nvenc-unsupported-device'), nvdec: OK, h264_qsv: fail('qsv-no-device') };

/** Which probe an argument list is, from its encoder or its GPU scaler. */
function probeOf(args: readonly string[]): ProbeId {
  const vf = valueAfter(args, '-vf') ?? '';
  if (vf.startsWith('scale_cuda')) return 'nvdec';
  if (vf.startsWith('scale_vaapi')) return 'vaapi_decode';
  const codec = valueAfter(args, '-c:v');
  if (!codec) throw new Error(`unexpected ffmpeg call: ${args.join(' ')}`);
  return codec as ProbeId;
}

interface Recorded {
  run: CommandRunner;
  probes: ProbeId[];
  calls: string[][];
}

/** A runner that answers like a recorded machine and logs which probes ran. */
function recorded(answers: Answers, overrides: { filters?: string; sample?: CommandResult; version?: CommandResult } = {}): Recorded {
  const state: Recorded = { probes: [], calls: [], run: async () => OK };
  state.run = async (args) => {
    state.calls.push([...args]);
    if (args[0] === '-version') return overrides.version ?? { code: 0, stdout: VERSION, stderr: '' };
    if (args.includes('-encoders')) return { code: 0, stdout: listing.encoders, stderr: '' };
    if (args.includes('-hwaccels')) return { code: 0, stdout: listing.hwaccels, stderr: '' };
    if (args.includes('-filters')) return { code: 0, stdout: overrides.filters ?? listing.filters, stderr: '' };
    if (valueAfter(args, '-c:v') === 'libx264' && args.at(-1)?.endsWith('sample.mp4')) return overrides.sample ?? OK;
    const id = probeOf(args);
    state.probes.push(id);
    const answer = answers[id];
    if (!answer) throw new Error(`probe ${id} ran but the recording has no answer for it`);
    return answer;
  };
  return state;
}

const noRenderNode = async (): Promise<string[]> => [];
const detect = (rec: Recorded, options: DetectEncodersOptions = {}) =>
  detectEncoders({ run: rec.run, listRenderNodes: noRenderNode, ...options });
const check = (checks: CandidateCheck[], id: ProbeId): CandidateCheck | undefined => checks.find((c) => c.id === id);

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => new Error('expected a rejection'),
    (err: unknown) => err as Error,
  );
}

describe('detectEncoders on recorded machines', () => {
  it('no GPU: nvenc is listed but its probe fails, so the CPU path is chosen and the report says why', async () => {
    const rec = recorded(noGpu);
    const { caps, report } = await detect(rec);
    expect(caps).toEqual(CPU_CAPS);
    expect(usesGpu(caps)).toBe(false);

    const nvenc = check(report.checks, 'h264_nvenc');
    expect(nvenc).toMatchObject({ listed: true, missing: [], status: 'failed', reason: 'Cannot load libcuda.so.1' });
    expect(nvenc?.stderrTail).toContain('[h264_nvenc @');
    expect(nvenc?.args).toContain('h264_nvenc');
    expect(check(report.checks, 'hevc_nvenc')).toMatchObject({ status: 'skipped', reason: 'h264_nvenc does not work' });
    expect(check(report.checks, 'nvdec')).toMatchObject({ status: 'failed', reason: expect.stringContaining('Cannot load libcuda.so.1') });
    expect(check(report.checks, 'h264_vaapi')).toMatchObject({ listed: true, status: 'no-device' });
    expect(check(report.checks, 'vaapi_decode')?.status).toBe('no-device');
    expect(check(report.checks, 'h264_qsv')?.reason).toBe('Error initializing an internal MFX session: unsupported (-3)');
    // Skipped and device-less stages are never run.
    expect(rec.probes).toEqual(['h264_nvenc', 'nvdec', 'h264_qsv']);

    expect(report.decision).toMatch(/^cpu: no GPU stage works/);
    expect(report.decision).toContain('h264_nvenc: Cannot load libcuda.so.1');
    expect(report.ffmpegVersion).toBe('ffmpeg version 6.1.1-3ubuntu5');
    const line = describeCaps(caps, report);
    expect(line).toMatch(/^cpu decode=cpu h264=libx264 \| mode=auto /);
    expect(line).toContain('failed=h264_nvenc(Cannot load libcuda.so.1)');
    expect(line).not.toContain('\n');
  });

  it('NVENC + NVDEC: decode, scale and encode on the GPU', async () => {
    const rec = recorded(nvencMachine);
    const { caps, report } = await detect(rec);
    expect(caps).toEqual({ decode: 'cuda', h264: 'h264_nvenc', hevc: 'hevc_nvenc', label: 'nvidia' });
    expect(usesGpu(caps)).toBe(true);
    expect(report.checks.filter((c) => c.status === 'ok').map((c) => c.id)).toEqual(['h264_nvenc', 'hevc_nvenc', 'nvdec']);
    expect(report.decision).toMatch(/^nvidia: h264_nvenc, hevc_nvenc, nvdec work/);
    expect(describeCaps(caps, report)).toMatch(/^nvidia decode=cuda h264=h264_nvenc hevc=hevc_nvenc \| mode=auto ok=h264_nvenc,hevc_nvenc,nvdec /);
  });

  it('the NVDEC probe decodes a real H.264 sample on the GPU and scales it with scale_cuda', async () => {
    const rec = recorded(nvencMachine);
    await detect(rec);
    const sampleCall = rec.calls.find((a) => a.at(-1)?.endsWith('sample.mp4'));
    const nvdecCall = rec.calls.find((a) => a.includes('-hwaccel'));
    expect(valueAfter(sampleCall ?? [], '-c:v')).toBe('libx264');
    expect(valueAfter(nvdecCall ?? [], '-hwaccel')).toBe('cuda');
    expect(valueAfter(nvdecCall ?? [], '-hwaccel_output_format')).toBe('cuda');
    expect(valueAfter(nvdecCall ?? [], '-i')).toBe(sampleCall?.at(-1));
    // The transcode pipeline's own NVDEC-only chain: scale on the GPU, then download.
    expect(valueAfter(nvdecCall ?? [], '-vf')).toMatch(/^scale_cuda=w=128:h=128\b.*,hwdownload,format=nv12\b/);
    // The sample's temp dir is removed afterwards.
    expect(existsSync(path.dirname(sampleCall?.at(-1) ?? '/nonexistent/x'))).toBe(false);
  });

  it('NVDEC only (H200): GPU decode and scale, x264 encode, and the NVENC error is reported', async () => {
    const rec = recorded(h200);
    const { caps, report } = await detect(rec);
    expect(caps).toEqual({ decode: 'cuda', h264: 'libx264', label: 'nvidia-decode' });
    expect(usesGpu(caps)).toBe(true);
    expect(check(report.checks, 'h264_nvenc')).toMatchObject({
      listed: true,
      status: 'failed',
      reason: 'OpenEncodeSessionEx failed: unsupported device (2): (no details); No capable devices found',
    });
    expect(check(report.checks, 'hevc_nvenc')?.status).toBe('skipped');
    expect(check(report.checks, 'nvdec')?.status).toBe('ok');
    expect(report.decision).toContain('nvidia-decode: nvdec work; not used: h264_nvenc: OpenEncodeSessionEx failed: unsupported device (2)');
    expect(describeCaps(caps, report)).toMatch(/^nvidia-decode decode=cuda h264=libx264 \| mode=auto ok=nvdec failed=h264_nvenc\(OpenEncodeSessionEx/);
  });

  it('a build without scale_cuda cannot decode on the GPU: nvdec is not listed and not run, NVENC alone is used', async () => {
    const filters = listing.filters.replace(/^.*\bscale_cuda\b.*\n/m, '');
    const rec = recorded({ h264_nvenc: OK, hevc_nvenc: fail('nvenc-old-driver'), h264_qsv: fail('qsv-no-device') }, { filters });
    const { caps, report } = await detect(rec);
    expect(check(report.checks, 'nvdec')).toMatchObject({ listed: false, missing: ['filter:scale_cuda'], status: 'not-listed' });
    expect(rec.probes).not.toContain('nvdec');
    expect(caps).toEqual({ decode: 'cpu', h264: 'h264_nvenc', label: 'nvidia-encode' });
    expect(check(report.checks, 'hevc_nvenc')?.reason).toContain('minimum required Nvidia driver for nvenc is 530.41.03');
  });

  it('VAAPI: probes the first render node and uses it for decode and encode', async () => {
    const rec = recorded({ ...noGpu, h264_vaapi: OK, hevc_vaapi: fail('vaapi-no-display'), vaapi_decode: OK });
    const { caps, report } = await detect(rec, { listRenderNodes: async () => ['/dev/dri/renderD128', '/dev/dri/renderD129'] });
    expect(caps).toEqual({ decode: 'vaapi', h264: 'h264_vaapi', vaapiDevice: '/dev/dri/renderD128', label: 'vaapi' });
    expect(report.vaapiDevice).toBe('/dev/dri/renderD128');
    expect(report.renderNodes).toEqual(['/dev/dri/renderD128', '/dev/dri/renderD129']);
    const encodeCall = rec.calls.find((a) => valueAfter(a, '-c:v') === 'h264_vaapi');
    expect(valueAfter(encodeCall ?? [], '-vaapi_device')).toBe('/dev/dri/renderD128');
    expect(valueAfter(encodeCall ?? [], '-vf')).toBe('format=nv12,hwupload');
    const decodeCall = rec.calls.find((a) => valueAfter(a, '-hwaccel') === 'vaapi');
    expect(valueAfter(decodeCall ?? [], '-hwaccel_device')).toBe('/dev/dri/renderD128');
  });

  it('QSV alone: CPU decode, QSV encode', async () => {
    const rec = recorded({ ...noGpu, h264_qsv: OK, hevc_qsv: OK });
    const { caps } = await detect(rec);
    expect(caps).toEqual({ decode: 'cpu', h264: 'h264_qsv', hevc: 'hevc_qsv', label: 'qsv' });
  });

  it('skips the decode probes, with the reason, when the H.264 sample cannot be made', async () => {
    const rec = recorded({ h264_nvenc: OK, hevc_nvenc: OK, h264_qsv: fail('qsv-no-device') }, { sample: { code: 1, stdout: '', stderr: '[libx264 @ 0x1] broken\n' } });
    const { caps, report } = await detect(rec);
    expect(check(report.checks, 'nvdec')).toMatchObject({ status: 'skipped', reason: 'could not make the H.264 sample with libx264: broken' });
    expect(caps.label).toBe('nvidia-encode');
  });

  it('a probe that hangs is killed and reported as timed out', async () => {
    const rec = recorded({ ...noGpu, h264_nvenc: { code: -1, stdout: '', stderr: '', timedOut: true } });
    const { report } = await detect(rec, { timeoutMs: 1234 });
    expect(check(report.checks, 'h264_nvenc')).toMatchObject({ status: 'failed', reason: 'timed out after 1234 ms' });
  });

  it('refuses a broken ffmpeg whose listing fails', async () => {
    const rec = recorded(noGpu, { version: { code: 127, stdout: '', stderr: 'error while loading shared libraries: libavdevice.so.59\n' } });
    const err = await rejection(detect(rec));
    expect(isAppError(err, 'DEPENDENCY_MISSING')).toBe(true);
    expect(err.message).toContain('libavdevice.so.59');
    expect(err.message).toContain('install-system-deps.sh');
  });
});

describe('forced modes', () => {
  it("'cpu' returns CPU_CAPS without running ffmpeg", async () => {
    const run: CommandRunner = async () => {
      throw new Error('must not run');
    };
    const { caps, report } = await detectEncoders({ mode: 'cpu', run });
    expect(caps).toEqual(CPU_CAPS);
    expect(report).toMatchObject({ mode: 'cpu', checks: [], ffmpegVersion: null });
    expect(describeCaps(caps, report)).toContain('mode=cpu nothing probed');
  });

  it("'nvidia' probes only NVIDIA and accepts an NVDEC-only GPU", async () => {
    const rec = recorded(h200);
    const { caps, report } = await detect(rec, { mode: 'nvidia' });
    expect(caps.label).toBe('nvidia-decode');
    expect(rec.probes).toEqual(['h264_nvenc', 'nvdec']);
    expect(report.checks.every((c) => c.family === 'nvidia')).toBe(true);
    expect(report.decision).toMatch(/^nvidia-decode: forced by config/);
  });

  it("'nvidia' without a working NVIDIA stage is a config error that says what to do", async () => {
    const rec = recorded(noGpu);
    const err = await rejection(detect(rec, { mode: 'nvidia' }));
    expect(isAppError(err, 'DEPENDENCY_MISSING')).toBe(true);
    expect(err.message).toContain("forced to 'nvidia'");
    expect(err.message).toContain('h264_nvenc: Cannot load libcuda.so.1');
    expect(err.message).toContain('--gpus all');
    expect(err.message).toContain('auto or cpu');
    expect(rec.probes).toEqual(['h264_nvenc', 'nvdec']);
  });

  it("'vaapi' without a render node fails and names the device flag", async () => {
    const rec = recorded(noGpu);
    const err = await rejection(detect(rec, { mode: 'vaapi' }));
    expect(isAppError(err, 'DEPENDENCY_MISSING')).toBe(true);
    expect(err.message).toContain('--device /dev/dri');
    expect(rec.probes).toEqual([]);
  });

  it("'vaapi' with an explicit device probes that device", async () => {
    const rec = recorded({ h264_vaapi: OK, hevc_vaapi: OK, vaapi_decode: OK });
    const { caps } = await detect(rec, { mode: 'vaapi', vaapiDevice: '/dev/dri/renderD130' });
    expect(caps).toEqual({ decode: 'vaapi', h264: 'h264_vaapi', hevc: 'hevc_vaapi', vaapiDevice: '/dev/dri/renderD130', label: 'vaapi' });
    expect(rec.probes).toEqual(['h264_vaapi', 'hevc_vaapi', 'vaapi_decode']);
  });
});

describe('listRenderNodes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mc-dri-'));
    for (const name of ['renderD129', 'card0', 'renderD128', 'by-path']) await writeFile(path.join(dir, name), '');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lists renderD* nodes in numeric order and nothing when /dev/dri is missing', async () => {
    await mkdir(path.join(dir, 'renderD1000')).catch(() => {});
    expect(await listRenderNodes(dir)).toEqual(['renderD128', 'renderD129', 'renderD1000'].map((n) => path.join(dir, n)));
    expect(await listRenderNodes(path.join(dir, 'missing'))).toEqual([]);
  });
});

// This machine has ffmpeg but no GPU; on a machine with one the answer is not CPU_CAPS.
const hasGpuDevice = existsSync('/dev/nvidia0') || existsSync('/dev/dri');

describe('detectEncoders against the real ffmpeg', () => {
  it.skipIf(hasGpuDevice)('returns CPU caps here, and the report says why each GPU stage failed', async () => {
    const { caps, report } = await detectEncoders();
    expect(caps).toEqual(CPU_CAPS);
    expect(report.ffmpegVersion).toMatch(/^ffmpeg version /);
    expect(report.decision).toMatch(/^cpu: no GPU stage works/);
    const nvenc = check(report.checks, 'h264_nvenc');
    // Debian's build lists NVENC; only the real probe shows it cannot work.
    if (nvenc?.listed) {
      expect(nvenc.status).toBe('failed');
      expect(nvenc.reason).toMatch(/libcuda|CUDA|No capable devices|NVENC/i);
    }
    expect(report.checks.map((c) => c.id)).toEqual(['h264_nvenc', 'hevc_nvenc', 'nvdec', 'h264_vaapi', 'hevc_vaapi', 'vaapi_decode', 'h264_qsv', 'hevc_qsv']);
    expect(report.checks.every((c) => c.status !== 'ok')).toBe(true);
  });

  it('a missing ffmpeg is DEPENDENCY_MISSING with the install hint', async () => {
    const err = await rejection(detectEncoders({ ffmpegPath: '/nonexistent/ffmpeg' }));
    expect(isAppError(err, 'DEPENDENCY_MISSING')).toBe(true);
    expect(err.message).toContain('apt-get install ffmpeg');
  });
});
