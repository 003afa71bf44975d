-- Take a campaign's longest-idle ready seat into "dialing" (power mode reserves a seat per dial).
-- KEYS: 1 the campaign's idle zset.  ARGV: 1 now (epoch s), 2 seat key prefix.
-- Returns the seat's fields or false when no seat is idle.
while true do
  local popped = redis.call('ZPOPMIN', KEYS[1])
  if #popped == 0 then
    return false
  end
  local key = ARGV[2] .. popped[1]
  if redis.call('HGET', key, 'state') == 'ready' then
    redis.call('HSET', key, 'state', 'dialing', 'since', ARGV[1])
    redis.call('HDEL', key, 'call')
    return redis.call('HGETALL', key)
  end
end
