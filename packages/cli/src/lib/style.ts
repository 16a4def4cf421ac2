/** Text styling for people: colour only on a TTY, and never with NO_COLOR or TERM=dumb. */
export interface Style {
  ok(text: string): string;
  bad(text: string): string;
  warn(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const plain: Style = { ok: (t) => t, bad: (t) => t, warn: (t) => t, dim: (t) => t, bold: (t) => t };

function sgr(open: number, close: number) {
  return (t: string) => `\u001b[${open}m${t}\u001b[${close}m`;
}

export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Style {
  const colour = stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  if (!colour) return plain;
  return { ok: sgr(32, 39), bad: sgr(31, 39), warn: sgr(33, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
}

/** The marker in front of a check's line: the same words with or without colour. */
export function mark(style: Style, status: 'ok' | 'warn' | 'fail' | 'info' | 'skip'): string {
  switch (status) {
    case 'ok':
      return style.ok('ok  ');
    case 'warn':
      return style.warn('warn');
    case 'fail':
      return style.bad('FAIL');
    case 'skip':
      return style.dim('skip');
    default:
      return style.dim('info');
  }
}
