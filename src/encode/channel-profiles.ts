import type { ChannelProfile } from './channel-profile.schema.js';

/**
 * The default channel profiles (email, web, inapp, sms, social, callcenter): which variant
 * each channel renders and which deliverables are cut from that master.
 * Templates and config may override them (resolveChannelProfile).
 */
export const CHANNEL_PROFILES = {
  email: {
    variant: 'landscape',
    deliverables: [
      { kind: 'poster', name: 'poster.jpg', width: 960, playBadge: true, quality: 3 },
      {
        kind: 'gif',
        name: 'preview.gif',
        width: 480,
        fps: 12,
        durationSeconds: 3,
        maxBytes: 1_000_000,
        // Smaller steps first lose smoothness, then size: a preview must stay legible.
        fallbackSteps: [
          { fps: 10, width: 480 },
          { fps: 8, width: 400 },
          { fps: 6, width: 320 },
        ],
      },
    ],
  },
  web: {
    variant: 'landscape',
    deliverables: [
      { kind: 'video', name: 'video.mp4', container: 'mp4', codec: 'h264', width: 1280, height: 720, crf: 23, audioBitrateK: 128 },
      { kind: 'poster', name: 'poster.jpg', width: 1280, playBadge: false, quality: 3 },
    ],
  },
  inapp: {
    variant: 'portrait',
    deliverables: [
      { kind: 'video', name: 'video.mp4', container: 'mp4', codec: 'h264', width: 720, height: 1280, crf: 23, audioBitrateK: 128 },
      {
        kind: 'hls',
        name: 'master.m3u8',
        segmentSeconds: 2,
        rungs: [
          { width: 360, height: 640, videoBitrateK: 800 },
          { width: 540, height: 960, videoBitrateK: 1600 },
          { width: 720, height: 1280, videoBitrateK: 2800 },
        ],
        audioBitrateK: 96,
      },
    ],
  },
  sms: {
    variant: 'portrait',
    deliverables: [
      // An MMS message carries about 600 KB whatever the duration: the budget is for the whole file.
      { kind: 'video', name: 'video.mp4', container: 'mp4', codec: 'h264', width: 480, height: 854, crf: 28, maxBytes: 600_000, audioBitrateK: 48 },
    ],
  },
  social: {
    variant: 'square',
    deliverables: [
      { kind: 'video', name: 'video.mp4', container: 'mp4', codec: 'h264', width: 1080, height: 1080, crf: 21, audioBitrateK: 128 },
    ],
  },
  callcenter: {
    variant: 'landscape',
    deliverables: [{ kind: 'still', name: 'card.png', width: 1280 }],
  },
} as const satisfies Record<string, ChannelProfile>;

export type ChannelName = keyof typeof CHANNEL_PROFILES;

export const CHANNEL_NAMES = Object.keys(CHANNEL_PROFILES) as ChannelName[];
