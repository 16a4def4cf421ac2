import type { KeyInput, KeySpec, PreparedKey, Scheme } from '../types.js';
import { toKeySpecs } from './keys.js';
import { WebhookConfigError } from '../webhook-config-error.js';

/** Keys given in a scheme's options, prepared at creation; undefined means "the tenant's". */
export function staticKeysOf(
  scheme: string,
  prepare: (specs: readonly KeySpec[]) => PreparedKey[],
  input: KeyInput | readonly KeyInput[] | undefined,
): PreparedKey[] | undefined {
  const specs = toKeySpecs(input);
  if (specs === undefined) return undefined;
  if (specs.length === 0) throw new WebhookConfigError(`${scheme}: the list of secrets is empty`);
  return prepare(specs);
}

/** Walks a scheme tree (all/any) depth first. */
export function* leafSchemes(scheme: Scheme): Generator<Scheme> {
  if (scheme.children) for (const c of scheme.children) yield* leafSchemes(c);
  else yield scheme;
}
