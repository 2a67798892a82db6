/**
 * Readers for the deployment files under docker/ (Dockerfiles, compose.yml,
 * Kubernetes manifests), shared by the tests of test/unit/docker. Nothing
 * here asserts: it turns the files into plain data the tests check.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { envSchema } from '../../../src/config/index.js';
import { repoRoot } from '../../helpers/render-engine.js';

export const dockerDir = path.join(repoRoot, 'docker');
export const k8sDir = path.join(dockerDir, 'k8s');

/** The config defaults the processes start with when a variable is unset. */
export const configDefaults: Record<string, unknown> = envSchema.parse({});

/** Env names a container may set besides the config's own (read by libraries, not by src/config). */
export const FOREIGN_ENV = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'PUPPETEER_SKIP_DOWNLOAD', 'DEBIAN_FRONTEND', 'NVIDIA_VISIBLE_DEVICES', 'NVIDIA_DRIVER_CAPABILITIES', 'NVIDIA_DISABLE_REQUIRE']);

/** Parses a YAML file with every document; a syntax error throws with the file name. */
export function readYamlDocuments(file: string): Record<string, any>[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const out: Record<string, any>[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${path.relative(repoRoot, file)}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

/** docker/compose.yml with YAML merge keys (`<<: *anchor`) resolved, as Compose resolves them. */
export function readCompose(): Record<string, any> {
  return parseYaml(readFileSync(path.join(dockerDir, 'compose.yml'), 'utf8'), { merge: true, maxAliasCount: 100 });
}

/** Every Kubernetes object of docker/k8s/*.yaml, with the file it came from (kustomization.yaml excluded). */
export function readK8sObjects(): { file: string; obj: Record<string, any> }[] {
  return k8sFiles()
    .filter((file) => file !== 'kustomization.yaml')
    .flatMap((file) => readYamlDocuments(path.join(k8sDir, file)).map((obj) => ({ file, obj })));
}

export function k8sFiles(): string[] {
  return readdirSync(k8sDir).filter((f) => /\.ya?ml$/.test(f)).sort();
}

/** One instruction of a Dockerfile, continuation lines joined. */
export interface DockerInstruction {
  keyword: string;
  args: string;
  /** Index of the stage (FROM) it belongs to. */
  stage: number;
}

export interface Dockerfile {
  instructions: DockerInstruction[];
  /** `FROM <image> [AS name]` per stage. */
  stages: { image: string; name?: string }[];
  /** The instructions of the last stage (the image that ships). */
  final: DockerInstruction[];
  /** ARG defaults of the final stage. */
  args: Record<string, string>;
  /** ENV of the final stage (both `ENV A=b C=d` and `ENV A b`). */
  env: Record<string, string>;
}

export function readDockerfile(name: string): Dockerfile {
  const text = readFileSync(path.join(dockerDir, name), 'utf8');
  const lines = text.split('\n').filter((line) => !/^\s*#/.test(line));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  const instructions: DockerInstruction[] = [];
  const stages: Dockerfile['stages'] = [];
  for (const line of joined.split('\n')) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!.trim();
    if (keyword === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(args)!;
      stages.push({ image: from[1]!, name: from[2] });
    }
    instructions.push({ keyword, args, stage: stages.length - 1 });
  }
  const final = instructions.filter((i) => i.stage === stages.length - 1);
  const args: Record<string, string> = {};
  const env: Record<string, string> = {};
  for (const i of final) {
    if (i.keyword === 'ARG') {
      const m = /^(\w+)(?:=(?:"([^"]*)"|(\S*)))?/.exec(i.args)!;
      args[m[1]!] = m[2] ?? m[3] ?? '';
    }
    if (i.keyword === 'ENV') {
      if (/^\w+=/.test(i.args)) for (const m of i.args.matchAll(/(\w+)=(?:"([^"]*)"|(\S*))/g)) env[m[1]!] = m[2] ?? m[3] ?? '';
      else {
        const m = /^(\w+)\s+(.*)$/.exec(i.args)!;
        env[m[1]!] = m[2]!;
      }
    }
  }
  return { instructions, stages, final, args, env };
}

/** The packages of scripts/system-packages.txt, the list scripts/install-system-deps.sh installs. */
export function systemPackages(): string[] {
  return readFileSync(path.join(repoRoot, 'scripts/system-packages.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

/**
 * The Debian packages a Dockerfile's final stage installs, read from its RUN
 * instructions. Understands the three forms the images use and throws on any
 * other `apt-get install`, so a new form cannot slip past the check:
 * - `bash scripts/install-system-deps.sh`: the whole scripts list;
 * - `apt-get install [flags] pkg ${ARG} ...`: those names, ARG defaults expanded;
 * - `grep ... scripts/system-packages.txt | grep -vxE 'a|b' | xargs apt-get install [flags] pkg ...`:
 *   the scripts list without a and b, plus the names given.
 */
export function aptPackages(dockerfile: Dockerfile): Set<string> {
  const out = new Set<string>();
  const expand = (token: string) =>
    token.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => dockerfile.args[(a ?? b)!] ?? dockerfile.env[(a ?? b)!] ?? '');
  for (const run of dockerfile.final.filter((i) => i.keyword === 'RUN')) {
    if (run.args.includes('scripts/install-system-deps.sh')) systemPackages().forEach((p) => out.add(p));
    for (const command of splitUnquoted(run.args, /^(&&|;)/)) {
      const install = /apt-get\s+install\s+(.*)$/.exec(command);
      if (!install) continue;
      const pipeline = splitUnquoted(command, /^\|(?!\|)/);
      if (pipeline.length > 1) {
        if (!/^\s*grep\b.*\sscripts\/system-packages\.txt\s*$/.test(pipeline[0]!) || !/^\s*xargs\s+apt-get\s+install\b/.test(pipeline.at(-1)!)) {
          throw new Error(`unrecognised package pipeline: ${command.trim()}`);
        }
        const excluded = new Set<string>();
        for (const stage of pipeline.slice(1, -1)) {
          const grep = /^\s*grep\s+-vxE\s+'([^']*)'\s*$/.exec(stage);
          if (!grep) throw new Error(`unrecognised filter in package pipeline: ${stage.trim()}`);
          grep[1]!.split('|').forEach((name) => excluded.add(name));
        }
        systemPackages().filter((p) => !excluded.has(p)).forEach((p) => out.add(p));
      }
      for (const token of install[1]!.split(/\s+/).flatMap((t) => expand(t).split(/\s+/))) {
        if (!token || token.startsWith('-')) continue;
        if (!/^[a-z0-9][a-z0-9+.-]+$/.test(token)) throw new Error(`unrecognised package token "${token}" in: ${command.trim()}`);
        out.add(token);
      }
    }
  }
  return out;
}

/** Splits shell text on a separator that is outside single and double quotes. */
function splitUnquoted(text: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      continue;
    }
    const m = separator.exec(text.slice(i));
    if (m) {
      parts.push(text.slice(start, i));
      i += m[0].length - 1;
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** `"2"`, `"500m"`, `"3Gi"`, `"512Mi"`, `1` as a number (cores or bytes). */
export function parseQuantity(value: string | number): number {
  if (typeof value === 'number') return value;
  const m = /^([0-9.]+)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/.exec(value);
  if (!m) throw new Error(`not a quantity: ${value}`);
  const n = Number(m[1]);
  const unit = m[2] ?? '';
  const factor: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, Ki: 1024, M: 1e6, Mi: 1024 ** 2, G: 1e9, Gi: 1024 ** 3, T: 1e12, Ti: 1024 ** 4 };
  return n * factor[unit]!;
}

/** A Compose/Go duration (`16m`, `1m30s`, `30s`, `1h`) in milliseconds. */
export function parseDuration(value: string): number {
  if (!/^(\d+(\.\d+)?(h|m|s|ms|us|ns))+$/.test(value)) throw new Error(`not a duration: ${value}`);
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 1e-3, ns: 1e-6 };
  let total = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)/g)) total += Number(m[1]) * unit[m[2]!]!;
  return total;
}

/** Compose `environment` in either form (map or `KEY=value` list) as a map. */
export function composeEnvironment(service: Record<string, any>): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((entry: string) => [entry.split('=')[0], entry.slice(entry.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

/** A dotenv file as a map (empty values left out: they mean unset). */
export function readDotenv(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of readFileSync(file, 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)) if (m[2] !== '') out[m[1]!] = m[2]!;
  return out;
}
