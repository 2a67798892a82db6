/** The webhook registry's keys are built by the key registry (src/redis). */
export { webhookKeys } from '../../redis/index.js';
