-- Count the facts of one change into a campaign's figures, each fact once: a fact seen before (a
-- repeated callback, a retried job) changes nothing. The change moves the version on once.
-- KEYS: 1 the campaign's figures hash, then each fact's marker.
-- ARGV: 1 marker lifetime (s), then for each fact in KEYS' order: how many increments it has,
--       then field, increment, field, increment...
-- Returns {version, fresh...}: the figures' version after the change (0 when every fact had been
-- counted before), then 1 or 0 per fact: counted now, or before.
local result = {0}
local at = 2
for k = 2, #KEYS do
  local pairs_count = tonumber(ARGV[at])
  local fresh = redis.call('SET', KEYS[k], '1', 'NX', 'EX', ARGV[1])
  if fresh then
    for i = at + 1, at + 2 * pairs_count, 2 do
      redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
    end
    result[#result + 1] = 1
  else
    result[#result + 1] = 0
  end
  at = at + 1 + 2 * pairs_count
end
for k = 2, #result do
  if result[k] == 1 then
    result[1] = redis.call('HINCRBY', KEYS[1], '_version', 1)
    break
  end
end
return result
