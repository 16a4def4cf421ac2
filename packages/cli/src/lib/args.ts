import { parseArgs } from 'node:util';
import { usageError } from './exit-codes.js';

export interface FlagSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
}

export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Parsed {
  values: Values;
  positionals: string[];
}

/** node:util parseArgs, strict, with its errors turned into usage errors (exit 2). */
export function parse(argv: readonly string[], flags: Record<string, FlagSpec>): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: flags, strict: true, allowPositionals: true });
    return { values: values as Values, positionals };
  } catch (e) {
    throw usageError((e as Error).message);
  }
}

export function str(v: Values, name: string): string | undefined {
  const x = v[name];
  return typeof x === 'string' ? x : undefined;
}

export function list(v: Values, name: string): string[] {
  const x = v[name];
  if (Array.isArray(x)) return x.filter((i): i is string => typeof i === 'string');
  return typeof x === 'string' ? [x] : [];
}

export function bool(v: Values, name: string): boolean {
  return v[name] === true;
}

export function int(v: Values, name: string, fallback: number, range: [number, number]): number {
  const x = str(v, name);
  if (x === undefined) return fallback;
  const n = Number(x);
  if (!Number.isInteger(n) || n < range[0] || n > range[1]) throw usageError(`--${name} must be an integer from ${range[0]} to ${range[1]} (got ${x})`);
  return n;
}

export function required(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw usageError(`${what} is required`);
  return value;
}
