-- A token bucket for the account's calls per second, shared by every worker.
-- KEYS: 1 bucket hash.  ARGV: 1 tokens per second, 2 bucket size, 3 now (epoch s, fractional).
-- Returns "0" when a token was taken, else the seconds to wait (as a string: Lua numbers become integers).
local rate = tonumber(ARGV[1])
local size = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens'))
local last = tonumber(redis.call('HGET', KEYS[1], 'at'))
if not tokens or not last then
  tokens, last = size, now
end
if now > last then
  tokens = math.min(size, tokens + (now - last) * rate)
  last = now
end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(last))
redis.call('EXPIRE', KEYS[1], math.ceil(size / rate) + 60)
return tostring(wait)
