import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../../src/config/index.js';
import { queueNames } from '../../../src/queue/queue-names.js';
import { repoRoot } from '../../helpers/render-engine.js';
import { configDefaults, FOREIGN_ENV, k8sDir, k8sFiles, parseQuantity, readDockerfile, readK8sObjects, readYamlDocuments } from './deploy-files.js';

/**
 * docker/k8s: every object is checked against the Kubernetes (and KEDA)
 * OpenAPI schemas by kubernetes-models, then the fields that decide whether
 * the farm drains and scales safely are checked against the code: the ports
 * and paths the processes serve, the render timeout and shutdown grace, the
 * queue names and the scaling metric.
 */
const objects = readK8sObjects();
const ofKind = (kind: string) => objects.filter((o) => o.obj.kind === kind).map((o) => o.obj);
const deployments = ofKind('Deployment');
const deployment = (name: string) => {
  const found = deployments.find((d) => d.metadata.name === name);
  if (!found) throw new Error(`no Deployment "${name}" in docker/k8s`);
  return found;
};
const configMap = ofKind('ConfigMap').find((c) => c.metadata.name === 'mastercut-config')!;
const secretExample = readYamlDocuments(path.join(k8sDir, 'secret.example.yaml'))[0]!;

const models: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Namespace': Namespace,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

const dockerfileOf = (image: string) => {
  const match = /\/mastercut-(api|render|transcode):/.exec(image);
  if (!match) throw new Error(`image ${image} is none of mastercut-api, mastercut-render, mastercut-transcode`);
  return readDockerfile(`${match[1] === 'api' ? 'api' : `${match[1]}-worker`}.Dockerfile`);
};

/** What the process in a container sees: image ENV < envFrom (ConfigMap, Secret, in order) < env. */
function effectiveEnv(container: any): Record<string, string> {
  const env: Record<string, string> = { ...dockerfileOf(container.image).env };
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, ofKind('ConfigMap').find((c) => c.metadata.name === from.configMapRef.name)!.data);
    if (from.secretRef) {
      expect(secretExample.metadata.name).toBe(from.secretRef.name);
      Object.assign(env, secretExample.stringData);
    }
  }
  for (const e of container.env ?? []) env[e.name] = e.value;
  return env;
}

const setting = (env: Record<string, string>, name: string) => Number(env[name] ?? configDefaults[name]);

/** The port a container's probes reach: its named or numbered container port. */
function probePort(container: any, probe: any): number {
  const port = probe.httpGet.port;
  if (typeof port === 'number') return port;
  const named = (container.ports ?? []).find((p: any) => p.name === port);
  if (!named) throw new Error(`${container.name}: probe port "${port}" is not a named container port`);
  return named.containerPort;
}

const roles = {
  api: { portVar: 'API_PORT', command: ['./bin/mastercut', 'serve'] },
  'render-worker': { portVar: 'METRICS_PORT', command: ['./bin/mastercut', 'worker', 'render'] },
  'transcode-worker': { portVar: 'METRICS_PORT', command: ['./bin/mastercut', 'worker', 'transcode'] },
  'webhook-worker': { portVar: 'METRICS_PORT', command: ['./bin/mastercut', 'worker', 'webhooks'] },
} as const;
type Role = keyof typeof roles;
const workerRoles = ['render-worker', 'transcode-worker', 'webhook-worker'] as const;

describe('docker/k8s manifests', () => {
  it('parse, and every object passes the Kubernetes / KEDA schema of its kind', () => {
    expect(objects.length).toBeGreaterThan(10);
    for (const { file, obj } of objects) {
      const model = models[`${obj.apiVersion}/${obj.kind}`];
      expect(model, `${file}: ${obj.apiVersion} ${obj.kind} has no validator here`).toBeDefined();
      expect(() => new model!(obj).validate(), `${file}: ${obj.kind}/${obj.metadata?.name}`).not.toThrow();
      expect(obj.metadata.namespace ?? obj.metadata.name).toBe('mastercut');
    }
  });

  it('the schema check is not a rubber stamp: a broken Deployment and ScaledObject are refused', () => {
    const broken = structuredClone(deployment('render-worker'));
    broken.spec.template.spec.terminationGracePeriodSeconds = '16m';
    expect(() => new Deployment(broken).validate()).toThrow(/terminationGracePeriodSeconds/);
    const scaled = structuredClone(ofKind('ScaledObject')[0]!);
    delete scaled.spec.scaleTargetRef.name;
    expect(() => new ScaledObject(scaled as never).validate()).toThrow(/name/);
  });

  it('kustomization.yaml applies every manifest but the Secret example', () => {
    const kustomization = readYamlDocuments(path.join(k8sDir, 'kustomization.yaml'))[0]!;
    const expected = k8sFiles().filter((f) => f !== 'kustomization.yaml' && f !== 'secret.example.yaml');
    expect([...kustomization.resources].sort()).toEqual(expected);
  });

  it('has one Deployment per role, each running its CLI command', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(Object.keys(roles).sort());
    for (const [name, role] of Object.entries(roles)) {
      const container = deployment(name).spec.template.spec.containers[0];
      expect([...(container.command ?? []), ...(container.args ?? [])]).toEqual(role.command);
      if (role.command[1] === 'worker') expect(existsSync(path.join(repoRoot, `workers/${role.command[2]}.ts`)), name).toBe(true);
    }
  });

  it('sets only settings the config knows, with values it accepts', () => {
    for (const d of deployments) {
      for (const container of d.spec.template.spec.containers) {
        const env = effectiveEnv(container);
        for (const name of Object.keys(env)) {
          expect(name in envSchema.shape || FOREIGN_ENV.has(name), `${d.metadata.name}: ${name} is not a setting of src/config`).toBe(true);
        }
        const parsed = envSchema.safeParse(env);
        expect(parsed.success, `${d.metadata.name}: ${parsed.error?.message}`).toBe(true);
      }
    }
  });

  describe.each(Object.keys(roles) as Role[])('Deployment %s', (name) => {
    const d = deployment(name);
    const pod = d.spec.template.spec;
    const container = pod.containers[0];

    it('selects its own pods', () => {
      expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
      expect(d.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
    });

    it('requests and limits CPU and memory (requests within limits)', () => {
      for (const resource of ['cpu', 'memory']) {
        const request = parseQuantity(container.resources.requests[resource]);
        const limit = parseQuantity(container.resources.limits[resource]);
        expect(request).toBeGreaterThan(0);
        expect(request).toBeLessThanOrEqual(limit);
      }
    });

    it('runs non-root, without privilege escalation or capabilities, on a read-only root with writable scratch dirs', () => {
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(pod.securityContext.seccompProfile.type).toBe('RuntimeDefault');
      expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      const mounts = (container.volumeMounts ?? []).map((m: any) => m.mountPath);
      expect(mounts).toContain('/tmp');
      const cacheDir = effectiveEnv(container).MASTERCUT_CACHE_DIR;
      if (name !== 'webhook-worker') expect(mounts).toContain(cacheDir);
      for (const m of container.volumeMounts ?? []) expect(pod.volumes.map((v: any) => v.name)).toContain(m.name);
    });

    it('probes liveness on /healthz and readiness on /readyz at the port the process serves', () => {
      const served = setting(effectiveEnv(container), roles[name].portVar);
      expect(served).toBeGreaterThan(0);
      expect(container.livenessProbe.httpGet.path).toBe('/healthz');
      expect(container.readinessProbe.httpGet.path).toBe('/readyz');
      expect(probePort(container, container.livenessProbe)).toBe(served);
      expect(probePort(container, container.readinessProbe)).toBe(served);
      if (container.startupProbe) expect(probePort(container, container.startupProbe)).toBe(served);
      // Prometheus scrapes the operations port (METRICS_PORT), which every process serves.
      const annotations = d.spec.template.metadata.annotations ?? {};
      const metricsPort = setting(effectiveEnv(container), 'METRICS_PORT');
      expect(Number(annotations['prometheus.io/port'])).toBe(metricsPort);
      expect(container.ports.map((p: any) => p.containerPort)).toContain(metricsPort);
    });
  });

  describe.each(workerRoles)('%s drains', (name) => {
    const pod = deployment(name).spec.template.spec;
    const env = effectiveEnv(pod.containers[0]);
    const graceMs = setting(env, 'WORKER_SHUTDOWN_GRACE_MS');

    it('within terminationGracePeriodSeconds: the shutdown grace plus 30 s to return jobs and close', () => {
      expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(graceMs + 30_000);
      // The worker handles SIGTERM itself: a preStop hook would only eat into the grace period.
      expect(pod.containers[0].lifecycle?.preStop).toBeUndefined();
    });

    it('rolls out without taking a worker away before its replacement is ready', () => {
      expect(deployment(name).spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    });
  });

  it('render workers get the whole render timeout to finish their render when stopped', () => {
    const pod = deployment('render-worker').spec.template.spec;
    const env = effectiveEnv(pod.containers[0]);
    expect(setting(env, 'WORKER_SHUTDOWN_GRACE_MS')).toBeGreaterThanOrEqual(setting(env, 'RENDER_TIMEOUT_MS'));
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(setting(env, 'RENDER_TIMEOUT_MS'));
  });

  it('render workers size their browser pool to their CPUs and give Chromium a writable /tmp', () => {
    const pod = deployment('render-worker').spec.template.spec;
    const container = pod.containers[0];
    // Node's availableParallelism() sees the node's cores, not the pod's: the pool is set explicitly.
    expect(setting(effectiveEnv(container), 'RENDER_POOL_SIZE')).toBe(parseQuantity(container.resources.limits.cpu));
    // puppeteer passes --disable-dev-shm-usage: Chromium's shared memory goes to /tmp, with the work dir.
    const tmp = container.volumeMounts.find((m: any) => m.mountPath === '/tmp');
    const volume = pod.volumes.find((v: any) => v.name === tmp.name);
    expect(parseQuantity(volume.emptyDir.sizeLimit)).toBeGreaterThanOrEqual(1024 ** 3);
    const scratch = pod.volumes.reduce((sum: number, v: any) => sum + (v.emptyDir?.medium === 'Memory' ? 0 : parseQuantity(v.emptyDir?.sizeLimit ?? 0)), 0);
    expect(scratch).toBeLessThanOrEqual(parseQuantity(container.resources.limits['ephemeral-storage']));
  });

  it('transcode workers request one NVIDIA GPU and land on GPU nodes', () => {
    const pod = deployment('transcode-worker').spec.template.spec;
    const resources = pod.containers[0].resources;
    expect(resources.limits['nvidia.com/gpu']).toBe(1);
    if (resources.requests['nvidia.com/gpu'] !== undefined) expect(resources.requests['nvidia.com/gpu']).toBe(resources.limits['nvidia.com/gpu']);
    expect(Object.keys(pod.nodeSelector ?? {}).some((k) => k.startsWith('nvidia.com/'))).toBe(true);
    expect(pod.tolerations).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'nvidia.com/gpu', effect: 'NoSchedule' })]));
    const env = effectiveEnv(pod.containers[0]);
    expect(setting(env, 'TRANSCODE_CPU_CONCURRENCY')).toBeLessThanOrEqual(parseQuantity(resources.requests.cpu));
  });

  it('has a PodDisruptionBudget per role that selects exactly that role\'s pods', () => {
    const pdbs = ofKind('PodDisruptionBudget');
    for (const name of Object.keys(roles)) {
      const matching = pdbs.filter((pdb) =>
        deployments.some((d) => d.metadata.name === name && Object.entries(pdb.spec.selector.matchLabels).every(([k, v]) => d.spec.template.metadata.labels[k] === v)),
      );
      expect(matching, `PDB for ${name}`).toHaveLength(1);
      const pdb = matching[0]!;
      const selected = deployments.filter((d) => Object.entries(pdb.spec.selector.matchLabels).every(([k, v]) => d.spec.template.metadata.labels[k] === v));
      expect(selected.map((d) => d.metadata.name)).toEqual([name]);
      expect((pdb.spec.minAvailable ?? pdb.spec.maxUnavailable) !== undefined).toBe(true);
    }
  });

  it('Services select one Deployment and target a port its container names', () => {
    for (const service of ofKind('Service')) {
      const selected = deployments.filter((d) => Object.entries(service.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v));
      expect(selected, service.metadata.name).toHaveLength(1);
      const ports = selected[0]!.spec.template.spec.containers[0].ports.map((p: any) => p.name);
      for (const port of service.spec.ports) expect(ports).toContain(port.targetPort);
    }
  });

  it('the Secret example is an example: placeholders only, and not applied by kustomize', () => {
    expect(secretExample.kind).toBe('Secret');
    for (const value of Object.values(secretExample.stringData as Record<string, string>)) expect(value).toMatch(/change-me|REPLACE/);
  });
});

describe('KEDA ScaledObjects', () => {
  const scaled = ofKind('ScaledObject');

  it.each([
    ['render-worker', queueNames.render],
    ['transcode-worker', queueNames.transcode],
  ])('scale %s on mastercut_recommended_workers of its queue, within bounds', (name, queue) => {
    const matching = scaled.filter((s) => s.spec.scaleTargetRef.name === name);
    expect(matching).toHaveLength(1);
    const spec = matching[0]!.spec;
    expect(spec.scaleTargetRef.kind ?? 'Deployment').toBe('Deployment');
    expect(deployment(spec.scaleTargetRef.name)).toBeDefined();
    expect(spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    expect(spec.maxReplicaCount).toBeGreaterThan(spec.minReplicaCount);
    expect(spec.cooldownPeriod).toBeGreaterThan(0);
    expect(spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBeGreaterThanOrEqual(spec.pollingInterval);
    const trigger = spec.triggers.find((t: any) => t.type === 'prometheus');
    expect(trigger.metadata.query).toContain(`mastercut_recommended_workers{queue="${queue}"}`);
    // AverageValue with threshold 1: replicas = ceil(recommended / 1).
    expect(trigger.metricType).toBe('AverageValue');
    expect(trigger.metadata.threshold).toBe('1');
  });

  it('every ScaledObject targets a Deployment that exists', () => {
    for (const s of scaled) expect(deployments.map((d) => d.metadata.name)).toContain(s.spec.scaleTargetRef.name);
  });

  it('the metric they read is one the code exports', () => {
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const full = path.join(dir, entry);
        if (statSync(full).isDirectory()) walk(full);
        else if (full.endsWith('.ts')) sources.push(readFileSync(full, 'utf8'));
      }
    };
    walk(path.join(repoRoot, 'src'));
    expect(sources.some((text) => text.includes('mastercut_recommended_workers'))).toBe(true);
  });
});
