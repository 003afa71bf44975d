-- Record that a campaign dials a number today, unless another campaign already has.
-- KEYS: 1 phone->campaign hash for the day.  ARGV: 1 phone, 2 campaign id, 3 seconds to keep the day.
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if owner and owner ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
