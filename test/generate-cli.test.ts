import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import sharp from 'sharp';
import { writeDataset } from '../captcha/dataset-writer.ts';

const root = join(import.meta.dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'captcha-gen-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  return spawnSync(process.execPath, [join(root, 'bin/captcha-ocr.js'), 'generate', ...args], { encoding: 'utf8', cwd: root });
}

describe('captcha-ocr generate', () => {
  it('writes N images and labels.txt; the same seed gives identical files', () => {
    const a = join(tmp, 'a');
    const b = join(tmp, 'b');
    const r1 = cli('--out', a, '--count', '12', '--seed', '7');
    assert.equal(r1.status, 0, r1.stderr);
    assert.equal(cli('--out', b, '--count', '12', '--seed', '7', '--workers', '1').status, 0);
    const files = readdirSync(a).sort();
    assert.equal(files.length, 13);
    assert.ok(files.includes('0.png') && files.includes('11.png') && files.includes('labels.txt'));
    const labels = readFileSync(join(a, 'labels.txt'), 'utf8').split('\n');
    assert.equal(labels.length, 13);
    assert.equal(labels[12], '');
    labels.slice(0, 12).forEach((t) => assert.match(t, /^[0-9A-Z]{4}$/));
    // In-process and worker-thread runs give the same bytes.
    for (const f of files) assert.deepEqual(readFileSync(join(a, f)), readFileSync(join(b, f)), f);
    const png = readFileSync(join(a, '0.png'));
    assert.equal(png.readUInt32BE(16), 160);
    assert.equal(png.readUInt32BE(20), 60);
  });

  it('prints a random seed when none is given', () => {
    const r = cli('--out', join(tmp, 'c'), '--count', '1');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /seed \d+ \(pass --seed \d+ to repeat this run\)/);
  });

  it('exits 2 with a one-line message naming the bad flag or value', () => {
    const cases: [string[], RegExp][] = [
      [['--count', '3'], /--out DIR or --zip FILE/],
      [['--out', tmp], /--count is required/],
      [['--out', tmp, '--count', 'x'], /--count/],
      [['--out', tmp, '--count', '3', '--style', '0.5'], /--style/],
      [['--out', tmp, '--count', '3', '--length', '6-4'], /--length/],
      [['--out', tmp, '--count', '3', '--format', 'gif'], /--format/],
      [['--out', tmp, '--count', '3', '--charset', 'AAB'], /--charset/],
      [['--out', tmp, '--count', '3', '--bogus'], /bogus/],
      [['--out', tmp, '--count', '3', '--seed', '4294967296'], /--seed must be between 0 and 4294967295/],
      [['--out', tmp, '--count', '3', '--workers', '257'], /--workers must be a whole number from 0 to 256 or auto/],
      [['--out', tmp, '--count', '3', '--fonts', '/no/such.ttf'], /font file not found/],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });

  it('--help exits 0', () => {
    const r = cli('--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /--count N/);
  });
});

describe('writeDataset', () => {
  it('writes the same layout into a zip, JPEG at the given quality, deterministically', async () => {
    const z1 = join(tmp, 'd1.zip');
    const z2 = join(tmp, 'd2.zip');
    const opts = { captcha: { seed: 3, style: '0.2' as const, width: 170, height: 80 }, count: 5, format: 'jpg' as const, quality: 75 };
    const texts = await writeDataset({ ...opts, zipFile: z1, chunkSize: 2 });
    await writeDataset({ ...opts, zipFile: z2, workers: 2, chunkSize: 2 });
    assert.deepEqual(readFileSync(z1), readFileSync(z2));
    const entries = unzipSync(readFileSync(z1));
    assert.deepEqual(Object.keys(entries), ['0.jpg', '1.jpg', '2.jpg', '3.jpg', '4.jpg', 'labels.txt']);
    assert.equal(new TextDecoder().decode(entries['labels.txt']), texts.map((t) => `${t}\n`).join(''));
    assert.deepEqual([...entries['0.jpg'].subarray(0, 2)], [0xff, 0xd8]);
  });

  it('--no-noise draws the same texts and glyphs without the dots and the arc', async () => {
    const quiet = join(tmp, 'no-noise');
    const noisy = join(tmp, 'noisy');
    const common = ['--count', '6', '--length', '1', '--charset', '0O', '--seed', '701'];
    assert.equal(cli('--out', quiet, ...common, '--no-noise').status, 0);
    assert.equal(cli('--out', noisy, ...common).status, 0);
    assert.equal(readFileSync(join(quiet, 'labels.txt'), 'utf8'), readFileSync(join(noisy, 'labels.txt'), 'utf8'));
    // One character sits in the left half of a 160x60 image: right of x = 100 there is only
    // background, which is one colour without the noise and never is with it.
    const colours = async (file: string) => {
      const { data } = await sharp(file).extract({ left: 100, top: 0, width: 60, height: 60 }).raw().toBuffer({ resolveWithObject: true });
      const set = new Set<number>();
      for (let i = 0; i < data.length; i += 3) set.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      return set.size;
    };
    for (let i = 0; i < 6; i++) {
      assert.equal(await colours(join(quiet, `${i}.png`)), 1, `image ${i} without noise`);
      assert.ok((await colours(join(noisy, `${i}.png`))) > 1, `image ${i} with noise`);
    }
  });
});
