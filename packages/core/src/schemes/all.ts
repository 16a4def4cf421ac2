import type { PreparedKey, Scheme, SchemeInput, SchemeVerdict } from '../types.js';
import { WebhookConfigError } from '../webhook-config-error.js';

function noKeys(): PreparedKey[] {
  throw new WebhookConfigError('all(): keys belong to the schemes inside it');
}

/** Every scheme must pass (defence in depth: `all(mtls(), stripe())`). The first id and timestamp found win. */
export function all(...schemes: Scheme[]): Scheme {
  if (schemes.length === 0) throw new WebhookConfigError('all() needs at least one scheme');
  const name = schemes.map((s) => s.name).join('+');
  return {
    name,
    staticKeys: undefined,
    prepareKeys: noKeys,
    children: schemes,
    verify(input: SchemeInput): SchemeVerdict {
      const out: SchemeVerdict = { scheme: name, replayable: false };
      for (const s of schemes) {
        const v = s.verify(input);
        out.id ??= v.id;
        out.timestamp ??= v.timestamp;
        out.keyId ??= v.keyId;
        out.replayId ??= v.replayId;
        out.replaySignature ??= v.replaySignature;
        out.replayable ||= v.replayable;
      }
      for (const k of ['id', 'timestamp', 'keyId', 'replayId', 'replaySignature'] as const) if (out[k] === undefined) delete out[k];
      return out;
    },
  };
}
