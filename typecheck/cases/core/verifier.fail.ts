// Each line marked @fail must not compile, with that error code; nothing else may fail.
import { createVerifier, standardWebhooks, stripe, type VerifiedWebhook, type WebhookErrorCode } from '@hookguard/core';

// Missing option: a verifier needs a scheme.
createVerifier({ toleranceSec: 300 }); // @fail TS2345|TS2741
// Wrong option type.
createVerifier({ scheme: stripe(), toleranceSec: '300' }); // @fail TS2322
// A secret is a string or key, not a number.
standardWebhooks({ secret: 42 }); // @fail TS2322
// Not one of the codes.
export const code: WebhookErrorCode = 'SIGNATURE_WRONG'; // @fail TS2322

declare const webhook: VerifiedWebhook<{ type: string }>;
// Wrong payload type: `type` is a string.
export const n: number = webhook.payload.type; // @fail TS2322
// The payload is read-only.
webhook.payload = { type: 'x' }; // @fail TS2540
