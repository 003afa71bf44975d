-- Let go of a number held for a call, only if this holder still holds it.
-- KEYS: 1 phone->token hash.  ARGV: 1 phone, 2 token.
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
