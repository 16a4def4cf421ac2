import { isWebhookVerificationError } from '@hookguard/core';
import { CliError, EXIT } from '../lib/exit-codes.js';
import type { CommandOutput } from '../lib/command-output.js';
import { schemeKit, type SchemeId } from '../lib/schemes.js';

export interface SignOptions {
  scheme: string;
  secret: string;
  body: Buffer;
  id?: string;
  /** Seconds (as given: a millisecond value is signed as such, to stage that mistake). */
  timestamp?: number;
}

export interface SignJson {
  scheme: SchemeId;
  headers: Record<string, string>;
  bodyBytes: number;
}

/** The headers a sender of this scheme would send with this body (core's signers). */
export async function signCommand(o: SignOptions): Promise<CommandOutput<SignJson>> {
  const kit = schemeKit(o.scheme);
  let headers: Record<string, string>;
  try {
    headers = kit.sign({ secret: o.secret, body: o.body, ...(o.id !== undefined ? { id: o.id } : {}), ...(o.timestamp !== undefined ? { timestamp: o.timestamp } : {}) });
  } catch (e) {
    // core's messages name the problem with the secret, never the secret itself.
    if (e instanceof Error && (e.name === 'WebhookConfigError' || isWebhookVerificationError(e))) throw new CliError(`cannot sign: ${e.message}`, EXIT.usage);
    throw e;
  }
  return {
    exitCode: EXIT.ok,
    json: { scheme: kit.id, headers, bodyBytes: o.body.length },
    text: () => Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\n'),
  };
}
