import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Frame, Traceback } from '../src/model/index.js';
import { parseRecording } from '../src/formats/recording.js';
import { LiveView, clock, liveStateFromRecording, renderLivePlainLine, renderLiveView, type LiveState } from '../src/report/live-view.js';
import { sparkline } from '../src/report/sparkline.js';
import { recordingText } from './recording-text.js';

const MiB = 1024 * 1024;
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/;

function state(overrides: Partial<LiveState> = {}): LiveState {
  return {
    service: 'checkout',
    pid: 4242,
    elapsedMs: 42_000,
    durationMs: 120_000,
    samples: 9,
    rss: [80, 81, 82, 84, 86, 88, 90, 92, 94].map((n) => n * MiB),
    heapUsed: [30, 30, 31, 31, 32, 32, 33, 33, 34].map((n) => n * MiB),
    external: Array(9).fill(2 * MiB),
    growers: [
      { file: 'src/sessions.ts', line: 42, function: 'remember', liveBytes: 3.1 * MiB, bytesPerHour: 12 * MiB },
      { file: 'src/cache.ts', line: 7, function: 'put', liveBytes: 800 * 1024, bytesPerHour: 1.5 * MiB },
    ],
    ...overrides,
  };
}

test('sparkline scales between the minimum and the maximum of the last values', () => {
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8), '▁▂▃▄▅▆▇█');
  assert.equal(sparkline([9, 9, 0, 7], 2), '▁█');
  assert.equal(sparkline([5, 5, 5], 10), '▁▁▁');
  assert.equal(sparkline([], 10), '');
});

test('clock shows minutes and seconds, hours when needed', () => {
  assert.equal(clock(42_000), '0:42');
  assert.equal(clock(725_000), '12:05');
  assert.equal(clock(3_723_000), '1:02:03');
});

test('the live view shows progress, samples, memory with sparklines and the growers', () => {
  const lines = renderLiveView(state(), { width: 100, color: false });
  assert.deepEqual(lines, [
    'heapsleuth · checkout (pid 4242)  0:42 / 2:00  ███████░░░░░░░░░░░░░  35%  9 samples',
    '  RSS         94.0 MiB  ▁▂▂▃▄▅▆▇█',
    '  heap used   34.0 MiB  ▁▁▃▃▅▅▆▆█',
    '  external    2048 KiB  ▁▁▁▁▁▁▁▁▁',
    '  growing since start',
    '    +12.0 MiB/h   3174 KiB  src/sessions.ts:42 remember()',
    '    +1536 KiB/h    800 KiB  src/cache.ts:7 put()',
  ]);
});

test('no line is wider than the terminal, with or without color', () => {
  for (const width of [20, 40, 63]) {
    for (const color of [false, true]) {
      for (const line of renderLiveView(state(), { width, color })) {
        const plain = line.replace(/\u001b\[[0-9;]*m/g, '');
        assert.ok([...plain].length <= width, `${JSON.stringify(plain)} is wider than ${width}`);
      }
    }
  }
  const narrow = renderLiveView(state(), { width: 40, color: false });
  assert.equal(narrow[0], 'heapsleuth · checkout (pid 4242)  0:42 …');
});

test('without color there are no escape codes; with color there are', () => {
  assert.ok(renderLiveView(state(), { width: 100, color: false }).every((line) => !ANSI.test(line)));
  assert.ok(renderLiveView(state(), { width: 100, color: true }).some((line) => ANSI.test(line)));
});

test('before the first sample and without a duration', () => {
  const lines = renderLiveView(state({ samples: 0, rss: [], heapUsed: [], external: [], growers: [], durationMs: undefined, elapsedMs: 3000 }), {
    width: 80,
    color: false,
  });
  assert.deepEqual(lines, ['heapsleuth · checkout (pid 4242)  0:03 elapsed  0 samples', '  waiting for the first sample…']);
});

test('hostile names cannot move the cursor', () => {
  const lines = renderLiveView(state({ growers: [{ file: 'a.js', line: 1, function: 'x\u001b[2Jy', liveBytes: 1, bytesPerHour: 1 }] }), { width: 100, color: false });
  assert.ok(lines.every((line) => !ANSI.test(line)));
  assert.match(lines.at(-1)!, /a\.js:1 x\\u\{1b\}\[2Jy\(\)/);
});

test('the plain line mode prints one line per new sample with no escapes', () => {
  assert.equal(
    renderLivePlainLine(state()),
    'heapsleuth 0:42/2:00 samples=9 rss=94.0 MiB heap=34.0 MiB external=2048 KiB top=src/sessions.ts:42 remember() +12.0 MiB/h',
  );
  const written: string[] = [];
  const view = new LiveView({ write: (text: string) => written.push(text), isTTY: false }, { color: true });
  view.update(state({ elapsedMs: 1000, samples: 1 }));
  view.update(state({ elapsedMs: 1500, samples: 1 }));
  view.update(state({ elapsedMs: 2000, samples: 2 }));
  view.stop();
  assert.equal(written.length, 2);
  assert.ok(written.every((text) => text.endsWith('\n') && text.split('\n').length === 2 && !ANSI.test(text)));
  assert.match(written[1]!, /^heapsleuth 0:02\/2:00 samples=2 /);
});

test('--quiet prints nothing', () => {
  const written: string[] = [];
  const view = new LiveView({ write: (text: string) => written.push(text), isTTY: true }, { color: false, quiet: true });
  view.update(state());
  view.stop();
  assert.deepEqual(written, []);
});

test('on a terminal it hides the cursor, redraws in place and restores the cursor on stop', () => {
  const written: string[] = [];
  const sigintBefore = process.listenerCount('SIGINT');
  const view = new LiveView({ write: (text: string) => written.push(text), isTTY: true, columns: 100 }, { color: false });
  view.update(state());
  assert.equal(process.listenerCount('SIGINT'), sigintBefore + 1);
  view.update(state({ elapsedMs: 43_000 }));
  view.stop();
  view.stop();
  assert.equal(process.listenerCount('SIGINT'), sigintBefore);
  assert.equal(written[0], '\u001b[?25l');
  assert.ok(written[1]!.startsWith('\u001b[J'));
  const lines = renderLiveView(state(), { width: 99, color: false });
  assert.ok(written[2]!.startsWith(`\u001b[${lines.length}F\u001b[J`), 'moves up over the previous frame and clears it');
  assert.equal(written.at(-1), '\u001b[?25h');
  assert.equal(written.length, 4);
});

test('liveStateFromRecording: memory history and the growers between the first and last sample', () => {
  const leak = new Traceback([new Frame('src/leak.js', 10, 'hoard'), new Frame('src/main.js', 1, 'main')]);
  const steady = new Traceback([new Frame('src/steady.js', 3, 'keep')]);
  const start = 1_000_000;
  const text = recordingText(
    Array.from({ length: 4 }, (_, i) => ({
      traces: [
        { traceback: leak, size: (i + 1) * MiB, count: i + 1 },
        { traceback: steady, size: MiB, count: 1 },
      ],
      process: { time: start + i * 60_000, memory: { rss: (100 + i) * MiB, heapTotal: 50 * MiB, heapUsed: (40 + i) * MiB, external: MiB, arrayBuffers: 0 } },
    })),
  );
  const live = liveStateFromRecording(parseRecording(text), 600_000, start - 1000, start + 181_000);
  assert.equal(live.service, 'svc');
  assert.equal(live.pid, 77);
  assert.equal(live.samples, 4);
  assert.equal(live.elapsedMs, 182_000);
  assert.equal(live.durationMs, 600_000);
  assert.deepEqual(live.rss, [100, 101, 102, 103].map((n) => n * MiB));
  assert.deepEqual(live.heapUsed, [40, 41, 42, 43].map((n) => n * MiB));
  assert.equal(live.growers.length, 1);
  assert.deepEqual(live.growers[0], { file: 'src/leak.js', line: 10, function: 'hoard', liveBytes: 4 * MiB, bytesPerHour: 60 * MiB });
});

const SHOW_CURSOR = '\u001b[?25h';
const HIDE_CURSOR = '\u001b[?25l';

/** Runs the live-view fixture on a pseudo-terminal (script(1)) and returns what the terminal received. */
function onPseudoTerminal(mode: string): { output: string; status: number | null } {
  const fixture = fileURLToPath(new URL('../../test/fixtures/report-live-view.mjs', import.meta.url));
  const result = spawnSync('script', ['-qfec', `${process.execPath} ${fixture} ${mode}`, '/dev/null'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, COLUMNS: '100', LINES: '30' } });
  return { output: result.stdout, status: result.status };
}

const hasScript = spawnSync('script', ['--version']).status === 0;

test('on a pseudo-terminal: redrawn in place, cursor restored on stop, on exit and on Ctrl-C', { skip: !hasScript && 'script(1) is not installed' }, () => {
  const stopped = onPseudoTerminal('stop');
  assert.equal(stopped.status, 0);
  assert.ok(stopped.output.startsWith(HIDE_CURSOR), JSON.stringify(stopped.output.slice(0, 40)));
  assert.equal(stopped.output.split('\u001b[J').length - 1, 3, 'three frames, each clearing the previous one');
  assert.match(stopped.output, /\u001b\[\d+F\u001b\[J/, 'moves the cursor back up over the previous frame');
  assert.match(stopped.output, /src\/pty\.js:3 grow\(\)\r?\n\u001b\[\?25hstopped/);

  const exited = onPseudoTerminal('exit');
  assert.equal(exited.status, 0);
  assert.ok(exited.output.endsWith(SHOW_CURSOR), JSON.stringify(exited.output.slice(-40)));

  const interrupted = onPseudoTerminal('sigint');
  assert.notEqual(interrupted.status, 0, 'Ctrl-C still ends the process');
  assert.ok(interrupted.output.endsWith(SHOW_CURSOR), JSON.stringify(interrupted.output.slice(-40)));
});
