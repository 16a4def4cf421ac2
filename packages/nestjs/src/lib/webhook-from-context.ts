import type { ExecutionContext } from '@nestjs/common';
import type { VerifiedWebhook } from '@hookguard/core';
import { getWebhookState } from './webhook-state.js';

export function webhookFromContext(ctx: ExecutionContext, decorator: string): VerifiedWebhook {
  const state = getWebhookState(ctx.switchToHttp().getRequest());
  if (!state) throw new Error(`${decorator} needs @VerifiedWebhook() on the route or its controller`);
  return state.webhook;
}
