import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/cli/embedded-redis.js';

/** One primary of a test cluster. */
export interface ClusterNode {
  port: number;
  /** The node's cluster id (CLUSTER MYID). */
  id: string;
  /** The slot range it serves, inclusive. */
  slots: readonly [number, number];
}

export interface TestRedisCluster {
  /** The farm's REDIS_URL for this cluster: `redis-cluster://127.0.0.1:<port>?seeds=...`. */
  url: string;
  nodes: readonly ClusterNode[];
  /** A plain (non-cluster) client of one node: for per-node checks (DBSIZE, SCAN). */
  nodeClient(port: number): Redis;
  destroy(): Promise<void>;
}

const SLOTS = 16_384;

/** Reads `cluster info` into a map. */
async function clusterInfo(client: Redis): Promise<Map<string, string>> {
  const text = (await client.call('CLUSTER', 'INFO')) as string;
  return new Map(text.split(/\r?\n/).filter(Boolean).map((line) => line.split(':') as [string, string]));
}

function startNode(port: number, dir: string): Promise<ChildProcess> {
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--save', '',
    '--appendonly', 'no',
    '--cluster-enabled', 'yes',
    '--cluster-config-file', path.join(dir, 'nodes.conf'),
    // Short enough that a test sees the cluster settle quickly; no failover is tested.
    '--cluster-node-timeout', '5000',
    '--maxmemory-policy', 'noeviction',
    '--daemonize', 'no',
  ];
  const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  proc.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`redis-server --cluster-enabled on ${port} did not start (${why}):\n${output}`));
    proc.once('error', (err) => fail(err.message));
    proc.once('exit', (code) => fail(`exited with ${code}`));
    const poll = setInterval(() => {
      if (output.includes('Ready to accept connections')) {
        clearInterval(poll);
        proc.removeAllListeners('exit');
        resolve(proc);
      }
    }, 20);
    proc.once('exit', () => clearInterval(poll));
  });
}

/**
 * A real Redis Cluster of three primaries (no replicas) on free loopback
 * ports, each in a temp directory without persistence. Slots are assigned
 * with CLUSTER ADDSLOTSRANGE and the nodes joined with CLUSTER MEET (no
 * redis-cli needed); it resolves once every node says `cluster_state:ok`
 * and knows all three. Call `destroy()` in afterAll.
 */
export async function startTestRedisCluster(options: { waitMs?: number } = {}): Promise<TestRedisCluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-cluster-'));
  const procs: ChildProcess[] = [];
  const clients: Redis[] = [];
  const destroy = async () => {
    await Promise.allSettled(clients.map((c) => c.quit().catch(() => c.disconnect())));
    await Promise.allSettled(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGTERM');
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const nodeDir = path.join(dir, String(port));
      await mkdir(nodeDir);
      procs.push(await startNode(port, nodeDir));
      ports.push(port);
    }
    for (const port of ports) clients.push(new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 }));
    const per = Math.floor(SLOTS / 3);
    const ranges = ports.map((_, i) => [i * per, i === 2 ? SLOTS - 1 : (i + 1) * per - 1] as const);
    for (let i = 0; i < 3; i++) await clients[i]!.call('CLUSTER', 'ADDSLOTSRANGE', String(ranges[i]![0]), String(ranges[i]![1]));
    for (let i = 1; i < 3; i++) await clients[0]!.call('CLUSTER', 'MEET', '127.0.0.1', String(ports[i]));

    const deadline = Date.now() + (options.waitMs ?? 60_000);
    for (;;) {
      const infos = await Promise.all(clients.map(clusterInfo));
      if (infos.every((info) => info.get('cluster_state') === 'ok' && info.get('cluster_known_nodes') === '3')) break;
      if (Date.now() > deadline) throw new Error(`the test cluster did not settle: ${JSON.stringify(infos.map((i) => Object.fromEntries(i)))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const ids = await Promise.all(clients.map((c) => c.call('CLUSTER', 'MYID') as Promise<string>));
    const nodes = ports.map((port, i) => ({ port, id: ids[i]!, slots: ranges[i]! }));
    const seeds = ports.slice(1).map((p) => `127.0.0.1:${p}`).join(',');
    return {
      url: `redis-cluster://127.0.0.1:${ports[0]}?seeds=${seeds}`,
      nodes,
      nodeClient: (port) => {
        const at = ports.indexOf(port);
        if (at < 0) throw new Error(`no node on port ${port}`);
        return clients[at]!;
      },
      destroy,
    };
  } catch (err) {
    await destroy();
    throw err;
  }
}
