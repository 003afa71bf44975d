-- Put a recount from SQL in place of a campaign's running figures, in one step.
-- The version keeps rising (clients compare versions), and `_built` marks figures that started
-- from a recount (counts made after Redis lost the hash are not complete without one).
-- KEYS: 1 the campaign's figures hash.  ARGV: field, value, field, value...
-- Returns the new version.
local version = tonumber(redis.call('HGET', KEYS[1], '_version') or '0') + 1
redis.call('DEL', KEYS[1])
for i = 1, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('HSET', KEYS[1], '_version', version, '_built', 1)
return version
