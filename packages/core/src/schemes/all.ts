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
      let unsigned: SchemeVerdict | undefined;
      for (const s of schemes) {
        const v = s.verify(input);
        out.replayable ||= v.replayable;
        // An id from an unsigned header (apiKey) only counts when no scheme gave a signed one.
        if (v.unsignedId) {
          unsigned ??= v;
          continue;
        }
        out.id ??= v.id;
        out.timestamp ??= v.timestamp;
        out.keyId ??= v.keyId;
        out.replayId ??= v.replayId;
        out.signedContent ??= v.signedContent;
        out.payloadId ??= v.payloadId;
        out.formFields ??= v.formFields;
        out.answer ??= v.answer;
        if (v.responseHeaders) out.responseHeaders = { ...out.responseHeaders, ...v.responseHeaders };
      }
      if (out.replayId === undefined && out.signedContent === undefined && out.payloadId === undefined && unsigned) {
        out.replayId = unsigned.replayId;
        out.unsignedId = true;
      }
      if (unsigned) {
        out.id ??= unsigned.id;
        out.keyId ??= unsigned.keyId;
      }
      for (const k of ['id', 'timestamp', 'keyId', 'replayId', 'signedContent', 'payloadId', 'formFields', 'unsignedId', 'answer', 'responseHeaders'] as const) if (out[k] === undefined) delete out[k];
      return out;
    },
  };
}
