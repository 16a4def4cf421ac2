// Symbol.for: shared by every copy of this package in the process.
const DEFERRED = Symbol.for('hookguard.nestjs.deferred-parse-error');

/** Keeps a body parser's error on the request instead of answering it at once. */
export function deferParseError(req: object, error: unknown): void {
  Object.defineProperty(req, DEFERRED, { value: error, configurable: true, enumerable: false, writable: true });
}

export function getDeferredParseError(req: unknown): unknown {
  if (typeof req !== 'object' || req === null) return undefined;
  return (req as Record<PropertyKey, unknown>)[DEFERRED];
}
