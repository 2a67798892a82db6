import { defineScript } from '../run-script.js';

/** One EXISTS per key, in one call: a pipeline of 500 commands costs fan-out several times more client CPU. */
export const existsEach = defineScript('existsEach', `local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('EXISTS', key) end
return out`);
