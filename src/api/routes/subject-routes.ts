import { createHash } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { AppError } from '../../errors/index.js';
import type { EraseSubjectResult } from '../../live/index.js';

/**
 * `DELETE /v1/subjects/:recipientId`: erases everything about one recipient
 * (outputs, stored props, index entries, pending jobs; links are refused from
 * now on). Idempotent: a second call answers 200 with zero counts. The
 * audit log names the API key (by a hash) and the subject (by a hash).
 */
export function createSubjectRoutes(erase: (recipientId: string, actor: string) => Promise<EraseSubjectResult>): Router {
  const router = Router();
  router.delete('/:recipientId', async (req: Request<{ recipientId: string }>, res: Response) => {
    const id = req.params.recipientId;
    if (id.length === 0 || id.length > 256) throw new AppError('INVALID_ARGUMENT', 'a recipient id is 1 to 256 characters');
    const result = await erase(id, actorOf(req));
    res.setHeader('Cache-Control', 'no-store');
    res.json({ erased: true, subject: result.subject, counts: result.counts });
  });
  return router;
}

/** The API key that asked, as a short hash: who erased is audited, the key itself never stored. */
function actorOf(req: Request): string {
  const key = (req.get('authorization') ?? '').replace(/^Bearer\s+/i, '');
  return `apikey:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}
