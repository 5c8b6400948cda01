import type { Command } from './command.js';

/** Every command, in the order `--help` lists them. Loaded lazily so `--help` stays fast. */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {};
