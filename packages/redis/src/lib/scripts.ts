// The state transitions as Lua, so each is atomic and costs one round trip. A key holds
// 'f:<token>' while in flight and 'd' once done: the done value is one byte because done keys
// are the ones that pile up (one per message for the whole retention window).

/**
 * KEYS[1] key, KEYS[2] the cancel marker of this token; ARGV[1] token, ARGV[2] in-flight TTL ms.
 * -> 'reserved' | 'in-flight' | 'done'. A reserve whose caller gave up and cancelled it (the
 * marker exists) does not land: it answers 'in-flight' to nobody.
 */
export const RESERVE_LUA = `
local v = redis.call('GET', KEYS[1])
if v then
  if v == 'd' then return 'done' end
  return 'in-flight'
end
if redis.call('EXISTS', KEYS[2]) == 1 then return 'in-flight' end
redis.call('SET', KEYS[1], 'f:' .. ARGV[1], 'PX', ARGV[2])
return 'reserved'
`;

/**
 * KEYS[1] key, KEYS[2] the cancel marker of this token; ARGV[1] token, ARGV[2] marker TTL ms.
 * Undoes a reserve the caller gave up on, whichever of the two reaches Redis first (ioredis
 * Cluster retries commands around a failover one by one, so their order is not kept): the
 * reservation is deleted if it landed, else the marker stops it from landing later. -> 1 when deleted
 */
export const CANCEL_LUA = `
if redis.call('GET', KEYS[1]) == 'f:' .. ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return 0
`;

/** KEYS[1] key; ARGV[1] retention ms, ARGV[2] '1' when a token is given, ARGV[3] token. -> 1 when committed */
export const COMMIT_LUA = `
local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, 1, 2) ~= 'f:' then return 0 end
if ARGV[2] == '1' and v ~= 'f:' .. ARGV[3] then return 0 end
redis.call('SET', KEYS[1], 'd', 'PX', ARGV[1])
return 1
`;

/** KEYS[1] key; ARGV[1] '1' when a token is given, ARGV[2] token. -> 1 when released */
export const RELEASE_LUA = `
local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, 1, 2) ~= 'f:' then return 0 end
if ARGV[1] == '1' and v ~= 'f:' .. ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;
