// Scoring of one case: detected, rank of the first truth file among the suspects, whether a
// truth file is a top-three suspect's site or the code that keeps its objects (`keptBy`), the
// heap snapshots each version got, and the fixed version's verdict (any `leak` there is a
// false alarm).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A suspect or frame file names a truth file when it ends with it (paths may be absolute or relative). */
export function namesTruth(file, truthFiles) {
  if (!file) return false;
  const normalized = file.replace(/\\/g, '/').replace(/^file:\/\//, '');
  return truthFiles.some((truth) => normalized === truth || normalized.endsWith(`/${truth}`));
}

/**
 * A suspect's site names a truth file by its file or by its second location (`alsoAt`): a
 * source map's original shown from the map's embedded text is the same code as the shipped
 * file the fix changed.
 */
function siteNamesTruth(suspect, truthFiles) {
  return namesTruth(suspect.file, truthFiles) || namesTruth(suspect.alsoAt?.replace(/:\d+$/, ''), truthFiles);
}

/** The first of the three top native suspects (run --native) in one of the case's addons, with its rank. */
function nativeRank(verdict, info) {
  const index = (verdict.nativeSuspects ?? []).slice(0, 3).findIndex((suspect) => info.nativeLibraries.some((library) => suspect.library.endsWith(`/${library}`)));
  return index < 0 ? null : { rank: index + 1, suspect: verdict.nativeSuspects[index] };
}

/** A native-only case is named when a native/process finding leaks and some finding or suspect names the package. */
function namesNative(verdict, info) {
  const nativeFinding = ['nativeGap', 'rss', 'external', 'arrayBuffers'].some((key) => verdict.process?.[key]?.leak);
  const text = JSON.stringify({ suspects: verdict.suspects ?? [], reason: verdict.reason, native: verdict.native ?? null, handles: verdict.handles ?? [] });
  return nativeFinding && (info.nativePackages ?? [info.package]).some((pkg) => text.includes(`node_modules/${pkg}/`) || text.includes(`"${pkg}"`));
}

/** The retainer path a person reads ("kept alive by: ...") names a truth file at a closure or constructor. */
function pathNamesTruth(path, truthFiles) {
  return truthFiles.some((truth) => new RegExp(`(^|[ (/])${truth.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d`).test(path));
}

/**
 * The rank of the first suspect, among those the terminal shows retainers for, whose shown
 * retainer path names a truth file: the code that keeps the leak alive, next to where it was
 * allocated. Runs without heap snapshots have no paths to score.
 */
function scoreRetainers(hasSnapshots, suspects, truthFiles) {
  if (!hasSnapshots) return { keptByRank: null, keptByText: 'no snapshots' };
  const index = suspects.findIndex((suspect) => (suspect.retainers ?? []).some((retainer) => pathNamesTruth(retainer.path, truthFiles)));
  const withPaths = suspects.filter((suspect) => suspect.retainers?.length).length;
  if (index < 0) return { keptByRank: null, keptByText: `no (${withPaths} of ${suspects.length} suspects with a path)` };
  const shown = suspects[index].retainers.find((retainer) => pathNamesTruth(retainer.path, truthFiles));
  return { keptByRank: index + 1, keptByText: `${index + 1}: ${shown.path.replace(/\|/g, '\\|')}` };
}

/**
 * The first of the top three suspects whose site or keeper (retainers[].keptBy, from heap
 * snapshots) is in a truth file: `{ rank, by: 'site' | 'keeper', where }`, or null.
 */
export function siteOrKeeper(suspects, truthFiles) {
  for (const [index, suspect] of suspects.slice(0, 3).entries()) {
    if (siteNamesTruth(suspect, truthFiles)) return { rank: index + 1, by: 'site', where: `${suspect.file}:${suspect.line}` };
    const keeper = (suspect.retainers ?? []).map((retainer) => retainer.keptBy).find((keptBy) => keptBy && namesTruth(keptBy.file, truthFiles));
    if (keeper) return { rank: index + 1, by: 'keeper', where: `${keeper.file}${keeper.line === undefined ? '' : `:${keeper.line}`} (${keeper.what})` };
  }
  return null;
}

/**
 * The heap snapshots a run's agent wrote (from `<recording>.heapsnapshots.json`) and, under
 * `run`'s automatic mode, the sample at which `run` asked for them (`.retainers-request`).
 */
export function snapshotsOf(recordingDir) {
  const result = { taken: 0, pauseMs: 0, maxPauseMs: 0, refused: [], requestedAtSample: null };
  if (!recordingDir || !existsSync(recordingDir)) return result;
  for (const name of readdirSync(recordingDir)) {
    const path = join(recordingDir, name);
    try {
      if (name.endsWith('.heapsnapshots.json')) {
        for (const entry of JSON.parse(readFileSync(path, 'utf8'))) {
          if (entry.refused) result.refused.push(`${entry.label}: ${entry.refused}`);
          else {
            result.taken += 1;
            result.pauseMs += entry.pauseMs ?? 0;
            result.maxPauseMs = Math.max(result.maxPauseMs, entry.pauseMs ?? 0);
          }
        }
      } else if (name.endsWith('.retainers-request')) {
        result.requestedAtSample = JSON.parse(readFileSync(path, 'utf8')).sample ?? null;
      }
    } catch {
      // a file cut short: counted as nothing
    }
  }
  return result;
}

function snapshotsText(snapshots) {
  if (snapshots.taken === 0) return snapshots.refused.length > 0 ? `0 (${snapshots.refused.join('; ')})` : '0';
  const from = snapshots.requestedAtSample === null ? 'from the start' : `from sample ${snapshots.requestedAtSample}`;
  return `${snapshots.taken} ${from}, paused ${(snapshots.pauseMs / 1000).toFixed(1)} s (longest ${(snapshots.maxPauseMs / 1000).toFixed(1)} s)`;
}

export function scoreCase(info, leaky, fixed) {
  const leakyVerdict = leaky?.verdict?.verdict ?? `none (exit ${leaky?.code})`;
  const fixedVerdict = fixed?.verdict?.verdict ?? `none (exit ${fixed?.code})`;
  const suspects = leaky?.verdict?.suspects ?? [];
  const index = suspects.findIndex((suspect) => siteNamesTruth(suspect, info.files));
  const rank = index >= 0 ? index + 1 : null;
  let namedTop3 = rank !== null && rank <= 3;
  let rankText = rank === null ? `not named (${suspects.length} suspects${suspects[0] ? `, first ${suspects[0].file}:${suspects[0].line}` : ''})` : String(rank);
  if (info.native && info.nativeLibraries && leaky?.verdict) {
    const native = nativeRank(leaky.verdict, info);
    const fn = native && info.nativeFunctions?.includes(native.suspect.function.replace(/\(.*$/, '')) ? ` ${native.suspect.function.replace(/\(.*$/, '')}()` : '';
    if (native) {
      namedTop3 = true;
      rankText = `native ${native.rank}: ${native.suspect.library.split('/').pop()}${fn}${native.suspect.stripped ? ' (stripped: offsets only)' : ''}${rank ? `; rank ${rank}` : ''}`;
    } else {
      rankText = `addon not among the first 3 native suspects (${(leaky.verdict.nativeSuspects ?? []).length} native suspects); ${rankText}`;
    }
  } else if (info.native && leaky?.verdict && namesNative(leaky.verdict, info)) {
    namedTop3 = true;
    rankText = `native finding names ${info.package}${rank ? `; rank ${rank}` : ''}`;
  }
  const leakySnapshots = snapshotsOf(leaky?.recordingDir);
  const fixedSnapshots = snapshotsOf(fixed?.recordingDir);
  const { keptByRank, keptByText } = scoreRetainers(Boolean(leaky?.retainers) || leakySnapshots.taken > 0, suspects, info.files);
  const named = siteOrKeeper(suspects, info.files);
  // a native case named by its native finding counts for both columns
  const namedTop3SiteOrKeeper = leakyVerdict === 'leak' && (namedTop3 || named !== null);
  const siteOrKeeperText = !namedTop3SiteOrKeeper ? 'no' : named ? `${named.by} ${named.rank}${named.by === 'keeper' ? `: ${named.where}` : ''}` : 'yes (native)';
  return {
    case: info.name,
    package: info.package,
    leakyVersion: info.leakyVersion,
    fixedVersion: info.fixedVersion,
    kind: info.kind,
    heldOut: info.heldOut || false, // the batch (a date) the case was held out in, or false
    detected: leakyVerdict === 'leak',
    leakyVerdict,
    leakyReason: leaky?.verdict?.reason ?? null,
    rank,
    rankText,
    namedTop3: leakyVerdict === 'leak' && namedTop3,
    withRetainers: Boolean(leaky?.retainers) || leakySnapshots.taken > 0,
    keptByRank,
    keptByText,
    keptByTruth: leakyVerdict === 'leak' && keptByRank !== null && keptByRank <= 3,
    namedTop3SiteOrKeeper,
    siteOrKeeperText,
    leakySnapshots,
    leakySnapshotsText: snapshotsText(leakySnapshots),
    fixedSnapshots,
    fixedSnapshotsText: snapshotsText(fixedSnapshots),
    topSuspects: suspects.slice(0, 3).map((suspect) => `${suspect.file}:${suspect.line} ${suspect.function ?? ''}`.trim()),
    ...(leaky?.verdict?.nativeSuspects ? { topNativeSuspects: leaky.verdict.nativeSuspects.slice(0, 3).map((suspect) => `${suspect.function} in ${suspect.library.split('/').pop()}`) } : {}),
    fixedVerdict,
    fixedReason: fixed?.verdict?.reason ?? null,
    falseAlarm: fixedVerdict === 'leak',
  };
}
