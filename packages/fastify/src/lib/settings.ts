import { verifierFrom, WebhookConfigError, type VerifierSource } from '@hookguard/core';
import type { FastifyWebhookOptions, VerifyWebhookOptions } from '../types.js';
import type { RouteHookSettings } from './route-hooks.js';

/** Checks the adapter's options and builds the verifier once, so a misconfiguration throws at startup. */
export function settingsFrom(where: string, options: VerifyWebhookOptions, defaults: FastifyWebhookOptions = {}): RouteHookSettings {
  if (!options || typeof options !== 'object') throw new WebhookConfigError(`${where} needs options: { scheme, ... } or { verifier }`);
  const { onError = defaults.onError ?? 'respond', problemDetail = defaults.problemDetail ?? true, ...source } = options;
  if (onError !== 'respond' && onError !== 'throw') throw new WebhookConfigError(`${where}: onError must be 'respond' or 'throw'`);
  if (typeof problemDetail !== 'boolean') throw new WebhookConfigError(`${where}: problemDetail must be a boolean`);
  return { verifier: verifierFrom(source as VerifierSource), onError, detail: problemDetail };
}
