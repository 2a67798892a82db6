import type { AudioTrack } from '../../../composition/index.js';

/** Opus takes 48 kHz; the farm's mixes use the same rate. */
export const AUDIO_SAMPLE_RATE = 48_000;
const CHANNELS = 2;

export interface EncodedAudio {
  chunks: { chunk: EncodedAudioChunk; meta: EncodedAudioChunkMetadata | undefined }[];
  numberOfChannels: number;
  sampleRate: number;
}

/** Whether this browser's WebCodecs can encode Opus (no browser here encodes AAC on Linux). */
export async function canEncodeOpus(): Promise<boolean> {
  if (typeof AudioEncoder === 'undefined' || typeof OfflineAudioContext === 'undefined') return false;
  try {
    return (await AudioEncoder.isConfigSupported({ codec: 'opus', sampleRate: AUDIO_SAMPLE_RATE, numberOfChannels: CHANNELS, bitrate: 128_000 })).supported === true;
  } catch {
    return false;
  }
}

/**
 * Mixes the tracks the frames registered (the template's soundtrack and its
 * `<Audio>` elements) the way the farm's ffmpeg mix does: each trimmed
 * (`startFrom`/`endAt`), looped, sped up, placed at `fromFrame`, cut after
 * `durationInFrames`, at its volume; the whole cut to the composition's
 * length. One difference: `playbackRate` changes pitch here (Web Audio
 * resamples), where ffmpeg's atempo keeps it.
 */
export async function mixAudioTracks(tracks: readonly AudioTrack[], fps: number, durationInFrames: number): Promise<AudioBuffer> {
  const length = Math.ceil((durationInFrames / fps) * AUDIO_SAMPLE_RATE);
  const context = new OfflineAudioContext(CHANNELS, length, AUDIO_SAMPLE_RATE);
  const decoded = new Map<string, Promise<AudioBuffer>>();
  const load = (src: string): Promise<AudioBuffer> => {
    const url = new URL(src, document.baseURI).href;
    let pending = decoded.get(url);
    if (!pending) {
      pending = fetch(url, { credentials: 'same-origin' }).then(async (r) => {
        if (!r.ok) throw new Error(`an audio file of the template answered ${r.status}`);
        return context.decodeAudioData(await r.arrayBuffer());
      });
      decoded.set(url, pending);
    }
    return pending;
  };
  for (const track of tracks) {
    const buffer = await load(track.src);
    const rate = track.playbackRate ?? 1;
    const sourceStart = (track.startFrom ?? 0) / fps;
    const sourceEnd = Math.min(buffer.duration, track.endAt === undefined ? buffer.duration : track.endAt / fps);
    if (!(sourceEnd > sourceStart)) continue;
    const node = context.createBufferSource();
    node.buffer = buffer;
    node.playbackRate.value = rate;
    const gain = context.createGain();
    gain.gain.value = track.volume;
    node.connect(gain).connect(context.destination);
    // Seconds of the composition: a track placed before frame 0 starts part way in.
    const when = Math.max(0, track.fromFrame) / fps;
    const skipped = (Math.max(0, -track.fromFrame) / fps) * rate;
    const until = track.durationInFrames === undefined ? Infinity : (track.fromFrame + track.durationInFrames) / fps;
    if (track.loop) {
      node.loop = true;
      node.loopStart = sourceStart;
      node.loopEnd = sourceEnd;
      const segment = sourceEnd - sourceStart;
      node.start(when, sourceStart + (skipped % segment));
    } else {
      const offset = sourceStart + skipped;
      if (offset >= sourceEnd) continue;
      node.start(when, offset, sourceEnd - offset);
    }
    if (Number.isFinite(until)) node.stop(Math.max(when, until));
  }
  return context.startRendering();
}

/** Encodes a mix as Opus with WebCodecs, in 0.1 s pieces. */
export async function encodeOpus(mix: AudioBuffer): Promise<EncodedAudio> {
  const chunks: EncodedAudio['chunks'] = [];
  let failure: unknown;
  const encoder = new AudioEncoder({ output: (chunk, meta) => chunks.push({ chunk, meta }), error: (e) => (failure = e) });
  encoder.configure({ codec: 'opus', sampleRate: AUDIO_SAMPLE_RATE, numberOfChannels: CHANNELS, bitrate: 128_000 });
  const step = AUDIO_SAMPLE_RATE / 10;
  const planes = Array.from({ length: CHANNELS }, (_, c) => mix.getChannelData(Math.min(c, mix.numberOfChannels - 1)));
  for (let at = 0; at < mix.length; at += step) {
    const frames = Math.min(step, mix.length - at);
    const data = new Float32Array(frames * CHANNELS);
    planes.forEach((plane, c) => data.set(plane.subarray(at, at + frames), c * frames));
    const audio = new AudioData({ format: 'f32-planar', sampleRate: AUDIO_SAMPLE_RATE, numberOfFrames: frames, numberOfChannels: CHANNELS, timestamp: Math.round((at / AUDIO_SAMPLE_RATE) * 1e6), data });
    encoder.encode(audio);
    audio.close();
  }
  await encoder.flush();
  encoder.close();
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  return { chunks, numberOfChannels: CHANNELS, sampleRate: AUDIO_SAMPLE_RATE };
}
