import express, { type ErrorRequestHandler } from 'express';
import { verifyWebhook, keepRawBody } from '@hookguard/express';
import { createVerifier, fromParam, isWebhookVerificationError, standardWebhooks, stripe, type TenantConfig } from '@hookguard/core';

const app = express();
const tenants = new Map<string, TenantConfig>();

app.post(
  '/webhooks/:tenant',
  verifyWebhook({ scheme: standardWebhooks(), tenants: { resolve: fromParam('tenant'), lookup: (id) => tenants.get(id) } }),
  (req, res) => {
    const id: string | undefined = req.webhook?.id;
    res.json({ received: id, body: req.body as unknown });
  },
);

// A prebuilt verifier, rejections to our own error handler.
const verifier = createVerifier({ scheme: stripe({ secret: 'whsec_x' }) });
app.post('/stripe', verifyWebhook({ verifier, onError: 'next' }), (_req, res) => {
  res.sendStatus(204);
});
const onError: ErrorRequestHandler = (err, _req, res, next) => {
  if (isWebhookVerificationError(err)) res.status(err.status).json({ code: err.code });
  else next(err);
};
app.use(onError);
void keepRawBody;
export default app;
