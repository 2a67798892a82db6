import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface MasterOptions {
  width: number;
  height: number;
  seconds: number;
  fps?: number;
  audio?: boolean;
}

/**
 * Writes a master like the render worker's: ffmpeg's testsrc2 (moving, detailed
 * pattern) plus a 440 Hz tone, H.264 High yuv420p + AAC, faststart MP4.
 */
export async function makeMaster(dir: string, name: string, o: MasterOptions): Promise<string> {
  const path = join(dir, name);
  const fps = o.fps ?? 30;
  const audio = o.audio ?? true;
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${o.width}x${o.height}:rate=${fps}:duration=${o.seconds}`,
    ...(audio ? ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${o.seconds}`] : []),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-profile:v', 'high',
    ...(audio ? ['-c:a', 'aac', '-b:a', '128k'] : []),
    '-movflags', '+faststart', path,
  ]);
  return path;
}
