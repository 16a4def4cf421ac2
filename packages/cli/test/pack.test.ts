// The packed package works as `npx hookguard` from a fresh folder: `npm pack` of core and the CLI,
// unpacked into a temp node_modules as npm would install them (with @peculiar/x509 linked from
// this repository's node_modules: no registry is used).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = fileURLToPath(new URL('../', import.meta.url));
const repo = join(pkgDir, '..', '..');
let work: string | undefined;

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(cmd, args, { cwd, timeout: 180_000, env: { ...process.env, NO_COLOR: '1', npm_config_yes: 'false' } }, (e, stdout, stderr) =>
      resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test('npm pack + a fresh folder: npx hookguard --version, certs init, sign', async () => {
  work = await mkdtemp(join(tmpdir(), 'hookguard-pack-'));
  const tgz = join(work, 'tgz');
  const app = join(work, 'app');
  await mkdir(tgz);
  for (const [name, dir] of [['cli', pkgDir], ['core', join(repo, 'packages', 'core')]] as const) {
    const packed = await run('npm', ['pack', '--json', '--pack-destination', tgz], dir);
    assert.equal(packed.code, 0, packed.stderr);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    if (name === 'cli') {
      const files = info!.files.map((f) => f.path);
      assert.ok(files.includes('dist/esm/bin.js') && files.includes('README.md') && files.includes('LICENSE'));
      assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('dist-test/')), 'no tests in the tarball');
    }
    const dest = join(app, 'node_modules', '@hookguard', name);
    await mkdir(dest, { recursive: true });
    const untar = await run('tar', ['-xzf', join(tgz, info!.filename), '-C', dest, '--strip-components=1'], work);
    assert.equal(untar.code, 0, untar.stderr);
  }
  await symlink(join(repo, 'node_modules', '@peculiar'), join(app, 'node_modules', '@peculiar'));
  const bin = join(app, 'node_modules', '.bin', 'hookguard');
  await mkdir(dirname(bin), { recursive: true });
  // What npm does on install: link the bin and make it executable.
  await symlink('../@hookguard/cli/dist/esm/bin.js', bin);
  await chmod(join(app, 'node_modules', '@hookguard', 'cli', 'dist', 'esm', 'bin.js'), 0o755);
  await writeFile(join(app, 'package.json'), '{"name":"fresh","private":true}\n');

  const version = await run('npx', ['--no', '--', 'hookguard', '--version'], app);
  assert.equal(version.code, 0, version.stderr);
  const pkg = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  assert.equal(version.stdout.trim(), `hookguard ${pkg.version}`);
  const init = await run('npx', ['--no', '--', 'hookguard', 'certs', 'init', '--json'], app);
  assert.equal(init.code, 0, init.stderr);
  assert.equal(JSON.parse(init.stdout).dir, join(app, 'hookguard-pki'));
  await writeFile(join(app, 'body.json'), '{}');
  const signed = await run('npx', ['--no', '--', 'hookguard', 'sign', 'github', '--secret', 'its-a-secret', '--body', 'body.json'], app);
  assert.equal(signed.code, 0, signed.stderr);
  assert.match(signed.stdout, /^x-hub-signature-256: sha256=[0-9a-f]{64}$/m);
});
