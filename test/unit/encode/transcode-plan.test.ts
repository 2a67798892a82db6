import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import {
  budgetVideoBitrateK,
  CPU_CAPS,
  effectiveCaps,
  isPassThrough,
  parseMasterPlaylist,
  parseMediaPlaylist,
  planFrames,
  retryVideoBitrateK,
  summarizeProbe,
  type ProbeResult,
} from '../../../src/encode/index.js';
import { defaultSpec, PIPELINES } from './transcode-fixtures.js';

function masterProbe(o: { width?: number; height?: number; codec?: string; format?: string; audio?: string | null; fps?: string } = {}): ProbeResult {
  return summarizeProbe({
    streams: [
      { codec_type: 'video', codec_name: o.codec ?? 'h264', width: o.width ?? 1280, height: o.height ?? 720, avg_frame_rate: o.fps ?? '30/1' },
      ...(o.audio === null ? [] : [{ codec_type: 'audio', codec_name: o.audio ?? 'aac', channels: 2, sample_rate: '48000' }]),
    ],
    format: { format_name: o.format ?? 'mov,mp4,m4a,3gp,3g2,mj2', duration: '10.0', size: '1000' },
  });
}

describe('isPassThrough', () => {
  const web = defaultSpec('web', 'video');
  it('publishes an H.264/AAC MP4 master of the same size as is', () => {
    expect(isPassThrough(web, masterProbe())).toBe(true);
    expect(isPassThrough(web, masterProbe({ audio: null }))).toBe(true);
    expect(isPassThrough({ ...web, fps: 30 }, masterProbe())).toBe(true);
  });
  it('re-encodes on any difference', () => {
    expect(isPassThrough(web, masterProbe({ width: 1920, height: 1080 }))).toBe(false);
    expect(isPassThrough(web, masterProbe({ codec: 'hevc' }))).toBe(false);
    expect(isPassThrough(web, masterProbe({ format: 'matroska,webm' }))).toBe(false);
    expect(isPassThrough(web, masterProbe({ audio: 'opus' }))).toBe(false);
    expect(isPassThrough({ ...web, fps: 24 }, masterProbe())).toBe(false);
    expect(isPassThrough({ ...web, maxBytes: 10_000_000 }, masterProbe())).toBe(false);
    expect(isPassThrough({ ...web, container: 'webm', codec: 'vp9', name: 'video.webm' }, masterProbe())).toBe(false);
    expect(isPassThrough(defaultSpec('web', 'poster'), masterProbe())).toBe(false);
  });
});

describe('effectiveCaps', () => {
  it('GIFs always run on the CPU; posters follow the decoder; videos follow decoder and encoder', () => {
    expect(effectiveCaps(defaultSpec('email', 'gif'), PIPELINES.nvidia)).toBe(CPU_CAPS);
    expect(effectiveCaps(defaultSpec('email', 'poster'), PIPELINES.nvidia)).toBe(PIPELINES.nvidia);
    const nvencOnly = { decode: 'cpu', h264: 'h264_nvenc', label: 'nvidia' } as const;
    expect(effectiveCaps(defaultSpec('email', 'poster'), nvencOnly)).toBe(CPU_CAPS);
    expect(effectiveCaps(defaultSpec('sms', 'video'), nvencOnly)).toBe(nvencOnly);
    const vp9 = { ...defaultSpec('web', 'video'), codec: 'vp9' as const, container: 'webm' as const, name: 'video.webm' };
    expect(effectiveCaps(vp9, nvencOnly)).toBe(CPU_CAPS);
    expect(effectiveCaps(vp9, PIPELINES.nvdec)).toBe(PIPELINES.nvdec);
    expect(effectiveCaps(defaultSpec('inapp', 'hls'), PIPELINES.vaapi)).toBe(PIPELINES.vaapi);
  });
});

describe('planFrames', () => {
  it('never mixes vendors: CUDA decode feeding a VAAPI encoder decodes on the CPU instead', () => {
    expect(planFrames({ decode: 'cuda', h264: 'h264_vaapi', label: 'x' }, 'vaapi').decode).toBe('cpu');
    expect(planFrames({ decode: 'vaapi', h264: 'h264_nvenc', label: 'x' }, 'cuda').decode).toBe('cpu');
    expect(planFrames(PIPELINES.vaapi, 'system').decode).toBe('vaapi');
  });
});

describe('byte budgets', () => {
  it('leaves a safety margin and refuses budgets too small to watch', () => {
    const k = budgetVideoBitrateK({ maxBytes: 600_000, durationSec: 10, audioBitrateK: 48 });
    expect(k).toBe(378);
    // (k + audio) * duration stays under the budget with room to spare.
    expect(((k + 48) * 1000 * 10) / 8).toBeLessThan(600_000 * 0.92);
    let err: unknown;
    try {
      budgetVideoBitrateK({ maxBytes: 100_000, durationSec: 10, audioBitrateK: 48 });
    } catch (e) {
      err = e;
    }
    expect(isAppError(err, 'DELIVERABLE_INVALID')).toBe(true);
  });

  it('a retry after an overshoot aims lower, in proportion', () => {
    const retry = retryVideoBitrateK({ maxBytes: 600_000, durationSec: 10, audioBitrateK: 48, previousK: 378, actualBytes: 700_000 });
    expect(retry).toBeLessThan(378 * 0.8);
    expect(retry).toBeGreaterThan(200);
    // A near miss still steps down.
    expect(retryVideoBitrateK({ maxBytes: 600_000, durationSec: 10, audioBitrateK: 48, previousK: 378, actualBytes: 601_000 })).toBeLessThan(378);
  });
});

describe('HLS playlist parsing', () => {
  it('reads rungs from a master playlist and segments from a media playlist', () => {
    const master = '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=985600,RESOLUTION=360x640,CODECS="avc1.64001e,mp4a.40.2"\n360p/index.m3u8\n\n';
    expect(parseMasterPlaylist(master)).toEqual([
      { attributes: 'BANDWIDTH=985600,RESOLUTION=360x640,CODECS="avc1.64001e,mp4a.40.2"', uri: '360p/index.m3u8' },
    ]);
    expect(() => parseMasterPlaylist('hello')).toThrow('#EXTM3U');
    const media = '#EXTM3U\n#EXT-X-MAP:URI="init_0.mp4"\n#EXTINF:2.000000,\nseg-000.m4s\n#EXTINF:1.5,\nseg-001.m4s\n#EXT-X-ENDLIST\n';
    expect(parseMediaPlaylist(media)).toEqual({ map: 'init_0.mp4', segments: ['seg-000.m4s', 'seg-001.m4s'], durationSec: 3.5, ended: true });
  });
});
