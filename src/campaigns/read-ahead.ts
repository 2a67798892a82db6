/**
 * The items of `source`, with the next one always being produced while the
 * caller works on the current one. Fan-out uses it to parse, validate and key
 * chunk k+1 (CPU in this process) while chunk k's claim, addBulk and commit
 * run in Redis (CPU in redis-server): the two overlap instead of taking
 * turns. Order is kept, and at most one item is read ahead, so memory stays
 * at two chunks. The read-ahead item is lost when the caller stops early:
 * nothing of it was committed, which is what the fan-out checkpoint expects.
 */
export async function* readAhead<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = source.next();
  // A failure of the item read ahead is thrown when the caller asks for it, not as "unhandled" meanwhile.
  next.catch(() => undefined);
  try {
    for (;;) {
      const item = await next;
      if (item.done) return;
      next = source.next();
      next.catch(() => undefined);
      yield item.value;
    }
  } finally {
    // Stopped early (an error, an abort): close the source once the item in flight settles; never wait on it here.
    void next.then(
      () => source.return(undefined),
      () => undefined,
    );
  }
}
