import { describe, expect, it } from 'vitest';
import { ffprobeJsonSchema, parseFrameRate, summarizeProbe } from '../../../src/encode/index.js';

describe('parseFrameRate', () => {
  it.each([
    ['30/1', 30],
    ['30000/1001', 30000 / 1001],
    ['0/0', null],
    [undefined, null],
    ['garbage', null],
  ])('%s -> %s', (input, expected) => {
    expect(parseFrameRate(input)).toBe(expected);
  });
});

describe('summarizeProbe', () => {
  it('summarises video and audio streams', () => {
    const raw = ffprobeJsonSchema.parse({
      streams: [
        { index: 0, codec_type: 'video', codec_name: 'h264', width: 320, height: 180, pix_fmt: 'yuv420p', avg_frame_rate: '0/0', r_frame_rate: '25/1', nb_frames: '25' },
        { index: 1, codec_type: 'audio', codec_name: 'aac', channels: 2, sample_rate: '48000' },
      ],
      format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '1.000000', size: '12345', tags: {} },
    });
    const s = summarizeProbe(raw);
    expect(s).toMatchObject({
      formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
      durationSec: 1,
      sizeBytes: 12345,
      video: { codec: 'h264', width: 320, height: 180, pixFmt: 'yuv420p', fps: 25, frames: 25 },
      audio: { codec: 'aac', channels: 2, sampleRate: 48000 },
    });
    expect(s.raw.format).toHaveProperty('tags');
  });

  it('prefers counted frames and leaves absent streams undefined', () => {
    const s = summarizeProbe(
      ffprobeJsonSchema.parse({
        streams: [{ codec_type: 'video', codec_name: 'vp9', avg_frame_rate: '30/1', nb_read_frames: '30' }],
        format: { format_name: 'matroska,webm', duration: 'N/A' },
      }),
    );
    expect(s.video?.frames).toBe(30);
    expect(s.audio).toBeUndefined();
    expect(s.durationSec).toBeNull();
    expect(s.sizeBytes).toBe(0);
  });
});
