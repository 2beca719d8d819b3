#!/usr/bin/env node
// Bundles the AWS Lambda entry (functions/lambda/handler.ts) with esbuild into
// dist/lambda/handler.cjs, the file serverless.yml's `handler: dist/lambda/handler.handler` names.
// onnxruntime-node stays external: its native binding cannot be bundled, and serverless.yml
// ships only its Linux x64 binary. Usage: node scripts/build-lambda.mjs [--outdir DIR] [--entry FILE]
import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    outdir: { type: 'string', default: join(root, 'dist/lambda') },
    entry: { type: 'string', default: join(root, 'functions/lambda/handler.ts') },
    quiet: { type: 'boolean', default: false },
  },
});
const outfile = join(resolve(values.outdir), 'handler.cjs');
const started = performance.now();
await build({
  entryPoints: [resolve(values.entry)],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  // Lambda's Node.js runtimes provide these; never bundle Node-only native packages.
  external: ['onnxruntime-node', 'onnxruntime-web', 'sharp', '@tensorflow/*', '@napi-rs/canvas'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  // import.meta.url is used by ESM-only code paths; give the CJS bundle a value.
  define: { 'import.meta.url': '__captchaOcrImportMetaUrl' },
  banner: { js: 'const __captchaOcrImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
});
if (!values.quiet) {
  const kib = (statSync(outfile).size / 1024).toFixed(1);
  console.log(`build-lambda: ${outfile} (${kib} KiB) in ${Math.round(performance.now() - started)} ms`);
}
