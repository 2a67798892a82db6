export { envSchema, type Env } from './config.schema.js';
export { loadConfig, type Config } from './load-config.js';
export { DEFAULT_SCANNER_CIDRS, describeBadCidr } from './cidr.js';
export { parseRedisUrl, type ClusterSeed, type RedisTarget } from './redis-url.js';
