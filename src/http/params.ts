import type { NextFunction, Request, Response, Router } from 'express';
import { KEY_PATTERN } from '../cache/index.js';
import { AppError } from '../errors/index.js';

/** Template ids: lowercase words joined by dashes, as in `compositions/<id>/`. */
export { TEMPLATE_ID_PATTERN } from '../templates/index.js';

/** Render keys (and deliverable keys): 64 lowercase hex characters. */
export const RENDER_KEY_PATTERN = KEY_PATTERN;

/**
 * Checks a route parameter against its pattern before any handler sees it,
 * so nothing downstream (Redis keys, store paths) ever gets a caller's
 * free-form string. A mismatch is 400 INVALID_KEY.
 */
export function checkParam(router: Router, name: string, pattern: RegExp): void {
  router.param(name, (_req: Request, _res: Response, next: NextFunction, value: unknown) => {
    if (typeof value !== 'string' || !pattern.test(value)) {
      return next(new AppError('INVALID_KEY', `route parameter "${name}" does not match ${pattern}`));
    }
    next();
  });
}
