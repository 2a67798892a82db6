import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isClusterConnection } from '../queue/index.js';
import { redisKeys } from '../redis/index.js';

/** The pub/sub channel of erasures (in the `{mastercut}` slot like every key). */
const ERASURE_CHANNEL = redisKeys.erasures;

export interface ErasureBroadcastDeps {
  /** Any connection of the process (PUBLISH, or SPUBLISH on a Redis Cluster). */
  redis: Pick<Redis, 'publish' | 'spublish'>;
  /** A new connection for SUBSCRIBE (a subscribed connection runs nothing else): createSubscriberConnection. */
  connect: () => Redis;
}

export interface ErasureBroadcastOptions {
  /**
   * How long `announce` waits for every API process to confirm. Past it,
   * the erasure goes on anyway: set it to the longest in-memory memo (the
   * link memo, 2 s), so a process that never answered has let its memo
   * expire by then. Default 2500 ms.
   */
  ackTimeoutMs?: number;
}

type Message = { t: 'erase'; subject: string; id: string } | { t: 'ack'; id: string; from: string };

export type ErasureBroadcast = ReturnType<typeof createErasureBroadcast>;

/**
 * Tells every API process about an erasure, so in-memory shortcuts (the
 * Live link memo, the fast path's hot cache) drop the subject at once
 * instead of serving it until they expire. Redis pub/sub: each process
 * subscribes; `announce` publishes the subject hash and waits until every
 * process that received it has run its handlers and acknowledged (PUBLISH
 * says how many received it), so an erasure answers only once no process
 * can still answer from memory.
 *
 * A process whose subscription is down cannot hear erasures: `live()` is
 * false then, and its memos must not answer (callers bypass them) until it
 * is subscribed again.
 */
export function createErasureBroadcast(deps: ErasureBroadcastDeps, options: ErasureBroadcastOptions = {}) {
  const ackTimeoutMs = options.ackTimeoutMs ?? 2_500;
  const self = randomUUID();
  const handlers: ((subject: string) => void)[] = [];
  const waiting = new Map<string, { acks: Set<string>; wanted: number; done: () => void }>();
  let subscribed = false;
  let subscriber: Redis | undefined;
  // On a Redis Cluster, PUBLISH answers how many subscribers the node it ran
  // on has, not the cluster: sharded pub/sub keeps the channel (under the
  // {mastercut} tag) on one primary, so SPUBLISH counts every process.
  const sharded = isClusterConnection(deps.redis);
  const publish = (message: Message): Promise<number> =>
    // ioredis types SPUBLISH's reply as unknown; like PUBLISH it is the number of receivers.
    sharded ? deps.redis.spublish(ERASURE_CHANNEL, JSON.stringify(message)).then(Number) : deps.redis.publish(ERASURE_CHANNEL, JSON.stringify(message));

  const run = (subject: string) => {
    for (const handler of handlers) handler(subject);
  };

  const onMessage = (_channel: string, raw: string) => {
    let message: Message;
    try {
      message = JSON.parse(raw) as Message;
    } catch {
      return;
    }
    if (message.t === 'erase' && typeof message.subject === 'string') {
      run(message.subject);
      void publish({ t: 'ack', id: message.id, from: self }).catch(() => undefined);
    } else if (message.t === 'ack') {
      const wait = waiting.get(message.id);
      if (!wait) return;
      wait.acks.add(message.from);
      if (wait.acks.size >= wait.wanted) wait.done();
    }
  };

  return {
    /**
     * Subscribes, now and after every reconnect; resolves once subscribed.
     * Callers need not wait: until then `live()` is false (a process that
     * starts while Redis is down must not hang on it).
     */
    start(): Promise<void> {
      const connection = deps.connect();
      subscriber = connection;
      connection.on('error', () => undefined);
      connection.on(sharded ? 'smessage' : 'message', onMessage);
      connection.on('close', () => (subscribed = false));
      const subscribe = () =>
        (sharded ? connection.ssubscribe(ERASURE_CHANNEL) : connection.subscribe(ERASURE_CHANNEL)).then(
          () => void (subscribed = connection === subscriber),
          () => undefined,
        );
      connection.on('ready', () => void subscribe());
      return subscribe();
    },

    /** Runs `handler(subjectHash)` in this process for every erasure, whichever process made it. */
    onErased(handler: (subject: string) => void): void {
      handlers.push(handler);
    },

    /** True while this process hears erasures; memos may answer only then. */
    live: () => subscribed,

    /**
     * Runs this process's handlers, then tells every other process and waits
     * (up to ackTimeoutMs) until each confirmed. Returns how many processes
     * received the message and how many confirmed.
     */
    async announce(subject: string): Promise<{ receivers: number; acks: number }> {
      run(subject);
      const id = randomUUID();
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const wait = { acks: new Set<string>(), wanted: Number.POSITIVE_INFINITY, done };
      waiting.set(id, wait);
      try {
        const receivers = await publish({ t: 'erase', subject, id });
        wait.wanted = receivers;
        if (wait.acks.size >= receivers) done();
        const timer = setTimeout(done, ackTimeoutMs);
        await finished;
        clearTimeout(timer);
        return { receivers, acks: wait.acks.size };
      } finally {
        waiting.delete(id);
      }
    },

    async close(): Promise<void> {
      subscribed = false;
      const connection = subscriber;
      subscriber = undefined;
      connection?.disconnect();
    },
  };
}
