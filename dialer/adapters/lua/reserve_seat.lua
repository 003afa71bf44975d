-- Take a campaign's longest-idle seat for a dial (power mode reserves a seat per dial): the domain's
-- DIAL move (dialer/domain/seats.py), whose states come as arguments.
-- KEYS: 1 the campaign's idle zset.  ARGV: 1 now (epoch s), 2 seat key prefix,
--       3 the states the seat may be in (",a,b,"), 4 the state it goes to.
-- Returns the seat's fields or false when no seat is idle.
while true do
  local popped = redis.call('ZPOPMIN', KEYS[1])
  if #popped == 0 then
    return false
  end
  local key = ARGV[2] .. popped[1]
  local state = redis.call('HGET', key, 'state')
  if state and string.find(ARGV[3], ',' .. state .. ',', 1, true) then
    redis.call('HSET', key, 'state', ARGV[4], 'since', ARGV[1])
    redis.call('HDEL', key, 'call')
    return redis.call('HGETALL', key)
  end
end
