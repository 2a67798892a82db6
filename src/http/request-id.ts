import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** A caller's own id is kept only when it is short and plain, so it cannot inject into logs or headers. */
export const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The request id of this response (set by {@link requestId}). */
export function getRequestId(res: Response): string {
  return typeof res.locals.requestId === 'string' ? res.locals.requestId : '-';
}

/**
 * Gives every request an id: the caller's `X-Request-Id` when it looks safe
 * (a load balancer's id ties our logs to theirs), else a fresh UUID. The id
 * is echoed in the `X-Request-Id` response header so a client can quote it.
 */
export function requestId() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get('x-request-id');
    const id = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    next();
  };
}
