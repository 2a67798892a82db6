import { Router, type Request, type Response } from 'express';
import type { TemplateRegistry } from '../../templates/index.js';
import { checkParam, TEMPLATE_ID_PATTERN } from '../../http/index.js';

/**
 * `GET /v1/templates` lists the templates; `GET /v1/templates/:id` describes
 * one: variants, default props, the props JSON Schema (input side: fields
 * with defaults are optional) and the version, i.e. the content hash of its
 * bundle, the same value that goes into render keys.
 */
export function createTemplateRoutes(deps: { registry: TemplateRegistry }): Router {
  const router = Router();
  checkParam(router, 'id', TEMPLATE_ID_PATTERN);
  router.get('/', (_req, res) => {
    res.json({ templates: deps.registry.list() });
  });
  router.get('/:id', async (req: Request<{ id: string }>, res: Response) => {
    const template = deps.registry.get(req.params.id);
    const summary = deps.registry.list().find((t) => t.id === template.id)!;
    // The first call builds the bundle (esbuild, about a second); later ones reuse it.
    const bundle = await deps.registry.bundle(template.id);
    res.json({
      ...summary,
      version: bundle.version,
      defaultProps: template.defaultProps,
      propsSchema: deps.registry.jsonSchema(template),
    });
  });
  return router;
}
