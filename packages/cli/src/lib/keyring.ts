import { readFile } from 'node:fs/promises';
import { CliError } from './exit-codes.js';

export interface KeyringEntry {
  /** The entry's name: a tenant id, an environment ("staging"), another scheme. */
  name: string;
  secrets: string[];
}

const MAX_ENTRIES = 64;
const MAX_SECRETS = 8;

function secretsOf(v: unknown): string[] {
  const list = Array.isArray(v) ? v : v && typeof v === 'object' && Array.isArray((v as { secrets?: unknown }).secrets) ? (v as { secrets: unknown[] }).secrets : [v];
  const out: string[] = [];
  for (const item of list) {
    if (typeof item === 'string') out.push(item);
    else if (item && typeof item === 'object' && typeof (item as { secret?: unknown }).secret === 'string') out.push((item as { secret: string }).secret);
  }
  return out.slice(0, MAX_SECRETS);
}

/**
 * A JSON file of named secrets: `{ "acme": "whsec_..", "globex": ["..", ".."], "staging": { "secrets": [..] } }`
 * (TenantConfig-shaped values work), optionally under a top-level "tenants" key. Bounded: 64 entries, 8 secrets each.
 */
export async function readKeyring(path: string): Promise<KeyringEntry[]> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw new CliError(`cannot read the keyring ${path} as JSON`);
  }
  const root = data && typeof data === 'object' && 'tenants' in data && typeof (data as { tenants: unknown }).tenants === 'object' ? (data as { tenants: object }).tenants : data;
  if (!root || typeof root !== 'object' || Array.isArray(root)) throw new CliError(`${path}: a keyring is a JSON object of name -> secret(s)`);
  return Object.entries(root)
    .slice(0, MAX_ENTRIES)
    .map(([name, v]) => ({ name, secrets: secretsOf(v) }))
    .filter((e) => e.secrets.length > 0);
}
