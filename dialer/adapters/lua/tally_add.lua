-- Count the facts of one change into a campaign's figures, each fact once: a fact seen before (a
-- repeated callback, a retried job) changes nothing. The change moves the version on once.
-- While a rebuild from SQL is being read (KEYS[2] exists), each fact counted now is also written
-- to the rebuild's journal, so the rebuild can keep it if its recount was read too early to hold it.
-- KEYS: 1 the campaign's figures hash, 2 the rebuild's lock, 3 its journal, then each fact's marker.
-- ARGV: 1 marker lifetime (s), then for each fact in KEYS' order: how many increments it has,
--       then field, increment, field, increment...
-- Returns {version, fresh...}: the figures' version after the change (0 when every fact had been
-- counted before), then 1 or 0 per fact: counted now, or before.
local result = {0}
local rebuild_ttl = redis.call('PTTL', KEYS[2])
local at = 2
for k = 4, #KEYS do
  local pairs_count = tonumber(ARGV[at])
  local fresh = redis.call('SET', KEYS[k], '1', 'NX', 'EX', ARGV[1])
  if fresh then
    local entry = {KEYS[k]}
    for i = at + 1, at + 2 * pairs_count, 2 do
      redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
      entry[#entry + 1] = ARGV[i]
      entry[#entry + 1] = ARGV[i + 1]
    end
    if rebuild_ttl > 0 then
      redis.call('RPUSH', KEYS[3], cjson.encode(entry))
      redis.call('PEXPIRE', KEYS[3], rebuild_ttl)
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
