/**
 * npm 12 blocks every dependency install script that package.json's `allowScripts` does not
 * approve (npm 11.16+ warns). Every package in the lockfile that has an install script must
 * be decided there. onnxruntime-node's is denied (left to itself on linux/x64 it downloads the
 * CUDA libraries); the project's postinstall (scripts/onnxruntime-install.mjs) runs it only
 * when a GPU host opts in with ONNXRUNTIME_NODE_INSTALL=cuda12.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const REPO = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean>; scripts?: Record<string, string> };
const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };

/** `node_modules/a/node_modules/@s/b` -> `@s/b` */
function packageName(path: string): string {
  return path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

test('every dependency with an install script is approved or denied in allowScripts', () => {
  const withScripts = [...new Set(Object.entries(lock.packages).filter(([path, p]) => path !== '' && p.hasInstallScript).map(([path]) => packageName(path)))].sort();
  assert.ok(withScripts.length > 0, 'the lockfile lists packages with install scripts');
  const allow = pkg.allowScripts ?? {};
  const undecided = withScripts.filter((name) => typeof allow[name] !== 'boolean');
  assert.deepEqual(undecided, [], `add these to allowScripts (npm approve-scripts NAME --no-allow-scripts-pin, or npm deny-scripts NAME)`);
  const stale = Object.keys(allow).filter((name) => !withScripts.includes(name));
  assert.deepEqual(stale, [], 'allowScripts names packages that no longer have install scripts');
});

test('the runtime packages may run their install scripts; onnxruntime-node runs its own only through the postinstall', () => {
  for (const name of ['sharp', 'esbuild', 'workerd']) assert.equal(pkg.allowScripts?.[name], true, name);
  assert.equal(pkg.allowScripts?.['onnxruntime-node'], false);
  assert.equal(pkg.scripts?.postinstall, 'node scripts/onnxruntime-install.mjs');
  // an unknown key in .npmrc makes npm 11 warn on every command (npx captcha-ocr, npm start)
  assert.doesNotMatch(readFileSync(join(REPO, '.npmrc'), 'utf8'), /onnxruntime/);
});

test('the postinstall runs onnxruntime-node\'s script as npm would, and only on opt-in', (t) => {
  const fake = realpathSync(mkdtempSync(join(tmpdir(), 'ort-install-')));
  t.after(() => rmSync(fake, { recursive: true, force: true }));
  mkdirSync(join(fake, 'script'));
  writeFileSync(join(fake, 'package.json'), '{"name":"onnxruntime-node"}');
  writeFileSync(join(fake, 'script', 'install.js'), 'console.log(JSON.stringify({ cwd: process.cwd(), json: process.env.npm_package_json, flag: process.env.ONNXRUNTIME_NODE_INSTALL }));');
  const run = (env: Record<string, string>) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/onnxruntime_node_install/i.test(k)));
    const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'onnxruntime-install.mjs'), fake], { env: { ...clean, ...env }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim().split('\n').filter(Boolean);
  };
  assert.deepEqual(run({}), []);
  assert.deepEqual(run({ ONNXRUNTIME_NODE_INSTALL: 'skip' }), []);
  const lines = run({ ONNXRUNTIME_NODE_INSTALL: 'cuda12', npm_package_json: join(REPO, 'package.json') });
  assert.match(lines[0], /ONNXRUNTIME_NODE_INSTALL=cuda12/);
  assert.deepEqual(JSON.parse(lines[1]), { cwd: fake, json: join(fake, 'package.json'), flag: 'cuda12' });
});
