import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { CHANNEL_NAMES, channelProfileOverridesSchema, resolveChannelProfile } from '../../../src/encode/index.js';

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('resolveChannelProfile', () => {
  it('returns every default profile with schema defaults applied', () => {
    for (const channel of CHANNEL_NAMES) {
      const p = resolveChannelProfile(channel);
      expect(p.deliverables.length).toBeGreaterThan(0);
    }
    const web = resolveChannelProfile('web');
    expect(web.variant).toBe('landscape');
    expect(web.deliverables.map((d) => d.name)).toEqual(['video.mp4', 'poster.jpg']);
    const sms = resolveChannelProfile('sms').deliverables[0]!;
    expect(sms).toMatchObject({ kind: 'video', width: 480, height: 854, maxBytes: 600_000 });
    const callcenter = resolveChannelProfile('callcenter').deliverables[0]!;
    expect(callcenter).toMatchObject({ kind: 'still', name: 'card.png' });
  });

  it('rejects an unknown channel, listing the known ones', () => {
    const err = caught(() => resolveChannelProfile('fax'));
    expect(isAppError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect((err as Error).message).toContain('known channels: callcenter, email, inapp, sms, social, web');
  });

  it('applies the template override, then the config override on top', () => {
    const template = { inapp: { variant: 'square' } };
    expect(resolveChannelProfile('inapp', { template }).variant).toBe('square');
    expect(resolveChannelProfile('inapp', { template }).deliverables).toHaveLength(2);
    const config = { inapp: { deliverables: [{ kind: 'still' as const, name: 'card.png', width: 640 }] } };
    const both = resolveChannelProfile('inapp', { template, config });
    // The template's variant stays, the config's deliverables replace the list.
    expect(both.variant).toBe('square');
    expect(both.deliverables).toEqual([{ kind: 'still', name: 'card.png', width: 640 }]);
    const configVariant = resolveChannelProfile('inapp', { template, config: { inapp: { variant: 'portrait' } } });
    expect(configVariant.variant).toBe('portrait');
  });

  it('adds a channel defined by an override, which then counts as known', () => {
    const config = { kiosk: { variant: 'square', deliverables: [{ kind: 'video' as const, name: 'loop.mp4', width: 1080, height: 1080 }] } };
    const kiosk = resolveChannelProfile('kiosk', { config });
    expect(kiosk.deliverables[0]).toMatchObject({ container: 'mp4', codec: 'h264', crf: 23, audioBitrateK: 128 });
    // Half a definition is not a channel.
    const err = caught(() => resolveChannelProfile('half', { config: { ...config, half: { variant: 'square' } } }));
    expect((err as Error).message).toContain('known channels: callcenter, email, inapp, kiosk, sms, social, web');
  });

  it('rejects invalid overrides naming the field', () => {
    const err = caught(() => resolveChannelProfile('web', { config: { web: { deliverables: [{ kind: 'gif', name: 'x.gif' }] } } as never }));
    expect(isAppError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect((err as Error).message).toContain('config override of channel web');
    const mismatch = caught(() =>
      resolveChannelProfile('web', { config: { web: { deliverables: [{ kind: 'video', name: 'a.webm', container: 'webm', codec: 'h264', width: 64, height: 64 }] } } }),
    );
    expect((mismatch as Error).message).toContain('pairs container webm with codec h264');
  });

  it('webm: adds a VP9 twin after each MP4 video, keeping size, budget and audio bitrate', () => {
    const web = resolveChannelProfile('web', { webm: true });
    expect(web.deliverables.map((d) => d.name)).toEqual(['video.mp4', 'video.webm', 'poster.jpg']);
    expect(web.deliverables[1]).toMatchObject({ kind: 'video', container: 'webm', codec: 'vp9', width: 1280, height: 720, crf: 32 });
    const sms = resolveChannelProfile('sms', { webm: true });
    expect(sms.deliverables[1]).toMatchObject({ name: 'video.webm', maxBytes: 600_000, audioBitrateK: 48 });
    // No video, no twin.
    expect(resolveChannelProfile('email', { webm: true }).deliverables).toHaveLength(2);
  });

  it('the overrides schema reads a JSON config value', () => {
    const parsed = channelProfileOverridesSchema.parse(JSON.parse('{"social":{"variant":"portrait"}}'));
    expect(parsed).toEqual({ social: { variant: 'portrait' } });
    expect(channelProfileOverridesSchema.safeParse({ Social: {} }).success).toBe(false);
    expect(channelProfileOverridesSchema.safeParse({ social: { variant: 'x', extra: 1 } }).success).toBe(false);
  });
});
