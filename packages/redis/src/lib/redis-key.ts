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
