import type { Frame } from '../model/frame.js';

/** Why a site's allocating package was taken for a dependency of a dependency. */
export type TransitiveBasis = 'package.json' | 'call';

/** The frame a site is blamed on instead of its allocating frame, and why. */
export interface DirectDependencyBlame {
  /** The innermost frame of the package the app depends on directly, on the way out from the allocation. */
  frame: Frame;
  /** The package the allocating frame is in (`cacheable-lookup`, `@scope/name`). */
  allocatingPackage: string;
  /**
   * `package.json`: the app's package.json does not list the allocating package and lists
   * this one. `call`: the app's dependencies are not known; this is the package the user's
   * own code called, which reached the allocating one.
   */
  basis: TransitiveBasis;
}

/**
 * A package's name from a file path as heapsleuth shows it: the part after the last
 * `node_modules/` (or `site-packages/`, `dist-packages/`), with its scope
 * (`node_modules/a/node_modules/@s/b/x.js` is `@s/b`); undefined for the app's own files.
 */
export function packageName(file: string): string | undefined {
  const match = /(?:^|\/)(?:node_modules|site-packages|dist-packages)\/((?:@[^/]+\/)?[^/]+)\/(?:(?!(?:node_modules|site-packages|dist-packages)\/).)*$/.exec(file);
  return match?.[1];
}

/**
 * Where to blame a site whose allocating frame (`blame`, in `frames`, most recent first) is
 * in a package the app does not depend on directly. The user cannot change a dependency of
 * a dependency, nor upgrade it on its own: what they can upgrade, pin or report is the
 * package they depend on, and the code that decided to keep the memory is often there (a
 * proxy agent that makes a DNS cache per instance and never disposes of it; a form parser
 * that registers a multipart parser's listener per request). So the site is blamed on the
 * innermost frame of a directly used package on the way out from the allocation, and the
 * allocating frame stays as a second location.
 *
 * `direct`: the names the app's package.json lists (dependencies of every kind), when known.
 * A package it lists is never moved away from. Without the list, or when no listed package
 * is on the way out, the package the user's own code called is the direct one (the last
 * dependency frame before the first frame of the app's code). The walk stops at the app's
 * own code: a dependency the app's code called itself is the one it uses. Undefined when
 * the site stays where it was allocated.
 */
export function directDependencyBlame(frames: readonly Frame[], blame: Frame | undefined, direct?: ReadonlySet<string>): DirectDependencyBlame | undefined {
  if (!blame || blame.origin !== 'package') return undefined;
  const allocatingPackage = packageName(blame.file);
  if (allocatingPackage === undefined || direct?.has(allocatingPackage)) return undefined;
  const from = frames.indexOf(blame);
  const appAt = frames.findIndex((frame, i) => i > from && frame.origin === 'app');
  const outward = frames.slice(from + 1, appAt < 0 ? frames.length : appAt).filter((frame) => frame.origin === 'package');
  if (direct && direct.size > 0) {
    const listed = outward.find((frame) => direct.has(packageName(frame.file) ?? ''));
    if (listed) return { frame: listed, allocatingPackage, basis: 'package.json' };
  }
  if (appAt < 0 || outward.length === 0) return undefined;
  const entered = packageName(outward.at(-1)!.file);
  if (entered === undefined || entered === allocatingPackage) return undefined;
  const frame = outward.find((candidate) => packageName(candidate.file) === entered)!;
  return { frame, allocatingPackage, basis: 'call' };
}
