/**
 * Zero-code start: `node --import heapsleuth/register app.js` (or `--require` for
 * CommonJS apps) starts the leak tracer, configured by HEAPSLEUTH_* environment
 * variables. Nothing here may throw into the host: a failure is one warning on stderr.
 */
import { isMainThread } from 'node:worker_threads';
import { readEnvConfig } from './env-config.js';
import { traceLeaks } from './tracer.js';
import { startNativePickup } from '../native/agent-pickup.js';
import { writeStderr } from './stderr.js';

function register(): void {
  const config = readEnvConfig();
  if (config.disabled || (!isMainThread && !config.workers)) return;
  for (const problem of config.problems) writeStderr(`heapsleuth: warning: ${problem}\n`);
  const tracer = traceLeaks(config.options);
  startNativePickup(tracer, process.env, (message) => writeStderr(`heapsleuth: warning: ${message}\n`));
}

try {
  register();
} catch (error) {
  writeStderr(`heapsleuth: warning: the leak tracer did not start: ${error instanceof Error ? error.message : String(error)}; the app runs without it\n`);
}
