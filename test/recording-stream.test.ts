import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRows, RecordingDecoder, type RowColumns } from '../src/formats/recording-decoder.js';
import { parseRecordings, RecordingCollector } from '../src/formats/recording.js';
import { readRecordingFile } from '../src/formats/recording-file.js';
import { analyzeRecordings } from '../src/index.js';
import { Frame, Traceback } from '../src/model/index.js';
import { recordingText } from './recording-text.js';
import { mulberry32 } from './random.js';
import { tempDir } from './temp-dir.js';

function columns(): RowColumns {
  return { length: 0, stackIds: new Float64Array(4), bytes: new Float64Array(4), counts: new Float64Array(4), deaths: new Float64Array(4), ages: new Float64Array(4), survivors: new Float64Array(4) };
}

test('rows read by hand are exactly what JSON.parse reads, and any other form is left to JSON.parse', () => {
  const random = mulberry32(17);
  const rows: number[][] = [];
  for (let i = 0; i < 5000; i++) {
    const count = Math.round(random() * 10 ** (1 + Math.floor(random() * 6))) / 1000;
    const row = [Math.floor(random() * 1e6), Math.floor(random() * 2 ** 40), i % 7 === 0 ? Math.floor(count) : count];
    // the 4th column (old deaths), the 5th (the oldest live sample's age) and the 6th (survivors), as the encoder writes them
    if (i % 30 === 0) rows.push([...row, Math.floor(random() * 10 ** (i % 4)), 1 + Math.floor(random() * 10 ** (1 + (i % 5))), 1 + Math.floor(random() * 10 ** (i % 6))]);
    else if (i % 10 === 0) rows.push([...row, Math.floor(random() * 10 ** (i % 4)), 1 + Math.floor(random() * 10 ** (1 + (i % 5)))]);
    else rows.push(i % 5 === 0 ? [...row, Math.floor(random() * 10 ** (1 + (i % 4)))] : row);
  }
  rows.push([3, -5, -0.5], [4, 1.25, 2, 99], [5, 1.5, 2, 0, 7], [6, 1.5, 2, 0, 7, 3], [7, 1, 2, 0, 7, 3, 11]);
  const text = Buffer.from(JSON.stringify(rows).slice(1) + '}');
  const read = columns();
  const end = readRows(text, 0, text.length, read);
  assert.equal(end, text.length - 1, 'stops right after the rows');
  assert.equal(read.length, rows.length);
  rows.forEach(([id, bytes, count, deaths, age, survivors], i) => {
    assert.equal(read.stackIds[i], id);
    assert.equal(read.bytes[i], bytes);
    assert.equal(read.counts[i], count, `row ${i}: ${JSON.stringify(rows[i])}`);
    assert.equal(read.deaths[i], deaths ?? 0, `row ${i}: the 4th column, old deaths`);
    assert.equal(read.ages[i], age ?? 0, `row ${i}: the 5th column, the oldest live sample's age`);
    assert.equal(read.survivors[i], survivors ?? 0, `row ${i}: the 6th column, samples that outlived their stack's turnover`);
  });
  for (const other of ['[1,2,3e5]]', '[1, 2, 3]]', '[1,2]]', '["1",2,3]]', '[1,2,3]', '[1,2,12345678901234567]]']) {
    assert.equal(readRows(Buffer.from(other), 0, other.length, columns()), -1, other);
  }
  assert.equal(readRows(Buffer.from(']'), 0, 1, read), 1);
  assert.equal(read.length, 0);
});

test('a recording read as a stream in small chunks gives the same lifetimes and verdict as one read whole', () => {
  const stacks = Array.from({ length: 30 }, (_, i) => new Traceback([new Frame(`src/s${i % 9}.js`, 1 + (i % 4), 'f'), new Frame('src/main.js', i, 'main')]));
  const text = (pid: number, ticks: number) =>
    recordingText(
      Array.from({ length: ticks }, (_, t) => ({
        traces: stacks.map((traceback, i) => ({ traceback, size: i === 2 ? 65536 * (1 + t) : 65536 * (1 + (i % 3)) + ((t * i) % 5) * 65536, count: i === 2 ? 1 + t : 1.5 })),
        process: { time: pid * 1e7 + t * 1000, memory: { rss: 1e8, heapTotal: 5e7, heapUsed: 4e7 + t, external: 0, arrayBuffers: 0 } },
      })),
      { pid },
    );
  const whole = text(1, 450) + text(2, 40);
  const dir = tempDir('heapsleuth-stream-');
  const path = join(dir, 'two.ndjson');
  writeFileSync(path, whole);
  const streamed = readRecordingFile(path);
  const parsed = parseRecordings(whole, path);
  const collector = new RecordingCollector(path);
  const decoder = new RecordingDecoder(path, collector);
  const bytes = Buffer.from(whole);
  for (let at = 0; at < bytes.length; at += 1021) decoder.push(bytes.subarray(at, at + 1021)); // lines cut anywhere
  decoder.finish();
  const chunked = collector.recordings(decoder.warnings);
  assert.equal(streamed.length, 2);
  for (const other of [parsed, chunked]) {
    assert.deepEqual(
      streamed.map((r) => r.samples),
      other.map((r) => r.samples),
    );
  }
  const verdict = analyzeRecordings(streamed);
  assert.equal(verdict.verdict, 'leak');
  assert.equal(verdict.restarts.length, 1);
  assert.equal(verdict.window.samples, 490);
  assert.deepEqual(
    verdict.suspects.map((s) => `${s.file}:${s.line}`),
    ['src/s2.js:3'],
  );
});
