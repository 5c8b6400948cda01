// Scoring of one case: detected, rank of the first truth file among the suspects, and the
// fixed version's verdict (any `leak` there is a false alarm).

/** A suspect or frame file names a truth file when it ends with it (paths may be absolute or relative). */
export function namesTruth(file, truthFiles) {
  if (!file) return false;
  const normalized = file.replace(/\\/g, '/').replace(/^file:\/\//, '');
  return truthFiles.some((truth) => normalized === truth || normalized.endsWith(`/${truth}`));
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
 * allocated. Runs without --retainers have no paths to score.
 */
function scoreRetainers(leaky, suspects, truthFiles) {
  if (!leaky?.retainers) return { keptByRank: null, keptByText: 'no snapshots' };
  const index = suspects.findIndex((suspect) => (suspect.retainers ?? []).some((retainer) => pathNamesTruth(retainer.path, truthFiles)));
  const withPaths = suspects.filter((suspect) => suspect.retainers?.length).length;
  if (index < 0) return { keptByRank: null, keptByText: `no (${withPaths} of ${suspects.length} suspects with a path)` };
  const shown = suspects[index].retainers.find((retainer) => pathNamesTruth(retainer.path, truthFiles));
  return { keptByRank: index + 1, keptByText: `${index + 1}: ${shown.path.replace(/\|/g, '\\|')}` };
}

export function scoreCase(info, leaky, fixed) {
  const leakyVerdict = leaky?.verdict?.verdict ?? `none (exit ${leaky?.code})`;
  const fixedVerdict = fixed?.verdict?.verdict ?? `none (exit ${fixed?.code})`;
  const suspects = leaky?.verdict?.suspects ?? [];
  const index = suspects.findIndex((suspect) => namesTruth(suspect.file, info.files));
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
  const { keptByRank, keptByText } = scoreRetainers(leaky, suspects, info.files);
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
    withRetainers: Boolean(leaky?.retainers),
    keptByRank,
    keptByText,
    keptByTruth: leakyVerdict === 'leak' && keptByRank !== null && keptByRank <= 3,
    topSuspects: suspects.slice(0, 3).map((suspect) => `${suspect.file}:${suspect.line} ${suspect.function ?? ''}`.trim()),
    ...(leaky?.verdict?.nativeSuspects ? { topNativeSuspects: leaky.verdict.nativeSuspects.slice(0, 3).map((suspect) => `${suspect.function} in ${suspect.library.split('/').pop()}`) } : {}),
    fixedVerdict,
    fixedReason: fixed?.verdict?.reason ?? null,
    falseAlarm: fixedVerdict === 'leak',
  };
}
