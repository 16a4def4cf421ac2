// Consumer code type-checked against the packed declarations, with skipLibCheck off, under every
// supported peer major, the lowest declared TypeScript (5.0) and the latest, and node16 and bundler
// resolution. `*.pass.*` files must compile; in `*.fail.*` files exactly the lines marked
// `// @fail TSxxxx` must fail, each with that code (a fail file that compiles proves nothing).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, packAll, unpackInto } from './lib/pack.mjs';

const CASES = join(ROOT, 'typecheck', 'cases');
const PEERS = join(ROOT, 'typecheck', 'peers');
const TSC = {
  '5.0': join(PEERS, 'ts5', 'node_modules', 'typescript', 'bin', 'tsc'),
  latest: join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
};
// Which peer majors each fixture resolves, and which consumer folders compile against it.
const FIXTURES = [
  { name: 'latest', cases: ['core', 'express', 'koa', 'nestjs', 'fastify', 'redis', 'postgres', 'web', 'web-hono'], majors: { '@types/express': 5, '@types/koa': 3, '@nestjs/common': 12, '@nestjs/core': 12 } },
  { name: 'express4', cases: ['core', 'express'], majors: { '@types/express': 4 } },
  { name: 'koa2', cases: ['core', 'koa'], majors: { '@types/koa': 2 } },
  { name: 'nest10', cases: ['core', 'nestjs'], majors: { '@nestjs/common': 10, '@nestjs/core': 10 } },
  { name: 'nest11', cases: ['core', 'nestjs'], majors: { '@nestjs/common': 11, '@nestjs/core': 11 } },
];
// What each consumer folder imports besides hookguard: the baseline compiles only these, so errors
// the peers' own declarations raise in this install (none of hookguard's doing) are told apart.
const PEER_IMPORTS = {
  core: ['node:http'],
  express: ['express'],
  koa: ['koa'],
  fastify: ['fastify'],
  nestjs: ['@nestjs/common', '@nestjs/core', '@nestjs/platform-express'],
  redis: ['ioredis'],
  postgres: ['pg'],
  web: [],
  'web-hono': ['hono'],
};
// pg's own declarations need TypeScript >= 5.7 (generic Buffer<...>): @hookguard/postgres says so.
// Fastify 5's own declarations use NoInfer (TypeScript >= 5.4): @hookguard/fastify says so.
// Hono 4.13's declarations use the generic Uint8Array<...> (TypeScript >= 5.7): @hookguard/web says so
// for its /hono entry; the main entry is checked with 5.0 too.
const MIN_TS = { postgres: '5.7', fastify: '5.4', 'web-hono': '5.7' };
const RESOLUTIONS = {
  node16: { module: 'node16', moduleResolution: 'node16' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
};

const COMPILER_OPTIONS = {
  target: 'ES2022',
  lib: ['ES2023'],
  strict: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  esModuleInterop: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  noEmit: true,
  types: ['node'],
};

let packed;
before(() => {
  packed = packAll();
  for (const f of FIXTURES) unpackInto(join(PEERS, f.name, 'node_modules'), packed.packs);
});
after(() => {
  packed?.cleanup();
  for (const f of FIXTURES) {
    rmSync(join(PEERS, f.name, 'node_modules', '@hookguard'), { recursive: true, force: true });
    rmSync(join(PEERS, f.name, '.typecheck'), { recursive: true, force: true });
  }
});

function run(cmd, args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cmd, ...args], { cwd });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, out });
    });
  });
}

function expectedFailures(file) {
  const expected = [];
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    const m = /\/\/ @fail (TS\d+(?:\|TS\d+)*)/.exec(line);
    if (m) expected.push({ line: i + 1, codes: m[1].split('|') });
  });
  return expected;
}

describe('consumer type tests against the packed packages (skipLibCheck: false)', { concurrency: 2 }, () => {
  test('each fixture resolves the peer majors it stands for', () => {
    for (const f of FIXTURES) {
      const req = createRequire(join(PEERS, f.name, 'package.json'));
      for (const [peer, major] of Object.entries(f.majors)) {
        const version = JSON.parse(readFileSync(req.resolve(`${peer}/package.json`), 'utf8')).version;
        assert.equal(Number(version.split('.')[0]), major, `${f.name}: ${peer} ${version}`);
      }
    }
    const ts5 = JSON.parse(readFileSync(join(PEERS, 'ts5', 'node_modules', 'typescript', 'package.json'), 'utf8')).version;
    assert.match(ts5, /^5\.0\./);
  });

  for (const ts of Object.keys(TSC)) {
    for (const f of FIXTURES) {
      for (const [resolution, moduleOptions] of Object.entries(RESOLUTIONS)) {
        test(`TypeScript ${ts}, ${f.name} peers, ${resolution}: pass files compile, fail files fail exactly where marked`, async (t) => {
          const dir = join(PEERS, f.name, '.typecheck', `${ts}-${resolution}`);
          rmSync(dir, { recursive: true, force: true });
          mkdirSync(dir, { recursive: true });
          const files = [];
          const cases = f.cases.filter((c) => !(ts === '5.0' && MIN_TS[c]));
          for (const c of cases) {
            for (const name of readdirSync(join(CASES, c))) {
              // `import x = require()` needs CommonJS output: the .cts files are for node16 only.
              if (resolution === 'bundler' && name.endsWith('.cts')) continue;
              cpSync(join(CASES, c, name), join(dir, c, name));
              files.push(`${c}/${name}`);
            }
          }
          writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
          const baselineFile = 'baseline.ts';
          writeFileSync(join(dir, baselineFile), [...new Set(cases.flatMap((c) => PEER_IMPORTS[c]))].map((m) => `import type {} from '${m}';`).join('\n') + '\nexport {};\n');
          const compile = async (list, config) => {
            writeFileSync(join(dir, config), JSON.stringify({ compilerOptions: { ...COMPILER_OPTIONS, ...moduleOptions }, files: list }));
            const r = await run(TSC[ts], ['-p', config, '--pretty', 'false'], dir);
            const errors = [];
            const unparsed = [];
            for (const line of r.out.split('\n').filter(Boolean)) {
              const m = /^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(line);
              if (m) errors.push({ file: m[1].replace(/\\/g, '/'), line: Number(m[2]), code: m[3], text: m[4] });
              else if (!/^\s/.test(line)) unparsed.push(line);
            }
            assert.deepEqual(unparsed, [], `tsc said something that is not a diagnostic:\n${r.out}`);
            return { ...r, errors };
          };
          const key = (e) => `${e.file}(${e.line}): ${e.code} ${e.text}`;
          const [baseline, r] = [await compile([baselineFile], 'tsconfig.baseline.json'), await compile(files, 'tsconfig.json')];
          const ecosystem = new Set(baseline.errors.map(key));
          if (ecosystem.size) t.diagnostic(`the peers' own declarations fail without hookguard too (not counted): ${[...ecosystem].join(' | ')}`);
          // Errors in declarations (outside our consumer files) that the baseline does not have are the packages' fault: none allowed.
          const outside = r.errors.filter((e) => !files.includes(e.file) && !ecosystem.has(key(e)));
          assert.deepEqual(outside.map(key), []);
          const problems = [];
          for (const file of files) {
            const got = r.errors.filter((e) => e.file === file);
            if (file.includes('.fail.')) {
              const want = expectedFailures(join(dir, file));
              assert.ok(want.length > 0, `${file} marks no @fail line`);
              for (const w of want) {
                const hit = got.filter((e) => e.line === w.line);
                if (hit.length === 0) problems.push(`${file}:${w.line} compiled, expected ${w.codes.join('|')}`);
                for (const e of hit) if (!w.codes.includes(e.code)) problems.push(`${file}:${e.line} ${e.code} (expected ${w.codes.join('|')}): ${e.text}`);
              }
              for (const e of got) if (!want.some((w) => w.line === e.line)) problems.push(`${file}:${e.line} unexpected ${e.code}: ${e.text}`);
            } else for (const e of got) problems.push(`${file}:${e.line} ${e.code}: ${e.text}`);
          }
          assert.deepEqual(problems, []);
          // tsc 5 exits 2 on errors, tsc 7 exits 1.
          assert.equal(r.status !== 0, r.errors.length > 0, r.out);
          assert.ok(existsSync(join(PEERS, f.name, 'node_modules', '@hookguard', 'core', 'dist', 'esm', 'index.d.ts')), relative(ROOT, dir));
        });
      }
    }
  }
});
