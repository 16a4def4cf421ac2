/** Exit codes of every command; documented in the README and stable for scripts. */
export const EXIT = Object.freeze({
  /** Done; the delivery verifies; the endpoint passed every check. */
  ok: 0,
  /** A problem was found: a delivery that does not verify, a rejection, a failed check, an expired certificate. */
  problem: 1,
  /** The command line is wrong (unknown flag, missing argument). */
  usage: 2,
  /** The command could not run: a file is missing, the PKI is not initialised, the endpoint is unreachable. */
  environment: 3,
  /** A bug in hookguard (EX_SOFTWARE): please report it with the command line, minus secrets. */
  internal: 70,
});
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the user can fix on their side; carries its exit code and never a secret. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.environment,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, EXIT.usage);
}
