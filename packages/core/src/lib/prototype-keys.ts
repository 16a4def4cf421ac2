/*
 * VerifyOptions.prototypeKeys: a JSON payload with a `__proto__` key, or a `constructor` key holding
 * a `prototype`, lets code such as `Object.assign({}, body.data)` set a prototype. Fastify's JSON
 * parser refuses those by default (onProtoPoisoning / onConstructorPoisoning); an adapter whose
 * framework has that rule asks core to keep it, since core's parse replaces the framework's. Signed
 * is not safe: a signed payload carries fields third parties chose.
 */

import type { PrototypeKeyAction } from '../types.js';
type PoisoningAction = PrototypeKeyAction;

const PROTO = Buffer.from('__proto__');
const CONSTRUCTOR = Buffer.from('constructor');
const ESCAPE = Buffer.from('\\u');

/** The key that breaks the rule (`'__proto__'` or `'constructor'`), after removing what 'remove' removes. */
export function prototypeKey(payload: unknown, body: Buffer, proto: PoisoningAction, ctor: PoisoningAction): string | undefined {
  if (proto === 'ignore' && ctor === 'ignore') return undefined;
  if (typeof payload !== 'object' || payload === null || Buffer.isBuffer(payload)) return undefined;
  // Only JSON values (a form's fields have no prototype to set). A key spelled with \u escapes
  // decodes to the same name, so an escape anywhere means a walk too.
  const shape = Object.getPrototypeOf(payload);
  if (shape !== Object.prototype && shape !== Array.prototype) return undefined;
  if (!body.includes(PROTO) && !body.includes(CONSTRUCTOR) && !body.includes(ESCAPE)) return undefined;
  // Iterative: the body is bounded by maxBodyBytes, and so is this walk; no recursion depth to exhaust.
  const stack: object[] = [payload];
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown>;
    if (!Array.isArray(node)) {
      if (proto !== 'ignore' && Object.hasOwn(node, '__proto__')) {
        if (proto === 'error') return '__proto__';
        delete node['__proto__'];
      }
      if (ctor !== 'ignore' && Object.hasOwn(node, 'constructor')) {
        const c = node['constructor'];
        if (typeof c === 'object' && c !== null && Object.hasOwn(c, 'prototype')) {
          if (ctor === 'error') return 'constructor';
          delete node['constructor'];
        }
      }
    }
    for (const key of Object.keys(node)) {
      const v = node[key];
      if (typeof v === 'object' && v !== null) stack.push(v);
    }
  }
  return undefined;
}
