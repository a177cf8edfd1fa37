-- Compare-and-set of one user's session: KEYS[1] is its key; ARGV[1] is 1 if a value was seen
-- (ARGV[2]), 0 if none; ARGV[3] is the new value, or empty to remove it; ARGV[4] its ttl in ms.
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then
    return 0
  end
elseif current then
  return 0
end
if ARGV[3] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
end
return 1
