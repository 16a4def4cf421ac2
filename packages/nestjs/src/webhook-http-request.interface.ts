import type { Readable } from 'node:stream';
import type { SocketLike } from '@hookguard/core';

/** The parts of an Express (or Node) request the guard reads. */
export interface WebhookHttpRequest extends Partial<Readable> {
  method?: string;
  url?: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string | undefined>;
  socket?: (SocketLike & { remoteAddress?: string; destroyed?: boolean }) | null;
  /** Set by Nest when the app is created with `{ rawBody: true }`. */
  rawBody?: Buffer;
  body?: unknown;
  /** Fastify keeps the Node request here. */
  raw?: unknown;
  [key: string]: unknown;
}
