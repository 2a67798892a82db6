import { Queue, WaitingChildrenError, type Job } from 'bullmq';

/** A child job to add under a running job (BullMQ's parent/child flow). */
export interface ChildJob {
  name: string;
  data: unknown;
  /** Deduping id: adding a child whose id already exists adds nothing (a resumed parent re-adds safely). */
  jobId: string;
}

/**
 * A running job's children, as a processor sees them. A processor that fans
 * work out adds children, parks itself until they are finished (BullMQ
 * moves it back to the queue then, and any worker resumes it), then reads
 * their results. Built on BullMQ's own flow so that the "all done" count,
 * the retries of one child alone and the removal of children with their
 * parent are BullMQ's, not ours.
 */
export interface JobChildren {
  /** Adds children on this job's queue, with its priority, attempts and backoff; any worker takes them. */
  add(children: readonly ChildJob[]): Promise<void>;
  /**
   * Parks the job until every child finished: throws BullMQ's
   * WaitingChildrenError (let it through: it is not a failure) when some are
   * pending; returns when none is (the processor goes on).
   */
  waitForAll(): Promise<void>;
  /** Return values of the completed children, by child job id. */
  values<T>(): Promise<Map<string, T>>;
  /** Children that failed for good (no attempt left): their ids and failure reasons. */
  failed(): Promise<Map<string, string>>;
  /** The ids of every child, finished or not (a parent resumed with children pending keeps the plan they were cut by). */
  ids(): Promise<string[]>;
}

/** True for the error waitForAll throws to park a job: the job adapter passes it to BullMQ untouched. */
export function isWaitingForChildren(err: unknown): boolean {
  return err instanceof WaitingChildrenError;
}

/** Child ids in BullMQ's answers are `<prefix>:<queue>:<id>`; the id itself may hold colons. */
function childId(jobKey: string, queueQualifiedName: string): string {
  return jobKey.startsWith(`${queueQualifiedName}:`) ? jobKey.slice(queueQualifiedName.length + 1) : jobKey;
}

/**
 * The children of one BullMQ job. `queue` opens the producer handle the
 * children are added through (once per worker, on first use).
 */
export function jobChildren(job: Job, token: string | undefined, queue: () => Queue): JobChildren {
  const byId = <T>(entries: Record<string, T>) => new Map(Object.entries(entries).map(([key, value]) => [childId(key, job.queueQualifiedName), value]));
  return {
    async add(children) {
      if (!job.id) throw new Error('a job without an id cannot have children');
      await queue().addBulk(
        children.map((child) => ({
          name: child.name,
          data: child.data,
          opts: {
            jobId: child.jobId,
            parent: { id: job.id!, queue: job.queueQualifiedName },
            // The job's priority now (a Live request may have raised it), not the one it was added with.
            priority: job.priority || job.opts.priority,
            attempts: job.opts.attempts,
            backoff: job.opts.backoff,
            // A child that fails for good is recorded and the parent resumes
            // once the others are done: the parent reports the failure like
            // any failed render (index, hooks), which BullMQ's failParentOnFailure would skip.
            ignoreDependencyOnFailure: true,
          },
        })),
      );
    },
    async waitForAll() {
      if (!token) throw new Error('a job can wait for its children only inside a worker');
      if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
    },
    async values<T>() {
      return byId<T>((await job.getChildrenValues<T>()) ?? {});
    },
    async failed() {
      return byId((await job.getIgnoredChildrenFailures()) ?? {});
    },
    async ids() {
      const deps = await job.getDependencies();
      const keys = [...Object.keys(deps.processed ?? {}), ...(deps.unprocessed ?? []), ...(deps.failed ?? []), ...Object.keys(deps.ignored ?? {})];
      return [...new Set(keys.map((key) => childId(key, job.queueQualifiedName)))];
    },
  };
}

/** Opens the queue handle children are added through: one per worker, closed with it. */
export function lazyQueue(open: () => Queue): { get: () => Queue; close: () => Promise<void> } {
  let queue: Queue | undefined;
  return {
    get: () => (queue ??= open()),
    close: async () => {
      await queue?.close();
    },
  };
}
