import { defineScript } from '../run-script.js';

/**
 * Rewrites, in the dead letters, each entry holding the recipient's events:
 * without them, or gone when nothing is left. Atomic (Lua), so deliveries
 * dead-lettered meanwhile are not lost. KEYS[1]: the list. ARGV: recipient id.
 */
export const scrubDeadLetters = defineScript('scrubDeadLetters', `
local removed = 0
local items = redis.call('LRANGE', KEYS[1], 0, -1)
local gone = '__erased__'
for i, raw in ipairs(items) do
  local letter = cjson.decode(raw)
  local kept = {}
  for _, e in ipairs(letter.events) do
    if e.recipientId ~= ARGV[1] then kept[#kept + 1] = e else removed = removed + 1 end
  end
  if #kept == 0 then
    redis.call('LSET', KEYS[1], i - 1, gone)
  elseif #kept < #letter.events then
    letter.events = kept
    redis.call('LSET', KEYS[1], i - 1, cjson.encode(letter))
  end
end
redis.call('LREM', KEYS[1], 0, gone)
return removed
`);
