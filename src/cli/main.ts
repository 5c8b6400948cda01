#!/usr/bin/env node
import { COMMANDS } from './commands.js';
import { CliError, EXIT } from './cli-error.js';
import { VERSION } from '../version.js';
import { neutralise } from '../report/terminal-text.js';

/** Two spaces at least after the longest command name (`retainers`). */
const NAME_WIDTH = Math.max(10, ...Object.keys(COMMANDS).map((name) => name.length + 2));

const HELP = `heapsleuth ${VERSION}: finds memory leaks in long-running Node.js and Python services

Usage: heapsleuth <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(NAME_WIDTH)}${command.summary}`)
  .join('\n')}

Options:
  -h, --help     show help (also: heapsleuth <command> --help)
  -v, --version  show the version

Exit codes: 0 ok, 1 leak found (with --fail-on-leak), 2 bad usage or input, 3 internal error,
4 (run) the command failed on its own, 5 (run --fail-on-leak) nothing was recorded.
Colors follow NO_COLOR and FORCE_COLOR. Docs: README.md and docs/ in the package.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic && Object.hasOwn(COMMANDS, topic)) {
      // Only the table's own keys: `constructor` or `__proto__` are not commands.
      process.stdout.write((await COMMANDS[topic]!.load()).usage + '\n');
      return EXIT.ok;
    }
    process.stdout.write(HELP + '\n');
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '-v' || name === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) throw new CliError(`unknown command ${JSON.stringify(name)}. Run 'heapsleuth --help' for the list.`);
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    const separator = rest.indexOf('--');
    const helpAt = Math.max(rest.indexOf('--help'), rest.indexOf('-h'));
    if (separator === -1 || helpAt < separator) {
      process.stdout.write(command.usage + '\n');
      return EXIT.ok;
    }
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CliError) {
      process.stderr.write(`heapsleuth: ${neutralise(error.message)}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`heapsleuth: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.stderr.write('This is a bug in heapsleuth; please report it with the command you ran.\n');
    process.exitCode = EXIT.internal;
  },
);
