-- The seat an answered call joins, claimed inside the answer webhook: O(1) apart from stale entries.
-- Its reserved seat if that seat is still dialing for this call, else the longest-idle ready seat.
-- KEYS: 1 the campaign's idle zset.  ARGV: 1 call id, 2 reserved session id or "", 3 now, 4 seat key prefix,
--       5 "1" if any idle seat may take the call (power mode), "0" if only the reserved one (preview).
-- Returns the seat's fields or false (no seat: the caller plays the information message).
if ARGV[2] ~= '' then
  local key = ARGV[4] .. ARGV[2]
  if redis.call('HGET', key, 'state') == 'dialing' and redis.call('HGET', key, 'call') == ARGV[1] then
    redis.call('HSET', key, 'state', 'connected', 'since', ARGV[3])
    return redis.call('HGETALL', key)
  end
end
if ARGV[5] ~= '1' then
  return false
end
while true do
  local popped = redis.call('ZPOPMIN', KEYS[1])
  if #popped == 0 then
    return false
  end
  local key = ARGV[4] .. popped[1]
  if redis.call('HGET', key, 'state') == 'ready' then
    redis.call('HSET', key, 'state', 'connected', 'call', ARGV[1], 'since', ARGV[3])
    return redis.call('HGETALL', key)
  end
end
