import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { readZip } from './archive.ts';
import { ArchiveTooLargeError, CaptchaOcrError, InvalidArchiveError } from './errors.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import { makeZip } from '../test/fixtures/images.ts';

const limits = DEFAULT_LIMITS;

test('reads stored and deflated entries; names stay data', () => {
  for (const level of [0, 6] as const) {
    const zip = makeZip({ 'a.txt': 'hello', '../../etc/passwd': 'x', 'dir/b.bin': new Uint8Array([1, 2, 3]), 'dir/': new Uint8Array(0) }, level);
    const entries = readZip(zip, limits);
    const byName = Object.fromEntries(entries.map((e) => [e.name, e]));
    assert.equal(new TextDecoder().decode(byName['a.txt'].read()), 'hello');
    assert.equal(new TextDecoder().decode(byName['../../etc/passwd'].read()), 'x');
    assert.deepEqual([...byName['dir/b.bin'].read()], [1, 2, 3]);
  }
});

test('refuses too many entries, too much uncompressed data and zip bombs before inflating', () => {
  const many: Record<string, string> = {};
  for (let i = 0; i < 50; i++) many[`${i}.txt`] = 'x';
  assert.throws(() => readZip(makeZip(many), { ...limits, maxArchiveEntries: 49 }), ArchiveTooLargeError);
  assert.equal(readZip(makeZip(many), { ...limits, maxArchiveEntries: 50 }).length, 50);
  const big = new Uint8Array(2_000_000);
  const bomb = makeZip({ 'zeros.png': big });
  assert.ok(bomb.length < 10_000);
  assert.throws(() => readZip(bomb, limits), (e: unknown) => e instanceof ArchiveTooLargeError && /compression ratio/.test(e.message));
  assert.throws(() => readZip(bomb, { ...limits, maxCompressionRatio: 1e9, maxUncompressedBytes: 1_000_000 }), ArchiveTooLargeError);
});

test('an entry that lies about its size is stopped at the declared size', () => {
  const zip = makeZip({ 'a.bin': new Uint8Array(50_000).fill(7) });
  // shrink the declared uncompressed size in the central directory to 1000 bytes
  const dv = new DataView(zip.buffer);
  for (let o = zip.length - 22; o >= 0; o--) {
    if (dv.getUint32(o, true) === 0x02014b50) {
      dv.setUint32(o + 24, 1000, true);
      break;
    }
  }
  const [entry] = readZip(zip, limits);
  assert.throws(() => entry.read(), (e: unknown) => e instanceof InvalidArchiveError && /declared/.test(e.message));
});

test('CRC mismatch, unknown method and truncation are per-entry errors', () => {
  const zip = zipSync({ 'a.txt': [new TextEncoder().encode('hello hello hello'), { level: 0 }] });
  const bad = zip.slice();
  const at = bad.indexOf(0x68); // first 'h' of the stored data
  bad[at] = 0x48;
  const [entry] = readZip(bad, limits);
  assert.throws(() => entry.read(), (e: unknown) => e instanceof InvalidArchiveError && /CRC/.test(e.message));
  assert.throws(() => readZip(zip.subarray(0, zip.length - 5), limits), InvalidArchiveError);
  assert.throws(() => readZip(new TextEncoder().encode('not a zip'), limits), InvalidArchiveError);
});

test('property: random or mutated archives give typed errors, never crashes', () => {
  const zip = makeZip({ '0.png': new Uint8Array(300).map((_, i) => i * 7), 'labels.txt': 'AB12\n' });
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(zip.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(zip.length), (flips, cut) => {
      const bytes = zip.slice(0, Math.max(cut, zip.length - 40));
      for (const [at, v] of flips) if (at < bytes.length) bytes[at] = v;
      try {
        for (const e of readZip(bytes, limits)) {
          try {
            e.read();
          } catch (error) {
            if (!(error instanceof InvalidArchiveError)) return false;
          }
        }
        return true;
      } catch (error) {
        return error instanceof CaptchaOcrError && error.status < 500;
      }
    }),
    { numRuns: 1500 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      try {
        readZip(bytes, limits);
        return true;
      } catch (error) {
        return error instanceof CaptchaOcrError && error.status < 500;
      }
    }),
  );
});
