/** One CLI command, in its own file: parses its own options and calls analysis and report code. Its one-line summary is in commands.ts. */
export interface Command {
  name: string;
  /** The full help text of `heapsleuth <name> --help`. */
  usage: string;
  /** Runs the command and returns the exit code; throws CliError for people's mistakes. */
  run(args: string[]): Promise<number>;
}
