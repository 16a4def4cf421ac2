import { WebhookConfigError } from '../webhook-config-error.js';

export interface HmacTemplate {
  usesId: boolean;
  usesTimestamp: boolean;
  /** Text before and after the body, with id and timestamp filled in. */
  render(id: string, timestamp: string): [string, string];
}

const TOKENS = /\{id\}|\{timestamp\}/g;

/** Splits `{id}.{timestamp}.{body}` around the body once, at configuration time. */
export function parseTemplate(template: string, name: string): HmacTemplate {
  const tokens: string[] = template.match(/\{[^}]*\}/g) ?? [];
  for (const t of tokens) if (t !== '{id}' && t !== '{timestamp}' && t !== '{body}') throw new WebhookConfigError(`${name}: unknown template token ${t}`);
  // `{id}{timestamp}` side by side would let bytes move from one to the other under the same signature.
  if (/\}\{/.test(template)) throw new WebhookConfigError(`${name}: template tokens must be separated (e.g. {id}.{timestamp}.{body})`);
  const bodyCount = tokens.filter((t) => t === '{body}').length;
  if (bodyCount !== 1) throw new WebhookConfigError(`${name}: the template must contain {body} exactly once`);
  const at = template.indexOf('{body}');
  const before = template.slice(0, at);
  const after = template.slice(at + '{body}'.length);
  // One pass with a function replacement: a string replacement would expand `$$`, `$&`... inside the
  // sender's id, and a second pass would expand a `{timestamp}` written inside the id; either way two
  // different ids could render the same signed text (and a replayer could vary the replay key).
  const fill = (s: string, id: string, ts: string) => (s.length === 0 ? s : s.replace(TOKENS, (token) => (token === '{id}' ? id : ts)));
  return {
    usesId: tokens.includes('{id}'),
    usesTimestamp: tokens.includes('{timestamp}'),
    render: (id, ts) => [fill(before, id, ts), fill(after, id, ts)],
  };
}
