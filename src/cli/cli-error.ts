/** An error meant for people: printed as one line, exits with `exitCode`. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/**
 * Exit codes: 0 fine, 1 leak found with --fail-on-leak, 2 usage or input error, 3 internal
 * error, 4 (`run`) the command failed on its own, 5 (`run --fail-on-leak`) nothing recorded.
 */
export const EXIT = { ok: 0, leak: 1, usage: 2, internal: 3, commandFailed: 4, noEvidence: 5 } as const;
