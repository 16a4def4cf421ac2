import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type RuntimeName = 'node' | 'bun' | 'deno' | 'workerd';

// From packages/testkit/dist/esm/ to the repository root.
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

// Where npm puts each runtime's binary in this repo (devDependencies of @hookguard/web, hoisted):
// npm 11 skips bun's postinstall, which leaves the binary in bun/bin/bun.exe instead of @oven's bin/.
const CANDIDATES: Record<RuntimeName, string[]> = {
  node: [process.execPath],
  bun: ['node_modules/@oven/bun-linux-x64/bin/bun', 'node_modules/bun/bin/bun.exe'],
  deno: ['node_modules/@deno/linux-x64-glibc/deno', 'node_modules/deno/deno'],
  workerd: ['node_modules/@cloudflare/workerd-linux-64/bin/workerd'],
};

/** The places looked at for a runtime's binary (for error messages). */
export function runtimeBinaryCandidates(name: RuntimeName): readonly string[] {
  return CANDIDATES[name];
}

/** The runtime's executable, or undefined when none of its candidates is installed. */
export function runtimeBinary(name: RuntimeName): string | undefined {
  for (const bin of CANDIDATES[name]) {
    const path = bin.startsWith('/') ? bin : join(REPO, bin);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // next candidate
    }
  }
  return undefined;
}
