import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isAbsolute, relative, sep } from 'node:path';
import { Frame } from '../model/frame.js';
import type { RawCallFrame } from './sampler.js';
import { SourceMapResolver } from './source-maps.js';

/**
 * Turns V8 call frames into Frames a person reads: source-mapped to TypeScript where
 * maps exist, paths relative to the working directory, packages as
 * `node_modules/<pkg>/...`, internals as their `node:` URL. Results are cached.
 */
export class LocationResolver {
  private readonly cache = new Map<string, Frame>();
  private readonly sourceMaps = new SourceMapResolver();
  private readonly existing = new Map<string, boolean>();

  constructor(
    private readonly cwd: string = process.cwd(),
    private readonly useSourceMaps = true,
  ) {}

  frameOf(callFrame: RawCallFrame): Frame {
    const key = `${callFrame.url}\u0000${callFrame.lineNumber}\u0000${callFrame.columnNumber}\u0000${callFrame.functionName}`;
    let frame = this.cache.get(key);
    if (!frame) {
      frame = this.resolve(callFrame);
      this.cache.set(key, frame);
    }
    return frame;
  }

  /** Absolute path of a script URL, or undefined for internals and builtins. */
  static pathOf(url: string): string | undefined {
    if (url.startsWith('file://')) {
      try {
        return fileURLToPath(url);
      } catch {
        return undefined;
      }
    }
    return isAbsolute(url) ? url : undefined;
  }

  private resolve(callFrame: RawCallFrame): Frame {
    const name = callFrame.functionName;
    const path = LocationResolver.pathOf(callFrame.url);
    if (!path) return new Frame(callFrame.url, callFrame.lineNumber + 1, name, callFrame.columnNumber);
    const generated = new Frame(this.display(path), callFrame.lineNumber + 1, name, callFrame.columnNumber);
    if (!this.useSourceMaps) return generated;
    const original = this.sourceMaps.resolve(path, callFrame.lineNumber, callFrame.columnNumber);
    if (!original) return generated;
    const originalFile = this.display(original.path);
    // Packages often ship dist/*.js.map naming ../src/*.ts they do not ship: blame a file
    // a person can open, and keep the other place as a second location.
    if (this.exists(original.path)) return new Frame(originalFile, original.line, name, original.column);
    if (original.content !== undefined) {
      return new Frame(originalFile, original.line, name, original.column, { alsoAt: generated.toString(), snippet: snippetAt(original.content, original.line) });
    }
    return new Frame(generated.file, generated.line, name, generated.column, { alsoAt: `${originalFile}:${original.line}` });
  }

  private exists(path: string): boolean {
    let known = this.existing.get(path);
    if (known === undefined) {
      known = existsSync(path);
      this.existing.set(path, known);
    }
    return known;
  }

  /** How a path is shown: `node_modules/<pkg>/...`, relative inside cwd, absolute otherwise. */
  display(path: string): string {
    const marker = `${sep}node_modules${sep}`;
    const at = path.lastIndexOf(marker);
    if (at >= 0) return toPosix(`node_modules/${path.slice(at + marker.length)}`);
    const rel = relative(this.cwd, path);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return toPosix(rel);
    return toPosix(path);
  }
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

const SNIPPET_LINES = 3;
const SNIPPET_WIDTH = 160;

/** A few lines of embedded source from `line` (1-based) on, for a file that is not on disk. */
function snippetAt(content: string, line: number): string {
  return content
    .split(/\r?\n/)
    .slice(line - 1, line - 1 + SNIPPET_LINES)
    .map((text) => text.trimEnd().slice(0, SNIPPET_WIDTH))
    .join('\n');
}
