import { verifierFrom, WebhookConfigError, type ReplayStore, type Verifier, type VerifierOptions, type VerifierSource } from '@hookguard/core';
import { DEFAULT_VERIFIER_NAME } from './webhook.constants.js';
import type { WebhookModuleOptions, WebhookVerifierConfig } from './webhook-module-options.interface.js';

function build(name: string, config: WebhookVerifierConfig | undefined, store: ReplayStore | undefined): Verifier {
  if (!config || typeof config !== 'object') throw new WebhookConfigError(`verifier "${name}": options are missing`);
  // Drop the module's own field; everything else is core's.
  const { problemDetail: _ignored, ...options } = config as VerifierOptions & { problemDetail?: boolean; verifier?: Verifier };
  // The injected store serves every verifier that keeps replay on without naming its own store; the
  // verifier's name keeps their keys apart (unless it names a namespace of its own).
  const source =
    options.verifier !== undefined || options.replay === false || !store || options.replay?.store
      ? options
      : { ...options, replay: { namespace: name, ...options.replay, store } };
  // Core names the verifier in its configuration errors.
  return verifierFrom(source as VerifierSource, `verifier "${name}"`);
}

/**
 * The verifiers of WebhookModule, built once when the module is created, so a misconfiguration
 * fails at bootstrap. Inject it to verify by hand: `verifiers.get('github')`.
 */
export class WebhookVerifiers {
  /** Names of the configured verifiers (`['default']` for single-verifier options). */
  readonly names: readonly string[];
  /** The verifier used by `@VerifiedWebhook()` without a name, if any. */
  readonly defaultName: string | undefined;
  /** Whether problem responses carry `detail`. */
  readonly problemDetail: boolean;
  readonly #verifiers = new Map<string, Verifier>();

  constructor(options: WebhookModuleOptions, store?: ReplayStore | null) {
    if (!options || typeof options !== 'object') throw new WebhookConfigError('WebhookModule needs options: forRoot({ scheme, ... }) or forRoot({ verifiers: { ... } })');
    // A store that lacks reserve/commit/release is refused by core (createVerifier) for every verifier it is given to.
    const replayStore = store ?? undefined;
    if (options.problemDetail !== undefined && typeof options.problemDetail !== 'boolean') throw new WebhookConfigError('WebhookModule: problemDetail must be a boolean');
    this.problemDetail = options.problemDetail !== false;
    if ('verifiers' in options) {
      const entries = Object.entries(options.verifiers ?? {});
      if (entries.length === 0) throw new WebhookConfigError('WebhookModule: `verifiers` is empty; name at least one, e.g. { verifiers: { github: { scheme } } }');
      for (const [name, config] of entries) this.#verifiers.set(name, build(name, config, replayStore));
      if (options.default !== undefined && !this.#verifiers.has(options.default))
        throw new WebhookConfigError(`WebhookModule: default "${options.default}" is not one of the verifiers (${entries.map(([n]) => n).join(', ')})`);
      this.defaultName = options.default ?? (entries.length === 1 ? entries[0]![0] : undefined);
    } else {
      this.#verifiers.set(DEFAULT_VERIFIER_NAME, build(DEFAULT_VERIFIER_NAME, options, replayStore));
      this.defaultName = DEFAULT_VERIFIER_NAME;
    }
    this.names = Object.freeze([...this.#verifiers.keys()]);
  }

  /** The verifier called `name`, or the default one; throws WebhookConfigError when there is none. */
  get(name?: string): Verifier {
    const key = name ?? this.defaultName;
    const verifier = key === undefined ? undefined : this.#verifiers.get(key);
    if (verifier) return verifier;
    if (name === undefined)
      throw new WebhookConfigError(`@VerifiedWebhook() names no verifier and WebhookModule has no default; name one (${this.names.join(', ')}) or set \`default\``);
    throw new WebhookConfigError(`no webhook verifier named "${name}"; configured: ${this.names.join(', ')}`);
  }
}
