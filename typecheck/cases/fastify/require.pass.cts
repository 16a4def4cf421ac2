import hookguardFastify = require('@hookguard/fastify');
import core = require('@hookguard/core');

export const routeOptions = hookguardFastify.verifyWebhook({ scheme: core.slack({ secret: 'x' }) }, async () => ({ ok: true }));
export const plugin = hookguardFastify.hookguard;
