import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppError } from '../errors/index.js';
import { hlsRungNames, HLS_RUNG_PLAYLIST } from './build-hls-args.js';
import type { HlsSpec } from './channel-profile.schema.js';
import { probe } from './probe.js';
import type { MasterInfo } from './transcode-args-input.js';

/** Seconds a rung may differ from the master. */
const DURATION_TOLERANCE_SEC = 0.2;

function invalid(message: string, details: Record<string, unknown>): AppError {
  return new AppError('DELIVERABLE_INVALID', message, { details });
}

/** `#EXT-X-STREAM-INF:` attributes and the URI line after each (RFC 8216 4.3.4.2). */
export function parseMasterPlaylist(text: string): { attributes: string; uri: string }[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an M3U8 playlist (no #EXTM3U)');
  const out: { attributes: string; uri: string }[] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) return;
    const uri = lines.slice(i + 1).find((l) => l !== '' && !l.startsWith('#'));
    if (uri) out.push({ attributes: line.slice('#EXT-X-STREAM-INF:'.length), uri });
  });
  return out;
}

/** A media playlist's init segment, segment URIs and total duration. */
export function parseMediaPlaylist(text: string): { map?: string; segments: string[]; durationSec: number; ended: boolean } {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const map = /#EXT-X-MAP:.*URI="([^"]+)"/.exec(text)?.[1];
  const durationSec = lines.filter((l) => l.startsWith('#EXTINF:')).reduce((sum, l) => sum + Number.parseFloat(l.slice(8)), 0);
  const segments = lines.filter((l) => l !== '' && !l.startsWith('#'));
  return { ...(map ? { map } : {}), segments, durationSec, ended: lines.includes('#EXT-X-ENDLIST') };
}

async function nonEmpty(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile() && s.size > 0, () => false);
}

/**
 * Checks an HLS ladder: the master playlist lists every rung at its
 * resolution; each rung playlist is a finished VOD playlist whose init and
 * media segments exist; each rung probes as H.264 at its size, as long as the
 * master, with audio when the master has audio. Throws AppError('DELIVERABLE_INVALID').
 */
export async function verifyHls(spec: HlsSpec, outDir: string, master: MasterInfo, options: { ffprobePath?: string; signal?: AbortSignal } = {}): Promise<void> {
  const masterPath = join(outDir, spec.name);
  const entries = parseMasterPlaylist(await readFile(masterPath, 'utf8'));
  const names = hlsRungNames(spec);
  for (const [i, rung] of spec.rungs.entries()) {
    const uri = `${names[i]}/${HLS_RUNG_PLAYLIST}`;
    const entry = entries.find((e) => e.uri === uri);
    const resolution = /RESOLUTION=(\d+)x(\d+)/.exec(entry?.attributes ?? '');
    if (!entry || Number(resolution?.[1]) !== rung.width || Number(resolution?.[2]) !== rung.height) {
      throw invalid(`${spec.name} does not list rung ${uri} at ${rung.width}x${rung.height}`, { rung: uri });
    }
    const playlistPath = join(outDir, names[i] as string, HLS_RUNG_PLAYLIST);
    const media = parseMediaPlaylist(await readFile(playlistPath, 'utf8'));
    if (!media.ended || media.segments.length === 0 || !media.map) throw invalid(`${uri} is not a complete fMP4 VOD playlist`, { rung: uri });
    for (const ref of [media.map, ...media.segments]) {
      if (!(await nonEmpty(join(dirname(playlistPath), ref)))) throw invalid(`${uri} references missing segment ${ref}`, { rung: uri, segment: ref });
    }
    if (Math.abs(media.durationSec - master.durationSec) > DURATION_TOLERANCE_SEC) {
      throw invalid(`${uri} lasts ${media.durationSec.toFixed(2)} s, the master ${master.durationSec.toFixed(2)} s`, { rung: uri });
    }
    const p = await probe(playlistPath, options);
    if (p.video?.codec !== 'h264' || p.video.width !== rung.width || p.video.height !== rung.height) {
      throw invalid(`${uri} probes as ${p.video?.codec ?? 'no video'} ${p.video?.width}x${p.video?.height}, expected h264 ${rung.width}x${rung.height}`, { rung: uri });
    }
    if (master.hasAudio && p.audio?.codec !== 'aac') throw invalid(`${uri} has no AAC audio though the master has audio`, { rung: uri });
  }
  if (entries.length !== spec.rungs.length) throw invalid(`${spec.name} lists ${entries.length} rungs, expected ${spec.rungs.length}`, {});
}
