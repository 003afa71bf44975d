-- Take the first callable voter off a campaign's queues, call-backs first, atomically.
-- KEYS: 1 call-backs zset, 2 queue zset, 3 voter->phone hash, 4 suppressed set,
--       5 phone->token hash of numbers in a call, 6 phone->campaign hash of numbers dialled today
-- ARGV: 1 now (epoch s), 2 campaign id, 3 next London day (epoch s), 4 how many due voters to look at,
--       5 seconds to step a voter back when their number is busy in another campaign's call
-- Returns {voter id, phone, token} or false.
local now = tonumber(ARGV[1])
for i = 1, 2 do
  local zset = KEYS[i]
  local due = redis.call('ZRANGEBYSCORE', zset, '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))
  for _, voter in ipairs(due) do
    local phone = redis.call('HGET', KEYS[3], voter)
    if not phone then
      redis.call('ZREM', zset, voter)
    elseif redis.call('SISMEMBER', KEYS[4], phone) == 1 then
      -- on the do-not-call list since the queue was built: never again
      redis.call('ZREM', zset, voter)
      redis.call('HDEL', KEYS[3], voter)
    else
      local owner = redis.call('HGET', KEYS[6], phone)
      if owner and owner ~= ARGV[2] then
        redis.call('ZADD', zset, ARGV[3], voter)
      else
        local token = ARGV[2] .. ':' .. voter
        if redis.call('HSETNX', KEYS[5], phone, token) == 1 then
          redis.call('ZREM', zset, voter)
          redis.call('HDEL', KEYS[3], voter)
          return {voter, phone, token}
        end
        redis.call('ZADD', zset, now + tonumber(ARGV[5]), voter)
      end
    end
  end
end
return false
