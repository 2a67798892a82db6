import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Minter } from '../../live/index.js';
import { mintKeyAuth, type MintKeyAuthOptions } from '../middleware/mint-key-auth.js';

/**
 * `GET /v1/live-links/mint?template=&channel=&campaign=&recipient=&<props>`:
 * one Live link for one recipient at send time (an ESP's Connected Content
 * or HTTPGet), behind a mint key. It answers the same JSON as one entry of
 * `POST /v1/live-links` (`url`, `assets.{video,poster,preview,still}`,
 * `expiresAt`); the same query gives the same answer, and nothing renders.
 */
export function createMintRoutes(deps: { minter: Minter }, auth: MintKeyAuthOptions): Router {
  const router = Router();
  router.get('/', mintKeyAuth(auth), async (req: Request, res: Response, next: NextFunction) => {
    const url = req.url;
    const q = url.indexOf('?');
    const answer = await deps.minter.mint(q === -1 ? '' : url.slice(q + 1), req.query as Record<string, unknown>).catch(next);
    if (!answer) return;
    // The link is a bearer capability for one recipient: no shared cache may keep it.
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(answer.json);
  });
  return router;
}
