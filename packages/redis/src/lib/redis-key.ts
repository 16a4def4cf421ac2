/**
 * Core's replay keys are `<tenant>:<scheme>:<id>` with the tenant URI-encoded (so it holds no
 * ':', '{' or '}') and '-' when there is no tenant. Wrapping the tenant in a hash tag puts every
 * key of one tenant in one cluster slot: `<prefix>{<tenant>}:<scheme>:<id>`. A key without ':'
 * (a caller other than core) is tagged whole.
 */
export function redisKey(prefix: string, replayKey: string): string {
  const colon = replayKey.indexOf(':');
  if (colon === -1) return `${prefix}{${replayKey}}`;
  return `${prefix}{${replayKey.slice(0, colon)}}${replayKey.slice(colon)}`;
}

/**
 * Where the cancel of one reservation is marked: `<prefix>{<tenant>}!c:<token>`, in the key's slot
 * (same hash tag). No replay key has `!` after its tag (core's go on with ':'), so none collides.
 */
export function cancelKey(redisKey: string, token: string): string {
  return `${redisKey.slice(0, redisKey.indexOf('}') + 1)}!c:${token}`;
}
