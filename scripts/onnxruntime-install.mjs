#!/usr/bin/env node
// The project's postinstall: runs onnxruntime-node's own install script only when asked.
// Left to itself on linux/x64 that script downloads the CUDA libraries from nuget.org, so
// package.json's allowScripts denies it and a plain `npm install` stays CPU-only, on the npm
// registry alone. A GPU host opts in with `ONNXRUNTIME_NODE_INSTALL=cuda12 npm install`: then this
// runs the script as npm runs a dependency's, in its folder with its package.json as
// npm_package_json (run from here, 1.30 would take itself for a local install and exit).
// Usage: node scripts/onnxruntime-install.mjs [ONNXRUNTIME_NODE_DIR]   (the folder: for tests)
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const OPT_IN = ['ONNXRUNTIME_NODE_INSTALL', 'ONNXRUNTIME_NODE_INSTALL_CUDA', 'npm_config_onnxruntime_node_install', 'npm_config_onnxruntime_node_install_cuda'];
const asked = OPT_IN.find((name) => process.env[name] && process.env[name] !== 'skip');
if (asked) {
  const dir = process.argv[2] ? resolve(process.argv[2]) : dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  console.log(`captcha-ocr: ${asked}=${process.env[asked]}: running onnxruntime-node's install script`);
  const env = { ...process.env, npm_package_json: join(dir, 'package.json') };
  const r = spawnSync(process.execPath, [join(dir, 'script', 'install.js')], { cwd: dir, env, stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
}
