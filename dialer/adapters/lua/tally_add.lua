-- Count one fact into a campaign's figures, once: a fact seen before (a repeated callback, a retried
-- job) changes nothing.
-- KEYS: 1 the campaign's figures hash, 2 the fact's marker.  ARGV: 1 marker lifetime (s), then
--       field, increment, field, increment...
-- Returns the figures' new version, or false when the fact was already counted.
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then
  return false
end
for i = 2, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
return redis.call('HINCRBY', KEYS[1], '_version', 1)
