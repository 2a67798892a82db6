import { describe, expect, it } from 'vitest';
import { buildAudioMixFilter } from '../../../src/encode/index.js';

describe('buildAudioMixFilter', () => {
  it('delays a track by its start frame, in samples at 48 kHz', () => {
    const { filter, outputLabel } = buildAudioMixFilter({
      tracks: [{ path: '/a.wav', fromFrame: 45, volume: 1 }],
      fps: 30,
      durationSec: 4,
      firstInputIndex: 1,
    });
    // 45 frames / 30 fps = 1.5 s = 72000 samples.
    expect(filter).toBe(
      '[1:a]aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,adelay=delays=72000S:all=1[a0];' +
        '[a0]apad=whole_dur=4,atrim=end=4[aout]',
    );
    expect(outputLabel).toBe('[aout]');
  });

  it('applies volume and trims to durationInFrames', () => {
    const { filter } = buildAudioMixFilter({
      tracks: [{ path: '/a.wav', fromFrame: 0, durationInFrames: 15, volume: 0.25 }],
      fps: 30,
      durationSec: 2,
      firstInputIndex: 1,
    });
    expect(filter).toContain('[1:a]atrim=end=0.5,asetpts=PTS-STARTPTS,aformat=');
    expect(filter).toContain('volume=0.25');
    expect(filter).not.toContain('adelay');
  });

  it('cuts the part of a track that starts before frame 0', () => {
    const { filter } = buildAudioMixFilter({
      tracks: [{ path: '/a.wav', fromFrame: -15, durationInFrames: 45, volume: 1 }],
      fps: 30,
      durationSec: 2,
      firstInputIndex: 1,
    });
    // Plays frames -15..30: source seconds 0.5 to 1.5, starting at frame 0.
    expect(filter).toContain('atrim=start=0.5:end=1.5,asetpts=PTS-STARTPTS');
    expect(filter).not.toContain('adelay');
  });

  it('mixes several tracks without normalisation, numbering inputs from firstInputIndex', () => {
    const { filter } = buildAudioMixFilter({
      tracks: [
        { path: '/a.wav', fromFrame: 0, volume: 1 },
        { path: '/b.wav', fromFrame: 10, volume: 2 },
        { path: '/c.wav', fromFrame: 20, volume: 0.5 },
      ],
      fps: 25,
      durationSec: 1 / 3,
      firstInputIndex: 2,
    });
    expect(filter.split(';')).toHaveLength(4);
    expect(filter).toContain('[2:a]');
    expect(filter).toContain('[3:a]');
    expect(filter).toContain('[4:a]');
    expect(filter).toContain('adelay=delays=19200S:all=1[a1]');
    expect(filter).toContain('volume=2,');
    expect(filter).toContain('[a0][a1][a2]amix=inputs=3:duration=longest:dropout_transition=0:normalize=0,');
    expect(filter).toContain('apad=whole_dur=0.333333,atrim=end=0.333333[aout]');
  });

  it('cuts trimStartSamples from the start of the whole mix and starts its timestamps that late', () => {
    const { filter } = buildAudioMixFilter({ tracks: [{ path: '/a.wav', fromFrame: 0, volume: 1 }], fps: 30, durationSec: 2, firstInputIndex: 1, trimStartSamples: 1024 });
    expect(filter).toMatch(/apad=whole_dur=2,atrim=end=2,atrim=start_sample=1024,asetpts=PTS-STARTPTS\+1024\/SR\/TB\[aout\]$/);
  });

  it('refuses an empty track list', () => {
    expect(() => buildAudioMixFilter({ tracks: [], fps: 30, durationSec: 1, firstInputIndex: 1 })).toThrow();
  });

  describe('source segments (the sound of a <Video>)', () => {
    const mix = (track: object) =>
      buildAudioMixFilter({ tracks: [{ path: '/v.mp4', fromFrame: 15, volume: 1, ...track }], fps: 30, durationSec: 4, firstInputIndex: 1 }).filter;

    it('trims the source before placing it on the timeline', () => {
      expect(mix({ sourceStartSec: 0.5, sourceEndSec: 2, durationInFrames: 45 })).toBe(
        '[1:a]atrim=start=0.5:end=2,asetpts=PTS-STARTPTS,atrim=end=1.5,asetpts=PTS-STARTPTS,' +
          'aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,adelay=delays=24000S:all=1[a0];' +
          '[a0]apad=whole_dur=4,atrim=end=4[aout]',
      );
    });

    it('loops exactly the segment, in samples, then stops with the track', () => {
      const filter = mix({ sourceStartSec: 1, sourceEndSec: 1.8, loop: true, durationInFrames: 90 });
      expect(filter).toContain('[1:a]atrim=start=1:end=1.8,asetpts=PTS-STARTPTS,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,aloop=loop=-1:size=38400,atrim=end=3,');
      expect(() => mix({ loop: true, durationInFrames: 90 })).toThrow(/looped track/);
      expect(() => mix({ loop: true, sourceEndSec: 2 })).toThrow(/looped track/);
    });

    it('changes speed with atempo, halving below 0.5', () => {
      expect(mix({ playbackRate: 1.5 })).toContain('[1:a]atempo=1.5,aformat=');
      expect(mix({ playbackRate: 0.2 })).toContain('[1:a]atempo=0.5,atempo=0.5,atempo=0.8,aformat=');
      expect(mix({ playbackRate: 1 })).toContain('[1:a]aformat=');
    });
  });
});
