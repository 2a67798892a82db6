import { describe, expect, it } from 'vitest';
import { buildVideoTranscodeArgs, CPU_CAPS, type VideoSpec } from '../../../src/encode/index.js';
import { valueAfter, valuesAfter } from './args-helpers.js';
import { defaultSpec, graphOf, inputOptions, LANDSCAPE, PIPELINES, PORTRAIT, SQUARE } from './transcode-fixtures.js';

const outDir = '/work/out';
const input = '/work/master.mp4';
const fileProfiles = [
  ['web', defaultSpec('web', 'video'), LANDSCAPE],
  ['inapp', defaultSpec('inapp', 'video'), PORTRAIT],
  ['social', defaultSpec('social', 'video'), SQUARE],
] as const;

function build(spec: VideoSpec, caps: keyof typeof PIPELINES, master = LANDSCAPE, extra: { bitrateK?: number } = {}) {
  return buildVideoTranscodeArgs({ spec, input, outDir, caps: PIPELINES[caps], master, ...extra });
}

describe('buildVideoTranscodeArgs: constant-quality files per profile', () => {
  it.each(fileProfiles)('%s on the CPU: scale + libx264 CRF, AAC, faststart', (_, spec, master) => {
    const { runs, encoder } = build(spec, 'cpu', master);
    expect(runs).toHaveLength(1);
    const args = runs[0]!;
    expect(encoder).toBe('libx264');
    expect(args).not.toContain('-hwaccel');
    expect(args).toContain('-nostdin');
    expect(graphOf(args)).toBe(`scale=${spec.width}:${spec.height}:flags=lanczos,format=yuv420p,setsar=1`);
    expect(valueAfter(args, '-c:v')).toBe('libx264');
    expect(valueAfter(args, '-crf')).toBe(String(spec.crf));
    expect(valueAfter(args, '-profile:v')).toBe('high');
    expect(valuesAfter(args, '-map')).toEqual(['0:v:0', '0:a:0']);
    expect(valueAfter(args, '-c:a')).toBe('aac');
    expect(valueAfter(args, '-b:a')).toBe(`${spec.audioBitrateK}k`);
    expect(valueAfter(args, '-movflags')).toBe('+faststart');
    expect(args.slice(-3)).toEqual(['-f', 'mp4', `file:${outDir}/video.mp4`]);
    expect(valueAfter(args, '-i')).toBe(`file:${input}`);
  });

  it.each(fileProfiles)('%s on NVIDIA: CUDA decode, scale_cuda, h264_nvenc constant quality, no download', (_, spec, master) => {
    const { runs } = build(spec, 'nvidia', master);
    const args = runs[0]!;
    expect(inputOptions(args)).toEqual(expect.arrayContaining(['-hwaccel', 'cuda', '-hwaccel_output_format', 'cuda']));
    expect(valueAfter(args, '-hwaccel')).toBe('cuda');
    expect(valueAfter(args, '-hwaccel_output_format')).toBe('cuda');
    expect(graphOf(args)).toBe(`scale_cuda=w=${spec.width}:h=${spec.height}:interp_algo=lanczos,setsar=1`);
    expect(valueAfter(args, '-c:v')).toBe('h264_nvenc');
    expect(valueAfter(args, '-preset')).toBe('p5');
    expect(valueAfter(args, '-rc')).toBe('vbr');
    expect(valueAfter(args, '-cq')).toBe(String(spec.crf));
    expect(valueAfter(args, '-b:v')).toBe('0');
    expect(valueAfter(args, '-movflags')).toBe('+faststart');
    expect(valueAfter(args, '-c:a')).toBe('aac');
  });

  it.each(fileProfiles)('%s on NVDEC only: GPU decode and scale, download nv12, libx264', (_, spec, master) => {
    const { runs, encoder } = build(spec, 'nvdec', master);
    const args = runs[0]!;
    expect(encoder).toBe('libx264');
    expect(valueAfter(args, '-hwaccel')).toBe('cuda');
    expect(valueAfter(args, '-hwaccel_output_format')).toBe('cuda');
    expect(graphOf(args)).toBe(`scale_cuda=w=${spec.width}:h=${spec.height}:interp_algo=lanczos:format=nv12,hwdownload,format=nv12,setsar=1`);
    expect(valueAfter(args, '-c:v')).toBe('libx264');
    expect(valueAfter(args, '-crf')).toBe(String(spec.crf));
  });

  it.each(fileProfiles)('%s on VAAPI: VAAPI decode on the given node, scale_vaapi, h264_vaapi CQP', (_, spec, master) => {
    const { runs } = build(spec, 'vaapi', master);
    const args = runs[0]!;
    expect(inputOptions(args)).toEqual(['-hide_banner', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1', '-nostdin', '-y',
      '-hwaccel', 'vaapi', '-hwaccel_device', '/dev/dri/renderD129', '-hwaccel_output_format', 'vaapi']);
    expect(graphOf(args)).toBe(`scale_vaapi=w=${spec.width}:h=${spec.height}:format=nv12,setsar=1`);
    expect(valueAfter(args, '-c:v')).toBe('h264_vaapi');
    expect(valueAfter(args, '-rc_mode')).toBe('CQP');
    expect(valueAfter(args, '-qp')).toBe(String(spec.crf));
  });
});

describe('buildVideoTranscodeArgs: the SMS byte budget', () => {
  const sms = defaultSpec('sms', 'video');

  it('derives the bitrate from budget, duration and audio (600 KB, 10 s, 48k audio -> 378k video)', () => {
    expect(build(sms, 'cpu', PORTRAIT).bitrateK).toBe(378);
    // Twice as long: about half the bitrate.
    expect(build(sms, 'cpu', { ...PORTRAIT, durationSec: 20 }).bitrateK).toBe(165);
    // No audio: the audio share goes to video.
    expect(build(sms, 'cpu', { ...PORTRAIT, hasAudio: false }).bitrateK).toBe(426);
  });

  it('CPU: two passes of libx264 sharing one stats file; pass 1 writes nothing', () => {
    const { runs, passLogPrefix } = build(sms, 'cpu', PORTRAIT);
    expect(runs).toHaveLength(2);
    const [pass1, pass2] = runs as [string[], string[]];
    expect(passLogPrefix).toBe(`${outDir}/.passlog`);
    expect(valueAfter(pass1, '-pass')).toBe('1');
    expect(valueAfter(pass2, '-pass')).toBe('2');
    expect(valueAfter(pass1, '-passlogfile')).toBe(passLogPrefix);
    expect(valueAfter(pass2, '-passlogfile')).toBe(passLogPrefix);
    for (const args of [pass1, pass2]) {
      expect(valueAfter(args, '-c:v')).toBe('libx264');
      expect(valueAfter(args, '-b:v')).toBe('378k');
      expect(valueAfter(args, '-maxrate')).toBe('567k');
      expect(valueAfter(args, '-bufsize')).toBe('756k');
      expect(graphOf(args)).toBe('scale=480:854:flags=lanczos,format=yuv420p,setsar=1');
      expect(args).not.toContain('-crf');
    }
    expect(pass1).toContain('-an');
    expect(pass1.slice(-3)).toEqual(['-f', 'null', '-']);
    expect(valueAfter(pass2, '-c:a')).toBe('aac');
    expect(valueAfter(pass2, '-b:a')).toBe('48k');
    expect(valueAfter(pass2, '-movflags')).toBe('+faststart');
  });

  it('NVIDIA: one run, NVENC multipass with the VBV capped at the target', () => {
    const { runs, bitrateK } = build(sms, 'nvidia', PORTRAIT);
    expect(runs).toHaveLength(1);
    const args = runs[0]!;
    expect(valueAfter(args, '-c:v')).toBe('h264_nvenc');
    expect(valueAfter(args, '-multipass')).toBe('fullres');
    expect(valueAfter(args, '-b:v')).toBe(`${bitrateK}k`);
    expect(valueAfter(args, '-maxrate')).toBe(`${bitrateK}k`);
    expect(valueAfter(args, '-bufsize')).toBe(`${bitrateK}k`);
    expect(graphOf(args)).toContain('scale_cuda=w=480:h=854');
  });

  it('NVDEC only: two libx264 passes fed by scale_cuda + hwdownload', () => {
    const { runs } = build(sms, 'nvdec', PORTRAIT);
    expect(runs).toHaveLength(2);
    for (const args of runs) {
      expect(valueAfter(args, '-hwaccel')).toBe('cuda');
      expect(graphOf(args)).toContain('scale_cuda=w=480:h=854:interp_algo=lanczos:format=nv12,hwdownload,format=nv12');
      expect(valueAfter(args, '-c:v')).toBe('libx264');
    }
  });

  it('VAAPI: one run, VBR capped at the target', () => {
    const args = build(sms, 'vaapi', PORTRAIT).runs[0]!;
    expect(valueAfter(args, '-c:v')).toBe('h264_vaapi');
    expect(valueAfter(args, '-rc_mode')).toBe('VBR');
    expect(valueAfter(args, '-b:v')).toBe('378k');
    expect(valueAfter(args, '-maxrate')).toBe('378k');
  });

  it('uses a forced bitrate for the retry', () => {
    const { runs, bitrateK } = build(sms, 'cpu', PORTRAIT, { bitrateK: 300 });
    expect(bitrateK).toBe(300);
    expect(valueAfter(runs[1]!, '-b:v')).toBe('300k');
  });
});

describe('buildVideoTranscodeArgs: other cases', () => {
  const web = defaultSpec('web', 'video');
  const webm: VideoSpec = { ...web, name: 'video.webm', container: 'webm', codec: 'vp9', crf: 32 };

  it('VP9 WebM: libvpx-vp9 constant quality with Opus, no faststart, even on NVIDIA (decode stays on the GPU)', () => {
    const args = build(webm, 'nvidia').runs[0]!;
    expect(valueAfter(args, '-c:v')).toBe('libvpx-vp9');
    expect(valueAfter(args, '-crf')).toBe('32');
    expect(valueAfter(args, '-b:v')).toBe('0');
    expect(valueAfter(args, '-row-mt')).toBe('1');
    expect(valueAfter(args, '-c:a')).toBe('libopus');
    expect(args).not.toContain('-movflags');
    expect(args.slice(-3)).toEqual(['-f', 'webm', `file:${outDir}/video.webm`]);
    expect(graphOf(args)).toBe('scale_cuda=w=1280:h=720:interp_algo=lanczos:format=nv12,hwdownload,format=nv12,format=yuv420p,setsar=1');
  });

  it('VP9 with a byte budget runs two libvpx passes', () => {
    const { runs } = build({ ...webm, maxBytes: 600_000, audioBitrateK: 48 }, 'cpu', PORTRAIT);
    expect(runs.map((r) => valueAfter(r, '-pass'))).toEqual(['1', '2']);
    expect(runs.map((r) => valueAfter(r, '-c:v'))).toEqual(['libvpx-vp9', 'libvpx-vp9']);
  });

  it('HEVC: hevc_nvenc on NVIDIA, hevc_vaapi on VAAPI, libx265 on the CPU, tagged hvc1', () => {
    const hevc: VideoSpec = { ...web, codec: 'hevc' };
    expect(valueAfter(build(hevc, 'nvidia').runs[0]!, '-c:v')).toBe('hevc_nvenc');
    expect(valueAfter(build(hevc, 'vaapi').runs[0]!, '-c:v')).toBe('hevc_vaapi');
    const cpu = build(hevc, 'cpu').runs[0]!;
    expect(valueAfter(cpu, '-c:v')).toBe('libx265');
    expect(valueAfter(cpu, '-tag:v')).toBe('hvc1');
    // NVDEC-only has no HEVC encoder: libx265 after a GPU scale.
    expect(valueAfter(build(hevc, 'nvdec').runs[0]!, '-c:v')).toBe('libx265');
  });

  it('changes the frame rate first when the spec asks for another', () => {
    expect(graphOf(build({ ...web, fps: 24 }, 'cpu').runs[0]!)).toMatch(/^fps=24,scale=/);
    expect(graphOf(build({ ...web, fps: 24 }, 'nvidia').runs[0]!)).toMatch(/^fps=24,scale_cuda=/);
    // Same rate as the master: no fps filter.
    expect(graphOf(build({ ...web, fps: 30 }, 'cpu').runs[0]!)).not.toContain('fps=');
  });

  it('drops audio when the master has none', () => {
    const args = build(web, 'cpu', { ...LANDSCAPE, hasAudio: false }).runs[0]!;
    expect(args).toContain('-an');
    expect(valuesAfter(args, '-map')).toEqual(['0:v:0']);
    expect(args).not.toContain('-c:a');
  });

  it('CPU decode feeding NVENC (the caps of a failed GPU) scales on the CPU and encodes with NVENC', () => {
    const caps = { decode: 'cpu', h264: 'h264_nvenc', label: 'nvidia' } as const;
    const args = buildVideoTranscodeArgs({ spec: web, input, outDir, caps, master: LANDSCAPE }).runs[0]!;
    expect(args).not.toContain('-hwaccel');
    expect(graphOf(args)).toBe('scale=1280:720:flags=lanczos,format=yuv420p,setsar=1');
    expect(valueAfter(args, '-c:v')).toBe('h264_nvenc');
  });

  it('CPU decode feeding h264_vaapi uploads to a named VAAPI device', () => {
    const caps = { decode: 'cpu', h264: 'h264_vaapi', label: 'vaapi' } as const;
    const args = buildVideoTranscodeArgs({ spec: web, input, outDir, caps, master: LANDSCAPE }).runs[0]!;
    expect(valueAfter(args, '-init_hw_device')).toBe('vaapi=va:/dev/dri/renderD128');
    expect(valueAfter(args, '-filter_hw_device')).toBe('va');
    expect(graphOf(args)).toBe('scale=1280:720:flags=lanczos,format=nv12,hwupload,setsar=1');
  });

  it('is pure', () => {
    expect(build(web, 'nvidia')).toEqual(build(web, 'nvidia'));
    expect(buildVideoTranscodeArgs({ spec: web, input, outDir, caps: CPU_CAPS, master: LANDSCAPE }).encoder).toBe('libx264');
  });
});
