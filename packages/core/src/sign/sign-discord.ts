import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import { WebhookConfigError } from '../webhook-config-error.js';
import { privateKeyOf } from '../lib/public-keys.js';
import { bodyBytes, seconds, type SignBody } from './common.js';

export interface SignDiscordInput {
  /** The Ed25519 private key (KeyObject or PKCS#8 PEM) whose public half the receiver holds. */
  privateKey: KeyObject | string;
  body: SignBody;
  /** Seconds or a Date (default now). */
  timestamp?: number | Date;
}

/** Discord's `X-Signature-Ed25519` / `X-Signature-Timestamp` for a body. */
export function signDiscord(input: SignDiscordInput): Record<string, string> {
  const key = privateKeyOf(input.privateKey, 'sign.discord');
  if (key.asymmetricKeyType !== 'ed25519') throw new WebhookConfigError('sign.discord: privateKey must be Ed25519');
  const ts = String(seconds(input.timestamp));
  const signature = cryptoSign(null, Buffer.concat([Buffer.from(ts, 'latin1'), bodyBytes(input.body)]), key);
  return { 'x-signature-ed25519': signature.toString('hex'), 'x-signature-timestamp': ts };
}
