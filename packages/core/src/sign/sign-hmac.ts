import { WebhookConfigError } from '../webhook-config-error.js';
import { createHmac } from 'node:crypto';
import type { HmacOptions } from '../schemes/hmac.js';
import { parseTemplate } from '../lib/hmac-template.js';
import { bodyBytes, type SignBody } from './common.js';

export interface SignHmacInput {
  /** The same options the receiver gives `hmac()` (its `secret` is ignored here). */
  scheme: HmacOptions;
  secret: string;
  body: SignBody;
  id?: string;
  /** In the scheme's unit (seconds unless timestampUnit is 'ms'); default now. */
  timestamp?: number;
}

/** Headers for a generic `hmac()` scheme. */
export function signHmac(input: SignHmacInput): Record<string, string> {
  const o = input.scheme;
  const template = parseTemplate(o.template ?? '{body}', o.name ?? 'hmac');
  const ts = String(input.timestamp ?? (o.timestampUnit === 'ms' ? Date.now() : Math.floor(Date.now() / 1000)));
  const id = input.id ?? '';
  const rendered = template.render(id, ts);
  // The verifier refuses such a value (it could be read two ways): refuse to sign it as well.
  if (rendered === undefined) throw new WebhookConfigError(`${o.name ?? 'hmac'}: the id or timestamp holds the separator that follows it in the template`);
  const [before, after] = rendered;
  const h = createHmac(o.algorithm ?? 'sha256', input.secret);
  h.update(before).update(bodyBytes(input.body)).update(after);
  const encoding = o.encoding ?? 'hex';
  const headers: Record<string, string> = { [o.header.toLowerCase()]: `${o.prefix ?? ''}${h.digest(encoding)}` };
  if (o.idHeader && input.id !== undefined) headers[o.idHeader.toLowerCase()] = id;
  if (o.timestampHeader) headers[o.timestampHeader.toLowerCase()] = ts;
  return headers;
}
