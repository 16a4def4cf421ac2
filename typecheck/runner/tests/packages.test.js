// The tarballs as a registry user gets them: what is inside, publint (strict), attw, and that
// `import` and `require` of every package work from a fresh folder outside the monorepo.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { COMMANDS, PUBLIC, ROOT, packAll, unpackInto } from './lib/pack.mjs';

let packed;
before(() => {
  packed = packAll();
});
after(() => packed?.cleanup());

describe('tarball contents', () => {
  for (const name of PUBLIC) {
    test(`@hookguard/${name}: LICENSE, README, CHANGELOG, both builds; no tests, build info or results`, () => {
      const files = packed.packs[name].files;
      for (const f of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'dist/esm/index.js', 'dist/esm/index.d.ts', 'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/cjs/package.json'])
        assert.ok(files.includes(f), `${f} is not in the tarball`);
      const unwanted = files.filter((f) => /(^|\/)(test|dist-test|\.test-results|\.turbo)\//.test(f) || /\.test\.[cm]?[jt]s$/.test(f) || f.endsWith('.tsbuildinfo'));
      assert.deepEqual(unwanted, []);
      assert.match(readFileSync(join(ROOT, 'packages', name, 'LICENSE'), 'utf8'), /^MIT License/);
    });

    test(`@hookguard/${name}: every source and declaration map names files that are in the tarball`, () => {
      const files = new Set(packed.packs[name].files);
      const dir = mkdtempSync(join(tmpdir(), 'hookguard-maps-'));
      try {
        execFileSync('tar', ['-xzf', packed.packs[name].tarball, '-C', dir, '--strip-components=1']);
        const maps = [...files].filter((f) => f.endsWith('.map'));
        assert.ok(maps.length > 0, 'no maps at all');
        const missing = [];
        for (const m of maps) {
          const { sources } = JSON.parse(readFileSync(join(dir, m), 'utf8'));
          for (const s of sources) {
            const target = posix.normalize(posix.join(posix.dirname(m), s));
            if (!files.has(target)) missing.push(`${m} -> ${target}`);
          }
        }
        assert.deepEqual(missing, []);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test(`@hookguard/${name}: metadata a registry page needs`, () => {
      const p = packed.packs[name].pkg;
      assert.equal(p.license, 'MIT');
      assert.equal(p.repository?.url, 'git+https://github.com/hookguard/hookguard.git');
      assert.equal(p.repository?.directory, `packages/${name}`);
      assert.match(p.homepage, /^https:\/\/github\.com\/hookguard\/hookguard\/tree\/main\/packages\//);
      assert.ok(p.bugs?.url);
      assert.ok(Array.isArray(p.keywords) && p.keywords.length >= 3);
      assert.deepEqual(p.publishConfig, { access: 'public', provenance: true });
      assert.equal(p.engines?.node, '>=20');
      for (const [dep, range] of Object.entries(p.dependencies ?? {})) if (dep.startsWith('@hookguard/')) assert.match(range, /^\^\d/, `${dep} is pinned (${range})`);
      for (const dep of Object.keys(p.peerDependencies ?? {})) if (dep.startsWith('@types/')) assert.equal(p.peerDependenciesMeta?.[dep]?.optional, true, `${dep} must be an optional peer`);
    });

    test(`@hookguard/${name}: publint --strict finds nothing`, async () => {
      const { messages, pkg } = await publint({ pkgDir: join(ROOT, 'packages', name), strict: true, pack: 'npm' });
      const shown = messages.map((m) => `${m.type}: ${formatMessage(m, pkg) ?? m.code}`);
      assert.deepEqual(shown, []);
    });

    test(`@hookguard/${name}: attw finds no problem in any resolution mode`, () => {
      const attw = join(ROOT, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
      // Exports that are not modules (the Postgres schema file) have no types to check.
      const data = Object.entries(packed.packs[name].pkg.exports ?? {}).filter(([k, v]) => k !== './package.json' && typeof v === 'string' && !/\.[cm]?js$/.test(v)).map(([k]) => k);
      const r = spawnSync(process.execPath, [attw, packed.packs[name].tarball, '--format', 'json', ...(data.length ? ['--exclude-entrypoints', ...data] : [])], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 2 ** 20 });
      const out = r.stdout.trim();
      const report = JSON.parse(out);
      // It analysed the package's entry points (node10, node16 from CJS and ESM, bundler) ...
      assert.ok(report.analysis?.entrypoints?.['.'], 'attw analysed no entry point');
      // ... and found nothing wrong in any of them.
      const problems = Object.values(report.problems ?? {}).flat().map((p) => `${p.kind}${p.resolutionKind ? ` (${p.resolutionKind})` : ''}${p.entrypoint ? ` ${p.entrypoint}` : ''}`);
      assert.deepEqual(problems, [], r.stderr);
      assert.equal(r.status, 0, r.stderr || out.slice(0, 2000));
    });
  }
});

describe('a fresh folder outside the monorepo', () => {
  let app;
  before(() => {
    app = mkdtempSync(join(tmpdir(), 'hookguard-fresh-'));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'commonjs' }));
    const nm = join(app, 'node_modules');
    unpackInto(nm, packed.packs);
    // The peers a user installs beside them, linked from the repo's own install.
    for (const peer of ['express', 'koa', 'fastify', '@nestjs/common', '@nestjs/core', 'reflect-metadata', 'rxjs', 'ioredis', 'pg', 'hono']) {
      const real = realpathSync(join(ROOT, 'node_modules', peer));
      mkdirSync(dirname(join(nm, peer)), { recursive: true });
      symlinkSync(real, join(nm, peer), 'dir');
    }
  });
  after(() => app && rmSync(app, { recursive: true, force: true }));

  for (const name of PUBLIC) {
    test(`@hookguard/${name}: import and require load, with the same exports`, () => {
      const spec = `@hookguard/${name}`;
      const pre = name === 'nestjs' ? "require('reflect-metadata');" : '';
      const cjs = spawnSync(process.execPath, ['-e', `${pre}const m=require(${JSON.stringify(spec)});console.log(JSON.stringify(Object.keys(m).sort()))`], { cwd: app, encoding: 'utf8', timeout: 30_000 });
      assert.equal(cjs.status, 0, cjs.stderr);
      const esm = spawnSync(process.execPath, ['--input-type=module', '-e', `${name === 'nestjs' ? "import 'reflect-metadata';" : ''}const m=await import(${JSON.stringify(spec)});console.log(JSON.stringify(Object.keys(m).filter((k)=>k!=='default').sort()))`], { cwd: app, encoding: 'utf8', timeout: 30_000 });
      assert.equal(esm.status, 0, esm.stderr);
      const cjsKeys = JSON.parse(cjs.stdout);
      assert.ok(cjsKeys.length > 0);
      assert.deepEqual(cjsKeys, JSON.parse(esm.stdout));
      assert.ok(existsSync(join(app, 'node_modules', '@hookguard', name, 'LICENSE')));
    });
  }

  test('a signed delivery verifies through the installed core (ESM and CJS alike)', () => {
    const script = `
      const { createVerifier, standardWebhooks, sign } = require('@hookguard/core');
      const secret = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
      const body = Buffer.from('{"type":"ping"}');
      const headers = sign.standardWebhooks({ secret, id: 'msg_1', body });
      createVerifier({ scheme: standardWebhooks({ secret }), replay: false }).verify({ method: 'POST', url: '/', headers: { ...headers, 'content-type': 'application/json' }, body })
        .then((w) => console.log(w.payload.type), (e) => { console.error(e.code); process.exit(1); });`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: app, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout.trim(), 'ping');
  });
});

describe('the command package', () => {
  let cmd;
  before(() => {
    cmd = packAll(COMMANDS);
  });
  after(() => cmd?.cleanup());
  for (const name of COMMANDS) {
    test(`@hookguard/${name}: the bin, LICENSE, README, CHANGELOG; no tests; metadata; publint --strict finds nothing`, async () => {
      const { files, pkg } = cmd.packs[name];
      for (const f of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', ...Object.values(pkg.bin ?? {}).map((b) => b.replace(/^\.\//, ''))])
        assert.ok(files.includes(f), `${f} is not in the tarball`);
      assert.deepEqual(files.filter((f) => /(^|\/)(test|dist-test)\//.test(f) || f.endsWith('.tsbuildinfo')), []);
      assert.notEqual(pkg.private, true);
      assert.equal(pkg.repository?.directory, `packages/${name}`);
      assert.deepEqual(pkg.publishConfig, { access: 'public', provenance: true });
      for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) if (dep.startsWith('@hookguard/')) assert.match(range, /^\^\d/);
      const { messages, pkg: manifest } = await publint({ pkgDir: join(ROOT, 'packages', name), strict: true, pack: 'npm' });
      assert.deepEqual(messages.map((m) => `${m.type}: ${formatMessage(m, manifest) ?? m.code}`), []);
    });
  }
});
