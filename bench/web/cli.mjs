// Node, Bun and Deno: `<runtime> cli.js <n> <rounds>`; prints one result line for section.mjs.
import { check, measure } from './loop.mjs';

const args = globalThis.Deno?.args ?? globalThis.process.argv.slice(2);
const n = Number(args[0] ?? 2000);
const rounds = Number(args[1] ?? 7);
try {
  await check();
  console.log(`@@bench-result ${JSON.stringify(await measure(n, rounds, () => performance.now()))}`);
} catch (e) {
  console.log(`@@bench-result ${JSON.stringify({ error: String(e?.stack ?? e) })}`);
}
