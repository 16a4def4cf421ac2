import hookguardKoa = require('@hookguard/koa');
import core = require('@hookguard/core');

export const middleware = hookguardKoa.verifyWebhook({ scheme: core.slack({ secret: 'x' }) });
