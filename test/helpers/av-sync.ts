import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';

const run = promisify(execFile);

/** When each stream of a file starts, as ffprobe reads it. */
export interface StreamStarts {
  /**
   * `frameTimeError`: the largest distance, in seconds, between a picture's
   * time and where its index puts it (n / fps), so that a video whose first
   * frame is at 0 but whose others come late is caught too.
   */
  video: { startTime: number; firstPts: number; frameTimeError: number; durationSec: number };
  /**
   * `firstPts` is the first packet's; `presented` adds the samples the
   * container says to skip in it (the AAC encoder's priming, dropped through
   * an edit list): the time the first sample is heard.
   */
  audio: { startTime: number; firstPts: number; presented: number; durationSec: number } | null;
}

interface ProbedPacket {
  stream_index: number;
  pts_time?: string;
  side_data_list?: { side_data_type?: string; skip_samples?: number }[];
}

/**
 * ffprobe's `start_time` and duration of each stream, the pts of its first
 * packet (in decode order, as ffprobe reads the file), and how far the video's
 * pictures are from n / `fps`.
 */
export async function streamStarts(file: string, fps: number): Promise<StreamStarts> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=index,codec_type,start_time,duration,sample_rate:packet=stream_index,pts_time:packet_side_data', '-of', 'json', file],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const json = JSON.parse(stdout) as {
    streams: { index: number; codec_type: string; start_time: string; duration: string; sample_rate?: string }[];
    packets: ProbedPacket[];
  };
  const stream = (type: string) => {
    const s = json.streams.find((x) => x.codec_type === type);
    if (!s) return null;
    const first = json.packets.find((p) => p.stream_index === s.index);
    if (first?.pts_time === undefined) throw new Error(`${file}: no ${type} packet`);
    return { s, first, startTime: Number(s.start_time), firstPts: Number(first.pts_time) };
  };
  const video = stream('video');
  const audio = stream('audio');
  if (!video) throw new Error(`${file} has no video stream`);
  const skip = audio?.first.side_data_list?.find((d) => d.side_data_type === 'Skip Samples')?.skip_samples ?? 0;
  const pictures = json.packets
    .filter((p) => p.stream_index === video.s.index)
    .map((p) => Number(p.pts_time))
    .sort((a, b) => a - b);
  return {
    video: {
      startTime: video.startTime,
      firstPts: video.firstPts,
      frameTimeError: Math.max(...pictures.map((t, n) => Math.abs(t - n / fps))),
      durationSec: Number(video.s.duration),
    },
    audio: audio && {
      startTime: audio.startTime,
      firstPts: audio.firstPts,
      presented: audio.firstPts + skip / Number(audio.s.sample_rate),
      durationSec: Number(audio.s.duration),
    },
  };
}

const RATE = 48_000;

/** The sound of a file as ffmpeg plays it (edit lists applied), mono 48 kHz floats. */
export async function decodeMono(file: string): Promise<Float32Array> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a:0', '-ac', '1', '-ar', String(RATE), '-f', 'f32le', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 256 * 1024 * 1024,
  });
  return new Float32Array(stdout.buffer, stdout.byteOffset, Math.floor(stdout.length / 4));
}

/** Loudness per millisecond (mean absolute sample), which lines up attacks without being fooled by a tone's period. */
function envelope(samples: Float32Array): Float64Array {
  const perMs = RATE / 1000;
  const out = new Float64Array(Math.floor(samples.length / perMs));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let j = 0; j < perMs; j++) sum += Math.abs(samples[i * perMs + j]!);
    out[i] = sum / perMs;
  }
  return out;
}

/**
 * How many milliseconds the sound of `file` is late (positive) or early
 * against `source`, the track it was mixed from at time 0: the lag within
 * ±`maxLagMs` that best lines up their loudness envelopes over
 * [`fromMs`, `toMs`) of the source.
 */
export async function audioLagMs(file: string, source: string, options: { fromMs: number; toMs: number; maxLagMs?: number }): Promise<number> {
  const [out, src] = await Promise.all([decodeMono(file).then(envelope), decodeMono(source).then(envelope)]);
  const maxLag = options.maxLagMs ?? 80;
  let best = { lag: 0, score: -Infinity };
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let dot = 0;
    let a2 = 0;
    let b2 = 0;
    for (let t = options.fromMs; t < options.toMs; t++) {
      const a = src[t]!;
      const b = out[t + lag] ?? 0;
      dot += a * b;
      a2 += a * a;
      b2 += b * b;
    }
    const score = dot / Math.sqrt(a2 * b2 || 1);
    if (score > best.score) best = { lag, score };
  }
  return best.lag;
}

/**
 * The media time of the first picture Chromium shows of `file`, loaded (not
 * played) from a page next to it: `requestVideoFrameCallback` is set before
 * the source, so it sees the very first frame the browser presents. That is
 * where the browser puts the start of the video on the timeline its sound
 * also runs on.
 */
export async function chromiumFirstFrameTime(browser: Browser, file: string): Promise<number> {
  const html = `${file}.html`;
  await writeFile(html, '<!doctype html><video muted playsinline preload="auto"></video>');
  const page = await browser.newPage();
  try {
    await page.goto(pathToFileURL(html).href);
    // A string: the test runner's helpers do not exist in the page.
    return (await page.evaluate(`new Promise((resolve, reject) => {
      const video = document.querySelector('video');
      video.onerror = () => reject(new Error('the video did not load: ' + (video.error && video.error.message)));
      video.requestVideoFrameCallback((_now, meta) => resolve(meta.mediaTime));
      video.src = ${JSON.stringify(path.basename(file))};
    })`)) as number;
  } finally {
    await page.close();
  }
}
