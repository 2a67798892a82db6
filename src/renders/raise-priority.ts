import type { Queue } from 'bullmq';

/**
 * Moves a job still waiting ahead to `priority` (a lower number runs first)
 * when a request of a higher class joins it: a Live open or an API request
 * for a render, or a deliverable, that a campaign queued first. Never
 * lowers one. `queue.add` returns our options, not the stored job's: the
 * job is read back to compare. A split master parked on its chunks
 * (docs/split-render.md) is raised with the chunks still waiting: they are
 * what waits for a worker.
 */
export async function raisePriority<D>(queue: Queue<D>, jobId: string, priority: number): Promise<void> {
  const existing = await queue.getJob(jobId);
  if (!existing || existing.priority <= priority) return;
  // The job may have started in between: then there is nothing to raise.
  await existing.changePriority({ priority }).catch(() => undefined);
  if ((await existing.getState()) !== 'waiting-children') return;
  const { unprocessed = [] } = await existing.getDependencies({ unprocessed: { count: 1_000 } });
  for (const childKey of unprocessed) {
    const child = await queue.getJob(childKey.slice(queue.qualifiedName.length + 1));
    if (child && child.priority > priority) await child.changePriority({ priority }).catch(() => undefined);
  }
}
