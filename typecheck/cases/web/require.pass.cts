import web = require('@hookguard/web');
import core = require('@hookguard/core');

export const handler = web.withWebhook({ scheme: core.slack({ secret: 'x' }) }, async (webhook) => Response.json({ id: webhook.id ?? null }));
