// Where the bounded-lifetime rule (src/analysis/bounded-lifetime.ts) fires on recordings of
// run.mjs that carry the oldest live sample's age: for every prefix of every scenario, the
// sites it calls short-lived. A leak's own site must never be among them.
// Run: node bench/detection/run.mjs --out DIR && node bench/detection/lifetimes.mjs DIR
import { allocationSeries } from '../../dist/src/analysis/series.js';
import { boundedLifetime } from '../../dist/src/analysis/bounded-lifetime.js';
import { runningPhase } from '../../dist/src/analysis/running-phase.js';
import { recordedScenarios, recordingPrefix } from './replay.mjs';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node bench/detection/lifetimes.mjs <run.mjs --out folder>\n');
  process.exit(2);
}
let leakSitesCleared = 0;
for (const { scenario, recording } of recordedScenarios(dir)) {
  if (recording.header.sampling.oldestAge !== true) {
    console.log(`${scenario.name}: recorded without the oldest live sample's age`);
    continue;
  }
  const fired = new Map();
  for (let count = 10; count <= recording.samples.length; count++) {
    const series = allocationSeries([runningPhase(recordingPrefix(recording, count))]);
    for (const site of series.lineno) {
      const lifetime = boundedLifetime(site, series);
      if (lifetime === undefined) continue;
      const name = `${site.site.file}:${site.site.line}`;
      const entry = fired.get(name) ?? { prefixes: 0, longest: 0 };
      entry.prefixes += 1;
      entry.longest = Math.max(entry.longest, lifetime);
      fired.set(name, entry);
    }
  }
  const leakFiles = scenario.expect.files ?? [];
  const onLeak = [...fired.keys()].filter((name) => scenario.expect.kind === 'site' && leakFiles.some((file) => name.includes(file)));
  leakSitesCleared += onLeak.length;
  const list = [...fired].map(([name, { prefixes, longest }]) => `${name} (${prefixes} prefixes, up to ${(longest / 1000).toFixed(1)} s)`);
  console.log(`${scenario.name}: ${list.length === 0 ? 'none' : list.join('; ')}`);
}
console.log(`\nleak sites called short-lived: ${leakSitesCleared}`);
