import type { CheckStatus, DetectionReport } from './detection-report.js';
import type { EncoderCaps } from './encoder-caps.js';

const REASON_MAX_CHARS = 90;

function clip(text: string): string {
  return text.length > REASON_MAX_CHARS ? `${text.slice(0, REASON_MAX_CHARS - 1)}…` : text;
}

/**
 * One line for logs, the worker heartbeat and metrics labels, e.g.
 * `nvidia-decode decode=cuda h264=libx264 | mode=auto ok=nvdec failed=h264_nvenc(OpenEncodeSessionEx failed: unsupported device (2): …) skipped=hevc_nvenc | ffmpeg version 6.1.1 | 1.2 s`.
 * Failed stages carry their reason, clipped; the full stderr stays in the report.
 */
export function describeCaps(caps: EncoderCaps, report?: DetectionReport): string {
  const stages = [`decode=${caps.decode}`, `h264=${caps.h264}`];
  if (caps.hevc) stages.push(`hevc=${caps.hevc}`);
  if (caps.vaapiDevice) stages.push(`device=${caps.vaapiDevice}`);
  const parts = [`${caps.label} ${stages.join(' ')}`];
  if (!report) return parts[0] as string;

  const groups: string[] = [`mode=${report.mode}`];
  const byStatus = (status: CheckStatus) => report.checks.filter((c) => c.status === status);
  const ok = byStatus('ok');
  if (ok.length) groups.push(`ok=${ok.map((c) => c.id).join(',')}`);
  const failed = byStatus('failed');
  if (failed.length) groups.push(`failed=${failed.map((c) => `${c.id}(${clip(c.reason ?? 'failed')})`).join(',')}`);
  for (const status of ['no-device', 'not-listed', 'skipped'] as const) {
    const some = byStatus(status);
    if (some.length) groups.push(`${status}=${some.map((c) => c.id).join(',')}`);
  }
  if (report.checks.length === 0) groups.push('nothing probed');
  parts.push(groups.join(' '));
  if (report.ffmpegVersion) parts.push(report.ffmpegVersion);
  parts.push(`${(report.durationMs / 1000).toFixed(1)} s`);
  return parts.join(' | ');
}
