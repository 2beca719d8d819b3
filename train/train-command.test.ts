import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const bin = fileURLToPath(new URL('../bin/captcha-ocr.js', import.meta.url));

function run(args: string[]) {
  return spawnSync(process.execPath, [bin, 'train', ...args], { encoding: 'utf8', timeout: 60_000 });
}

test('wrong train flags exit with code 2 and one line naming the problem', () => {
  const cases: [string[], RegExp][] = [
    [[], /--out/],
    [['--out', 'x', '--bogus'], /bogus/],
    [['--out', 'x', '--batch-size', '0'], /--batch-size/],
    [['--out', 'x', '--max-steps', 'many'], /--max-steps/],
    [['--out', 'x', '--max-minutes', '0'], /--max-minutes/],
    [['--out', 'x', '--charset', 'A B'], /--charset: charset contains whitespace/],
    [['--out', 'x', '--backend', 'gpu'], /--backend/],
    [['--out', 'x', '--model', 'huge'], /--model/],
    [['--out', 'x', '--styles', '0.7,0.9'], /--styles/],
    [['--out', 'x', '--lr', '-1'], /--lr/],
    [['--out', 'x', '--replicas', '0'], /--replicas/],
    [['--out', 'x', '--replicas', 'two'], /--replicas/],
    [['--out', 'x', '--workers', '0'], /--workers/],
    [['--out', 'x', '--replicas', '2', '--workers', '2'], /--workers is the old name of --replicas/],
    [['--out', 'x', '--seed', '-1'], /--seed/],
    [['--out', 'x', '--seed', '4294967296'], /--seed must be between 0 and 4294967295/],
    [['--out', 'x', '--resume', '--init', 'y'], /--resume/],
    [['--out', 'x', '--resume', '--focus', '0O'], /--resume/],
    [['--out', 'x', '--focus', ':0.3'], /--focus/],
    [['--out', 'x', '--focus', '0O:1.5'], /--focus/],
    [['--out', 'x', '--focus', '0O:lots'], /--focus/],
    [['--out', 'x', '--focus', '0O:0.5:0'], /--focus: the count/],
    [['--out', 'x', '--focus', '0O:0.5:1.5'], /--focus: the count/],
    [['--out', 'x', '--focus', '0O:0.5:2:3'], /--focus: expected CHARS/],
    [['--out', 'x', '--focus', '0O', '--data', 'd'], /--focus/],
    [['--out', 'x', '--twins', '0'], /--twins: expected two different characters/],
    [['--out', 'x', '--twins', '00'], /--twins: expected two different characters/],
    [['--out', 'x', '--twins', '0O:0'], /--twins: the share/],
    [['--out', 'x', '--twins', '0O:0.3:2'], /--twins: expected/],
    [['--out', 'x', '--twins', '0O', '--data', 'd'], /--twins/],
    [['--out', 'x', '--resume', '--twins', '0O'], /--resume/],
    [['--out', 'x', '--decay', '2'], /--decay/],
    [['--out', 'x', '--input', '64'], /--input/],
    [['--out', 'x', '--input', '60x160'], /--input/],
    [['--out', 'x', '--input', '64x4096'], /--input/],
    [['--out', 'x', '--input', '64x160', '--model', 'seed'], /--input/],
    [['--out', 'x', '--resume', '--input', '64x160'], /--resume/],
    [['--out', 'x', '--channels', '16,32'], /--channels: expected five/],
    [['--out', 'x', '--channels', '16,32,48,64,x'], /--channels: expected five/],
    [['--out', 'x', '--channels', '16,32,48,64,0'], /--channels: expected five/],
    [['--out', 'x', '--sequence-channels', '0'], /--sequence-channels/],
    [['--out', 'x', '--sequence-layers', 'two'], /--sequence-layers/],
    [['--out', 'x', '--channels', '8,8,8,8,8', '--model', 'seed'], /--channels shapes the default model/],
    [['--out', 'x', '--resume', '--sequence-layers', '3'], /--resume/],
    [['--out', 'x', '--init', '/no/such/model'], /--init: no model\.json in \/no\/such\/model/],
    [['--out', 'x', '--data', '/no/such/data.zip'], /--data: \/no\/such\/data\.zip does not exist/],
  ];
  for (const [args, pattern] of cases) {
    const r = run(args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status} ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0], pattern);
  }
});

test('--data labels outside --charset, or longer than --max-length: a usage error naming them, before any training', () => {
  const data = mkdtempSync(join(tmpdir(), 'captcha-ocr-charset-'));
  try {
    // Only the labels are read before the check: the files need not even be images.
    for (const name of ['AB12.png', 'aB7_2.png', 'Ä1B.png']) writeFileSync(join(data, name), 'not read');
    const cases: [string[], RegExp][] = [
      [['--charset', 'AB12'], /--data .*: 2 labels hold characters outside --charset: "7" "a" "Ä", e\.g\. "aB7" for aB7_2\.png/],
      [['--charset', 'AB127a'], /1 label holds a character outside --charset: "Ä", e\.g\. "Ä1B" for Ä1B\.png/],
      [['--max-length', '3'], /the label "AB12" of AB12\.png has 4 characters, more than --max-length 3/],
      [['--charset', 'AAB'], /--charset: charset repeats "A"/],
    ];
    for (const [args, pattern] of cases) {
      const r = run(['--out', join(data, 'out'), '--data', data, ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status} ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], pattern);
    }
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});

test('train --help lists the options', () => {
  const r = run(['--help']);
  assert.equal(r.status, 0);
  for (const flag of ['--out', '--charset', '--max-length', '--max-minutes', '--backend', '--replicas', '--seed', '--batch-size', '--max-steps', '--data', '--init', '--resume', '--json', '--focus', '--twins', '--decay', '--input', '--channels', '--sequence-channels', '--sequence-layers']) assert.ok(r.stdout.includes(flag), flag);
});

test('--channels, --sequence-channels and --sequence-layers shape the model that trains and is exported', async () => {
  const out = mkdtempSync(join(tmpdir(), 'captcha-ocr-shape-'));
  try {
    const r = run(['--out', out, '--channels', '8,8,8,8,8', '--sequence-channels', '16', '--sequence-layers', '1', '--max-steps', '1', '--batch-size', '2', '--validation-size', '4', '--replicas', '1', '--backend', 'wasm', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    // Worked out by hand: b1 3*3*1*8 + BN 4*8 = 104; b2-b5 4 x (3*3*8*8 + 32) = 2,432;
    // collapse 6*1*8*16 + 64 = 832; one 1x3 layer 3*16*16 + 64 = 832; logits 16*37 + 37 = 629.
    assert.equal(events.find((e) => e.event === 'model')?.parameters, 4829);
    const model = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { modelTopology: { config: { layers: { name: string }[] } } };
    const names = model.modelTopology.config.layers.map((l) => l.name);
    assert.ok(names.includes('seq1_conv') && !names.includes('seq2_conv'), names.join(' '));
    const state = JSON.parse(readFileSync(join(out, 'checkpoint', 'state.json'), 'utf8')) as { settings: { defaultModel: unknown } };
    assert.deepEqual(state.settings.defaultModel, { channels: [8, 8, 8, 8, 8], sequenceChannels: 16, sequenceLayers: 1 });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
