/**
 * The HTTP floor: what every router needs, whoever mounts it (the API's own
 * routes and the routers a domain brings, such as the engagement dashboard).
 * Nothing here knows an app or a route; a domain reaches it instead of api/.
 */
export { errorAnswer, errorHandler, logFailure } from './error-handler.js';
export { escapeHtml, jsonForScriptElement } from './escape-html.js';
export { checkParam, RENDER_KEY_PATTERN, TEMPLATE_ID_PATTERN } from './params.js';
export { getRequestId, requestId, SAFE_REQUEST_ID } from './request-id.js';
export { requireRedis, withRedisDeadline } from './require-redis.js';
export { badCompressedBody, isDecompressionError, toAppError, type RedisHealth } from './to-app-error.js';
