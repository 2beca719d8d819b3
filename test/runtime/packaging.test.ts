/**
 * The deployable artefacts, built the way `npm run build` builds them and checked:
 * - the Worker bundle (`wrangler deploy --dry-run --outdir`, scripts/build-edge.mjs) holds no
 *   Node-only package (sharp, onnxruntime-node, @tensorflow/*, @napi-rs/canvas), and its size is printed;
 * - the Lambda package (`osls package`, no login, no AWS account) holds the handler bundle,
 *   onnxruntime-node's Linux x64 binary only, and stays under Lambda's unzipped size limit.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { unzipSync } from 'fflate';
import { parseModelMetadata, sidecarPath } from '../../core/model-contract.ts';
import { ensureTinyModel } from '../fixtures/tiny-model.ts';
import { buildWorker, REPO, writeWorkerProject } from './worker-fixture.ts';

const scratch = join(REPO, 'work', `runtime-packaging-${process.pid}`);
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The file the shipped model's metadata names as its second look, if any. */
function shippedSecondLook(): string | undefined {
  const path = join(REPO, 'models/captcha-ocr.json');
  if (!existsSync(path)) return undefined;
  return parseModelMetadata(JSON.parse(readFileSync(path, 'utf8'))).secondLook?.model;
}

const NODE_ONLY = /node_modules[\\/](sharp|onnxruntime-node|@tensorflow|@napi-rs)[\\/]/;

describe('Cloudflare Worker bundle', { timeout: 120_000 }, () => {
  test('wrangler deploy --dry-run builds a bundle without Node-only packages', async () => {
    const shipped = existsSync(join(REPO, 'models/captcha-ocr.onnx'));
    // The real wrangler.toml when the shipped model exists; else the same entry around the test model.
    const config = shipped ? join(REPO, 'wrangler.toml') : writeWorkerProject((await ensureTinyModel()).modelPath, {}, join(scratch, 'worker')).config;
    const outdir = join(scratch, 'edge-dist');
    const { status, output, report } = buildWorker(config, outdir);
    console.log(output.trim());
    assert.equal(status, 0, output);
    assert.ok(report);
    assert.deepEqual(report.forbidden, []);
    const names = report.files.map((f) => f.name);
    assert.ok(names.some((n) => n.endsWith('ort-wasm-simd-threaded.wasm')), 'the ORT wasm is uploaded as a module');
    assert.ok(names.some((n) => n.endsWith('.onnx')), 'the model is bundled');
    // a second look the shipped metadata names must be imported by the Worker's entry too
    const second = shipped ? shippedSecondLook() : undefined;
    if (second) assert.match(readFileSync(join(REPO, 'functions/edge/worker.ts'), 'utf8'), new RegExp(`models/${second.replace(/\./g, '\\.')}'`), `functions/edge/worker.ts imports ${second}`);
    assert.ok(!names.some((n) => n.endsWith('.node')), 'no native addon');
    // Independent check of esbuild's metafile: every bundled module, none from a Node-only package.
    const meta = JSON.parse(readFileSync(join(outdir, 'bundle-meta.json'), 'utf8')) as { inputs: Record<string, unknown> };
    const inputs = Object.keys(meta.inputs);
    assert.ok(inputs.some((p) => p.includes('onnxruntime-web')), 'onnxruntime-web is in the bundle');
    assert.deepEqual(inputs.filter((p) => NODE_ONLY.test(p) || /^node:/.test(p)), []);
    const js = report.files.find((f) => f.name.endsWith('.js'))!;
    const text = readFileSync(join(outdir, js.name), 'utf8');
    for (const name of ['sharp', 'onnxruntime-node', '@tensorflow/tfjs', '@napi-rs/canvas']) assert.ok(!text.includes(`"${name}"`), `${name} named in the bundle`);
    // Cloudflare Workers Paid: 10 MB compressed; the newer single limit: 64 MiB.
    assert.ok(report.gzipBytes < 10 * 1024 * 1024, `gzip ${report.gzipBytes}`);
    assert.ok(report.totalBytes < 64 * 1024 * 1024, `total ${report.totalBytes}`);
  });
});

describe('AWS Lambda package', { timeout: 120_000 }, () => {
  test('npm run build output + osls package: handler, model, onnxruntime-node linux-x64 only', () => {
    const build = spawnSync(process.execPath, [join(REPO, 'scripts/build-lambda.mjs')], { cwd: REPO, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stdout + build.stderr);
    assert.ok(existsSync(join(REPO, 'dist/lambda/handler.cjs')), 'serverless.yml handler file dist/lambda/handler.cjs');
    mkdirSync(scratch, { recursive: true });
    const home = mkdtempSync(join(tmpdir(), 'captcha-ocr-osls-home-'));
    const pkg = join(scratch, 'lambda-package');
    try {
      const run = spawnSync(process.execPath, [join(REPO, 'node_modules/osls/bin/serverless.js'), 'package', '--package', pkg], {
        cwd: REPO,
        encoding: 'utf8',
        env: { ...process.env, HOME: home, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', AWS_EC2_METADATA_DISABLED: 'true', NPM_CONFIG_UPDATE_NOTIFIER: 'false', FORCE_COLOR: '0' },
        timeout: 90_000,
      });
      assert.equal(run.status, 0, run.stdout + run.stderr);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    const zipName = readdirSync(pkg).find((n) => n.endsWith('.zip'));
    assert.ok(zipName, 'a zip was written');
    const zipBytes = readFileSync(join(pkg, zipName));
    const names = new Set<string>();
    const entries = unzipSync(zipBytes, { filter: (f) => (names.add(f.name), !f.name.endsWith('.so.1')) });
    assert.ok(names.has('dist/lambda/handler.cjs'));
    assert.ok(names.has('node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node'));
    assert.ok([...names].some((n) => n.endsWith('linux/x64/libonnxruntime.so.1')), 'libonnxruntime for linux x64');
    assert.deepEqual([...names].filter((n) => /napi-v6\/(darwin|win32)|linux\/arm64/.test(n)), [], 'no other platform binaries');
    assert.deepEqual([...names].filter((n) => /node_modules\/(sharp|@img|@tensorflow|@napi-rs|onnxruntime-web)\//.test(n)), []);
    if (existsSync(join(REPO, 'models/captcha-ocr.onnx'))) assert.ok(names.has('models/captcha-ocr.onnx') && names.has('models/captcha-ocr.json'));
    const second = shippedSecondLook();
    if (second) assert.ok(names.has(`models/${second}`) && names.has(`models/${sidecarPath(second)}`), `the shipped model's second look ${second} is packaged`);
    // Lambda limits: 50 MB zipped for direct upload, 262,144,000 bytes unzipped.
    const template = JSON.parse(readFileSync(join(pkg, 'cloudformation-template-update-stack.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const fn = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function')!;
    assert.equal(fn.Properties.Runtime, 'nodejs22.x');
    assert.equal(fn.Properties.Handler, 'dist/lambda/handler.handler');
    assert.ok(Object.values(template.Resources).some((r) => r.Type === 'AWS::ApiGatewayV2::Api'), 'an HTTP API');
    let unzipped = 0;
    for (const [, data] of Object.entries(entries)) unzipped += data.length;
    unzipped += 45_828_512; // libonnxruntime.so.1, left out of the unzip above to save memory
    console.log(`lambda package: ${(zipBytes.length / 1048576).toFixed(1)} MiB zipped, about ${(unzipped / 1048576).toFixed(1)} MiB unzipped, ${names.size} files`);
    assert.ok(zipBytes.length < 50 * 1024 * 1024);
    assert.ok(unzipped < 262_144_000);
  });
});
