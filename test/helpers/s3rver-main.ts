/**
 * Child-process entry of the test S3 server (see s3-test-server.ts): s3rver
 * on 127.0.0.1, a free port, one bucket. Prints `LISTENING <port>` once ready.
 *
 * Run with `--openssl-legacy-provider`: s3rver encrypts ListObjectsV2
 * continuation tokens with DES, which OpenSSL 3 only has in its legacy
 * provider, so without it every truncated listing is a 500.
 *
 * Usage: node --openssl-legacy-provider --import tsx s3rver-main.ts <directory> <bucket>
 */
import S3rver from 's3rver';

type Mode = 'read' | 'write';

/**
 * A fair per-key readers/writer lock. s3rver writes an object in place
 * (truncate, stream the body in, then its metadata), so a GET during a PUT of
 * the same key sees a partial object, and two PUTs interleave their bytes.
 * Real S3 publishes each PUT and each completed multipart upload atomically,
 * with strong read-after-write consistency, and the store relies on that. The
 * lock gives the fake S3's guarantee, so the shared suite tests the store, not
 * s3rver's shortcut. A reader holds the key until its response has been sent.
 */
function createKeyLocks() {
  const states = new Map<string, { readers: number; writer: boolean; queue: { mode: Mode; grant(): void }[] }>();
  function pump(key: string): void {
    const state = states.get(key)!;
    while (state.queue.length > 0) {
      const first = state.queue[0]!;
      if (first.mode === 'write' ? state.writer || state.readers > 0 : state.writer) break;
      state.queue.shift();
      if (first.mode === 'write') state.writer = true;
      else state.readers++;
      first.grant();
    }
    if (!state.writer && state.readers === 0 && state.queue.length === 0) states.delete(key);
  }
  return async function acquire(key: string, mode: Mode): Promise<() => void> {
    if (!states.has(key)) states.set(key, { readers: 0, writer: false, queue: [] });
    const state = states.get(key)!;
    await new Promise<void>((grant) => {
      state.queue.push({ mode, grant });
      pump(key);
    });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (mode === 'write') state.writer = false;
      else state.readers--;
      pump(key);
    };
  };
}

/** Object reads share the key, object writes (PUT, DELETE, CompleteMultipartUpload) exclude; parts and bucket calls take no lock. */
function lockModeOf(method: string, query: Record<string, unknown>): Mode | undefined {
  const upload = 'uploadId' in query;
  if (method === 'GET' || method === 'HEAD') return 'read';
  if (method === 'PUT' || method === 'DELETE') return upload ? undefined : 'write';
  if (method === 'POST') return upload ? 'write' : undefined;
  return undefined;
}

const [directory, bucket] = process.argv.slice(2);
if (!directory || !bucket) throw new Error('usage: s3rver-main.ts <directory> <bucket>');

const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });

/**
 * s3rver's delete cleans up emptied directories with an unguarded
 * readdir+rmdir, so the concurrent deletes of one DeleteObjects call race and
 * answer 500. Which deleted object's cleanup wins does not matter.
 */
const store = (server as unknown as { store: { deleteObject(bucket: string, key: string): Promise<void> } }).store;
const deleteObject = store.deleteObject.bind(store);
store.deleteObject = async (bucketName, key) => {
  try {
    await deleteObject(bucketName, key);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTEMPTY') throw err;
  }
};

const acquire = createKeyLocks();
/** Every request as `METHOD /path?query-names`, served back at GET /__requests for the tests' assertions. */
const requests: string[] = [];
// First in the stack: Koa composes the middleware when the server starts listening.
server.middleware.unshift(async (ctx, next) => {
  if (ctx.path === '/__requests') {
    ctx.body = requests.slice(); // an array: Koa answers JSON (s3rver only turns plain objects into XML)
    return;
  }
  requests.push(`${ctx.method} ${ctx.path}?${Object.keys(ctx.query).sort().join('&')}`);
  const [, bucketName = '', ...rest] = ctx.path.split('/');
  const key = rest.map((part) => decodeURIComponent(part)).join('/');
  const mode = key ? lockModeOf(ctx.method, ctx.query) : undefined;
  if (!mode) return next();
  const release = await acquire(`${bucketName}/${key}`, mode);
  ctx.res.once('close', release);
  try {
    await next();
  } catch (err) {
    release();
    throw err;
  }
});

const address = await server.run();
process.stdout.write(`LISTENING ${address.port}\n`);
process.once('SIGTERM', () => {
  void server.close().finally(() => process.exit(0));
});
