import express from 'express';
import { verifyWebhook } from '@hookguard/express';
import { createVerifier, stripe } from '@hookguard/core';

const app = express();
// Missing option: neither a scheme nor a verifier.
app.post('/a', verifyWebhook({ toleranceSec: 10 })); // @fail TS2345
// onError takes 'respond' or 'next'.
app.post('/b', verifyWebhook({ scheme: stripe(), onError: 'throw' })); // @fail TS2322
// A prebuilt verifier and verifier options at once.
app.post('/c', verifyWebhook({ verifier: createVerifier({ scheme: stripe() }), scheme: stripe() })); // @fail TS2322|TS2345|TS2353
app.post('/d', (req, res) => {
  // Wrong payload type: the id is a string.
  const id: number | undefined = req.webhook?.id; // @fail TS2322
  res.json({ id });
});
