/**
 * Health: `/healthz` is liveness (the process answers), `/readyz` runs the
 * readiness checks of the process's role (Redis and its eviction policy,
 * warm browsers, a working ffmpeg, the detected encoders).
 */
export { createReadiness, type CheckResult, type Readiness, type ReadinessCheck, type ReadinessOptions, type ReadinessReport } from './readiness.js';
export { createRedisCheck, type RedisCheckOptions } from './redis-check.js';
export { createFfmpegCheck, FFMPEG_SMOKE_ARGS, type FfmpegCheckOptions } from './ffmpeg-check.js';
export { createBrowserPoolCheck, type PoolStatsSource } from './browser-pool-check.js';
export { createEncodersCheck } from './encoders-check.js';
