import type { Response } from 'express';

/** What the studio page hears about: templates reloaded after a save, or a save that did not build. */
export type StudioEvent = { type: 'reload'; at: number } | { type: 'build-error'; message: string };

/**
 * Server-sent events to every open studio page (GET /api/events). A comment
 * line every 15 s keeps idle connections from being closed by proxies.
 */
export function createStudioEvents() {
  const clients = new Set<Response>();
  const ping = setInterval(() => {
    for (const res of clients) res.write(': ping\n\n');
  }, 15_000);
  ping.unref();
  return {
    attach(res: Response): void {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write('retry: 1000\n\n');
      clients.add(res);
      res.on('close', () => clients.delete(res));
    },
    send(event: StudioEvent): void {
      const data = `data: ${JSON.stringify(event)}\n\n`;
      for (const res of clients) res.write(data);
    },
    close(): void {
      clearInterval(ping);
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}

export type StudioEvents = ReturnType<typeof createStudioEvents>;
