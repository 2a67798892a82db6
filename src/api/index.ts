/**
 * The HTTP API: an Express app factory that does not listen (tests and
 * `src/api/main.ts` listen), its middleware and the helpers routes share.
 */
export { createApp } from './create-app.js';
export { resolveApiOptions, type ApiDeps, type ApiOptions, type ResolvedApiOptions } from './api-deps.js';
export { apiKeyAuth } from './middleware/api-key-auth.js';
export { parseRangeHeader, etagMatches, type RangeRequest } from './parse-range-header.js';
export { startApiServer, runApiServer } from './main.js';
