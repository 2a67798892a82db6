import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { outputFormatSchema } from '../encode/index.js';
import { AppError, isAppError } from '../errors/index.js';
import type { TemplateRegistry } from '../templates/index.js';
import { readExamples, saveExample } from './example-props.js';
import { createFarmLiveUrl, type FarmTarget } from './farm-live-url.js';
import type { StudioEvents } from './studio-events.js';
import { studioPage } from './studio-page.js';
import type { StudioRenders } from './studio-renders.js';

export interface StudioAppDeps {
  registry: TemplateRegistry;
  compositionsDir: string;
  /** Bundles are served from `<cacheDir>/bundles/<id>/<version>/`. */
  cacheDir: string;
  renders: StudioRenders;
  events: StudioEvents;
  /** The compiled page script. */
  client: () => Promise<string>;
  farm?: FarmTarget;
  /**
   * Answer only requests whose Host is localhost, 127.0.0.1 or [::1] (any
   * port): a web page cannot then reach the studio through DNS rebinding.
   * Set when the studio listens on a loopback address.
   */
  loopbackOnly?: boolean;
}

const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const VERSION = /^[0-9a-f]{16}$/;
const renderBody = z.object({
  templateId: z.string().regex(ID),
  variant: z.string().min(1).max(32).optional(),
  props: z.record(z.string(), z.unknown()).default({}),
  format: outputFormatSchema.default('mp4'),
  frame: z.number().int().min(0).optional(),
});
const propsBody = z.object({ props: z.record(z.string(), z.unknown()).default({}) });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
    throw new AppError('INVALID_ARGUMENT', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { details: { issues } });
  }
  return parsed.data;
}

/**
 * The studio's HTTP side: the page and its script, the templates (schema,
 * defaults, stored examples, version), props validation, example saving,
 * renders through the local engine, Live URLs from a configured farm, the
 * reload events, and the template bundles the page's players load. A local
 * authoring tool: errors carry their full message for the author.
 */
export function createStudioApp(deps: StudioAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  if (deps.loopbackOnly) {
    app.use((req, _res, next) => {
      next(LOOPBACK_HOST.test(req.headers.host ?? '') ? undefined : new AppError('INVALID_ARGUMENT', 'the studio only answers to localhost'));
    });
  }
  app.use(express.json({ limit: '256kb' }));

  app.get('/', (_req, res) => {
    res.type('html').set('cache-control', 'no-store').send(studioPage());
  });
  app.get('/studio.js', async (_req, res) => {
    res.type('js').set('cache-control', 'no-store').send(await deps.client());
  });
  app.get('/api/config', (_req, res) => {
    res.json({ farm: deps.farm ? new URL(deps.farm.url).origin : null });
  });
  app.get('/api/events', (_req, res) => deps.events.attach(res));

  app.get('/api/templates', (_req, res) => {
    res.json({ templates: deps.registry.list() });
  });
  app.get('/api/templates/:id', async (req: Request<{ id: string }>, res) => {
    const template = deps.registry.get(req.params.id);
    const bundle = await deps.registry.bundle(template.id);
    res.json({
      ...deps.registry.list().find((t) => t.id === template.id),
      version: bundle.version,
      defaultProps: template.defaultProps,
      propsSchema: deps.registry.jsonSchema(template),
      examples: await readExamples(deps.compositionsDir, template.id),
    });
  });
  app.post('/api/templates/:id/validate', (req: Request<{ id: string }>, res) => {
    const template = deps.registry.get(req.params.id);
    const { props } = parse(propsBody, req.body);
    try {
      res.json({ ok: true, props: deps.registry.validateProps(template, props) });
    } catch (err) {
      if (!isAppError(err, 'INVALID_PROPS')) throw err;
      res.json({ ok: false, issues: err.details.issues });
    }
  });
  app.post('/api/templates/:id/examples', async (req: Request<{ id: string }>, res) => {
    const template = deps.registry.get(req.params.id);
    const { name, props } = parse(propsBody.extend({ name: z.string() }), req.body);
    deps.registry.validateProps(template, props);
    res.json({ examples: await saveExample(deps.compositionsDir, template.id, name, props) });
  });

  app.post('/api/renders', (req, res) => {
    const body = parse(renderBody, req.body);
    deps.registry.validateProps(deps.registry.get(body.templateId), body.props);
    res.status(202).json({ id: deps.renders.start(body) });
  });
  app.get('/api/renders/:id', (req: Request<{ id: string }>, res) => {
    const render = deps.renders.get(req.params.id);
    if (render.state !== 'done') return void res.json(render);
    const { outPath: _path, ...result } = render.result;
    res.json({ id: render.id, state: render.state, result, fileName: render.fileName, file: `/api/renders/${render.id}/file` });
  });
  app.get('/api/renders/:id/file', (req: Request<{ id: string }>, res, next) => {
    const render = deps.renders.get(req.params.id);
    if (render.state !== 'done') throw new AppError('NOT_FOUND', 'this render has no file (yet)');
    // With a root, only the file name is checked for dot segments (the out folder may sit under .cache).
    const { outPath } = render.result;
    res.download(path.basename(outPath), render.fileName, { root: path.dirname(outPath) }, (err) => {
      if (err) next(new AppError('NOT_FOUND', 'the rendered file is gone', { cause: err }));
    });
  });

  app.post('/api/live-url', async (req, res) => {
    if (!deps.farm) throw new AppError('NOT_FOUND', 'no farm configured: set STUDIO_FARM_URL and STUDIO_FARM_API_KEY');
    const { templateId, props } = parse(propsBody.extend({ templateId: z.string().regex(ID) }), req.body);
    res.json(await createFarmLiveUrl(deps.farm, templateId, props));
  });

  // Bundles by version: an old version stays loadable while a reload is under way.
  app.get('/bundles/:id/:version/*file', (req: Request<{ id: string; version: string; file: string[] }>, res, next) => {
    const { id, version } = req.params;
    if (!ID.test(id) || !VERSION.test(version)) throw new AppError('NOT_FOUND', 'no such bundle');
    const root = path.join(deps.cacheDir, 'bundles', id, version);
    res.sendFile(req.params.file.join('/'), { root, dotfiles: 'deny', headers: { 'cache-control': 'no-store' } }, (err) => {
      if (err) next(new AppError('NOT_FOUND', 'no such bundle file'));
    });
  });

  app.use((_req, _res, next) => next(new AppError('NOT_FOUND', 'not found')));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const error = isAppError(err)
      ? err
      : (err as { type?: string }).type === 'entity.parse.failed'
        ? new AppError('INVALID_ARGUMENT', 'the body is not valid JSON')
        : new AppError('INTERNAL', (err as Error).message, { cause: err });
    if (res.headersSent) return void res.destroy();
    res.status(error.httpStatus).json({ code: error.code, message: error.message, issues: error.details.issues });
  });
  return app;
}
