import type { Command } from './command.js';

/** Every command, in the order `--help` lists them. Loaded lazily so `--help` stays fast. */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: { summary: 'run a command with the agent, then print the leak verdict', load: async () => (await import('./run.js')).command },
  attach: { summary: 'attach to a running Node.js process, record, print the verdict, detach', load: async () => (await import('./attach.js')).command },
  analyze: { summary: 'judge recordings: leak, no-leak or inconclusive', load: async () => (await import('./analyze.js')).command },
  report: { summary: 'write the HTML report of recordings', load: async () => (await import('./report.js')).command },
  top: { summary: 'the biggest groups of live memory at one point of a recording or profile', load: async () => (await import('./top.js')).command },
  diff: { summary: 'what changed between two points of a recording, or two profiles', load: async () => (await import('./diff.js')).command },
  retainers: { summary: 'why objects are still alive: retainer paths from V8 heap snapshots', load: async () => (await import('./retainers.js')).command },
  export: { summary: 'write a snapshot as pprof or Chrome .heapprofile', load: async () => (await import('./export.js')).command },
};
