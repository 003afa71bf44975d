-- The seat an answered call joins, claimed inside the answer webhook: O(1) apart from stale entries.
-- Its reserved seat if that seat is still dialling this call (the domain's ANSWERED move), else the
-- longest-idle seat (TAKEN_BY_ANSWER); the moves' states come as arguments (dialer/domain/seats.py).
-- KEYS: 1 the campaign's idle zset.  ARGV: 1 call id, 2 reserved session id or "", 3 now, 4 seat key prefix,
--       5 "1" if any idle seat may take the call (power mode), "0" if only the reserved one (preview),
--       6 the states a reserved seat may be in (",a,b,"), 7 the state it goes to,
--       8 the states an idle seat may be in, 9 the state it goes to.
-- Returns the seat's fields or false (no seat: the caller plays the information message).
if ARGV[2] ~= '' then
  local key = ARGV[4] .. ARGV[2]
  local state = redis.call('HGET', key, 'state')
  if state and string.find(ARGV[6], ',' .. state .. ',', 1, true) and redis.call('HGET', key, 'call') == ARGV[1] then
    redis.call('HSET', key, 'state', ARGV[7], 'since', ARGV[3])
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
  local state = redis.call('HGET', key, 'state')
  if state and string.find(ARGV[8], ',' .. state .. ',', 1, true) then
    redis.call('HSET', key, 'state', ARGV[9], 'call', ARGV[1], 'since', ARGV[3])
    return redis.call('HGETALL', key)
  end
end
