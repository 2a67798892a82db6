import { Router, type Request, type Response } from 'express';

/**
 * `POST /v1/live-links`: one sealed link per channel (plus each asset's URL).
 * Nothing renders until a link is opened.
 */
export function createLiveLinkRoutes(createLinks: (body: unknown) => Promise<unknown>): Router {
  const router = Router();
  router.post('/', async (req: Request, res: Response) => {
    res.status(201).json(await createLinks(req.body));
  });
  return router;
}
