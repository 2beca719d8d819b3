#!/usr/bin/env node
// Runs the benchmarks in bench/ one after another and prints their figures.
// Usage: npm run bench [-- name ...]   e.g. npm run bench -- generate decode-model
// Benchmarks print figures; they assert nothing (speed is not a test on shared machines).
import { spawnSync } from 'node:child_process';

const all = ['generate', 'data-stream', 'train', 'decode-images', 'decode-model', 'decode-http', 'score-archive', 'convert-fp16', 'runtimes', 'soak-models'];
const wanted = process.argv.slice(2);
const unknown = wanted.filter((n) => !all.includes(n));
if (unknown.length > 0) {
  console.error(`run-bench: unknown benchmark ${unknown.join(', ')} (known: ${all.join(', ')})`);
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length > 0 ? wanted : all) {
  console.log(`\n=== bench/${name}.ts`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
