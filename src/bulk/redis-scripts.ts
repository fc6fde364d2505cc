/**
 * Lua run inside Redis (EVAL), so each step is atomic across isolates and
 * concurrent deliveries. Keys are passed in KEYS, never built inside a script.
 */

/**
 * Creates a job. KEYS[1] job hash, KEYS[2] (optional) idempotency key.
 * ARGV[1] expiry (Unix seconds), ARGV[2] idempotency value "<jobId> <bodyHash>",
 * ARGV[3..] field, value, … Returns the existing claim (the key was taken:
 * nothing written) or nil (created).
 */
export const CREATE_JOB_LUA = `
if KEYS[2] then
  local claimed = redis.call('GET', KEYS[2])
  if claimed then return claimed end
  redis.call('SET', KEYS[2], ARGV[2], 'EXAT', ARGV[1])
end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('EXPIREAT', KEYS[1], ARGV[1])
return false
`;

/**
 * Records a chunk once. KEYS[1] job hash, KEYS[2] set of recorded chunks,
 * KEYS[3..] result keys to write only if the chunk is new (an abandoned chunk's
 * failures). ARGV[1] chunk number, ARGV[2] succeeded, ARGV[3] failed, ARGV[4]
 * now (ISO), ARGV[5..] the texts for KEYS[3..].
 * Counters move only when SADD adds the chunk (returns 1); the call whose
 * chunk brings chunksDone to chunks is the only one that returns "completed".
 * Returns { outcome, field, value, … } (the job after the call) or { "unknown_job" }.
 */
export const RECORD_CHUNK_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'unknown_job'} end
local outcome = 'duplicate'
if redis.call('SADD', KEYS[2], ARGV[1]) == 1 then
  local expiresAt = redis.call('HGET', KEYS[1], 'expiresAtSec')
  redis.call('EXPIREAT', KEYS[2], expiresAt)
  for i = 3, #KEYS do redis.call('SET', KEYS[i], ARGV[i + 2], 'EXAT', expiresAt) end
  redis.call('HINCRBY', KEYS[1], 'succeeded', ARGV[2])
  local failed = redis.call('HINCRBY', KEYS[1], 'failed', ARGV[3])
  local done = redis.call('HINCRBY', KEYS[1], 'chunksDone', 1)
  redis.call('HSET', KEYS[1], 'updatedAt', ARGV[4])
  outcome = 'recorded'
  if done == tonumber(redis.call('HGET', KEYS[1], 'chunks')) then
    local status = 'completed'
    if failed > 0 then status = 'completed_with_errors' end
    redis.call('HSET', KEYS[1], 'status', status, 'completedAt', ARGV[4])
    outcome = 'completed'
  elseif redis.call('HGET', KEYS[1], 'status') == 'queued' then
    redis.call('HSET', KEYS[1], 'status', 'running')
  end
end
local reply = redis.call('HGETALL', KEYS[1])
table.insert(reply, 1, outcome)
return reply
`;

/** Sets fields of an existing job only. KEYS[1] job hash; ARGV field, value, … Returns 1, or 0 when the job is gone. */
export const UPDATE_JOB_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
`;
