import type { Response } from 'express';
import type { WebhookHttpResponse } from '@hookguard/core';

/** Sends an answer exactly as core built it (a rejection, or a sender's handshake): status, headers, body. */
export function sendResponse(res: Response, answer: WebhookHttpResponse): void {
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.end(answer.body);
}
