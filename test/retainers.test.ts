import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, compiledFixture, fixture, runNode } from './child-process.js';
import { SnapshotParser } from '../src/snapshots/snapshot-parser.js';
import { readMaxNodeId } from '../src/snapshots/read-snapshot.js';
import { BASELINE_WORKER_BYTES, readMaxNodeIdInWorker } from '../src/snapshots/read-baseline.js';
import { launchTestBrowser, openRenderedReport } from './browser.js';
import { tempDir } from './temp-dir.js';

/**
 * Real processes leak in five ways (a module-level Map, a listener on a long-lived emitter,
 * a closure scope, a timer, an array inside a dependency) and write a heap snapshot before
 * and after; `heapsleuth retainers` must name each by the path that keeps the objects.
 */

interface Step { edgeType: string; edge: string; nodeType: string; node: string; location?: { file: string; line: number } }
interface Group { path: Step[]; heads: number; objects: number; selfBytes: number; retainedBytes?: number; constructors: { name: string; objects: number }[]; locations: { file: string; line: number }[] }
interface Report { mode: string; objects: number; bytes: number; groups: Group[] }

const work = tempDir('heapsleuth-retainers-');
// Snapshots and runs take hundreds of MB here: gone when the file's tests end, passed or not.
const LEAKS = 3000;

async function snapshotsOf(kind: string): Promise<{ old: string; new: string }> {
  const dir = mkdtempSync(join(work, `${kind}-`));
  const result = await runNode([fixture('retainers/leaks.mjs'), kind, dir], { cwd: fixture('retainers') });
  assert.equal(result.code, 0, result.stderr);
  return { old: join(dir, 'old.heapsnapshot'), new: join(dir, 'new.heapsnapshot') };
}

async function retainers(args: string[]): Promise<{ report: Report; text: string }> {
  const jsonFile = join(work, `report-${Math.random().toString(36).slice(2)}.json`);
  const result = await runNode([cliPath, 'retainers', ...args, '--json', jsonFile], { cwd: fixture('retainers') });
  assert.equal(result.code, 0, result.stderr);
  return { report: JSON.parse(readFileSync(jsonFile, 'utf8')) as Report, text: result.stdout };
}

/** The biggest group whose path ends at `constructor`. */
function groupEndingAt(report: Report, constructor: string): Group {
  const group = report.groups.find((candidate) => candidate.path.at(-1)?.node === constructor);
  assert.ok(group, `no group ends at ${constructor}: ${JSON.stringify(report.groups.map((g) => g.path.map((s) => s.edge + ':' + s.node)))}`);
  return group;
}

function hasStep(group: Group, edge: string, node?: string): boolean {
  return group.path.some((step) => step.edge === edge && (node === undefined || step.node === node));
}

test('a module-level Map: sessions (Map) -> table -> [] (MapLeakSession)', async () => {
  const files = await snapshotsOf('map');
  const { report, text } = await retainers([files.old, files.new]);
  assert.equal(report.mode, 'new-survivors');
  const group = groupEndingAt(report, 'MapLeakSession');
  assert.equal(report.groups[0], group, 'the leaked sessions are the biggest group');
  assert.ok(hasStep(group, 'sessions', 'Map'));
  assert.equal(group.path.find((step) => step.edge === 'sessions')!.edgeType, 'context');
  // The Map's keys and values are one group: the entries.
  assert.equal(group.heads, 2 * LEAKS);
  assert.equal(group.constructors.find((c) => c.name === 'MapLeakSession')?.objects, LEAKS);
  assert.match(text, /sessions \(Map\) -> table -> \[\] \(MapLeakSession at leaks\.mjs:\d+\)/);
});

test('a listener on a long-lived emitter: bus (EventEmitter) -> _events -> request-done -> [] (closure onDone)', async () => {
  const files = await snapshotsOf('listener');
  const { report, text } = await retainers([files.old, files.new]);
  const group = report.groups[0]!;
  const last = group.path.at(-1)!;
  assert.equal(last.nodeType, 'closure');
  assert.equal(last.node, 'onDone');
  assert.match(last.location!.file, /leaks\.mjs$/);
  assert.ok(hasStep(group, 'bus', 'EventEmitter') && hasStep(group, '_events') && hasStep(group, 'request-done'));
  assert.equal(group.heads, LEAKS);
  assert.ok(group.constructors.some((c) => c.name === 'ListenerLeakRequest' && c.objects === LEAKS), 'the requests the listeners close over are in the group');
  // Every listener hangs off the same event: its name is shown as it is (quoted: not an identifier).
  assert.match(text, /bus \(EventEmitter\) -> _events \(Object\) -> \["request-done"\] \(Array\) -> \[\] \(closure onDone at leaks\.mjs:\d+\)/);
});

test('a closure scope: record (closure) -> context -> history -> [] (ClosureLeakRecord)', async () => {
  const files = await snapshotsOf('closure');
  const { report } = await retainers([files.old, files.new]);
  const group = groupEndingAt(report, 'ClosureLeakRecord');
  assert.equal(report.groups[0], group);
  const record = group.path.findIndex((step) => step.edge === 'record' && step.nodeType === 'closure');
  assert.ok(record >= 0, 'the path goes through the closure');
  assert.equal(group.path[record + 1]!.edge, 'context');
  assert.ok(hasStep(group, 'history'));
  assert.equal(group.heads, LEAKS);
});

test('a timer: the payloads are kept by the timer list of their duration', async () => {
  const files = await snapshotsOf('timer');
  const { report, text } = await retainers([files.old, files.new]);
  const group = report.groups[0]!;
  assert.ok(group.path.some((step) => step.node === 'TimersList' || step.node === 'Timeout'), JSON.stringify(group.path));
  assert.ok(group.constructors.some((c) => c.name === 'TimerLeakPayload' && c.objects === LEAKS), JSON.stringify(group.constructors));
  assert.ok(group.constructors.some((c) => c.name === 'Timeout'));
  // All payloads wait in the list of one duration: its key is shown.
  assert.match(text, /timerListMap \(Object\) -> \[\d+\] \(TimersList\)/);
});

test('an array inside a dependency: register (closure at node_modules/fake-registry/index.js) -> context -> registered', async () => {
  const files = await snapshotsOf('dependency');
  const { report, text } = await retainers([files.old, files.new]);
  const group = groupEndingAt(report, 'DependencyLeakItem');
  assert.equal(report.groups[0], group);
  const register = group.path.find((step) => step.nodeType === 'closure' && step.node === 'register');
  assert.equal(register?.location?.file, 'node_modules/fake-registry/index.js');
  assert.ok(hasStep(group, 'registered'));
  assert.match(text, /register \(closure register at node_modules\/fake-registry\/index\.js:\d+\) -> context -> registered \(Array\) -> \[\] \(DependencyLeakItem at leaks\.mjs:\d+\)/);
});

test('one snapshot: the largest groups by retained size', async () => {
  const files = await snapshotsOf('map');
  const { report, text } = await retainers([files.new]);
  assert.equal(report.mode, 'largest-retained');
  const group = groupEndingAt(report, 'MapLeakSession');
  assert.ok(group.retainedBytes! > group.selfBytes, 'a session retains its tags array too');
  assert.equal(group.heads, LEAKS);
  assert.match(text, /retained/);
});

const UNSAFE_FOR_TERMINAL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

test('hostile property names render as text in the terminal and stay exact in JSON', async () => {
  const files = await snapshotsOf('hostile');
  const { report, text } = await retainers([files.old, files.new]);
  assert.doesNotMatch(text, UNSAFE_FOR_TERMINAL);
  assert.match(text, /\["evil\\u\{1b\}\[2J\\u\{1b\}\]0;owned\\u\{7\}\\u\{202e\}0"\] \(Array\) -> \[\] \(HostileLeakValue at leaks\.mjs:\d+\)/);
  const names = report.groups.flatMap((group) => group.path.map((step) => step.edge));
  assert.ok(names.includes('evil\u001b[2J\u001b]0;owned\u0007\u202e0'), 'JSON keeps the name as it is');
});

test('a truncated or foreign file: one line, exit 2', async () => {
  const files = await snapshotsOf('map');
  const bytes = readFileSync(files.new);
  const truncated = join(work, 'truncated.heapsnapshot');
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  const foreign = join(work, 'foreign.heapsnapshot');
  writeFileSync(foreign, JSON.stringify({ nodes: [1, 2, 3], strings: ['a'] }));
  const profile = join(work, 'profile.heapsnapshot');
  writeFileSync(profile, '\u0000\u0001binary');
  for (const [args, pattern] of [
    [[files.old, truncated], /truncated heap snapshot/],
    [[foreign], /not a V8 heap snapshot/],
    [[profile], /not a V8 heap snapshot/],
    [[join(work, 'missing.heapsnapshot')], /no such file/],
    [[truncated, files.new], /truncated heap snapshot/],
  ] as const) {
    const result = await runNode([cliPath, 'retainers', ...args]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, pattern);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  }
});

test('a snapshot whose nodes or edges point past its strings or nodes: one line naming the first culprit, exit 2', async () => {
  const files = await snapshotsOf('map');
  const snapshot = JSON.parse(readFileSync(files.new, 'utf8')) as { snapshot: { meta: { node_fields: string[]; edge_fields: string[] } }; nodes: number[]; edges: number[]; strings: string[] };
  const nodeFields = snapshot.snapshot.meta.node_fields.length;
  const edgeFields = snapshot.snapshot.meta.edge_fields.length;
  const nodes = snapshot.nodes.length / nodeFields;
  const cases = [
    { change: (s: typeof snapshot) => (s.edges[7 * edgeFields + snapshot.snapshot.meta.edge_fields.indexOf('to_node')] = (nodes + 3) * nodeFields), error: /edge 7 points past the last node/ },
    { change: (s: typeof snapshot) => (s.nodes[5 * nodeFields + snapshot.snapshot.meta.node_fields.indexOf('name')] = s.strings.length + 9), error: new RegExp(`node 5 names string ${snapshot.strings.length + 9}, there are ${snapshot.strings.length}`) },
  ];
  for (const [i, { change, error }] of cases.entries()) {
    const copy = structuredClone(snapshot);
    change(copy);
    const file = join(work, `bad-index-${i}.heapsnapshot`);
    writeFileSync(file, JSON.stringify(copy));
    const result = await runNode([cliPath, 'retainers', files.old, file]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, error);
  }
});

test('a baseline read on a worker thread: the same highest id, and the same one-line errors, as in this thread', async () => {
  const files = await snapshotsOf('map');
  const bytes = readFileSync(files.old);
  const truncated = join(work, 'worker-truncated.heapsnapshot');
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.3)));
  const foreign = join(work, 'worker-foreign.heapsnapshot');
  writeFileSync(foreign, JSON.stringify({ nodes: [1, 2, 3], strings: ['a'] }));
  const outcome = (promise: Promise<number>) => promise.then((id) => ({ id }), (error: Error) => ({ error: `${error.name}: ${error.message}` }));
  for (const file of [files.old, truncated, foreign, join(work, 'missing.heapsnapshot')]) {
    const inThread = await outcome(readMaxNodeId(file));
    assert.deepEqual(await outcome(readMaxNodeIdInWorker(file)), inThread, file);
    if ('id' in inThread) assert.ok(inThread.id > 0);
    else assert.match(inThread.error, /^HeapSnapshotError: [^\n]+$/);
  }
});

test('a baseline big enough for the worker thread: the CLI gives the same groups, and a cut one gives one line, exit 2', async () => {
  const files = await snapshotsOf('map');
  // JSON allows whitespace between keys: the same snapshot, past the size that moves its read to a worker.
  const padding = Buffer.alloc(BASELINE_WORKER_BYTES, 0x20);
  const bytes = readFileSync(files.old);
  const strings = bytes.lastIndexOf('"strings":');
  const big = join(work, 'big-old.heapsnapshot');
  writeFileSync(big, bytes.subarray(0, strings));
  appendFileSync(big, padding);
  appendFileSync(big, bytes.subarray(strings));
  const small = await retainers([files.old, files.new]);
  const large = await retainers([big, files.new]);
  assert.deepEqual(large.report.groups, small.report.groups);
  assert.equal(large.report.objects, small.report.objects);
  rmSync(big);
  const cut = join(work, 'big-cut.heapsnapshot');
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.3)));
  appendFileSync(cut, padding);
  const result = await runNode([cliPath, 'retainers', cut, files.new]);
  rmSync(cut);
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, /truncated heap snapshot/);
});

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; edge_fields: string[] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** Parses `bytes` pushed in chunks of 1 to 9000 bytes. */
function parseInRandomChunks(bytes: Buffer, options: ConstructorParameters<typeof SnapshotParser>[0] = {}) {
  const parser = new SnapshotParser(options);
  let seed = 7;
  for (let at = 0; at < bytes.length; ) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const size = 1 + (seed % 9000);
    parser.push(bytes.subarray(at, at + size));
    at += size;
  }
  return parser.finish();
}

/** The graph holds what the JSON says, field by field as the meta names them. */
function assertSameGraph(graph: ReturnType<SnapshotParser['finish']>, expected: RawSnapshot): void {
  const nodeFields = expected.snapshot.meta.node_fields;
  const edgeFields = expected.snapshot.meta.edge_fields;
  const node = (i: number, name: string) => expected.nodes[i * nodeFields.length + nodeFields.indexOf(name)];
  const edge = (e: number, name: string) => expected.edges[e * edgeFields.length + edgeFields.indexOf(name)];
  assert.deepEqual(graph.strings.toArray(), expected.strings);
  assert.equal(graph.nodeCount * nodeFields.length, expected.nodes.length);
  assert.equal(graph.edgeCount * edgeFields.length, expected.edges.length);
  for (let i = 0; i < graph.nodeCount; i++) {
    assert.equal(graph.nodeType[i], node(i, 'type'));
    assert.equal(graph.nodeName[i], node(i, 'name'));
    assert.equal(graph.nodeId[i], node(i, 'id'));
    assert.equal(graph.nodeSelfSize[i], node(i, 'self_size'));
    assert.equal(graph.firstEdge[i + 1]! - graph.firstEdge[i]!, node(i, 'edge_count'));
  }
  for (let e = 0; e < graph.edgeCount; e++) {
    assert.equal(graph.edgeType[e], edge(e, 'type'));
    assert.equal(graph.edgeNameOrIndex[e], edge(e, 'name_or_index'));
    assert.equal(graph.edgeTo[e]! * nodeFields.length, edge(e, 'to_node'));
  }
}

test('the parser reads the same graph whatever the chunk boundaries, and whatever the order of the fields', async () => {
  const files = await snapshotsOf('hostile');
  const bytes = readFileSync(files.new);
  const expected = JSON.parse(bytes.toString('utf8')) as RawSnapshot;
  assertSameGraph(parseInRandomChunks(bytes), expected);
  // Told the file's size, the parser sizes the strings' storage once from what is left of it.
  assertSameGraph(parseInRandomChunks(bytes, { fileBytes: bytes.length }), expected);
  // V8 writes type, name, id, self_size, edge_count first; another order (another V8, another
  // writer) is read by the parser's general path, named by the meta.
  const reorder = (rows: number[], fields: string[], order: string[]) => {
    const from = order.map((name) => fields.indexOf(name));
    const out: number[] = [];
    for (let at = 0; at < rows.length; at += fields.length) for (const f of from) out.push(rows[at + f]!);
    return out;
  };
  const meta = expected.snapshot.meta;
  const nodeOrder = [...meta.node_fields].reverse();
  const edgeOrder = [...meta.edge_fields].reverse();
  const shuffled = structuredClone(expected);
  shuffled.nodes = reorder(expected.nodes, meta.node_fields, nodeOrder);
  shuffled.edges = reorder(expected.edges, meta.edge_fields, edgeOrder);
  shuffled.snapshot.meta.node_fields = nodeOrder;
  shuffled.snapshot.meta.edge_fields = edgeOrder;
  assertSameGraph(parseInRandomChunks(Buffer.from(JSON.stringify(shuffled))), shuffled);
});

const HOSTILE_KEY = '</script><img src=x onerror=alert(1)>\u001b[2J\u202e';

test('run --retainers: the suspect carries the path that keeps its objects, in the terminal, the JSON and the HTML report', async () => {
  const out = mkdtempSync(join(work, 'run-'));
  const jsonFile = join(out, 'verdict.json');
  const htmlFile = join(out, 'report.html');
  const result = await runNode(
    [cliPath, 'run', '--retainers', '-q', '--interval', '300ms', '--duration', '8s', '--out', out, '--json', jsonFile, '--html', htmlFile, '--', process.execPath, fixture('retainers/service.mjs')],
    { timeoutMs: 120_000 },
  );
  assert.equal(result.code, 0, result.stderr);
  const verdict = JSON.parse(readFileSync(jsonFile, 'utf8')) as { verdict: string; suspects: { file: string; retainers?: { path: string; steps: Step[]; match: string; objectShare: number; constructors: { name: string }[] }[] }[] };
  assert.equal(verdict.verdict, 'leak');
  const suspect = verdict.suspects.find((candidate) => candidate.file.endsWith('retainers/service.mjs'));
  assert.ok(suspect?.retainers?.length, JSON.stringify(verdict.suspects));
  const [first] = suspect.retainers;
  assert.ok(first!.steps.some((step) => step.edge === 'registry'), first!.path);
  assert.ok(first!.steps.some((step) => step.edge === HOSTILE_KEY && step.node === 'Map'), 'the JSON keeps the key as it is');
  assert.ok(first!.constructors.some((c) => c.name === 'Session'));
  assert.ok(first!.objectShare > 0 && first!.objectShare <= 1);
  // The terminal: the path, its hostile key as visible escapes.
  assert.match(result.stdout, /kept alive by: .*registry \(Object\) -> \["<\/script><img src=x onerror=alert\(1\)>\\u\{1b\}\[2J\\u\{202e\}"\] \(Map\) -> table -> \[\] \(Session at test\/fixtures\/retainers\/service\.mjs:\d+\)/);
  assert.doesNotMatch(result.stdout, UNSAFE_FOR_TERMINAL);
  assert.match(result.stderr, /heap snapshot \(early\): paused the process \d+ ms/);
  assert.match(result.stderr, /heap snapshot \(final\): paused the process \d+ ms/);
  // analyze reads the snapshots beside the recording too.
  const analyzed = await runNode([cliPath, 'analyze', out, '--json']);
  assert.equal(analyzed.code, 0, analyzed.stderr);
  const again = JSON.parse(analyzed.stdout) as typeof verdict;
  assert.equal(again.suspects.find((candidate) => candidate.file.endsWith('retainers/service.mjs'))?.retainers?.[0]?.path, first!.path);
  // The HTML report: the data carries the retainer path, never as markup.
  const html = readFileSync(htmlFile, 'utf8');
  assert.ok(!html.includes('<img src=x'), 'the key is not markup');
  assert.ok(html.includes('"retainers":'), 'the report data holds the retainer paths');
  assert.ok(html.includes('\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e'), 'the key is in the data, escaped for a script element');

  // In a browser: the suspect's detail draws the chain, the key as text; the folded steps open on click.
  const browser = await launchTestBrowser();
  try {
    const page = await openRenderedReport(browser, htmlFile);
    await page.locator('#suspects-table tr.suspect').first().click();
    const chain = page.locator('ol.retainer-chain').first();
    const links = await chain.locator('li').allTextContents();
    // The key reads as in the terminal: quoted, as text.
    assert.ok(links.some((text) => text.includes(`["${HOSTILE_KEY}"]`) && text.includes('Map')), JSON.stringify(links));
    assert.ok(links.at(-1)!.includes('Session'), JSON.stringify(links));
    assert.equal(await page.locator('ol.retainer-chain img').count(), 0, 'no markup from the heap');
    const folded = chain.locator('li.link-folded');
    assert.equal(await folded.count(), 1);
    const before = links.length;
    await folded.click();
    assert.ok((await chain.locator('li').count()) > before, 'the steps from the GC roots open');
    assert.equal(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined);
  } finally {
    await browser.close();
  }
});

test('run --retainers on a TypeScript service: the closures on the path are shown at their .ts lines', async () => {
  const out = mkdtempSync(join(work, 'run-ts-'));
  const jsonFile = join(out, 'verdict.json');
  const source = fixture('ts-app/retained-service.ts');
  const keeperLine = readFileSync(source, 'utf8').split('\n').findIndex((line) => line.includes('the listener that keeps the order')) + 1;
  const result = await runNode(
    [cliPath, 'run', '--retainers', '-q', '--interval', '300ms', '--duration', '8s', '--out', out, '--json', jsonFile, '--', process.execPath, compiledFixture('ts-app/retained-service.js')],
    { timeoutMs: 120_000 },
  );
  assert.equal(result.code, 0, result.stderr);
  const verdict = JSON.parse(readFileSync(jsonFile, 'utf8')) as { suspects: { file: string; retainers?: { path: string; keptBy?: { file: string; line?: number }; steps: (Step & { file?: string; line?: number })[] }[] }[] };
  const withPath = verdict.suspects.flatMap((suspect) => suspect.retainers ?? []);
  assert.ok(withPath.length > 0, `${JSON.stringify(verdict.suspects.map((s) => s.file))}\n${result.stderr}`);
  const retainer = withPath.find((candidate) => candidate.keptBy?.file === 'test/fixtures/ts-app/retained-service.ts');
  assert.ok(retainer, JSON.stringify(withPath.map((candidate) => candidate.path)));
  // The closure at the end of the path: the listener, at its TypeScript line, not the compiled one.
  assert.equal(retainer.keptBy!.line, keeperLine);
  const closure = retainer.steps.at(-1)!;
  assert.equal(closure.nodeType, 'closure');
  assert.equal(closure.file, 'test/fixtures/ts-app/retained-service.ts');
  assert.match(retainer.path, new RegExp(`close \\(Array\\) -> \\[\\] \\(closure at test/fixtures/ts-app/retained-service\\.ts:${keeperLine}\\)$`));
  assert.doesNotMatch(retainer.path, /retained-service\.js/);
});

test('run --retainers on a script that frees its leak before it exits: the paths come from the last snapshot while it ran, and name the holder in another file', async () => {
  const out = mkdtempSync(join(work, 'run-teardown-'));
  const jsonFile = join(out, 'verdict.json');
  const result = await runNode(
    [cliPath, 'run', '--retainers', '-q', '--interval', '500ms', '--out', out, '--json', jsonFile, '--html', join(out, 'report.html'), '--', process.execPath, fixture('retainers/teardown-app.cjs')],
    { timeoutMs: 120_000, env: { ...process.env, DURATION_MS: '20000' } },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /heap snapshot \(late\): paused the process \d+ ms/);
  assert.match(result.stderr, /the heap shrank from .* at the end \(teardown\): retainer paths from the last snapshot while it ran/);
  const verdict = JSON.parse(readFileSync(jsonFile, 'utf8')) as { verdict: string; suspects: { file: string; retainers?: { path: string; match: string; keptBy?: { file: string; line?: number; what: string } }[] }[] };
  assert.equal(verdict.verdict, 'leak');
  // The orders are made in teardown-app.cjs, whose frames never touch the keeper: the group is
  // attached because it holds most of what the program kept.
  // (either of its two sites may rank first; the group goes to the one whose objects it holds)
  const suspect = verdict.suspects.find((candidate) => candidate.file.endsWith('teardown-app.cjs') && candidate.retainers?.length);
  assert.ok(suspect?.retainers?.length, JSON.stringify(verdict.suspects.map((s) => [s.file, s.retainers?.map((r) => r.path)])));
  const [first] = suspect.retainers;
  assert.equal(first!.match, 'share');
  assert.match(first!.path, /\(module [^)]*teardown-keeper\.cjs\) -> held \(Map\) -> table -> \[\] \(Object\)$/);
  assert.match(first!.keptBy!.file, /teardown-keeper\.cjs$/);
  assert.equal(first!.keptBy!.what, 'module variable held');
  assert.match(result.stdout, /held by module variable held in \S*teardown-keeper\.cjs, not by the code that allocated them/);
  // The HTML report says the same under the suspect's chain.
  const browser = await launchTestBrowser();
  try {
    const page = await openRenderedReport(browser, join(out, 'report.html'));
    const rows = page.locator('#suspects-table tr.suspect');
    const index = verdict.suspects.indexOf(suspect);
    await rows.nth(index).click();
    const keeper = await page.locator('.retainers-box p.keeper').first().textContent();
    assert.match(keeper ?? '', /^Held by module variable held in \S*teardown-keeper\.cjs, not by the code that allocated them\.$/);
  } finally {
    await browser.close();
  }
});
