import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Verdict } from '../src/analysis/verdict.js';
import { launchTestBrowser, openRenderedReport } from './browser.js';
import { cliPath, fixture, repoRoot, runForVerdict, runNode, type ChildResult } from './child-process.js';
import { tempDir } from './temp-dir.js';

/** `heapsleuth run` on a script in `cwd` for `duration`; returns its output and JSON verdict. */
function heapsleuthRun(cwd: string, script: string, duration: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<{ result: ChildResult; verdict: Verdict }> {
  return runForVerdict(script, duration, { cwd, extra, env });
}

/** An app folder in tmp with the fixture's packages installed under node_modules/. */
function appWithPackages(fixtureDir: string, packages: string[], app: string): string {
  const root = tempDir('heapsleuth-app-');
  mkdirSync(join(root, 'node_modules'));
  for (const name of packages) cpSync(fixture(`${fixtureDir}/${name}`), join(root, 'node_modules', name), { recursive: true });
  cpSync(fixture(`${fixtureDir}/${app}`), join(root, app));
  return root;
}

test('dependencies whose source maps name sources they do not ship are blamed on files that exist, with the call from the app marked', async () => {
  const root = appWithPackages('missing-sources', ['dep-a', 'dep-b'], 'app.mjs');
  const html = join(root, 'report.html');
  const { result, verdict } = await heapsleuthRun(root, 'app.mjs', '6s', ['--html', html]);
  assert.equal(verdict.verdict, 'leak', result.stdout);

  // dep-a's map names ../src/index.ts without its text: the compiled file, the original as a second location
  const depA = verdict.suspects.find((suspect) => suspect.file.startsWith('node_modules/dep-a/'));
  assert.ok(depA, `dep-a is a suspect: ${result.stdout}`);
  assert.equal(depA.file, 'node_modules/dep-a/lib/index.js');
  assert.ok(existsSync(join(root, depA.file)), 'the blamed file exists');
  assert.equal(depA.line, 5, 'register() starts on line 5 of lib/index.js');
  assert.equal(depA.alsoAt, 'node_modules/dep-a/src/index.ts:10');
  assert.match(result.stdout, /also at node_modules\/dep-a\/src\/index\.ts:10/);

  // dep-b's map embeds its sources: the original position, with the original text
  const depB = verdict.suspects.find((suspect) => suspect.file.startsWith('node_modules/dep-b/'));
  assert.ok(depB, `dep-b is a suspect: ${result.stdout}`);
  assert.equal(depB.file, 'node_modules/dep-b/src/cache.ts');
  assert.equal(depB.line, 4);
  assert.equal(depB.alsoAt, 'node_modules/dep-b/lib/cache.js:6');
  assert.match(depB.snippet ?? '', /^export function memoize\(key: string\): number \{/);
  assert.match(result.stdout, /4 \| export function memoize/);
  for (const suspect of verdict.suspects) {
    assert.ok(existsSync(join(root, suspect.file)) || suspect.snippet !== undefined, `${suspect.file} exists or its text is shown`);
  }

  // the boundary between the dependency and the user's code (app.mjs:12 is the interval callback that calls register())
  assert.deepEqual(depA.calledFrom && [depA.calledFrom.file, depA.calledFrom.line, depA.calledFrom.origin], ['app.mjs', 12, 'app']);
  assert.deepEqual(depA.traceback.slice(0, 2).map((frame) => frame.origin), ['package', 'app']);
  assert.match(result.stdout, /called from your code at \(anonymous\) \(app\.mjs:12\)/);

  const browser = await launchTestBrowser();
  try {
    const page = await openRenderedReport(browser, html);
    await page.click(`tr.suspect[data-rank="${depA.rank}"]`);
    const detail = page.locator('tr.detail:not([hidden])');
    assert.equal(await detail.locator('.called-from').textContent(), 'Called from your code at (anonymous) (app.mjs:12)');
    assert.equal(await detail.locator('.also-at').textContent(), 'Also at node_modules/dep-a/src/index.ts:10');
    const items = await detail.locator('ol.traceback li').evaluateAll((nodes) => nodes.map((node) => `${node.className}:${node.textContent}`));
    assert.deepEqual(items.slice(0, 3), ['origin-package:register node_modules/dep-a/lib/index.js:5', 'boundary:your code calls the package here', 'origin-app:(anonymous) app.mjs:12']);
  } finally {
    await browser.close();
  }
});

test('a socket leak and a timer leak name the lines that created them (JSON, terminal, HTML)', async () => {
  const dir = tempDir('heapsleuth-handles-');
  const html = join(dir, 'report.html');
  const { result, verdict } = await heapsleuthRun(repoRoot, fixture('services/handle-sites.mjs'), '6s', ['--html', html]);
  const byType = new Map(verdict.handles.map((handle) => [handle.type, handle]));
  const file = 'test/fixtures/services/handle-sites.mjs';
  const timers = byType.get('Timeout');
  assert.equal(timers?.leak, true, JSON.stringify(verdict.handles));
  assert.deepEqual(timers.createdAt && [timers.createdAt.file, timers.createdAt.line, timers.createdAt.function], [file, 8, 'startPoller']);
  const sockets = byType.get('TCPSocketWrap');
  assert.equal(sockets?.leak, true, JSON.stringify(verdict.handles));
  assert.deepEqual(sockets.createdAt && [sockets.createdAt.file, sockets.createdAt.line, sockets.createdAt.function], [file, 12, 'openConnection']);
  assert.ok(sockets.createdAt!.liveSampled > 0);
  // the lines that create leaking handles are suspects too, ranked first
  const handleSuspects = verdict.suspects.filter((suspect) => suspect.keyType === 'handle');
  assert.deepEqual(handleSuspects.map((suspect) => [suspect.handleType, suspect.line]).sort(), [['TCPSocketWrap', 12], ['Timeout', 8]]);
  assert.equal(verdict.suspects[0]!.keyType, 'handle');
  assert.match(result.stdout, /Timeout: \d+ open.*\n\s+created at test\/fixtures\/services\/handle-sites\.mjs:8 startPoller\(\)/);
  assert.match(result.stdout, /TCPSocketWrap: \d+ open.*\n\s+created at test\/fixtures\/services\/handle-sites\.mjs:12 openConnection\(\)/);

  const browser = await launchTestBrowser();
  try {
    const page = await openRenderedReport(browser, html);
    const sites = await page.locator('ul.handle-sites li').allTextContents();
    assert.ok(sites.some((text) => text.startsWith(`Timeout created at ${file}:8 startPoller()`)), sites.join('\n'));
    assert.ok(sites.some((text) => text.startsWith(`TCPSocketWrap created at ${file}:12 openConnection()`)), sites.join('\n'));
  } finally {
    await browser.close();
  }
});

/** The 1-based line of the first line of a fixture file that contains `text`. */
function lineOf(file: string, text: string): number {
  const index = readFileSync(file, 'utf8').split('\n').findIndex((line) => line.includes(text));
  assert.ok(index >= 0, `${text} in ${file}`);
  return index + 1;
}

test('a package that keeps what the app makes through it (a memoizer without a sweep) is named by the call, with the line of the app that calls it', async () => {
  const root = appWithPackages('package-call', ['memo-store', 'each-item'], 'app.mjs');
  const html = join(root, 'report.html');
  const { result, verdict } = await heapsleuthRun(root, 'app.mjs', '6s', ['--html', html], { MODE: 'memo' });
  assert.equal(verdict.verdict, 'leak', result.stdout);
  const top = verdict.suspects[0]!;
  // the values are the app's (quote()), the entries that keep them memo-store's: the call into memo-store holds both
  assert.deepEqual([top.keyType, top.file, top.line, top.function], ['call', 'node_modules/memo-store/index.js', lineOf(join(root, 'node_modules/memo-store/index.js'), 'function memoized'), 'memoized'], result.stdout);
  assert.ok((top.sites ?? 0) >= 2, `sums several sites: ${top.sites}`);
  assert.deepEqual(top.calledFrom && [top.calledFrom.file, top.calledFrom.line, top.calledFrom.function], ['app.mjs', lineOf(join(root, 'app.mjs'), 'function handleMemo'), 'handleMemo']);
  assert.deepEqual(top.traceback.slice(0, 2).map((frame) => frame.origin), ['package', 'app']);
  // the sites it sums are still reported on their own: the app's quote() and memo-store's entries
  const files = verdict.suspects.filter((suspect) => suspect.keyType === 'lineno').map((suspect) => suspect.file);
  assert.ok(files.includes('app.mjs') && files.includes('node_modules/memo-store/index.js'), files.join(', '));
  // the sites it holds, as the analysis reads them: their tracebacks enter memoized() from handleMemo()
  const entered = (suspect: Verdict['suspects'][number]) =>
    suspect.keyType === 'lineno' &&
    suspect.traceback.some((frame, i) => frame.file === top.file && frame.line === top.line && suspect.traceback.slice(i + 1).find((below) => below.origin !== 'runtime')?.function === 'handleMemo');
  const members = verdict.suspects.filter(entered);
  assert.equal(members.length, top.sites, `every site it sums is reported: ${result.stdout}`);

  // the terminal says plainly what the call is: the app's line, then the sites reached through it, by rank
  const handleMemoLine = top.calledFrom!.line;
  assert.match(result.stdout, new RegExp(`node_modules/memo-store/index\\.js:${top.line} memoized\\(\\) \\(call\\)[^\\n]*\\n\\s+${top.sites} leaking sites reached through this call from your code at handleMemo \\(app\\.mjs:${handleMemoLine}\\):`), result.stdout);
  for (const member of members.slice(0, 4)) {
    const label = `${member.file}:${member.line}${member.function ? ` ${member.function}()` : ''}`;
    assert.ok(result.stdout.includes(`#${member.rank} ${label}  `), `${label} listed under the call: ${result.stdout}`);
  }

  // the HTML report: the label in the suspects table, and the sites listed in its detail, each opening its own row
  const browser = await launchTestBrowser();
  try {
    const page = await openRenderedReport(browser, html);
    const row = page.locator(`tr.suspect[data-rank="${top.rank}"]`);
    assert.equal(await row.locator('.fn').textContent(), `memoized(), a call holding ${top.sites} sites`);
    assert.equal(await row.locator('.call-label').textContent(), `${top.sites} leaking sites reached through this call from app.mjs:${handleMemoLine}`);
    await row.click();
    const detail = page.locator('tr.detail:not([hidden])');
    const listed = await detail.locator('ul.call-sites button').allTextContents();
    assert.deepEqual(listed, members.map((member) => `#${member.rank} ${member.function || '(anonymous)'}() ${member.file}:${member.line}`));
    const first = members[0]!;
    await detail.locator('ul.call-sites button').first().click();
    assert.equal(await page.locator(`tr.suspect[data-rank="${first.rank}"]`).getAttribute('aria-expanded'), 'true');
  } finally {
    await browser.close();
  }
});

test('a package call that only hands back what the app keeps is not named as a call', async () => {
  const root = appWithPackages('package-call', ['memo-store', 'each-item'], 'app.mjs');
  const { result, verdict } = await heapsleuthRun(root, 'app.mjs', '6s', [], { MODE: 'own' });
  assert.equal(verdict.verdict, 'leak', result.stdout);
  assert.deepEqual(verdict.suspects.filter((suspect) => suspect.keyType === 'call'), [], result.stdout);
  assert.equal(verdict.suspects[0]!.file, 'app.mjs', result.stdout);
});


test('a leak allocated in a dependency of a dependency is blamed on the package the app uses, with the allocating file kept', async () => {
  const root = appWithPackages('transitive-dependency', ['proxy-agent-lite', 'dns-memo'], 'app.mjs');
  cpSync(fixture('transitive-dependency/package.json'), join(root, 'package.json'));
  const html = join(root, 'report.html');
  const { result, verdict } = await heapsleuthRun(root, 'app.mjs', '6s', ['--html', html, '--out', join(root, 'rec')]);
  assert.equal(verdict.verdict, 'leak', result.stdout);
  const agentFile = 'node_modules/proxy-agent-lite/index.js';
  const agentLine = lineOf(join(root, agentFile), 'constructor(');
  const memoFile = 'node_modules/dns-memo/index.js';

  // dns-memo allocates, but the app lists only proxy-agent-lite, which makes a dns-memo per agent:
  // no suspect names dns-memo's file as its place; the biggest site keeps it as where it was allocated
  assert.deepEqual(verdict.suspects.filter((suspect) => suspect.file.startsWith('node_modules/dns-memo/')), [], result.stdout);
  const site = verdict.suspects.find((suspect) => suspect.keyType === 'lineno' && suspect.allocatedIn);
  assert.ok(site, `a site allocated in dns-memo: ${result.stdout}`);
  assert.deepEqual([site.file, site.line, site.function], [agentFile, agentLine, 'ProxyAgent']);
  assert.deepEqual(site.allocatedIn && [site.allocatedIn.file, site.allocatedIn.package, site.allocatedIn.basis, site.allocatedIn.origin], [memoFile, 'dns-memo', 'package.json', 'package']);
  assert.ok(site.traceback.some((frame) => frame.file === memoFile && frame.line === site.allocatedIn!.line), 'the traceback still starts in dns-memo');
  assert.deepEqual(site.calledFrom && [site.calledFrom.file, site.calledFrom.function], ['app.mjs', 'scrape']);
  assert.equal(verdict.suspects[0]!.file, agentFile, 'the first suspect names the package the app uses');
  assert.match(result.stdout, /allocated in \S+ \(node_modules\/dns-memo\/index\.js:\d+\): dns-memo, not in your package\.json/);
  // the sweep timers dns-memo starts are handles created there, blamed the same way
  const timers = verdict.handles.find((handle) => handle.type === 'Timeout');
  assert.ok(timers?.leak && timers.createdAt, JSON.stringify(verdict.handles));
  assert.deepEqual([timers.createdAt.file, timers.createdAt.function, timers.createdAt.createdIn?.file, timers.createdAt.createdIn?.basis], [agentFile, 'ProxyAgent', memoFile, 'package.json']);
  assert.match(result.stdout, /created in \S+ \(node_modules\/dns-memo\/index\.js:\d+\): dns-memo, not in your package\.json/);

  // the HTML report says it, and marks where the package the app uses calls its own dependency
  const browser = await launchTestBrowser();
  try {
    const page = await openRenderedReport(browser, html);
    await page.click(`tr.suspect[data-rank="${site.rank}"]`);
    const detail = page.locator('tr.detail:not([hidden])');
    assert.match((await detail.locator('.allocated-in').textContent()) ?? '', /^Allocated in .+\(\) node_modules\/dns-memo\/index\.js:\d+ \(dns-memo, which your package\.json does not list\)$/);
    const items = await detail.locator('ol.traceback li').evaluateAll((nodes) => nodes.map((node) => node.className));
    const boundary = items.indexOf('boundary dependency');
    assert.ok(boundary > 0 && items[boundary - 1] === 'origin-package' && items[boundary + 1] === 'origin-package', items.join(' '));
  } finally {
    await browser.close();
  }

  // read where the app's package.json is not found: the package the app's code called stands for the one it uses
  rmSync(join(root, 'package.json'));
  const json = join(root, 'again.json');
  await runNode([cliPath, 'analyze', join(root, 'rec'), '--json', json], { cwd: root });
  const again = (JSON.parse(readFileSync(json, 'utf8')) as Verdict).suspects.find((suspect) => suspect.keyType === 'lineno' && suspect.allocatedIn);
  assert.deepEqual(again && [again.file, again.allocatedIn!.basis], [agentFile, 'call']);
});
