// tsc emits CommonJS into dist/cjs, but the package is "type": "module"; this marker makes
// Node load that folder's .js files as CommonJS, so `require('@hookguard/x')` works.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'dist/cjs';
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
