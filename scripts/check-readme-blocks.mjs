#!/usr/bin/env node
// Type-checks the TypeScript in the READMEs: every ```ts / ```typescript block of every README.md
// in the repository (node_modules, dist and dot-directories left out) is written as its own ES
// module and compiled, all in one run of the repository's TypeScript, against the built packages
// (run `npm run build` first) under scripts/readme-blocks/tsconfig.json: strict,
// noUncheckedIndexedAccess, skipLibCheck false, module/moduleResolution node16, decorators.
//
// A block whose first line is a file-name comment (`// app.module.ts`) is written under that name,
// so blocks of one README can import each other (`import { AppModule } from './app.module.js'`).
// The few placeholders READMEs use on purpose (your database, your logger...) are declared once in
// scripts/readme-blocks/placeholders.d.ts; the Bun, Deno and Workers globals the @hookguard/web
// recipes use (no type packages for them here) in scripts/readme-blocks/runtimes.d.ts. A block that is not TypeScript takes another fence
// language (```sh, ```text, ```json, ```http).
//
// Prints one line per README with its count of blocks, each failure as README:line:column with the
// TypeScript diagnostic, and last `readme blocks: N checked, M failed`. Exit code 0 only when every
// block compiles. `--typescript=<package name or directory>` checks with another installed
// TypeScript (the default is the repository's own, `typescript`). Downloads nothing; the blocks are written to a temporary
// directory under .scratch/ (git-ignored, so that the packages resolve from the repository's
// node_modules) and removed afterwards.
//
// As a test: `node scripts/check-readme-blocks.mjs` (exit code and last line), or import
// `checkReadmeBlocks()` from this file.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..');
const support = join(here, 'readme-blocks');

const SKIP_DIRS = new Set(['node_modules', 'dist', 'dist-test']);
const TS_LANGS = new Set(['ts', 'typescript']);

/** Every README.md under `root`, as paths relative to it, sorted (root README first). */
export function findReadmes(root = repoRoot) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(join(dir, entry.name));
      } else if (entry.name === 'README.md') out.push(relative(root, join(dir, entry.name)).split(sep).join('/'));
    }
  };
  walk(root);
  return out.sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
}

/**
 * The fenced code blocks of a Markdown text whose language is ts or typescript:
 * `{ line, code, name }`, `line` being the README line of the block's first code line and `name`
 * the file name from a first-line comment such as `// app.module.ts`, if any.
 */
export function extractTsBlocks(markdown) {
  const lines = markdown.split(/\r?\n/);
  const blocks = [];
  let open; // { fence, lang, start, body }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!open) {
      const m = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
      if (m) open = { fence: m[1], lang: m[2].toLowerCase(), start: i + 2, body: [] };
      continue;
    }
    const close = new RegExp(`^ {0,3}${open.fence[0] === '`' ? '`' : '~'}{${open.fence.length},}\\s*$`);
    if (close.test(line)) {
      if (TS_LANGS.has(open.lang)) {
        const code = open.body.join('\n') + '\n';
        const name = /^\/\/\s*([\w.-]+\.ts)\s*$/.exec(open.body[0] ?? '')?.[1];
        blocks.push({ line: open.start, code, name });
      }
      open = undefined;
    } else open.body.push(line);
  }
  return blocks;
}

/** The tsc of an installed TypeScript: a package name resolved from the repository, or a directory. */
function tscPath(pkg) {
  let manifest = resolve(pkg, 'package.json');
  if (!existsSync(manifest)) {
    try {
      manifest = createRequire(join(repoRoot, 'package.json')).resolve(`${pkg}/package.json`);
    } catch {
      throw new Error(`${pkg} is neither a TypeScript directory nor installed in ${repoRoot}/node_modules`);
    }
  }
  const bin = JSON.parse(readFileSync(manifest, 'utf8')).bin;
  const rel = typeof bin === 'string' ? bin : bin?.tsc;
  if (!rel) throw new Error(`${pkg} has no tsc binary`);
  return join(dirname(manifest), rel);
}

const DIAGNOSTIC = /^(.+?)\((\d+),(\d+)\): (error|warning) (TS\d+): (.*)$/;

/**
 * Checks every TypeScript block of every README. Returns
 * `{ checked, failed, readmes: [{ readme, blocks, failed, diagnostics }], other, typescript }`;
 * `other` holds diagnostics outside any block (a declaration file, the configuration).
 */
export function checkReadmeBlocks({ root = repoRoot, typescript = 'typescript', exclude = [] } = {}) {
  const tsc = tscPath(typescript);
  const scratch = join(root, '.scratch', 'readme-blocks');
  mkdirSync(scratch, { recursive: true });
  const dir = mkdtempSync(join(scratch, 'run-'));
  try {
    const files = new Map(); // path relative to dir -> { readme, block }
    const readmes = [];
    for (const readme of findReadmes(root).filter((r) => !exclude.includes(r))) {
      const blocks = extractTsBlocks(readFileSync(join(root, readme), 'utf8'));
      const entry = { readme, blocks: blocks.length, failedBlocks: new Set(), diagnostics: [] };
      readmes.push(entry);
      if (blocks.length === 0) continue;
      const sub = readme.replace(/\.md$/, '').replace(/[^\w-]+/g, '_');
      mkdirSync(join(dir, sub));
      const used = new Set();
      for (const block of blocks) {
        const name = block.name && !used.has(block.name) ? block.name : `block-line-${block.line}.ts`;
        used.add(name);
        const file = `${sub}/${name}`;
        writeFileSync(join(dir, file), block.code);
        files.set(file, { entry, block });
      }
    }
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }) + '\n');
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: join(support, 'tsconfig.json'), files: [join(support, 'placeholders.d.ts'), join(support, 'runtimes.d.ts'), ...files.keys()] }, null, 2),
    );

    const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    if (result.error) throw result.error;
    const other = [];
    let last;
    for (const line of `${result.stdout}\n${result.stderr}`.split('\n')) {
      if (line.trim() === '') continue;
      const m = DIAGNOSTIC.exec(line);
      if (!m) {
        if (last && /^\s/.test(line)) last.message += `\n${line}`;
        else other.push((last = { where: '', message: line }));
        continue;
      }
      const [, path, l, c, , code, message] = m;
      const file = relative(dir, resolve(dir, path)).split(sep).join('/');
      const hit = files.get(file);
      if (hit) {
        const readmeLine = hit.block.line + Number(l) - 1;
        last = { where: `${hit.entry.readme}:${readmeLine}:${c}`, block: hit.block.line, message: `${code}: ${message}` };
        hit.entry.diagnostics.push(last);
        hit.entry.failedBlocks.add(hit.block.line);
      } else {
        const shown = path.startsWith('..') ? relative(root, resolve(dir, path)) : path;
        other.push((last = { where: `${shown}(${l},${c})`, message: `${code}: ${message}` }));
      }
    }
    if (result.status !== 0 && other.length === 0 && readmes.every((r) => r.diagnostics.length === 0))
      other.push({ where: '', message: `tsc exited with ${result.status ?? result.signal} without a diagnostic` });
    const checked = readmes.reduce((n, r) => n + r.blocks, 0);
    const failed = readmes.reduce((n, r) => n + r.failedBlocks.size, 0);
    const version = spawnSync(process.execPath, [tsc, '-v'], { encoding: 'utf8' }).stdout.trim();
    return {
      checked,
      failed,
      other,
      typescript: version,
      readmes: readmes.map(({ failedBlocks, ...r }) => ({
        ...r,
        diagnostics: r.diagnostics.sort((a, b) => Number(a.where.split(':')[1]) - Number(b.where.split(':')[1])),
        failed: failedBlocks.size,
      })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main() {
  const arg = process.argv.slice(2).find((a) => a.startsWith('--typescript='));
  const started = Date.now();
  let r;
  try {
    r = checkReadmeBlocks(arg ? { typescript: arg.slice('--typescript='.length) } : {});
  } catch (e) {
    console.error(`readme blocks: could not run the check: ${e.message}`);
    console.log('readme blocks: 0 checked, 0 failed (check did not run)');
    return 2;
  }
  for (const readme of r.readmes) {
    const s = readme.blocks === 1 ? '' : 's';
    console.log(`${readme.readme}: ${readme.blocks} block${s} checked${readme.failed ? `, ${readme.failed} failed` : ''}`);
    for (const d of readme.diagnostics) console.log(`  ${d.where} (block at line ${d.block}): ${d.message}`);
  }
  if (r.other.length) console.log('outside the blocks (placeholders, configuration, declaration files):');
  for (const d of r.other) console.log(`  ${d.where ? `${d.where}: ` : ''}${d.message}`);
  // Errors outside every block still fail the check: counted as one failed block when no block failed.
  const failed = r.failed + (r.other.length > 0 && r.failed === 0 ? 1 : 0);
  console.log(`${r.typescript}, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`readme blocks: ${r.checked} checked, ${failed} failed`);
  return failed === 0 && r.other.length === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) process.exitCode = main();
