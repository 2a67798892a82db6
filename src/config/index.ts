export { envSchema, type Env } from './config.schema.js';
export { loadConfig, type Config } from './load-config.js';
export { DEFAULT_SCANNER_CIDRS, describeBadCidr } from './cidr.js';
