-- Count facts into a campaign's figures, each once: a fact seen before (a repeated callback, a
-- retried job) changes nothing. All the facts of one change are counted in one call.
-- KEYS: 1 the campaign's figures hash, then each fact's marker.
-- ARGV: 1 marker lifetime (s), then for each fact in KEYS' order: how many increments it has,
--       then field, increment, field, increment...
-- Returns, per fact, the figures' version after counting it, or 0 when it was counted before.
local versions = {}
local at = 2
for k = 2, #KEYS do
  local pairs_count = tonumber(ARGV[at])
  local fresh = redis.call('SET', KEYS[k], '1', 'NX', 'EX', ARGV[1])
  if fresh then
    for i = at + 1, at + 2 * pairs_count, 2 do
      redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
    end
    versions[#versions + 1] = redis.call('HINCRBY', KEYS[1], '_version', 1)
  else
    versions[#versions + 1] = 0
  end
  at = at + 1 + 2 * pairs_count
end
return versions
