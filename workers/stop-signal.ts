/**
 * SIGTERM/SIGINT as promises: the first starts a graceful stop, a second
 * one (an impatient operator, or the orchestrator's last warning) cuts the
 * grace period short.
 */
export function onStopSignal(): { first: Promise<string>; second: Promise<string> } {
  const first = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM')).once('SIGINT', () => resolve('SIGINT'));
  });
  const second = first.then(
    () =>
      new Promise<string>((resolve) => {
        process.once('SIGTERM', () => resolve('SIGTERM')).once('SIGINT', () => resolve('SIGINT'));
      }),
  );
  return { first, second };
}
