import hookguardFastify = require('@hookguard/fastify');
import core = require('@hookguard/core');

export const routeOptions = hookguardFastify.verifyWebhook({ scheme: core.slack({ secret: 'x' }) });
export const plugin = hookguardFastify.hookguard;
