#!/usr/bin/env node
// Builds the Cloudflare Worker exactly as `wrangler deploy` would upload it, without deploying
// (`wrangler deploy --dry-run --outdir dist/edge`), then checks and measures the bundle:
// - no module from a Node-only package (sharp, onnxruntime-node, @tensorflow/*, @napi-rs/canvas)
//   may be in it (read from esbuild's metafile and the uploaded files);
// - prints the upload size, raw and gzip, against Cloudflare's Worker size limits.
// Writes dist/edge/bundle-report.json. Exit code 1 when a forbidden module is found.
// Usage: node scripts/build-edge.mjs [--config wrangler.toml] [--outdir dist/edge] [--quiet]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    config: { type: 'string', default: join(root, 'wrangler.toml') },
    outdir: { type: 'string', default: join(root, 'dist/edge') },
    quiet: { type: 'boolean', default: false },
  },
});
const outdir = resolve(values.outdir);
const FORBIDDEN = [/(^|[\\/])node_modules[\\/]sharp[\\/]/, /(^|[\\/])node_modules[\\/]onnxruntime-node[\\/]/, /(^|[\\/])node_modules[\\/]@tensorflow[\\/]/, /(^|[\\/])node_modules[\\/]@napi-rs[\\/]/];
const FORBIDDEN_TEXT = [/require\(["']sharp["']\)/, /from ?["']sharp["']/, /["']onnxruntime-node["']/, /["']@tensorflow\/[a-z-]+["']/, /\.node["']\)/];
// Cloudflare's published Worker size limits (compressed upload): Free 3 MB, Paid 10 MB (older
// limits pages); newer pages give one 64 MiB limit on the uncompressed size for both plans.
const MB = 1024 * 1024;

rmSync(outdir, { recursive: true, force: true });
const xdg = mkdtempSync(join(tmpdir(), 'captcha-ocr-wrangler-'));
const started = performance.now();
const run = spawnSync(
  process.execPath,
  [join(root, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--config', resolve(values.config), '--outdir', outdir, '--metafile', join(outdir, 'bundle-meta.json')],
  {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      XDG_CONFIG_HOME: xdg,
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_SEND_ERROR_REPORTS: 'false',
      WRANGLER_HIDE_BANNER: 'true', // the banner also checks npm for a newer wrangler
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      FORCE_COLOR: '0',
    },
  },
);
rmSync(xdg, { recursive: true, force: true });
if (run.status !== 0) {
  process.stderr.write(run.stdout + run.stderr);
  console.error(`build-edge: wrangler deploy --dry-run failed (exit ${run.status})`);
  process.exit(run.status ?? 1);
}

const files = readdirSync(outdir)
  .filter((name) => !name.endsWith('.map') && name !== 'README.md' && name !== 'bundle-meta.json' && name !== 'bundle-report.json')
  .map((name) => {
    const bytes = readFileSync(join(outdir, name));
    return { name, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  })
  .sort((a, b) => b.bytes - a.bytes);
const meta = JSON.parse(readFileSync(join(outdir, 'bundle-meta.json'), 'utf8'));
const inputs = Object.keys(meta.inputs ?? {});
const forbidden = [
  ...inputs.filter((p) => FORBIDDEN.some((re) => re.test(p))),
  ...files.filter((f) => f.name.endsWith('.node')).map((f) => f.name),
];
for (const f of files.filter((x) => /\.(m?js|cjs)$/.test(x.name))) {
  const text = readFileSync(join(outdir, f.name), 'utf8');
  for (const re of FORBIDDEN_TEXT) if (re.test(text)) forbidden.push(`${f.name}: ${re}`);
}
const total = files.reduce((a, f) => a + f.bytes, 0);
const gzip = files.reduce((a, f) => a + f.gzipBytes, 0);
const fits = { free3MBgzip: gzip <= 3 * MB, paid10MBgzip: gzip <= 10 * MB, unified64MiB: total <= 64 * MB };
const report = { outdir, files, totalBytes: total, gzipBytes: gzip, fits, inputs: inputs.length, forbidden, wranglerOutput: run.stdout.trim().split('\n').filter((l) => /Total Upload/.test(l)) };
writeFileSync(join(outdir, 'bundle-report.json'), JSON.stringify(report, null, 2));

if (!values.quiet) {
  const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
  console.log(`build-edge: ${outdir} in ${Math.round(performance.now() - started)} ms`);
  for (const f of files) console.log(`  ${f.name.padEnd(64)} ${kib(f.bytes).padStart(10)}  gzip ${kib(f.gzipBytes).padStart(9)}`);
  console.log(`  total ${kib(total)}, gzip ${kib(gzip)} (${inputs.length} bundled modules)`);
  console.log(
    `  Cloudflare Worker size: ${fits.paid10MBgzip ? 'fits' : 'EXCEEDS'} Workers Paid (10 MB gzip); ` +
      `${fits.free3MBgzip ? 'fits' : 'exceeds'} Workers Free (3 MB gzip); ` +
      `${fits.unified64MiB ? 'fits' : 'EXCEEDS'} the 64 MiB limit of the newer limits page`,
  );
}
if (forbidden.length > 0) {
  console.error(`build-edge: Node-only code in the Worker bundle:\n  ${forbidden.join('\n  ')}`);
  process.exit(1);
}
