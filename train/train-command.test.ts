import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
    [['--out', 'x', '--backend', 'gpu'], /--backend/],
    [['--out', 'x', '--model', 'huge'], /--model/],
    [['--out', 'x', '--styles', '0.7,0.9'], /--styles/],
    [['--out', 'x', '--lr', '-1'], /--lr/],
    [['--out', 'x', '--workers', '0'], /--workers/],
    [['--out', 'x', '--workers', 'two'], /--workers/],
    [['--out', 'x', '--resume', '--init', 'y'], /--resume/],
    [['--out', 'x', '--resume', '--focus', '0O'], /--resume/],
    [['--out', 'x', '--focus', ':0.3'], /--focus/],
    [['--out', 'x', '--focus', '0O:1.5'], /--focus/],
    [['--out', 'x', '--focus', '0O:lots'], /--focus/],
    [['--out', 'x', '--focus', '0O', '--data', 'd'], /--focus/],
    [['--out', 'x', '--decay', '2'], /--decay/],
    [['--out', 'x', '--input', '64'], /--input/],
    [['--out', 'x', '--input', '60x160'], /--input/],
    [['--out', 'x', '--input', '64x4096'], /--input/],
    [['--out', 'x', '--input', '64x160', '--model', 'seed'], /--input/],
    [['--out', 'x', '--resume', '--input', '64x160'], /--resume/],
  ];
  for (const [args, pattern] of cases) {
    const r = run(args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status} ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0], pattern);
  }
});

test('train --help lists the options', () => {
  const r = run(['--help']);
  assert.equal(r.status, 0);
  for (const flag of ['--out', '--backend', '--workers', '--batch-size', '--max-steps', '--data', '--init', '--resume', '--json', '--focus', '--decay', '--input']) assert.ok(r.stdout.includes(flag), flag);
});
