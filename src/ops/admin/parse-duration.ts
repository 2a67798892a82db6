import { AppError } from '../../errors/index.js';

const UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;

/**
 * Parses an operator's duration into milliseconds: `90s`, `15m`, `2h`, `7d`,
 * `1w`, `1500ms`, combinations such as `1h30m`, or a bare number of seconds
 * (`3600`). `what` names the flag in the error, e.g. `--since`.
 */
export function parseDuration(text: string, what = 'duration'): number {
  const input = text.trim().toLowerCase();
  const fail = () =>
    new AppError('INVALID_ARGUMENT', `${what}: cannot read "${text}" as a duration; use e.g. 90s, 15m, 2h, 7d, 1h30m or a number of seconds`);
  if (input === '') throw fail();
  if (/^\d+(\.\d+)?$/.test(input)) return checked(Number(input) * 1_000, fail);
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < input.length) {
    const match = PART.exec(input);
    if (!match) throw fail();
    total += Number(match[1]) * UNITS_MS[match[2]!]!;
  }
  return checked(total, fail);
}

function checked(ms: number, fail: () => AppError): number {
  if (!Number.isFinite(ms) || ms <= 0) throw fail();
  return Math.round(ms);
}

/** A duration for people: `45s`, `12m`, `1h`, `3h 20m`, `2d 4h`, or `never`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'never';
  if (seconds < 1) return seconds <= 0 ? '0s' : '<1s';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
  return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d ${hours % 24}h`;
}
