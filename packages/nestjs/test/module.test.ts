import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Controller, HttpCode, Inject, Injectable, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createVerifier, github, sign, standardWebhooks, stripe, WebhookConfigError } from '@hookguard/core';
import {
  VerifiedWebhook,
  WEBHOOK_MODULE_OPTIONS,
  WEBHOOK_REPLAY_STORE,
  WebhookModule,
  WebhookPayload,
  WebhookVerifiers,
  type WebhookModuleOptions,
  type WebhookOptionsFactory,
} from '@hookguard/nestjs';
import { deliver, isProblem, newSecret, post, RecordingStore, startApp, type RunningApp } from './helpers.js';

const SW_SECRET = newSecret();
const GH_SECRET = randomBytes(24).toString('hex');
const STRIPE_SECRET = `whsec_${randomBytes(24).toString('hex')}`;

/** A ConfigService-like provider: where forRootAsync reads secrets from. */
@Injectable()
class ConfigService {
  readonly values: Record<string, string> = { WEBHOOK_SECRET: SW_SECRET, GITHUB_SECRET: GH_SECRET };
  get(key: string): string {
    const v = this.values[key];
    if (v === undefined) throw new Error(`missing config ${key}`);
    return v;
  }
}
@Module({ providers: [ConfigService], exports: [ConfigService] })
class ConfigModule {}

@Controller('hooks')
class DefaultController {
  @Post()
  @HttpCode(200)
  @VerifiedWebhook()
  receive(@WebhookPayload() payload: unknown) {
    return { got: payload };
  }
}

/** Named verifiers: one per route, and a controller-wide name overridden on one route. */
@Controller('named')
@VerifiedWebhook('github')
class NamedController {
  @Post('github')
  @HttpCode(200)
  fromGithub(@WebhookPayload('action') action: unknown) {
    return { via: 'github', action };
  }

  @Post('stripe')
  @HttpCode(200)
  @VerifiedWebhook('stripe')
  fromStripe(@WebhookPayload('type') type: unknown) {
    return { via: 'stripe', type };
  }
}

const apps: RunningApp[] = [];
after(async () => {
  for (const a of apps) await a.close();
});

async function start(module: unknown): Promise<RunningApp> {
  const app = await startApp(module);
  apps.push(app);
  return app;
}

test('forRootAsync with useFactory + inject (a ConfigService from imports)', async () => {
  @Module({
    imports: [
      WebhookModule.forRootAsync({
        imports: [ConfigModule],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({ scheme: standardWebhooks({ secret: config.get('WEBHOOK_SECRET') }) }),
      }),
    ],
    controllers: [DefaultController],
  })
  class AppModule {}
  const app = await start(AppModule);
  const ok = await deliver(`${app.url}/hooks`, SW_SECRET, { n: 1 });
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.json, { got: { n: 1 } });
  const bad = await deliver(`${app.url}/hooks`, newSecret(), { n: 1 });
  assert.equal(bad.status, 401);
  assert.equal(bad.json['code'], 'SIGNATURE_MISMATCH');
});

test('forRootAsync with useClass (a WebhookOptionsFactory with its own injections)', async () => {
  @Injectable()
  class WebhookConfig implements WebhookOptionsFactory {
    constructor(@Inject(ConfigService) private readonly config: ConfigService) {}
    async createWebhookOptions(): Promise<WebhookModuleOptions> {
      return { scheme: standardWebhooks({ secret: this.config.get('WEBHOOK_SECRET') }), problemDetail: false };
    }
  }
  @Module({
    imports: [WebhookModule.forRootAsync({ imports: [ConfigModule], useClass: WebhookConfig })],
    controllers: [DefaultController],
  })
  class AppModule {}
  const app = await start(AppModule);
  const ok = await deliver(`${app.url}/hooks`, SW_SECRET, { n: 2 });
  assert.deepEqual(ok.json, { got: { n: 2 } });
  // problemDetail: false leaves `detail` out of problems.
  const missing = await post(`${app.url}/hooks`, '{}', { 'content-type': 'application/json' });
  assert.equal(missing.status, 401);
  assert.ok(isProblem(missing));
  assert.equal(missing.json['code'], 'MISSING_SIGNATURE');
  assert.equal('detail' in missing.json, false);
});

test('forRootAsync with useExisting, and the options token is injectable', async () => {
  @Injectable()
  class ExistingConfig implements WebhookOptionsFactory {
    createWebhookOptions(): WebhookModuleOptions {
      return { verifier: createVerifier({ scheme: standardWebhooks({ secret: SW_SECRET }) }) };
    }
  }
  @Module({ providers: [ExistingConfig], exports: [ExistingConfig] })
  class OptionsModule {}
  @Module({
    imports: [WebhookModule.forRootAsync({ imports: [OptionsModule], useExisting: ExistingConfig })],
    controllers: [DefaultController],
  })
  class AppModule {}
  const app = await start(AppModule);
  const ok = await deliver(`${app.url}/hooks`, SW_SECRET, { n: 3 });
  assert.deepEqual(ok.json, { got: { n: 3 } });
  const options = app.app.get<WebhookModuleOptions>(WEBHOOK_MODULE_OPTIONS);
  assert.ok('verifier' in options);
  assert.deepEqual(app.app.get(WebhookVerifiers).names, ['default']);
});

test('named verifiers on two routes; a route name overrides the controller name', async () => {
  @Module({
    imports: [
      WebhookModule.forRoot({
        verifiers: {
          github: { scheme: github({ secret: GH_SECRET }) },
          stripe: { scheme: stripe({ secret: STRIPE_SECRET }) },
        },
      }),
    ],
    controllers: [NamedController],
  })
  class AppModule {}
  const app = await start(AppModule);
  const ghBody = JSON.stringify({ action: 'opened' });
  const gh = await post(`${app.url}/named/github`, ghBody, { 'content-type': 'application/json', ...sign.github({ secret: GH_SECRET, body: ghBody }) });
  assert.equal(gh.status, 200);
  assert.deepEqual(gh.json, { via: 'github', action: 'opened' });

  const stBody = JSON.stringify({ id: 'evt_1', type: 'invoice.paid' });
  const st = await post(`${app.url}/named/stripe`, stBody, { 'content-type': 'application/json', ...sign.stripe({ secret: STRIPE_SECRET, body: stBody }) });
  assert.equal(st.status, 200);
  assert.deepEqual(st.json, { via: 'stripe', type: 'invoice.paid' });

  // A GitHub delivery on the Stripe route is checked by the Stripe verifier.
  const wrong = await post(`${app.url}/named/stripe`, ghBody, { 'content-type': 'application/json', ...sign.github({ secret: GH_SECRET, body: ghBody }) });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json['code'], 'MISSING_SIGNATURE');
});

test('a replay store provided through WEBHOOK_REPLAY_STORE (forRootAsync imports) serves every verifier', async () => {
  const store = new RecordingStore();
  @Module({ providers: [{ provide: WEBHOOK_REPLAY_STORE, useValue: store }], exports: [WEBHOOK_REPLAY_STORE] })
  class StoreModule {}
  @Module({
    imports: [
      WebhookModule.forRootAsync({
        imports: [StoreModule, ConfigModule],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({
          verifiers: {
            github: { scheme: github({ secret: config.get('GITHUB_SECRET') }) },
            stripe: { scheme: stripe({ secret: STRIPE_SECRET }) },
          },
        }),
      }),
    ],
    controllers: [NamedController],
  })
  class AppModule {}
  const app = await start(AppModule);
  const body = JSON.stringify({ action: 'closed' });
  const headers = { 'content-type': 'application/json', ...sign.github({ secret: GH_SECRET, body, id: 'delivery-1' }) };
  assert.equal((await post(`${app.url}/named/github`, body, headers)).status, 200);
  const dup = await post(`${app.url}/named/github`, body, headers);
  assert.deepEqual(dup.json, { received: true, duplicate: true });
  assert.deepEqual(store.calls, ['reserve:reserved', 'commit', 'reserve:done']);
});

test('misconfiguration fails at bootstrap: a bad verifier option, an unknown default, an unknown @VerifiedWebhook name', async () => {
  @Module({ imports: [WebhookModule.forRoot({ scheme: standardWebhooks({ secret: SW_SECRET }), maxBodyBytes: -1 })], controllers: [DefaultController] })
  class BadOptions {}
  await assert.rejects(NestFactory.create(BadOptions, { logger: false, abortOnError: false }), (e: Error) => {
    assert.ok(e instanceof WebhookConfigError);
    // Core names the verifier in its own configuration error (verifierFrom's `where`).
    assert.match(e.message, /^verifier "default": maxBodyBytes/);
    return true;
  });

  // Checked by core wherever the injected store is used, named after the verifier.
  assert.throws(
    () => new WebhookVerifiers({ verifiers: { gh: { scheme: github({ secret: GH_SECRET }) } } }, { reserve: () => undefined } as never),
    (e: unknown) => e instanceof WebhookConfigError && /^verifier "gh": replay\.store must implement reserve, commit and release/.test(e.message),
  );
  assert.throws(() => new WebhookVerifiers({ scheme: github({ secret: GH_SECRET }), problemDetail: 'false' as never }), /problemDetail must be a boolean/);

  @Module({ imports: [WebhookModule.forRoot({ verifiers: { github: { scheme: github({ secret: GH_SECRET }) } }, default: 'gitlab' })] })
  class BadDefault {}
  await assert.rejects(NestFactory.create(BadDefault, { logger: false, abortOnError: false }), /default "gitlab" is not one of the verifiers/);

  const mixed = { verifier: createVerifier({ scheme: github({ secret: GH_SECRET }) }), scheme: github({ secret: GH_SECRET }) } as unknown as WebhookModuleOptions;
  @Module({ imports: [WebhookModule.forRoot(mixed)] })
  class Mixed {}
  await assert.rejects(NestFactory.create(Mixed, { logger: false, abortOnError: false }), /either \{ verifier \} or verifier options/);

  // NamedController asks for "stripe", which this module does not have.
  @Module({ imports: [WebhookModule.forRoot({ verifiers: { github: { scheme: github({ secret: GH_SECRET }) } } })], controllers: [NamedController] })
  class UnknownName {}
  const app = await NestFactory.create(UnknownName, { logger: false, abortOnError: false });
  await assert.rejects(app.init(), /NamedController\.fromStripe: no webhook verifier named "stripe"; configured: github/);
  await app.close();

  // Two verifiers, no default, and a bare @VerifiedWebhook().
  @Module({
    imports: [WebhookModule.forRoot({ verifiers: { github: { scheme: github({ secret: GH_SECRET }) }, stripe: { scheme: stripe({ secret: STRIPE_SECRET }) } } })],
    controllers: [DefaultController],
  })
  class NoDefault {}
  const app2 = await NestFactory.create(NoDefault, { logger: false, abortOnError: false });
  await assert.rejects(app2.init(), /names no verifier and WebhookModule has no default/);
  await app2.close();
});

test('@VerifiedWebhook() without WebhookModule fails at bootstrap with a clear message', async () => {
  @Module({ controllers: [DefaultController] })
  class NoModule {}
  await assert.rejects(
    (async () => {
      const app = await NestFactory.create(NoModule, { logger: false, abortOnError: false });
      try {
        await app.init();
      } finally {
        await app.close();
      }
    })(),
    /WebhookModule\.forRoot\(\) or WebhookModule\.forRootAsync\(\)/,
  );
});
