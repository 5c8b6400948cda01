import { basename, extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { readCgroupMemoryLimit } from '../agent/cgroup.js';
import { toAllocationTree, type SamplingHeapProfile } from '../agent/inspector-sampler.js';
import { LocationResolver } from '../agent/locations.js';
import { snapshotFromAllocationTree } from '../agent/profile-to-snapshot.js';
import { Recorder, type RecordingHeaderFields } from '../agent/recorder.js';
import { redactArgv } from '../formats/redact-argv.js';
import type { MemoryLimits, ProcessSample } from '../model/process.js';
import { VERSION } from '../version.js';
import { AttachError } from './attach-error.js';
import { DevtoolsConnection } from './devtools-connection.js';
import { hostPort, openInspector, webSocketUrlOf, type InspectorEndpoint } from './inspector-endpoint.js';
import { isLoopback, listeningSocketsOf } from './listening-sockets.js';
import { describeTargetProcess, isAlive } from './target-process.js';
import { CLOSE_DELAY_MS, detachScript, HEARTBEAT_SCRIPT, installScript, SAMPLE_SCRIPT, TARGET_SCRIPT_URL, type TargetIdentity } from './target-scripts.js';

/** Frames kept per stack, as the agent keeps them. */
const STACK_DEPTH = 64;
const HEARTBEAT_MS = 2000;
/**
 * Without a heartbeat for this long (heapsleuth was killed with SIGKILL, or hangs), the
 * target's watchdog removes our state and closes the inspector we opened.
 * HEAPSLEUTH_ATTACH_WATCHDOG_MS changes it (at least 3 heartbeats).
 */
function watchdogGraceMs(): number {
  const value = Number(process.env['HEAPSLEUTH_ATTACH_WATCHDOG_MS']);
  return Number.isFinite(value) && value > 0 ? Math.max(value, 3 * HEARTBEAT_MS) : 20_000;
}

export type AttachTarget = { pid: number } | { host: string; port: number };

export interface AttachOptions {
  target: AttachTarget;
  samplingIntervalBytes: number;
  /** Folder of the recording (created when missing). */
  outDir: string;
  /** Service name in the recording (default: the target's entry script name). */
  service?: string | undefined;
  /** Attach to an inspector bound to a non-loopback address (anyone who reaches it can run code in the target). */
  allowRemoteInspector?: boolean;
}

/** How detaching left the target. */
export interface DetachOutcome {
  /** `closed`: the inspector we opened is closed again; `left-open`: it was open before us and stays so; `still-open`: closing failed; `target-exited`. */
  inspector: 'closed' | 'left-open' | 'still-open' | 'target-exited';
}

/**
 * One attachment to a running Node.js process: opens (or reuses) its inspector, runs V8's
 * sampling heap profiler there, and writes the same recording the in-process agent
 * writes, one sample per `tick()`. `detach()` puts the process back as it was: sampling
 * stopped and its profile released, our state removed, the inspector closed when we
 * opened it. Reading the profile makes the target run a full, blocking GC.
 */
export class AttachSession {
  private readonly resolver: LocationResolver;
  private heartbeat: NodeJS.Timeout | undefined;
  private detached: Promise<DetachOutcome> | undefined;
  private seq = 0;

  private constructor(
    private readonly connection: DevtoolsConnection,
    /** Where the inspector listens; `openedByUs` also when a killed heapsleuth session had opened it. */
    readonly endpoint: InspectorEndpoint,
    readonly identity: TargetIdentity,
    /** The pid procfs knows the target by (absent with --port). */
    private readonly hostPid: number | undefined,
    private readonly recorder: Recorder,
    private readonly samplingIntervalBytes: number,
    readonly sharedSampling: boolean,
  ) {
    this.resolver = new LocationResolver(identity.cwd);
  }

  /** Attaches; on any failure after the inspector was opened, closes it again before throwing. */
  static async open(options: AttachOptions): Promise<AttachSession> {
    const hostPid = 'pid' in options.target ? options.target.pid : undefined;
    let endpoint: InspectorEndpoint;
    if ('pid' in options.target) {
      endpoint = await openInspector(describeTargetProcess(options.target.pid));
    } else {
      const { host, port } = options.target;
      endpoint = { boundAddress: host, host, port, openedByUs: false };
    }
    const remote = !isLoopback(endpoint.boundAddress);
    if (remote && !options.allowRemoteInspector) {
      if (endpoint.openedByUs) await closeInspectorAt(endpoint);
      throw new AttachError(
        'remote-inspector',
        `the inspector ${'pid' in options.target ? `of pid ${options.target.pid} ` : ''}listens on ${hostPort(endpoint.boundAddress, endpoint.port)}, reachable from other hosts: refused (anyone who reaches it can run code in the process); pass --allow-remote-inspector to attach anyway`,
      );
    }

    let connection: DevtoolsConnection;
    try {
      connection = await DevtoolsConnection.connect(await webSocketUrlOf(endpoint.host, endpoint.port));
    } catch (error) {
      if (error instanceof AttachError && endpoint.openedByUs) {
        throw new AttachError(error.failure, `${error.message}; the inspector heapsleuth opened on port ${endpoint.port} could not be closed again (it closes when the process restarts)`);
      }
      throw error;
    }
    try {
      // A Node.js process that exits while a debugger is connected waits for it to disconnect
      // ("Waiting for the debugger to disconnect..."): let it go at once.
      connection.on('NodeRuntime.waitingForDisconnect', () => void connection.close(2000, 'the process is exiting'));
      await connection.send('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true });
      const identity = await evaluate<TargetIdentity>(connection, installScript(watchdogGraceMs(), endpoint.openedByUs));
      await connection.send('HeapProfiler.enable');
      const shared = await isSampling(connection);
      if (!shared) await startSampling(connection, options.samplingIntervalBytes);
      const service = options.service ?? serviceName(identity.argv);
      const startTime = new Date();
      const path = join(options.outDir, `${safeName(service)}-${identity.pid}-${fileStamp(startTime)}.ndjson`);
      let recorder: Recorder;
      try {
        recorder = Recorder.open(path, header(identity, service, startTime, options.samplingIntervalBytes, shared, hostPid));
      } catch (error) {
        throw new AttachError('output', `cannot write the recording ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      const ours = { ...endpoint, openedByUs: identity.closesInspector };
      const session = new AttachSession(connection, ours, identity, hostPid, recorder, options.samplingIntervalBytes, shared);
      session.heartbeat = setInterval(() => connection.send('Runtime.evaluate', { expression: HEARTBEAT_SCRIPT, returnByValue: true }).catch(() => {}), HEARTBEAT_MS);
      session.heartbeat.unref();
      return session;
    } catch (error) {
      await leave(connection, endpoint.openedByUs);
      throw error;
    }
  }

  get recordingPath(): string {
    return this.recorder.path;
  }

  /** Settles with a reason when the connection ends without us (the target exited, or closed its inspector). */
  get lost(): Promise<string> {
    return this.connection.closed;
  }

  /**
   * After a failed read: whether the target went away (its connection closes, or its pid
   * ends, within a moment; an exiting process first loses its context, then its socket).
   */
  async isGone(waitMs = 2000): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (!this.connection.isOpen) return true;
      if (this.hostPid !== undefined && !isAlive(this.hostPid)) return true;
      await sleep(50);
    }
    return false;
  }

  /** Reads the profile (the target runs a full GC first) and the process sample, and records them. */
  async tick(): Promise<{ seq: number; tickMs: number }> {
    const startedAt = performance.now();
    const profile = await this.readProfile();
    const sample = await evaluate<ProcessSample & { gc?: ProcessSample['gc']; openFds?: number }>(this.connection, SAMPLE_SCRIPT);
    const tickMs = performance.now() - startedAt;
    if (sample.gc === undefined) delete sample.gc;
    if (sample.openFds === undefined) delete sample.openFds;
    const snapshot = snapshotFromAllocationTree(toAllocationTree(profile), {
      samplingIntervalBytes: this.samplingIntervalBytes,
      stackDepth: STACK_DEPTH,
      resolver: this.resolver,
      isOwnScript: (url) => url === TARGET_SCRIPT_URL,
      takenAt: new Date(sample.time),
    });
    this.recorder.writeSample(snapshot, sample, { tickMs, liveOnly: true });
    return { seq: this.seq++, tickMs };
  }

  /** Puts the target back as it was and ends the recording. Safe to call more than once. */
  detach(reason: string): Promise<DetachOutcome> {
    this.detached ??= this.detachOnce(reason);
    return this.detached;
  }

  private async detachOnce(reason: string): Promise<DetachOutcome> {
    clearInterval(this.heartbeat);
    this.recorder.close(reason);
    if (this.connection.isOpen) {
      await leave(this.connection, this.endpoint.openedByUs);
    } else if (this.hostPid !== undefined && (await exits(this.hostPid, 1000))) {
      return { inspector: 'target-exited' };
    } else if (this.endpoint.openedByUs) {
      // The connection broke but the process lives: connect once more to close what we opened.
      await closeInspectorAt(this.endpoint).catch(() => {});
    }
    if (this.hostPid !== undefined && !isAlive(this.hostPid)) return { inspector: 'target-exited' };
    if (!this.endpoint.openedByUs) return { inspector: 'left-open' };
    if (this.hostPid === undefined) return { inspector: 'closed' };
    return { inspector: (await portClosed(this.hostPid, this.endpoint.port)) ? 'closed' : 'still-open' };
  }

  private async readProfile(): Promise<SamplingHeapProfile> {
    try {
      return (await this.connection.send<{ profile: SamplingHeapProfile }>('HeapProfiler.getSamplingProfile')).profile;
    } catch (error) {
      if (!(error instanceof AttachError) || error.failure !== 'protocol' || !/not started/i.test(error.message)) throw error;
      // Another agent stopped the profiler we shared (V8 has one): start it again; earlier samples are lost.
      await startSampling(this.connection, this.samplingIntervalBytes);
      return (await this.connection.send<{ profile: SamplingHeapProfile }>('HeapProfiler.getSamplingProfile')).profile;
    }
  }
}

/**
 * Stops what we started, removes our state, closes the inspector when we opened it, and
 * disconnects. Never throws. `HeapProfiler.disable` stops the sampling this session
 * started (and only that) and drops its samples without reading them: unlike
 * `HeapProfiler.stopSampling`, which reads the profile first, it costs the target no GC.
 */
async function leave(connection: DevtoolsConnection, closeInspector: boolean): Promise<void> {
  const quietly = (work: Promise<unknown>) => work.catch(() => undefined);
  await quietly(connection.send('HeapProfiler.disable', {}, 10_000));
  await quietly(evaluate(connection, detachScript(closeInspector), 10_000));
  await connection.close();
}

/** Connects only to close the inspector (one we opened and must not leave open). */
async function closeInspectorAt(endpoint: InspectorEndpoint): Promise<void> {
  const connection = await DevtoolsConnection.connect(await webSocketUrlOf(endpoint.host, endpoint.port));
  await leave(connection, true);
}

/** Whether the process ends within `waitMs`. */
async function exits(pid: number, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

async function portClosed(pid: number, port: number): Promise<boolean> {
  const deadline = Date.now() + CLOSE_DELAY_MS + 4000;
  for (;;) {
    try {
      if (!listeningSocketsOf(pid).some((socket) => socket.port === port)) return true;
    } catch {
      return true; // the process is gone
    }
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

async function evaluate<T>(connection: DevtoolsConnection, expression: string, timeoutMs?: number): Promise<T> {
  const answer = await connection.send<{ result: { value?: unknown }; exceptionDetails?: { text?: string; exception?: { description?: string } } }>(
    'Runtime.evaluate',
    { expression, returnByValue: true, includeCommandLineAPI: true, silent: true },
    timeoutMs,
  );
  if (answer.exceptionDetails) {
    const detail = answer.exceptionDetails.exception?.description?.split('\n')[0] ?? answer.exceptionDetails.text ?? 'an exception';
    throw new AttachError('protocol', `the target could not run heapsleuth's probe: ${detail}`);
  }
  return answer.result.value as T;
}

/** V8 has one sampling heap profiler per process: reading fails with "not started" unless someone runs it. */
async function isSampling(connection: DevtoolsConnection): Promise<boolean> {
  try {
    await connection.send('HeapProfiler.getSamplingProfile');
    return true;
  } catch (error) {
    if (error instanceof AttachError && error.failure === 'protocol' && /not started/i.test(error.message)) return false;
    throw error;
  }
}

async function startSampling(connection: DevtoolsConnection, samplingIntervalBytes: number): Promise<void> {
  await connection.send('HeapProfiler.startSampling', {
    samplingInterval: Math.round(samplingIntervalBytes),
    includeObjectsCollectedByMajorGC: false,
    includeObjectsCollectedByMinorGC: false,
  });
}

function header(identity: TargetIdentity, service: string, startTime: Date, intervalBytes: number, shared: boolean, hostPid: number | undefined): RecordingHeaderFields {
  const limits: MemoryLimits = { heapLimitBytes: identity.heapLimitBytes };
  if (hostPid !== undefined) {
    // The target's own cgroup files, seen through its root: a container's limit, not ours.
    const cgroup = readCgroupMemoryLimit(`/proc/${hostPid}/root/sys/fs/cgroup`, `/proc/${hostPid}/cgroup`);
    if (cgroup !== undefined) limits.cgroupLimitBytes = cgroup;
  }
  return {
    runtime: 'node',
    runtimeVersion: identity.version,
    pid: identity.pid,
    ppid: identity.ppid,
    hostname: identity.hostname,
    service,
    argv: redactArgv([identity.argv[0] ?? 'node', ...identity.execArgv, ...identity.argv.slice(1)]),
    cwd: identity.cwd,
    startTime: startTime.toISOString(),
    sampling: { sampler: shared ? 'inspector-shared' : 'inspector', intervalBytes, stackDepth: STACK_DEPTH },
    limits,
    agent: { name: 'heapsleuth-attach', version: VERSION },
  };
}

function serviceName(argv: string[]): string {
  const script = argv[1];
  return script ? basename(script, extname(script)) : 'node';
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'node';
}

function fileStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}
