/**
 * Cold start and warm latency of POST /decode (one 160x60 PNG) on each runtime entry:
 * - node: `captcha-ocr serve` (onnxruntime-node, sharp), over loopback HTTP;
 * - workerd: the Worker under `wrangler dev` (onnxruntime-web wasm, pure-JS decoders), over loopback HTTP;
 * - lambda: the built handler (dist/lambda shape, onnxruntime-node) in a fresh Node process,
 *   fed API Gateway HTTP API v2 events; and lambda-web, the same on onnxruntime-web (for the choice).
 * Cold start: a fresh process until the first /decode is answered, split into start-up (process
 * ready / Lambda init) and first request. Warm: sequential requests after that, p50 and p99.
 * Usage: node --import tsx bench/runtimes.ts [--cold N] [--warm N] [--only node,workerd,lambda,lambda-web]
 * Uses models/captcha-ocr.onnx, or $BENCH_MODEL, else the tiny test model.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { freePort, startProcess } from '../test/runtime/processes.ts';
import { startWranglerDev } from '../test/runtime/workerd.ts';
import { REPO, writeWorkerProject } from '../test/runtime/worker-fixture.ts';
import { buildLambda } from '../test/runtime/lambda-target.ts';
import { captchaPngs } from './bench-images.ts';
import { benchModel, secondLookShare } from './bench-model.ts';

const { values } = parseArgs({ options: { cold: { type: 'string', default: '3' }, warm: { type: 'string', default: '300' }, only: { type: 'string' } } });
const COLD = Number(values.cold);
const WARM = Number(values.warm);
const only = values.only?.split(',');
const want = (name: string) => !only || only.includes(name);

interface Row {
  runtime: string;
  startupMs: number[];
  firstMs: number[];
  warm: number[];
}

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)];
};
const pct = (a: number[], q: number) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

const model = await benchModel();
const images = await captchaPngs(16);
const scratch = join(REPO, 'work', `bench-runtimes-${process.pid}`);
mkdirSync(scratch, { recursive: true });
console.log(`model: ${model.label}${await secondLookShare(model.modelPath, images.map((i) => i.png))}`);

async function postTimed(url: string, png: Uint8Array): Promise<number> {
  const t = performance.now();
  const res = await fetch(url + '/decode', { method: 'POST', body: png as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'image/png' } });
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
  return performance.now() - t;
}

async function httpRuntime(name: string, start: () => Promise<{ url: string; startMs: number; stop: () => Promise<void> }>): Promise<Row> {
  const row: Row = { runtime: name, startupMs: [], firstMs: [], warm: [] };
  for (let i = 0; i < COLD; i++) {
    const server = await start();
    try {
      row.startupMs.push(server.startMs);
      row.firstMs.push(await postTimed(server.url, images[0].png));
      if (i === COLD - 1) {
        for (let k = 0; k < 20; k++) await postTimed(server.url, images[k % images.length].png);
        for (let k = 0; k < WARM; k++) row.warm.push(await postTimed(server.url, images[k % images.length].png));
      }
    } finally {
      await server.stop();
    }
  }
  return row;
}

/** A fresh Node process that loads a Lambda bundle (init) and answers events read from stdin. */
async function lambdaRuntime(name: string, handlerFile: string): Promise<Row> {
  const row: Row = { runtime: name, startupMs: [], firstMs: [], warm: [] };
  const driver = join(scratch, `drive-${name}.cjs`);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(
    driver,
    `const t0 = performance.now();
const { handler } = require(${JSON.stringify(handlerFile)});
const readline = require('node:readline');
const events = [];
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => events.push(JSON.parse(line)));
rl.on('close', async () => {
  // Lambda's init phase ends when the handler module is loaded; the init promise is awaited by the first call.
  const tInit = performance.now() - t0;
  const out = [];
  for (const e of events) { const t = performance.now(); const r = await handler(e, {}); if (r.statusCode !== 200) throw new Error(r.body); out.push(performance.now() - t); }
  console.log(JSON.stringify({ tInit, times: out }));
});
`,
  );
  const { toHttpApiEvent } = await import('../test/runtime/api-gateway-events.ts');
  const events: string[] = [];
  for (let k = 0; k < WARM + 21; k++) {
    const png = images[k % images.length].png;
    events.push(JSON.stringify(await toHttpApiEvent(new Request('https://api.example/decode', { method: 'POST', body: png as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'image/png' } }))));
  }
  for (let i = 0; i < COLD; i++) {
    const last = i === COLD - 1;
    const input = (last ? events : events.slice(0, 1)).join('\n') + '\n';
    const t0 = performance.now();
    const result = await new Promise<{ tInit: number; times: number[] }>((resolve, reject) => {
      const child = spawn(process.execPath, [driver], { cwd: REPO, env: { ...process.env, MODEL_PATH: model.modelPath }, stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`${name} driver exit ${code}: ${out}`))));
      child.stdin.end(input);
    });
    const wall = performance.now() - t0;
    // start-up: process spawn + module load; first: the first event, which awaits the model start.
    row.startupMs.push(wall - result.times.reduce((a, b) => a + b, 0));
    row.firstMs.push(result.times[0]);
    if (last) row.warm = result.times.slice(21);
  }
  return row;
}

const rows: Row[] = [];
try {
  if (want('node')) {
    rows.push(
      await httpRuntime('node (captcha-ocr serve)', async () => {
        const port = await freePort();
        const t0 = performance.now();
        const p = await startProcess(process.execPath, [join(REPO, 'bin/captcha-ocr.js'), 'serve', '--model', model.modelPath, '--port', String(port)], { cwd: REPO, env: process.env, ready: /serving model/, timeoutMs: 60_000 });
        return { url: `http://127.0.0.1:${port}`, startMs: performance.now() - t0, stop: p.stop };
      }),
    );
  }
  if (want('workerd')) {
    const project = writeWorkerProject(model.modelPath, {}, join(scratch, 'worker'));
    rows.push(await httpRuntime('workerd (wrangler dev)', () => startWranglerDev(project.config)));
  }
  if (want('lambda')) rows.push(await lambdaRuntime('lambda (onnxruntime-node)', buildLambda(join(scratch, 'lambda'))));
  if (want('lambda-web')) {
    const outfile = join(scratch, 'lambda-web', 'handler.cjs');
    await build({ entryPoints: [join(REPO, 'bench/lambda-web-handler.ts')], outfile, bundle: true, platform: 'node', target: 'node22', format: 'cjs', external: ['onnxruntime-web', 'onnxruntime-node', 'sharp'], logLevel: 'warning', define: { 'import.meta.url': '__u' }, banner: { js: 'const __u = require("node:url").pathToFileURL(__filename).href;' } });
    rows.push(await lambdaRuntime('lambda-web (onnxruntime-web)', outfile));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

console.log(`\nPOST /decode, one 160x60 PNG; cold = median of ${COLD} fresh starts; warm = ${WARM} sequential requests`);
console.log('| runtime | start-up (ms) | first request (ms) | cold total (ms) | warm p50 (ms) | warm p99 (ms) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  const cold = r.startupMs.map((s, i) => s + r.firstMs[i]);
  console.log(`| ${r.runtime} | ${median(r.startupMs).toFixed(0)} | ${median(r.firstMs).toFixed(1)} | ${median(cold).toFixed(0)} | ${pct(r.warm, 0.5).toFixed(2)} | ${pct(r.warm, 0.99).toFixed(2)} |`);
}
