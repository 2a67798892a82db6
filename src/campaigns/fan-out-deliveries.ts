import { DELIVERIES_PER_JOB, type PreparedRenderJob } from '../renders/index.js';
import type { ValidRow } from './scan-chunks.js';

/** One recipient's output on one channel, for `delivered` events. */
export interface DeliveryEntry {
  recipientId: string;
  channel: string;
  propsHash: string;
}

/** Each valid row's (recipient, channel) with the render key of the channel's variant. */
export function deliveryEntries(rows: readonly ValidRow[], channels: { names: readonly string[]; variantIndex: readonly number[] }): (DeliveryEntry & { renderKey: string })[] {
  return rows.flatMap((row) =>
    channels.names.map((channel, c) => ({ recipientId: row.recipientId, channel, propsHash: row.propsHash!, renderKey: row.keys[channels.variantIndex[c]!]! })),
  );
}

/**
 * Puts each waiting (recipient, channels) into its job's data, up to
 * DELIVERIES_PER_JOB recipients a job; returns the entries carried. Only the
 * jobs this chunk adds keep them (an existing job's data does not change).
 */
export function attachDeliveries(jobs: Map<string, PreparedRenderJob>, waiting: readonly (DeliveryEntry & { renderKey: string })[]): Set<DeliveryEntry> {
  const carried = new Set<DeliveryEntry>();
  for (const entry of waiting) {
    const data = jobs.get(entry.renderKey)?.data;
    if (!data) continue;
    const list = (data.deliveries ??= []);
    const mine = list.find(([recipientId]) => recipientId === entry.recipientId);
    if (mine) mine[1].push(entry.channel);
    else if (list.length < DELIVERIES_PER_JOB) list.push([entry.recipientId, [entry.channel]]);
    else continue;
    carried.add(entry);
  }
  return carried;
}
