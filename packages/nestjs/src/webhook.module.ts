import { Inject, Module, type DynamicModule, type OnModuleInit, type Provider } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, Reflector } from '@nestjs/core';
import { WebhookConfigError, type ReplayStore } from '@hookguard/core';
import { WEBHOOK_MODULE_OPTIONS, WEBHOOK_REPLAY_STORE } from './webhook.constants.js';
import type { WebhookModuleAsyncOptions, WebhookModuleOptions, WebhookOptionsFactory } from './webhook-module-options.interface.js';
import { WebhookVerifiers } from './webhook-verifiers.js';
import { readVerifierName } from './lib/resolve-verifier-name.js';

// Built once, when Nest creates the module: a bad secret or scheme fails NestFactory.create.
const verifiersProvider: Provider = {
  provide: WebhookVerifiers,
  useFactory: (options: WebhookModuleOptions, store: ReplayStore | undefined) => new WebhookVerifiers(options, store),
  inject: [WEBHOOK_MODULE_OPTIONS, { token: WEBHOOK_REPLAY_STORE, optional: true }],
};

// The guard, interceptor and filter are not providers here: Nest builds them in each controller's
// module, where the global exports below satisfy their injections.
const exported = [WEBHOOK_MODULE_OPTIONS, WebhookVerifiers];

function methodsOf(prototype: object): Function[] {
  const seen = new Set<string>();
  const out: Function[] = [];
  // Bounded by the prototype chain; stops at Object.prototype.
  for (let p: object | null = prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const key of Object.getOwnPropertyNames(p)) {
      if (key === 'constructor' || seen.has(key)) continue;
      seen.add(key);
      const value = Object.getOwnPropertyDescriptor(p, key)?.value as unknown;
      if (typeof value === 'function') out.push(value);
    }
  }
  return out;
}

/**
 * Registers hookguard verifiers for @VerifiedWebhook() routes. Global: import it once, in AppModule.
 *
 *   WebhookModule.forRoot({ scheme: standardWebhooks({ secret }) })
 *   WebhookModule.forRoot({ verifiers: { github: { scheme: github({ secret }) }, stripe: { ... } } })
 *   WebhookModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory: (c) => ({ ... }) })
 */
@Module({})
export class WebhookModule implements OnModuleInit {
  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(WebhookVerifiers) private readonly verifiers: WebhookVerifiers,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  static forRoot(options: WebhookModuleOptions): DynamicModule {
    return {
      module: WebhookModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [{ provide: WEBHOOK_MODULE_OPTIONS, useValue: options }, verifiersProvider],
      exports: exported,
    };
  }

  static forRootAsync(options: WebhookModuleAsyncOptions): DynamicModule {
    return {
      module: WebhookModule,
      global: true,
      imports: [...(options.imports ?? []), DiscoveryModule],
      providers: [...asyncOptionsProviders(options), verifiersProvider],
      exports: exported,
    };
  }

  /** Every @VerifiedWebhook(name) must name a configured verifier: checked at bootstrap, not per request. */
  onModuleInit(): void {
    const problems = new Set<string>();
    for (const wrapper of this.discovery.getControllers()) {
      const type = wrapper.metatype as (Function & { prototype: object }) | null | undefined;
      if (typeof type !== 'function' || !type.prototype) continue;
      const onClass = readVerifierName(this.reflector, undefined, type);
      const handlers = methodsOf(type.prototype).filter((m) => readVerifierName(this.reflector, m, undefined).found);
      const routes = onClass.found ? methodsOf(type.prototype) : handlers;
      for (const handler of routes) {
        const { name } = readVerifierName(this.reflector, handler, type);
        try {
          this.verifiers.get(name);
        } catch (e) {
          problems.add(`${type.name}.${handler.name}: ${(e as Error).message}`);
        }
      }
    }
    if (problems.size > 0) throw new WebhookConfigError([...problems].join('; '));
  }
}

function asyncOptionsProviders(options: WebhookModuleAsyncOptions): Provider[] {
  if (options.useFactory) return [{ provide: WEBHOOK_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }];
  const factoryClass = options.useClass ?? options.useExisting;
  if (!factoryClass) throw new WebhookConfigError('WebhookModule.forRootAsync needs useFactory, useClass or useExisting');
  const fromFactory: Provider = {
    provide: WEBHOOK_MODULE_OPTIONS,
    useFactory: (factory: WebhookOptionsFactory) => factory.createWebhookOptions(),
    inject: [factoryClass],
  };
  return options.useClass ? [fromFactory, { provide: options.useClass, useClass: options.useClass }] : [fromFactory];
}
