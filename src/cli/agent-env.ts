import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));
const registerUrl = new URL('../agent/register.js', import.meta.url).href;
const pythonPreload = `${packageRoot}agents/python/preload`;
const pythonAgent = `${packageRoot}agents/python`;

export interface AgentSettings {
  outDir: string;
  intervalMs: number;
  samplingIntervalBytes: number;
  /** Let the agent log its events (off by default under `run`: the live view shows them). */
  agentLogs: boolean;
  /** How the agent reads V8's profile (see TraceLeaksOptions.sampler). */
  sampler: 'inspector' | 'native' | 'auto';
  /** Let V8 inline functions (faster; a small function's allocations are then charged to its caller). */
  inlining: boolean;
  /**
   * Heap snapshots for retainer paths: `on` from the start (`--retainers`), `auto` once
   * `run` asks for them (its default), `off` (`--no-retainers`, and when not given).
   */
  retainers?: 'on' | 'auto' | 'off';
  /** Auto mode's cap on the used JS heap (`--retainers-max-heap`). */
  retainersMaxHeapBytes?: number;
}

/**
 * The environment that preloads the agent into the command: `--import` of the
 * register hook through NODE_OPTIONS (inherited by child Node processes, each of
 * which records on its own), and the Python agent's sitecustomize on PYTHONPATH.
 */
export function agentEnvironment(settings: AgentSettings, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  delete env['HEAPSLEUTH_DISABLE'];
  delete env['HEAPSLEUTH_RECORD'];
  env['NODE_OPTIONS'] = [base['NODE_OPTIONS'], `--import=${registerUrl}`].filter(Boolean).join(' ');
  env['HEAPSLEUTH_OUT'] = settings.outDir;
  env['HEAPSLEUTH_INTERVAL'] = `${settings.intervalMs}ms`;
  env['HEAPSLEUTH_SAMPLING_INTERVAL'] = String(settings.samplingIntervalBytes);
  if (!settings.agentLogs) env['HEAPSLEUTH_LOG'] = 'off';
  env['HEAPSLEUTH_SAMPLER'] = settings.sampler;
  env['HEAPSLEUTH_INLINING'] = settings.inlining ? 'on' : 'off';
  // a diagnosis run wants to know where growing handles come from; the hook is on only while a type grows
  env['HEAPSLEUTH_HANDLE_SITES'] = 'on';
  if (settings.retainers === 'on') env['HEAPSLEUTH_RETAINERS'] = '1';
  else if (settings.retainers === 'auto') env['HEAPSLEUTH_RETAINERS'] = 'auto';
  else delete env['HEAPSLEUTH_RETAINERS'];
  if (settings.retainers === 'auto' && settings.retainersMaxHeapBytes !== undefined) env['HEAPSLEUTH_RETAINERS_MAX_HEAP'] = String(settings.retainersMaxHeapBytes);
  else delete env['HEAPSLEUTH_RETAINERS_MAX_HEAP'];
  // Every command gets the Python preload too: wrappers (uvicorn, gunicorn, env python3)
  // start Python interpreters whose names we cannot guess, and other programs ignore it.
  if (existsSync(pythonPreload)) env['PYTHONPATH'] = [pythonPreload, pythonAgent, base['PYTHONPATH']].filter(Boolean).join(delimiter);
  return env;
}
