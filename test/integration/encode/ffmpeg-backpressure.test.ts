import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startFfmpeg } from '../../../src/encode/index.js';

// Raw grey frames to the null muxer: the only thing under test is the pipe.
const args = ['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', '512x512', '-i', 'pipe:0', '-f', 'null', '-'];

describe('startFfmpeg backpressure', () => {
  it('write() waits while ffmpeg does not read, and resumes on drain', async () => {
    const ffmpeg = await startFfmpeg(args);
    const frame = Buffer.alloc(512 * 512, 128); // 256 KiB: larger than the pipe buffer
    process.kill(ffmpeg.pid, 'SIGSTOP');
    try {
      let settled = false;
      const pending = ffmpeg.write(frame).then(() => {
        settled = true;
      });
      await sleep(300);
      expect(settled).toBe(false);
      process.kill(ffmpeg.pid, 'SIGCONT');
      await pending;
      expect(settled).toBe(true);
    } finally {
      process.kill(ffmpeg.pid, 'SIGCONT');
    }
    for (let i = 0; i < 5; i++) await ffmpeg.write(frame);
    await ffmpeg.end();
  });
});
