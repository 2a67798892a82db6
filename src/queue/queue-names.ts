/**
 * Every BullMQ key lives under this prefix (from the key registry). The braces
 * make it a Redis Cluster hash tag, so all of a queue's keys land in one slot
 * (Lua scripts need that).
 */
export { QUEUE_PREFIX } from '../redis/index.js';

export const queueNames = {
  render: 'render',
  transcode: 'transcode',
  webhooks: 'webhooks',
} as const;

/**
 * The campaigns' fan-out jobs (one per campaign, tiny). Apart from
 * `queueNames`, which lists the queues workers scale on: the API processes
 * run these, nothing scales on them.
 */
export const FAN_OUT_QUEUE = 'campaign-fanout';

/**
 * BullMQ priorities: a lower number runs first; jobs without a priority run
 * before all prioritised ones, so every job gets one.
 */
export const priorities = {
  live: 1,
  api: 5,
  campaign: 10,
} as const;

export type PriorityClass = keyof typeof priorities;
