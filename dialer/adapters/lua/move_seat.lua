-- Compare-and-set a seat's state, keeping its campaign's idle set in step. The states come from the
-- domain's named moves (dialer/domain/seats.py): this script names none.
-- KEYS: 1 seat hash, 2 set of every seat.  ARGV: 1 allowed current states (",a,b,"), 2 new state,
--       3 now (epoch s), 4 call: "" keep, "-" clear, else the call id, 5 idle-set key prefix,
--       6 the call the seat must be busy with ("" for any): a late event about an earlier call moves nothing,
--       7 "1" if the new state is idle (the seat joins its campaign's idle set), 8 "1" if it ends the seat
-- Returns the seat's fields (before deletion, when ended) or false when the state did not allow it.
local state = redis.call('HGET', KEYS[1], 'state')
if not state or not string.find(ARGV[1], ',' .. state .. ',', 1, true) then
  return false
end
if ARGV[6] ~= '' and redis.call('HGET', KEYS[1], 'call') ~= ARGV[6] then
  return false
end
local session = redis.call('HGET', KEYS[1], 'session')
local idle = ARGV[5] .. redis.call('HGET', KEYS[1], 'campaign')
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'since', ARGV[3])
if ARGV[4] == '-' then
  redis.call('HDEL', KEYS[1], 'call')
elseif ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'call', ARGV[4])
end
if ARGV[7] == '1' then
  redis.call('ZADD', idle, ARGV[3], session)
else
  redis.call('ZREM', idle, session)
end
local fields = redis.call('HGETALL', KEYS[1])
if ARGV[8] == '1' then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], session)
end
return fields
