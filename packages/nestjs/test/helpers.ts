import 'reflect-metadata';
import { after, before } from 'node:test';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import type { NestApplicationOptions } from '@nestjs/common';
import { MemoryReplayStore, sign, type ReplayStore, type ReserveResult } from '@hookguard/core';

/** A fresh Standard Webhooks secret per run: nothing secret is written into the repository. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export interface RunningApp {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/** A real Nest app on 127.0.0.1, port 0. */
export async function startApp(module: unknown, options: NestApplicationOptions = { rawBody: true }, configure?: (app: INestApplication) => void): Promise<RunningApp> {
  const app = await NestFactory.create(module as never, { logger: false, abortOnError: false, ...options });
  configure?.(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, close: () => app.close() };
}

/** Starts `module` before this file's tests and closes it after them; `url` is read once it runs. */
export function serveDuringFile(module: unknown): { readonly url: string; readonly app: INestApplication } {
  let running: RunningApp | undefined;
  before(async () => {
    running = await startApp(module);
  });
  after(async () => {
    await running?.close();
  });
  const started = () => {
    if (!running) throw new Error('the app is not running yet');
    return running;
  };
  return {
    get url() {
      return started().url;
    },
    get app() {
      return started().app;
    },
  };
}

export interface Reply {
  status: number;
  contentType: string;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

export async function post(url: string, body: string | Buffer, headers: Record<string, string>, signal?: AbortSignal): Promise<Reply> {
  const res = await fetch(url, { method: 'POST', body, headers, ...(signal ? { signal } : {}) });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', headers: res.headers, text, json };
}

/** Signs a JSON body with Standard Webhooks and sends it. */
export function deliver(
  url: string,
  secret: string,
  payload: unknown,
  extra: { id?: string; timestamp?: number; contentType?: string; raw?: string } = {},
): Promise<Reply> {
  const body = extra.raw ?? JSON.stringify(payload);
  const headers = sign.standardWebhooks({
    secret,
    body,
    ...(extra.id ? { id: extra.id } : {}),
    ...(extra.timestamp !== undefined ? { timestamp: extra.timestamp } : {}),
  });
  return post(url, body, { 'content-type': extra.contentType ?? 'application/json', ...headers });
}

export function isProblem(reply: Reply): boolean {
  return reply.contentType.startsWith('application/problem+json');
}

/** A promise with its resolve function, to hold a handler open or wait for an event. */
export function deferred<T = void>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A memory store that records its calls, for tests that check which way a delivery settled. */
export class RecordingStore implements ReplayStore {
  readonly inner = new MemoryReplayStore();
  readonly calls: string[] = [];
  #waiters: Array<{ op: string; resolve(): void }> = [];

  async reserve(key: string, ttlMs: number): Promise<ReserveResult> {
    const r = await this.inner.reserve(key, ttlMs);
    this.#record(`reserve:${r.state}`);
    return r;
  }
  async commit(key: string, ttlMs: number, token?: string): Promise<void> {
    await this.inner.commit(key, ttlMs, token);
    this.#record('commit');
  }
  async release(key: string, token?: string): Promise<void> {
    await this.inner.release(key, token);
    this.#record('release');
  }
  /** Resolves when `op` has been recorded `count` times in all. */
  waitFor(op: string, count = 1): Promise<void> {
    if (this.calls.filter((c) => c === op).length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ op: `${op}#${count}`, resolve }));
  }
  #record(op: string): void {
    this.calls.push(op);
    const n = this.calls.filter((c) => c === op).length;
    this.#waiters = this.#waiters.filter((w) => {
      const [wop, wcount] = w.op.split('#');
      if (wop === op && n >= Number(wcount)) {
        w.resolve();
        return false;
      }
      return true;
    });
  }
}
