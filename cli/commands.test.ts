import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMMAND_NAMES, loadCommand, usage } from './commands.ts';

test('captcha-ocr --help lists every command with its summary', async () => {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'captcha-ocr.js'), '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), await usage());
  for (const name of COMMAND_NAMES) {
    const command = await loadCommand(name);
    assert.ok(command && command.summary.length > 0, name);
    assert.match(r.stdout, new RegExp(`^  ${name} +${command.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  }
  assert.equal(await loadCommand('nope'), undefined);
});
