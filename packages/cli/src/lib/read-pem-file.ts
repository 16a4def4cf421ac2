import { readFile } from 'node:fs/promises';
import { CliError } from './exit-codes.js';

export async function readPemFile(path: string | undefined, flag: string): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new CliError(`cannot read ${flag} ${path}`);
  }
}
