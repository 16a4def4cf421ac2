// Packs the public packages as `npm publish` would and unpacks them into a node_modules folder,
// so the checks see exactly what a registry user installs (not the workspace symlinks).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const PUBLIC = ['core', 'express', 'koa', 'fastify', 'nestjs', 'redis', 'postgres', 'web'];
/** Published too, but a command, not a library: no entry points to type-check. */
export const COMMANDS = ['cli'];

/** Packs every public package into a fresh temp folder: { dir, packs: { name: { tarball, files } } }. */
export function packAll(names = PUBLIC) {
  const dir = mkdtempSync(join(tmpdir(), 'hookguard-pack-'));
  const packs = {};
  for (const name of names) {
    const out = execFileSync('npm', ['pack', '--json', '--silent', '--pack-destination', dir], { cwd: join(ROOT, 'packages', name), encoding: 'utf8', timeout: 60_000 });
    const [info] = JSON.parse(out);
    packs[name] = { tarball: join(dir, info.filename), files: info.files.map((f) => f.path), pkg: JSON.parse(readFileSync(join(ROOT, 'packages', name, 'package.json'), 'utf8')) };
  }
  return { dir, packs, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Unpacks the tarballs into `<nodeModules>/@hookguard/<name>` (replacing what was there). */
export function unpackInto(nodeModules, packs) {
  for (const [name, { tarball }] of Object.entries(packs)) {
    const target = join(nodeModules, '@hookguard', name);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], { timeout: 30_000 });
  }
}
