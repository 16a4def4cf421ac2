import assert from 'node:assert/strict';

/** Resolves to the promise's rejection reason; fails the test if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return assert.fail('expected a rejection');
}
