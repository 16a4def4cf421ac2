import type { ExitCode } from './exit-codes.js';
import type { Style } from './style.js';

/** What every command returns: the --json document, the text for people, and the exit code. */
export interface CommandOutput<J> {
  exitCode: ExitCode;
  json: J;
  text(style: Style): string;
}

/** Where a command reports progress on steps that take time (stderr on a TTY; nowhere otherwise). */
export type Progress = (message: string) => void;
export const noProgress: Progress = () => {};
