import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { AppError } from '../errors/index.js';
import { unwrapLauncherScript } from './unwrap-launcher-script.js';

const SCRIPT_HINT = 'or run: bash scripts/install-system-deps.sh';
export const installHints = {
  ffmpeg: `sudo apt-get install ffmpeg (${SCRIPT_HINT})`,
  chromium: `sudo apt-get install chromium-headless-shell (${SCRIPT_HINT})`,
} as const;

export interface CheckBinaryOptions {
  /** Explicit path or bare name; a value with a `/` is used as-is, not searched. */
  path?: string;
  /** How to install it, shown in the error. */
  installHint: string;
  /** Environment to read PATH from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const s = await stat(path);
    if (!s.isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Searches PATH like a shell would; returns the first executable match. */
async function searchPath(name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = resolve(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** Like `checkBinary`, but returns null instead of throwing. */
export async function locateBinary(name: string, options: { path?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string | null> {
  const wanted = options.path ?? name;
  if (wanted.includes('/') || isAbsolute(wanted)) {
    const absolute = resolve(wanted);
    return (await isExecutableFile(absolute)) ? absolute : null;
  }
  return searchPath(wanted, options.env ?? process.env);
}

/**
 * Resolves the absolute path of an executable, or throws
 * AppError('DEPENDENCY_MISSING') saying how to install it. Nothing is cached:
 * call it once at start-up and pass the path along.
 */
export async function checkBinary(name: string, options: CheckBinaryOptions): Promise<string> {
  const found = await locateBinary(name, options);
  if (found) return found;
  const what = options.path && options.path !== name ? `${name} (${options.path})` : name;
  throw new AppError('DEPENDENCY_MISSING', `${what} not found or not executable; install it with: ${options.installHint}`, {
    details: { binary: name, path: options.path ?? null },
  });
}

export interface FindBinaryOptions {
  path?: string;
  env?: NodeJS.ProcessEnv;
}

/** Absolute path of ffmpeg (or of `path`). Throws AppError('DEPENDENCY_MISSING'). */
export function findFfmpeg(options: FindBinaryOptions = {}): Promise<string> {
  return checkBinary('ffmpeg', { ...options, installHint: installHints.ffmpeg });
}

/** Absolute path of ffprobe, which ships in the ffmpeg package. Throws AppError('DEPENDENCY_MISSING'). */
export function findFfprobe(options: FindBinaryOptions = {}): Promise<string> {
  return checkBinary('ffprobe', { ...options, installHint: installHints.ffmpeg });
}

/** Which Chromium was found, and a warning when it is not the recommended one. */
export interface ChromiumLocation {
  path: string;
  source: 'option' | 'env' | 'headless-shell' | 'chromium';
  /** Set when falling back to full Chromium. */
  warning?: string;
}

const HEADLESS_SHELL = 'chromium-headless-shell';
const CHROMIUM_ENV_VARS = ['MASTERCUT_CHROMIUM_PATH', 'CHROMIUM_PATH'] as const;

/**
 * Finds the browser for frame capture: an explicit `path`, then
 * `MASTERCUT_CHROMIUM_PATH` / `CHROMIUM_PATH`, then `chromium-headless-shell`
 * on PATH or in /usr/bin, then full `chromium` (with a warning). An explicit
 * path or env override that does not exist is an error, not a fallback, so a
 * typo never silently picks another browser.
 */
export async function findChromium(options: FindBinaryOptions = {}): Promise<ChromiumLocation> {
  const found = await findChromiumLauncher(options);
  return { ...found, path: await unwrapLauncherScript(found.path) };
}

async function findChromiumLauncher(options: FindBinaryOptions): Promise<ChromiumLocation> {
  const env = options.env ?? process.env;
  if (options.path) {
    return { path: await checkBinary(HEADLESS_SHELL, { path: options.path, env, installHint: installHints.chromium }), source: 'option' };
  }
  for (const key of CHROMIUM_ENV_VARS) {
    const value = env[key];
    if (!value) continue;
    const found = await locateBinary(HEADLESS_SHELL, { path: value, env });
    if (found) return { path: found, source: 'env' };
    throw new AppError('DEPENDENCY_MISSING', `${key}=${value} is not an executable file; fix the variable or unset it (${installHints.chromium}).`, {
      details: { variable: key },
    });
  }
  const shell = (await searchPath(HEADLESS_SHELL, env)) ?? (await locateBinary(HEADLESS_SHELL, { path: join('/usr/bin', HEADLESS_SHELL) }));
  if (shell) return { path: shell, source: 'headless-shell' };
  const full = (await searchPath('chromium', env)) ?? (await locateBinary('chromium', { path: '/usr/bin/chromium' }));
  if (full) {
    return {
      path: full,
      source: 'chromium',
      warning: `${HEADLESS_SHELL} not found, using ${full}: deterministic begin-frame capture needs ${HEADLESS_SHELL}; install it with: ${installHints.chromium}`,
    };
  }
  throw new AppError('DEPENDENCY_MISSING', `${HEADLESS_SHELL} not found; install it with: ${installHints.chromium}`, {
    details: { binary: HEADLESS_SHELL },
  });
}
