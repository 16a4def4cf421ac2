import type { FastifyReply } from 'fastify';
import type { WebhookHttpResponse } from '@hookguard/core';

/** Sends an answer exactly as core built it (a rejection, or a sender's handshake). */
export function sendAnswer(reply: FastifyReply, answer: WebhookHttpResponse): FastifyReply {
  // The body is already serialized (problem+json or the handshake's text): no serializer runs on a string.
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}
