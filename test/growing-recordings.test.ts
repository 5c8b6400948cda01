import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GrowingRecordings } from '../src/cli/growing-recordings.js';
import { parseRecording } from '../src/formats/recording.js';
import { analyzeRecordings } from '../src/index.js';
import { Frame, Traceback } from '../src/model/index.js';
import { recordingText } from './recording-text.js';
import { tempDir } from './temp-dir.js';

const stacks = Array.from({ length: 12 }, (_, i) => new Traceback([new Frame(`src/s${i % 5}.js`, 1 + i, 'f'), new Frame('src/main.js', i, 'main')]));

/** A recording whose stack 2 leaks, a new stack showing up every few ticks as a live service's do. */
function text(ticks: number): string {
  return recordingText(
    Array.from({ length: ticks }, (_, t) => ({
      traces: stacks.slice(0, 3 + Math.min(9, t >> 2)).map((traceback, i) => ({ traceback, size: i === 2 ? 65536 * (1 + t) : 65536 * (1 + (i % 3)), count: i === 2 ? 1 + t : 1 })),
      process: { time: 1e7 + t * 1000, memory: { rss: 1e8, heapTotal: 5e7, heapUsed: 4e7 + t, external: 0, arrayBuffers: 0 } },
    })),
  );
}

/** What reading the complete lines of `written` whole gives (the reference the follower must match). */
function wholeRead(written: string): ReturnType<typeof parseRecording> {
  return parseRecording(written.slice(0, written.lastIndexOf('\n') + 1), 'app.ndjson');
}

test('a recording followed while it is written, in pieces cut anywhere, reads as the complete lines read whole', () => {
  const dir = tempDir('heapsleuth-growing-');
  const path = join(dir, 'app.ndjson');
  const full = text(40);
  const growing = new GrowingRecordings(dir);
  assert.deepEqual(growing.read(), [], 'nothing before the file exists');
  writeFileSync(path, '');
  assert.deepEqual(growing.read(), [], 'an empty file is not a recording yet');
  let written = '';
  for (let at = 0; at < full.length; at += 997) {
    const piece = full.slice(at, at + 997);
    appendFileSync(path, piece);
    written += piece;
    const [entry] = growing.read();
    if (!written.includes('\n')) continue;
    const expected = wholeRead(written);
    assert.equal(entry?.path, path);
    assert.equal(entry.recording.samples.length, expected.samples.length);
    assert.deepEqual(entry.recording.samples, expected.samples);
    assert.deepEqual([...entry.recording.stacks.keys()].sort(), [...expected.stacks.keys()].sort());
  }
  const [last] = growing.read();
  assert.equal(analyzeRecordings([last!.recording]).verdict, analyzeRecordings([parseRecording(full)]).verdict);
  assert.equal(last!.recording.samples.length, 40);
});

test('a followed recording that is rewritten shorter is read again from its start', () => {
  const dir = tempDir('heapsleuth-growing-');
  const path = join(dir, 'app.ndjson');
  const growing = new GrowingRecordings(dir);
  writeFileSync(path, text(30));
  assert.equal(growing.read()[0]?.recording.samples.length, 30);
  writeFileSync(path, text(5));
  assert.equal(growing.read()[0]?.recording.samples.length, 5);
});
