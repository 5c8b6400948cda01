import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { captureFrames } from './call-stack.js';
import type { RawCallFrame } from './sampler.js';

/** What the hooks tell about the file descriptors JavaScript opens and closes through `node:fs`. */
export interface FdOpenListener {
  /** Whether to capture the stack of this open (the listener samples); called once per open or stream. */
  wants(): boolean;
  /** `fd` was opened; `frames` is its stack when sampled. Never throws. */
  opened(fd: unknown, frames: RawCallFrame[] | undefined): void;
  /** `fd` is being closed. Never throws. */
  closed(fd: unknown): void;
}

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

interface Wrapped {
  target: Record<string, unknown>;
  name: string;
  original: AnyFunction;
  wrapper: AnyFunction;
  /** Someone replaced the function after us: our wrapper stays in their chain, passing through while off. */
  stuck: boolean;
}

/**
 * Reversible wrappers around the `node:fs` functions that open and close file descriptors:
 * `open`, `openSync`, `close`, `closeSync`, `promises.open` (and the FileHandle's `close`
 * event), `createReadStream` and `createWriteStream` (a stream opens its file on the next
 * tick, where the caller is no longer on the stack, so its stack is taken when it is
 * created and given to the fd its `open` event names). They call through to the original
 * function with the same arguments and return what it returns; the listener only watches.
 *
 * Installed only while the listener needs them; uninstalling puts the originals back,
 * unless someone replaced the function after us (graceful-fs, mocks): then ours stays in
 * their chain and passes straight through. ESM named imports of `node:fs` follow both
 * ways (`syncBuiltinESMExports`). Callers that kept a reference to the original function
 * (`const { open } = require('fs')` before the hooks went on) are not seen.
 */
export class FsOpenHooks {
  private on = false;
  private wrapped: Wrapped[] | undefined;

  constructor(private readonly listener: FdOpenListener) {}

  get installed(): boolean {
    return this.on;
  }

  install(): void {
    if (this.on) return;
    this.wrapped ??= this.makeWrappers();
    for (const entry of this.wrapped) {
      if (entry.stuck) continue;
      const current = entry.target[entry.name];
      if (typeof current !== 'function') continue;
      entry.original = current as AnyFunction;
      entry.target[entry.name] = entry.wrapper;
    }
    this.on = true;
    syncBuiltinESMExports();
  }

  uninstall(): void {
    if (!this.on) return;
    this.on = false;
    for (const entry of this.wrapped ?? []) {
      if (entry.target[entry.name] === entry.wrapper) entry.target[entry.name] = entry.original;
      else if (!entry.stuck && entry.target[entry.name] !== entry.original) entry.stuck = true;
    }
    syncBuiltinESMExports();
  }

  private makeWrappers(): Wrapped[] {
    const fsModule = fs as unknown as Record<string, unknown>;
    const promises = fs.promises as unknown as Record<string, unknown>;
    const wrappers: Wrapped[] = [];
    const wrap = (target: Record<string, unknown>, name: string, make: (entry: Wrapped) => AnyFunction) => {
      const original = target[name];
      if (typeof original !== 'function') return;
      const entry: Wrapped = { target, name, original: original as AnyFunction, wrapper: original as AnyFunction, stuck: false };
      entry.wrapper = make(entry);
      Object.defineProperty(entry.wrapper, 'name', { value: name });
      Object.defineProperty(entry.wrapper, 'length', { value: original.length });
      wrappers.push(entry);
    };
    const hooks = this;
    const listener = this.listener;
    const capture = (below: Function): RawCallFrame[] | undefined => (listener.wants() ? captureFrames(below) : undefined);

    wrap(fsModule, 'open', (entry) =>
      function open(this: unknown, ...args: unknown[]) {
        const callback = args.at(-1);
        if (!hooks.on || typeof callback !== 'function') return Reflect.apply(entry.original, this, args);
        const frames = capture(open);
        args[args.length - 1] = function (this: unknown, ...results: unknown[]) {
          listener.opened(results[0] ? undefined : results[1], frames);
          return Reflect.apply(callback, this, results);
        };
        return Reflect.apply(entry.original, this, args);
      },
    );
    wrap(fsModule, 'openSync', (entry) =>
      function openSync(this: unknown, ...args: unknown[]) {
        const fd = Reflect.apply(entry.original, this, args);
        if (hooks.on) listener.opened(fd, capture(openSync));
        return fd;
      },
    );
    for (const name of ['close', 'closeSync']) {
      wrap(fsModule, name, (entry) =>
        function close(this: unknown, ...args: unknown[]) {
          if (hooks.on) listener.closed(args[0]);
          return Reflect.apply(entry.original, this, args);
        },
      );
    }
    wrap(promises, 'open', (entry) =>
      function open(this: unknown, ...args: unknown[]) {
        const result = Reflect.apply(entry.original, this, args);
        const frames = hooks.on ? capture(open) : undefined;
        if (!frames || !(result instanceof Promise)) return result;
        // the caller gets a promise that settles as the original does, rejection included
        return result.then((handle: unknown) => {
          watchFileHandle(handle, frames, listener);
          return handle;
        });
      },
    );
    for (const name of ['createReadStream', 'createWriteStream']) {
      wrap(fsModule, name, (entry) =>
        function createStream(this: unknown, ...args: unknown[]) {
          const stream = Reflect.apply(entry.original, this, args) as { fd?: unknown; once?: unknown } | undefined;
          if (!hooks.on || !stream || typeof stream.fd === 'number' || typeof stream.once !== 'function') return stream;
          const frames = capture(createStream);
          if (frames) (stream.once as (event: string, listener: (fd: unknown) => void) => void).call(stream, 'open', (fd) => listener.opened(fd, frames));
          return stream;
        },
      );
    }
    return wrappers;
  }
}

function watchFileHandle(handle: unknown, frames: RawCallFrame[], listener: FdOpenListener): void {
  const fileHandle = handle as { fd?: unknown; once?: unknown } | undefined;
  if (!fileHandle || typeof fileHandle.fd !== 'number') return;
  const fd = fileHandle.fd;
  listener.opened(fd, frames);
  if (typeof fileHandle.once === 'function') (fileHandle.once as (event: string, listener: () => void) => void).call(fileHandle, 'close', () => listener.closed(fd));
}
