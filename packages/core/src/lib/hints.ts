import type { WebhookRequest } from '../types.js';
import type { WebhookVerificationError } from '../webhook-verification-error.js';

/** A signed timestamp this large is milliseconds: in seconds it would be past the year 5000. */
export const MILLISECONDS_FROM = 1e11;

export const MILLISECONDS_HINT = 'the timestamp looks like milliseconds: the sender must sign seconds (Math.floor(Date.now() / 1000))';

/**
 * The fix sentence for a rejection whose cause is a recognised mistake, from what is cheap to see
 * (it runs for every rejection, also of floods): a parsed body, Node's TLS verdicts that mislead.
 */
export function hintFor(error: WebhookVerificationError, request: WebhookRequest): string | undefined {
  const verdict = request.peer?.authorizationError;
  if (error.code === 'CERT_MISSING' && verdict === 'UNABLE_TO_GET_ISSUER_CERT' && !request.peer?.certificate)
    return "Node's TLS verdict UNABLE_TO_GET_ISSUER_CERT here means the client sent no certificate at all, not an issuer problem: the sender must present its certificate and key";
  if ((error.code === 'CERT_UNTRUSTED' || error.code === 'CERT_IDENTITY_MISMATCH') && verdict === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')
    return "Node found no issuer for the client's certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE): the sender must present the chain (certificate + tenant CA), unless the certificate is from a CA this server does not know";
  if (error.code === 'SIGNATURE_MISMATCH' || error.code === 'MALFORMED_PAYLOAD') {
    const body = request.body;
    // String(object) of a parsed body: the bytes the sender signed are gone.
    if (body.length === 15 && Buffer.from(body.buffer, body.byteOffset, body.length).toString('latin1') === '[object Object]')
      return 'the body is "[object Object]": a body parser ran before verification; verify the raw bytes (mount the webhook route before the body parser, or keep the raw body)';
  }
  return undefined;
}
