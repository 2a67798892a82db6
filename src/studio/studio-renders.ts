import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { outputFormatSchema, type OutputFormat } from '../encode/index.js';
import { AppError, isAppError } from '../errors/index.js';
import type { RenderResult, RenderVideo } from '../pipeline/index.js';
import type { RenderProgress } from '../render/index.js';

/** One render started from the studio, as its page polls it. */
export type StudioRender =
  | { id: string; state: 'queued' | 'rendering'; progress?: RenderProgress }
  | { id: string; state: 'done'; result: RenderResult; fileName: string }
  | { id: string; state: 'failed'; error: { code: string; message: string } };

export interface StudioRenderRequest {
  templateId: string;
  variant?: string;
  props?: unknown;
  format: OutputFormat;
  /** A still's frame. */
  frame?: number;
}

const KEEP = 50;

/**
 * Renders asked for by the studio page, one after another through the local
 * engine, into `<outDir>/studio/`. Their states stay in memory (the last
 * 50), for the page's progress bar and download link.
 */
export function createStudioRenders(deps: { renderVideo: RenderVideo; outDir: string }) {
  const renders = new Map<string, StudioRender>();
  let queue: Promise<unknown> = Promise.resolve();

  const run = async (id: string, request: StudioRenderRequest, out: string): Promise<void> => {
    renders.set(id, { id, state: 'rendering' });
    try {
      await mkdir(path.dirname(out), { recursive: true });
      const result = await deps.renderVideo({
        templateId: request.templateId,
        variant: request.variant,
        props: request.props,
        format: request.format,
        frame: request.frame,
        out,
        onProgress: (progress) => renders.set(id, { id, state: 'rendering', progress }),
      });
      renders.set(id, { id, state: 'done', result, fileName: path.basename(out) });
    } catch (err) {
      const error = isAppError(err) ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: (err as Error).message };
      renders.set(id, { id, state: 'failed', error });
    }
  };

  return {
    /** Queues a render; returns its id at once. */
    start(request: StudioRenderRequest): string {
      const format = outputFormatSchema.safeParse(request.format);
      if (!format.success) throw new AppError('INVALID_ARGUMENT', `format must be one of ${outputFormatSchema.options.join(', ')}`);
      const id = randomUUID();
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
      const out = path.join(deps.outDir, 'studio', `${request.templateId}-${request.variant ?? 'default'}-${stamp}-${id.slice(0, 6)}.${format.data}`);
      renders.set(id, { id, state: 'queued' });
      for (const old of [...renders.keys()].slice(0, Math.max(0, renders.size - KEEP))) renders.delete(old);
      queue = queue.then(() => run(id, { ...request, format: format.data }, out));
      return id;
    },
    get(id: string): StudioRender {
      const render = renders.get(id);
      if (!render) throw new AppError('NOT_FOUND', 'no such studio render');
      return render;
    },
  };
}

export type StudioRenders = ReturnType<typeof createStudioRenders>;
