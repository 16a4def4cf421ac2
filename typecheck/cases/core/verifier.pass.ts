// A consumer of @hookguard/core alone: build a verifier, verify a request, read a typed payload.
import {
  createVerifier,
  standardWebhooks,
  github,
  any,
  fromParam,
  isWebhookVerificationError,
  toProblem,
  MemoryReplayStore,
  type TenantConfig,
  type VerifiedWebhook,
  type WebhookErrorCode,
  type WebhookRequest,
} from '@hookguard/core';

interface Tenant extends TenantConfig {
  plan: 'free' | 'pro';
}
const tenants = new Map<string, Tenant>([['acme', { secrets: ['whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0'], plan: 'pro' }]]);

const verifier = createVerifier<Tenant>({
  scheme: any(standardWebhooks(), github()),
  tenants: { resolve: fromParam('tenant'), lookup: (id) => tenants.get(id) },
  replay: { store: new MemoryReplayStore({ maxKeys: 10_000 }) },
  toleranceSec: 300,
  onRejected: (error) => {
    const code: WebhookErrorCode = error.code;
    void code;
  },
});

export async function handle(request: WebhookRequest): Promise<number> {
  try {
    const webhook: VerifiedWebhook<{ type: string }, Tenant> = await verifier.verify<{ type: string }>(request);
    const type: string = webhook.payload.type;
    const plan: 'free' | 'pro' | undefined = webhook.tenantConfig?.plan;
    await webhook.settle({ status: 200 });
    return type.length + (plan === 'pro' ? 1 : 0);
  } catch (e) {
    if (isWebhookVerificationError(e)) return toProblem(e).status;
    throw e;
  }
}
