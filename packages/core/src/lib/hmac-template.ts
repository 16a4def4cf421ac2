import { WebhookConfigError } from '../webhook-config-error.js';

export interface HmacTemplate {
  usesId: boolean;
  usesTimestamp: boolean;
  /**
   * Text before and after the body, with id and timestamp filled in; undefined when a value holds
   * the literal that delimits it, so the signed text could be split in two ways.
   */
  render(id: string, timestamp: string): [string, string] | undefined;
}

type Part = { literal: string } | { token: 'id' | 'timestamp'; delimiter: string; beforeBody: boolean };

/**
 * Splits `{id}.{timestamp}.{body}` around the body once, at configuration time.
 *
 * One reading only: a token before `{body}` is read up to the literal that follows it, a token
 * after `{body}` back to the literal before it, so a value containing that literal is refused —
 * otherwise `{id}.{body}` would verify `a.b` + `c` and `a` + `b.c` with one signature.
 */
export function parseTemplate(template: string, name: string): HmacTemplate {
  const tokens: string[] = template.match(/\{[^}]*\}/g) ?? [];
  for (const t of tokens) if (t !== '{id}' && t !== '{timestamp}' && t !== '{body}') throw new WebhookConfigError(`${name}: unknown template token ${t}`);
  // `{id}{timestamp}` side by side would let bytes move from one to the other under the same signature.
  if (/\}\{/.test(template)) throw new WebhookConfigError(`${name}: template tokens must be separated (e.g. {id}.{timestamp}.{body})`);
  const bodyCount = tokens.filter((t) => t === '{body}').length;
  if (bodyCount !== 1) throw new WebhookConfigError(`${name}: the template must contain {body} exactly once`);
  const at = template.indexOf('{body}');
  const split = (text: string, beforeBody: boolean): Part[] => {
    const pieces = text.split(/(\{id\}|\{timestamp\})/);
    const parts: Part[] = [];
    pieces.forEach((piece, i) => {
      if (i % 2 === 0) {
        if (piece) parts.push({ literal: piece });
        return;
      }
      // Before the body the delimiter is the next literal; after it, the previous one.
      const delimiter = beforeBody ? (pieces[i + 1] ?? '') : (pieces[i - 1] ?? '');
      parts.push({ token: piece === '{id}' ? 'id' : 'timestamp', delimiter, beforeBody });
    });
    return parts;
  };
  const before = split(template.slice(0, at), true);
  const after = split(template.slice(at + '{body}'.length), false);
  // Values are inserted as they are (no `$` patterns, one pass): a `{timestamp}` written inside an id
  // stays text.
  const fill = (parts: readonly Part[], id: string, ts: string): string | undefined => {
    let out = '';
    for (const p of parts) {
      if ('literal' in p) out += p.literal;
      else {
        const value = p.token === 'id' ? id : ts;
        // Read left to right, a value before the body ends at the first delimiter: `value + D` must hold
        // D only at its end (a value ending in `-` overlaps the `--` after it). After the body, read
        // from the right: `D + value` must hold D only at its start. Past U+00FF a character is written
        // as one byte (latin1) and so aliases another: refused too.
        if (p.delimiter !== '' && (p.beforeBody ? (value + p.delimiter).indexOf(p.delimiter) !== value.length : (p.delimiter + value).lastIndexOf(p.delimiter) !== 0)) return undefined;
        if (/[^\u0000-\u00ff]/.test(value)) return undefined;
        out += value;
      }
    }
    return out;
  };
  return {
    usesId: tokens.includes('{id}'),
    usesTimestamp: tokens.includes('{timestamp}'),
    render: (id, ts) => {
      const b = fill(before, id, ts);
      const a = fill(after, id, ts);
      return b === undefined || a === undefined ? undefined : [b, a];
    },
  };
}
