import { randomUUID } from 'node:crypto';
import { asBuffer } from '../lib/body.js';

export type SignBody = Buffer | Uint8Array | string;

export function seconds(timestamp: number | Date | undefined): number {
  if (timestamp === undefined) return Math.floor(Date.now() / 1000);
  return timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : Math.floor(timestamp);
}

export function bodyBytes(body: SignBody): Buffer {
  return asBuffer(body);
}

export function messageId(prefix: string): string {
  return `${prefix}${randomUUID().replace(/-/g, '')}`;
}
