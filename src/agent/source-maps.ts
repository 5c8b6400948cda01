import { readFileSync } from 'node:fs';
import module from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A position in original source, 1-based line, 0-based column. */
export interface OriginalPosition {
  path: string;
  line: number;
  column: number;
  name?: string;
  /** The original file's text, when the map embeds it (`sourcesContent`). */
  content?: string;
}

type SourceMapLike = InstanceType<typeof module.SourceMap>;

/**
 * Maps positions in compiled JavaScript back to the sources named in its source map
 * (`//# sourceMappingURL=` beside the file or inline). Maps are parsed with Node's own
 * `module.SourceMap` and cached per file, so a file is read once per process.
 */
export class SourceMapResolver {
  private readonly maps = new Map<string, { map: SourceMapLike; directory: string } | null>();

  /** `line` is 0-based as V8 reports it; the result's line is 1-based. */
  resolve(path: string, line: number, column: number): OriginalPosition | undefined {
    const entry = this.mapFor(path);
    if (!entry) return undefined;
    const found = entry.map.findEntry(line, column) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
      name?: string;
    };
    if (!found || typeof found.originalSource !== 'string' || typeof found.originalLine !== 'number') return undefined;
    const source = found.originalSource.startsWith('file://')
      ? fileURLToPath(found.originalSource)
      : resolve(entry.directory, found.originalSource);
    const position: OriginalPosition = { path: source, line: found.originalLine + 1, column: found.originalColumn ?? 0 };
    if (found.name) position.name = found.name;
    const content = embeddedContent(entry.map, found.originalSource);
    if (content !== undefined) position.content = content;
    return position;
  }

  private mapFor(path: string): { map: SourceMapLike; directory: string } | null {
    let entry = this.maps.get(path);
    if (entry === undefined) {
      entry = loadSourceMap(path);
      this.maps.set(path, entry);
    }
    return entry;
  }
}

/** The text a map embeds for one of its sources, if any. */
function embeddedContent(map: SourceMapLike, source: string): string | undefined {
  const payload = map.payload as { sources?: unknown; sourcesContent?: unknown };
  if (!Array.isArray(payload.sources) || !Array.isArray(payload.sourcesContent)) return undefined;
  const index = payload.sources.indexOf(source);
  const content: unknown = index >= 0 ? payload.sourcesContent[index] : undefined;
  return typeof content === 'string' ? content : undefined;
}

function loadSourceMap(path: string): { map: SourceMapLike; directory: string } | null {
  try {
    const url = findSourceMappingURL(readFileSync(path, 'utf8'));
    if (!url) return null;
    if (url.startsWith('data:')) {
      const comma = url.indexOf(',');
      const body = url.slice(comma + 1);
      const json = url.slice(0, comma).endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
      return { map: new module.SourceMap(JSON.parse(json)), directory: dirname(path) };
    }
    const mapPath = url.startsWith('file://') ? fileURLToPath(url) : resolve(dirname(path), url);
    const payload = JSON.parse(readFileSync(mapPath, 'utf8'));
    const sourceRoot = typeof payload.sourceRoot === 'string' ? payload.sourceRoot : '';
    return { map: new module.SourceMap(payload), directory: resolve(dirname(mapPath), sourceRoot.startsWith('file://') ? fileURLToPath(sourceRoot) : '') };
  } catch {
    return null; // no map, or one we cannot read: keep the JavaScript position
  }
}

function findSourceMappingURL(code: string): string | undefined {
  const tail = code.slice(-4096 * 4);
  const matches = [...tail.matchAll(/\/\/[#@] sourceMappingURL=([^\s'"]+)\s*$/gm)];
  return matches.at(-1)?.[1];
}
