-- Put a recount from SQL in place of a campaign's running figures, in one step, keeping what was
-- counted live while the recount was read and that the recount does not hold.
-- The version keeps rising (clients compare versions), and `_built` marks figures that started
-- from a recount (counts made after Redis lost the hash are not complete without one).
-- KEYS: 1 the campaign's figures hash, 2 the rebuild's lock, 3 its journal.
-- ARGV: 1 the lock's token, 2 how many journal entries the rebuilder looked at, 3 how many of
--       those the recount holds (k), then their k positions (1-based), then field, value, field,
--       value... Entries written after the rebuilder looked were counted after the recount's facts
--       were marked, so the recount cannot hold them.
-- Returns the new version, or -1 when the lock is no longer this rebuild's (it took too long).
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return -1
end
local looked = tonumber(ARGV[2])
local held = {}
local first_figure = 4 + tonumber(ARGV[3])
for i = 4, first_figure - 1 do
  held[tonumber(ARGV[i])] = true
end
local version = tonumber(redis.call('HGET', KEYS[1], '_version') or '0') + 1
redis.call('DEL', KEYS[1])
for i = first_figure, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
local journal = redis.call('LRANGE', KEYS[3], 0, -1)
for position, raw in ipairs(journal) do
  if not (position <= looked and held[position]) then
    local entry = cjson.decode(raw)
    for i = 2, #entry, 2 do
      redis.call('HINCRBY', KEYS[1], entry[i], entry[i + 1])
    end
  end
end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], '_version', version, '_built', 1)
return version
