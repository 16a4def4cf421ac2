// What the server harnesses share: a free loopback port, and the CI rule for missing binaries.
import { createServer } from 'node:net';
import { describe, test } from 'node:test';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const isCI = () => {
  const v = (process.env.CI ?? '').toLowerCase();
  return v !== '' && v !== '0' && v !== 'false';
};

/**
 * describe() for tests that need a server binary. Without it (`missing` says why): in CI (CI=true)
 * one test fails with the reason; locally the suite is skipped and the reason is printed.
 */
export function describeIfFound(name: string, found: boolean, missing: string, what: string, fn: () => void): void {
  if (found) {
    describe(name, fn);
    return;
  }
  if (isCI()) {
    test(`${name}: ${what} is required in CI`, () => {
      throw new Error(`${missing}; CI=true, so the ${what} tests fail instead of skipping`);
    });
    return;
  }
  console.warn(`\n!!! SKIPPING "${name}": ${missing}. In CI (CI=true) these tests fail instead.\n`);
  test(name, { skip: missing }, () => {});
}

/** Launches again until it works (the port can take a moment to be free after a kill): at most `attempts` tries, `cleanup` after each failure. */
export async function relaunch(launch: () => Promise<void>, cleanup: () => Promise<void>, attempts = 21): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      return;
    } catch (e) {
      if (attempt >= attempts) throw e;
      await cleanup();
      await sleep(100);
    }
  }
}
