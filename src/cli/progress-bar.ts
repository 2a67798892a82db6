import type { RenderProgress } from '../render/index.js';

/**
 * A live progress line on stderr: a redrawn bar on a terminal, a line every
 * 10% otherwise (CI logs, pipes), so output stays readable in both.
 */
export function createProgressBar(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const tty = Boolean(stream.isTTY);
  let lastDecile = -1;
  let lastDraw = 0;
  return {
    update(p: RenderProgress): void {
      const ratio = p.totalFrames > 0 ? p.framesDone / p.totalFrames : 0;
      const line = `${label} ${bar(ratio)} ${p.framesDone}/${p.totalFrames} frames  ${p.fps.toFixed(1)} fps  ETA ${formatEta(p.etaSeconds)}`;
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 80 && p.framesDone < p.totalFrames) return;
        lastDraw = now;
        stream.write(`\r${line}\x1b[K`);
      } else {
        const decile = Math.floor(ratio * 10);
        if (decile === lastDecile) return;
        lastDecile = decile;
        stream.write(`${line}\n`);
      }
    },
    done(): void {
      if (tty) stream.write('\n');
    },
  };
}

function bar(ratio: number, width = 24): string {
  const filled = Math.round(Math.min(1, Math.max(0, ratio)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}
