/**
 * npm 12 blocks every dependency install script that package.json's `allowScripts` does not
 * approve (npm 11.16+ warns). Every package in the lockfile that has an install script must
 * be decided there, and onnxruntime-node must stay approved: its script is what fetches the
 * CUDA build when a GPU host opts in with ONNXRUNTIME_NODE_INSTALL=cuda12.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const REPO = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
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

test('the runtime packages may run their install scripts; onnxruntime-node still skips CUDA by default', () => {
  for (const name of ['onnxruntime-node', 'sharp', 'esbuild', 'workerd']) assert.equal(pkg.allowScripts?.[name], true, name);
  assert.match(readFileSync(join(REPO, '.npmrc'), 'utf8'), /^onnxruntime-node-install=skip$/m);
});
