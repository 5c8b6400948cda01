// Whether one verdict is right for a scenario. Pure: a verdict and a scenario's expectation in,
// an outcome out.

const fileMatches = (file, expected) => file === expected || file.endsWith(`/${expected}`);

/**
 * `correct`: the leak found, with the right file named (site) or the right process or handle
 * finding. `missed`: no leak called, or not the right one. `false-alarm`: a leak called in a
 * healthy scenario. `inconclusive`: the detective would not judge yet. `wrongFiles`: suspects
 * in files that hold no leaked object.
 */
export function judgeVerdict(verdict, expect) {
  const suspectFiles = verdict.suspects.map((suspect) => suspect.file);
  const wrongFiles = expect.kind === 'healthy' ? suspectFiles : suspectFiles.filter((file) => !expect.files.some((expected) => fileMatches(file, expected)));
  if (verdict.verdict === 'inconclusive') return { outcome: 'inconclusive', wrongFiles };
  if (expect.kind === 'healthy') return { outcome: verdict.verdict === 'leak' ? 'false-alarm' : 'correct', wrongFiles };
  if (verdict.verdict !== 'leak') return { outcome: 'missed', wrongFiles };
  if (expect.kind === 'site') {
    const blamed = verdict.suspects.find((suspect) => fileMatches(suspect.file, expect.files[0]));
    if (!blamed) return { outcome: 'missed', wrongFiles };
    return { outcome: 'correct', wrongFiles, blamed: { rank: blamed.rank, line: blamed.line, function: blamed.function } };
  }
  if (expect.kind === 'external') {
    const found = verdict.process.external.leak || verdict.process.arrayBuffers.leak;
    return { outcome: found ? 'correct' : 'missed', wrongFiles };
  }
  const found = verdict.handles.some((handle) => handle.type === expect.type && handle.leak);
  return { outcome: found ? 'correct' : 'missed', wrongFiles };
}
