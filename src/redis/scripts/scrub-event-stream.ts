import { defineScript } from '../run-script.js';

/**
 * Deletes, in one page of the stream, the entries whose event names the
 * recipient. The JSON is made by JSON.stringify, so `"recipientId":<id as
 * JSON>` followed by `,` or `}` can only be the field itself (a quote inside
 * a string value is always escaped).
 * KEYS[1]: stream. ARGV: exclusive start id ('-' for the first page), count, needle.
 * Returns {deleted, last id read or '' at the end, then the campaign id and
 * event id of each deleted event} (their dedupe markers are deleted next:
 * a client's event id may spell the recipient id).
 */
export const scrubEventStream = defineScript('scrubEventStream', `
local start = ARGV[1]
if start ~= '-' then start = '(' .. start end
local entries = redis.call('XRANGE', KEYS[1], start, '+', 'COUNT', tonumber(ARGV[2]))
local needle = ARGV[3]
local out = {0, ''}
for _, entry in ipairs(entries) do
  local fields = entry[2]
  for f = 2, #fields, 2 do
    local at = string.find(fields[f], needle, 1, true)
    if at then
      local next = string.sub(fields[f], at + #needle, at + #needle)
      if next == ',' or next == '}' then
        out[1] = out[1] + redis.call('XDEL', KEYS[1], entry[1])
        local ok, event = pcall(cjson.decode, fields[f])
        if ok and type(event) == 'table' and type(event.campaignId) == 'string' and type(event.id) == 'string' then
          out[#out + 1] = event.campaignId
          out[#out + 1] = event.id
        end
        break
      end
    end
  end
end
if #entries == tonumber(ARGV[2]) then out[2] = entries[#entries][1] end
return out
`);
