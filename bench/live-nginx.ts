/**
 * nginx as the physical reference of bench/live.ts: the same file served
 * from disk by a server that does nothing else. Started on a free loopback
 * port from a generated minimal config in a temp dir, in the foreground
 * (`daemon off`), and stopped by its process id.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../src/cli/embedded-redis.js';

export const NGINX_BIN = '/usr/sbin/nginx';

export interface NginxReference {
  /** URL of the served file. */
  url: string;
  /** The master process (its workers are its children). */
  pid: number;
  stop(): Promise<void>;
}

/** The binary, or undefined when nginx is not installed (the bench then prints only its own figures). */
export function findNginx(): string | undefined {
  for (const candidate of [process.env.NGINX_BIN, NGINX_BIN, '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Serves `file` as `/video.mp4` with `worker_processes` set to `workers`
 * (1 or 'auto'). Close to nginx's stock settings: sendfile on, an access
 * log written per request (our API logs every request too), keep-alive
 * without a request cap so neither server pays reconnects.
 */
export async function startNginx(bin: string, file: string, workers: 1 | 'auto'): Promise<NginxReference> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-nginx-'));
  await mkdir(path.join(dir, 'www'));
  await copyFile(file, path.join(dir, 'www', 'video.mp4'));
  // Started as root, nginx's workers run as `nobody`: they must be able to read the file.
  await chmod(dir, 0o755);
  await chmod(path.join(dir, 'www'), 0o755);
  await chmod(path.join(dir, 'www', 'video.mp4'), 0o644);
  const port = await freePort();
  const conf = `
worker_processes ${workers};
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  types { video/mp4 mp4; }
  default_type application/octet-stream;
  access_log ${dir}/access.log;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/tmp-body;
  proxy_temp_path ${dir}/tmp-proxy;
  fastcgi_temp_path ${dir}/tmp-fastcgi;
  uwsgi_temp_path ${dir}/tmp-uwsgi;
  scgi_temp_path ${dir}/tmp-scgi;
  server {
    listen 127.0.0.1:${port};
    location / { root ${dir}/www; }
  }
}
`;
  await writeFile(path.join(dir, 'nginx.conf'), conf);
  // -e: the error log before the config is read (the default, /var/log/nginx, may not be writable).
  const child: ChildProcess = spawn(bin, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = await readFile(path.join(dir, 'error.log'), 'utf8').catch(() => '');
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
      throw new Error(`nginx did not start: ${stderr}${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}/video.mp4`,
    pid: child.pid!,
    async stop() {
      // SIGQUIT: graceful stop of the master and its workers.
      child.kill('SIGQUIT');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
