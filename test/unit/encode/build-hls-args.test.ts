import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { buildHlsArgs, hlsRungNames, type HlsSpec } from '../../../src/encode/index.js';
import { valueAfter, valuesAfter } from './args-helpers.js';
import { defaultSpec, graphOf, PIPELINES, PORTRAIT, type PipelineName } from './transcode-fixtures.js';

const spec = defaultSpec('inapp', 'hls');
const outDir = '/work/out';
const build = (caps: PipelineName, master = PORTRAIT, s: HlsSpec = spec) =>
  buildHlsArgs({ spec: s, input: '/work/master.mp4', outDir, caps: PIPELINES[caps], master });

describe('buildHlsArgs', () => {
  it('names rung folders by their short side, unique', () => {
    expect(hlsRungNames(spec)).toEqual(['360p', '540p', '720p']);
    expect(hlsRungNames({ rungs: [{ width: 640, height: 360, videoBitrateK: 500 }, { width: 360, height: 640, videoBitrateK: 500 }] })).toEqual([
      '360p-0',
      '360p-1',
    ]);
  });

  it('CPU: one run, split into three libx264 rungs with per-rung bitrates and audio, fMP4 VOD playlists', () => {
    const args = build('cpu');
    expect(args.filter((a) => a === '-i')).toHaveLength(1);
    expect(args).not.toContain('-hwaccel');
    expect(graphOf(args)).toBe(
      [
        '[0:v]split=3[s0][s1][s2]',
        '[s0]scale=360:640:flags=lanczos,format=yuv420p,setsar=1[v0]',
        '[s1]scale=540:960:flags=lanczos,format=yuv420p,setsar=1[v1]',
        '[s2]scale=720:1280:flags=lanczos,format=yuv420p,setsar=1[v2]',
      ].join(';'),
    );
    expect(valuesAfter(args, '-map')).toEqual(['[v0]', '[v1]', '[v2]', '0:a:0', '0:a:0', '0:a:0']);
    expect(valueAfter(args, '-c:v')).toBe('libx264');
    expect(valueAfter(args, '-preset')).toBe('veryfast');
    expect(valueAfter(args, '-sc_threshold')).toBe('0');
    expect([0, 1, 2].map((i) => valueAfter(args, `-b:v:${i}`))).toEqual(['800k', '1600k', '2800k']);
    expect([0, 1, 2].map((i) => valueAfter(args, `-maxrate:v:${i}`))).toEqual(['880k', '1760k', '3080k']);
    expect(valueAfter(args, '-c:a')).toBe('aac');
    expect(valueAfter(args, '-b:a')).toBe('96k');
    // Keyframes on every 2 s segment boundary at 30 fps.
    expect(valueAfter(args, '-g')).toBe('60');
    expect(valueAfter(args, '-force_key_frames')).toBe('expr:gte(t,n_forced*2)');
    expect(valueAfter(args, '-f')).toBe('hls');
    expect(valueAfter(args, '-hls_time')).toBe('2');
    expect(valueAfter(args, '-hls_segment_type')).toBe('fmp4');
    expect(valueAfter(args, '-hls_playlist_type')).toBe('vod');
    expect(valueAfter(args, '-master_pl_name')).toBe('master.m3u8');
    expect(valueAfter(args, '-var_stream_map')).toBe('v:0,a:0,name:360p v:1,a:1,name:540p v:2,a:2,name:720p');
    expect(valueAfter(args, '-hls_segment_filename')).toBe(`${outDir}/%v/seg-%03d.m4s`);
    expect(args.at(-1)).toBe(`${outDir}/%v/index.m3u8`);
  });

  it('NVIDIA: CUDA decode, one scale_cuda per rung, h264_nvenc with IDR on forced keyframes', () => {
    const args = build('nvidia');
    expect(valueAfter(args, '-hwaccel')).toBe('cuda');
    expect(valueAfter(args, '-hwaccel_output_format')).toBe('cuda');
    const graph = graphOf(args);
    expect(graph).toContain('[s0]scale_cuda=w=360:h=640:interp_algo=lanczos,setsar=1[v0]');
    expect(graph).toContain('[s2]scale_cuda=w=720:h=1280:interp_algo=lanczos,setsar=1[v2]');
    expect(graph).not.toContain('hwdownload');
    expect(valueAfter(args, '-c:v')).toBe('h264_nvenc');
    expect(valueAfter(args, '-rc')).toBe('vbr');
    expect(valueAfter(args, '-forced-idr')).toBe('1');
    expect(valueAfter(args, '-b:v:1')).toBe('1600k');
  });

  it('NVDEC only: scale_cuda per rung, downloaded for libx264', () => {
    const args = build('nvdec');
    expect(valueAfter(args, '-hwaccel')).toBe('cuda');
    expect(graphOf(args)).toContain('[s1]scale_cuda=w=540:h=960:interp_algo=lanczos:format=nv12,hwdownload,format=nv12,setsar=1[v1]');
    expect(valueAfter(args, '-c:v')).toBe('libx264');
  });

  it('VAAPI: VAAPI decode, scale_vaapi per rung, h264_vaapi VBR', () => {
    const args = build('vaapi');
    expect(valueAfter(args, '-hwaccel')).toBe('vaapi');
    expect(valueAfter(args, '-hwaccel_device')).toBe('/dev/dri/renderD129');
    expect(valueAfter(args, '-hwaccel_output_format')).toBe('vaapi');
    expect(graphOf(args)).toContain('[s0]scale_vaapi=w=360:h=640:format=nv12,setsar=1[v0]');
    expect(valueAfter(args, '-c:v')).toBe('h264_vaapi');
    expect(valueAfter(args, '-rc_mode')).toBe('VBR');
  });

  it('a silent master: no audio maps and video-only stream map', () => {
    const args = build('cpu', { ...PORTRAIT, hasAudio: false });
    expect(valuesAfter(args, '-map')).toEqual(['[v0]', '[v1]', '[v2]']);
    expect(args).not.toContain('-c:a');
    expect(valueAfter(args, '-var_stream_map')).toBe('v:0,name:360p v:1,name:540p v:2,name:720p');
  });

  it('GOP follows the master frame rate and segment length', () => {
    expect(valueAfter(build('cpu', { ...PORTRAIT, fps: 25 }, { ...spec, segmentSeconds: 4 }), '-g')).toBe('100');
  });

  it('refuses a relative or %-containing folder (the muxer would misread it)', () => {
    for (const dir of ['out', '/tmp/50%/x']) {
      let caught: unknown;
      try {
        buildHlsArgs({ spec, input: '/m.mp4', outDir: dir, caps: PIPELINES.cpu, master: PORTRAIT });
      } catch (err) {
        caught = err;
      }
      expect(isAppError(caught, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});
