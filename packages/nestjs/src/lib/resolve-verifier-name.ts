import type { Reflector } from '@nestjs/core';
import { VERIFIED_WEBHOOK_METADATA } from '../webhook.constants.js';

export interface VerifiedWebhookMetadata {
  verifier?: string;
}

/** The route's name wins, then the controller's; undefined means the module's default. */
export function readVerifierName(
  reflector: Reflector,
  handler: object | undefined,
  controller: object | undefined,
): { found: boolean; name: string | undefined } {
  const onHandler = handler ? reflector.get<VerifiedWebhookMetadata | undefined>(VERIFIED_WEBHOOK_METADATA, handler as never) : undefined;
  const onClass = controller ? reflector.get<VerifiedWebhookMetadata | undefined>(VERIFIED_WEBHOOK_METADATA, controller as never) : undefined;
  return { found: onHandler !== undefined || onClass !== undefined, name: onHandler?.verifier ?? onClass?.verifier };
}
