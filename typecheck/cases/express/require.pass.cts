import hookguardExpress = require('@hookguard/express');
import core = require('@hookguard/core');

export const middleware = hookguardExpress.verifyWebhook({ scheme: core.github({ secret: 'x' }) });
