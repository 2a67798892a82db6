export { createApp } from './create-app.js';
export { resolveApiOptions, type ApiDeps, type ApiOptions, type ResolvedApiOptions } from './api-deps.js';
export { apiKeyAuth } from './middleware/api-key-auth.js';
export { TEMPLATE_ID_PATTERN, RENDER_KEY_PATTERN, checkParam } from './params.js';
export { toAppError, type RedisHealth } from './to-app-error.js';
