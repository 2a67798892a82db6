import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { outputFormatSchema } from '../../encode/index.js';
import type { RenderResult } from '../../pipeline/index.js';
import { formatBytes, createProgressBar } from '../progress-bar.js';
import { parseProps } from '../parse-props.js';
import { createRenderEngine } from '../../pipeline/index.js';
import { usageOf } from '../command-help.js';
import { usageError } from '../../errors/index.js';

/** `mastercut render` and `mastercut still` (a still is a render of one frame). */
export function renderCommand(kind: 'render' | 'still') {
  return async (argv: string[]): Promise<number> => {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        props: { type: 'string' },
        prop: { type: 'string', multiple: true, default: [] },
        variant: { type: 'string' },
        format: { type: 'string' },
        frames: { type: 'string' },
        frame: { type: 'string' },
        concurrency: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        json: { type: 'boolean' },
      },
    });
    const templateId = positionals[0];
    if (!templateId || !values.out) throw usageError(`${!templateId ? 'missing <templateId>' : 'missing --out <file>'}\n${usageOf(kind)}`);
    const format = values.format === undefined ? undefined : outputFormatSchema.safeParse(values.format);
    if (format && !format.success) throw usageError(`--format must be one of ${outputFormatSchema.options.join(', ')}`);
    if (kind === 'still' && format?.data && !['jpg', 'png', 'webp'].includes(format.data)) {
      throw usageError('a still is written as jpg, png or webp');
    }

    const config = loadConfig();
    const engine = await createRenderEngine(config, { poolSize: int(values.concurrency, '--concurrency') });
    const abort = new AbortController();
    const onSignal = () => abort.abort('interrupted');
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    const bar = values.quiet ? undefined : createProgressBar(`${templateId}`);
    try {
      const template = engine.registry.get(templateId);
      const props = await parseProps(values.props, values.prop ?? [], engine.registry.jsonSchema(template) as object);
      const result = await engine.renderVideo({
        templateId,
        variant: values.variant,
        props,
        format: format?.data ?? (kind === 'still' && !/\.(jpe?g|png|webp)$/i.test(values.out) ? 'png' : undefined),
        out: values.out,
        frames: parseRange(values.frames),
        frame: int(values.frame, '--frame'),
        signal: abort.signal,
        onProgress: (p) => bar?.update(p),
      });
      bar?.done();
      process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : summary(result));
      return 0;
    } finally {
      bar?.done();
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      await engine.close();
    }
  };
}

function summary(r: RenderResult): string {
  return [
    `wrote ${r.outPath}`,
    `  template  ${r.templateId}@${r.templateVersion}  ${r.variant} ${r.width}x${r.height}  ${r.format}`,
    `  frames    ${r.frames} (${r.framesCaptured} captured, ${r.framesReused} reused)`,
    `  time      ${(r.wallMs / 1000).toFixed(2)} s  ${r.fps.toFixed(1)} fps  first frame ${r.timeToFirstFrameMs} ms`,
    `  size      ${formatBytes(r.bytes)}`,
    '',
  ].join('\n');
}

function int(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usageError(`${flag} expects a whole number, got "${value}"`);
  return Number(value);
}

function parseRange(value: string | undefined): { start: number; end: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)-(\d+)$/.exec(value);
  if (!match) throw usageError(`--frames expects a range like 0-59, got "${value}"`);
  return { start: Number(match[1]), end: Number(match[2]) };
}
