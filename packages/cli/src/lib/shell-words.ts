import { usageError } from './exit-codes.js';

const MAX_WORDS = 1000;

/**
 * Splits a POSIX shell command line as a shell would: '…' literal, "…" with \" \\ \$ \` escapes,
 * $'…' ANSI-C escapes (browsers' "Copy as cURL"), \-newline continuations. No expansion.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  const push = () => {
    if (inWord) words.push(cur);
    if (words.length > MAX_WORDS) throw usageError(`the command has over ${MAX_WORDS} words`);
    cur = '';
    inWord = false;
  };
  while (i < line.length) {
    const c = line[i]!;
    if (c === '\\') {
      const n = line[i + 1];
      if (n === '\n') i += 2;
      else if (n === '\r' && line[i + 2] === '\n') i += 3;
      else {
        cur += n ?? '';
        inWord = true;
        i += 2;
      }
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) throw usageError('unterminated single quote in the curl command');
      cur += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '$' && line[i + 1] === "'") {
      i += 2;
      inWord = true;
      for (;;) {
        const d = line[i];
        if (d === undefined) throw usageError("unterminated $'...' in the curl command");
        if (d === "'") {
          i++;
          break;
        }
        if (d !== '\\') {
          cur += d;
          i++;
          continue;
        }
        const e = line[i + 1] ?? '';
        const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', v: '\v' };
        if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
          cur += String.fromCharCode(Number.parseInt(line.slice(i + 2, i + 4), 16));
          i += 4;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(line.slice(i + 2, i + 6))) {
          cur += String.fromCharCode(Number.parseInt(line.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          cur += simple[e] ?? `\\${e}`;
          i += 2;
        }
      }
    } else if (c === '"') {
      i++;
      inWord = true;
      for (;;) {
        const d = line[i];
        if (d === undefined) throw usageError('unterminated double quote in the curl command');
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && '"\\$`\n'.includes(line[i + 1] ?? 'x')) {
          if (line[i + 1] !== '\n') cur += line[i + 1];
          i += 2;
        } else {
          cur += d;
          i++;
        }
      }
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      push();
      i++;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  push();
  return words;
}
