import { Controller, Post } from '@nestjs/common';
import { VerifiedWebhook, WebhookModule, WebhookTenant } from '@hookguard/nestjs';

// Missing option: a scheme, a verifier or verifiers.
WebhookModule.forRoot({ toleranceSec: 10 }); // @fail TS2345
// VerifiedWebhook takes a verifier name or options, not a number.
export const bad = VerifiedWebhook(42); // @fail TS2345

@Controller('x')
export class C {
  @Post()
  // WebhookTenant picks 'id' or 'config'.
  receive(@WebhookTenant('tenantId') tenant: string) { // @fail TS2345
    return tenant;
  }
}
