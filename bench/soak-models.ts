// Soak: `captcha-ocr serve --models-dir DIR` on loopback with two models (`default`: the shipped
// model; `site`: models/training/default-v4, 64x160, converted into DIR), sent 10,000 mixed
// requests from `--connections` clients: /decode of both models, with and without ?charset=,
// several images in one JSON request, small /score archives, and bad inputs (an unknown model,
// a charset the model does not know, a body that is no image, a truncated PNG). Every answer's
// status is checked, and every reading against the first answer to the same request. Prints the
// server's RSS (from /proc) after start, every 1,000 requests and at the end, and requests/s.
// Usage: node --import tsx bench/soak-models.ts [--requests 10000] [--connections 16] [--workers 1]
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { zipSync } from 'fflate';
import { captchaPngs } from './bench-images.ts';
import { startBenchServerWith } from './bench-server.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '10000' }, connections: { type: 'string', default: '16' }, workers: { type: 'string', default: '1' } } });
const total = Number(values.requests);
const connections = Number(values.connections);

const dir = mkdtempSync(join(tmpdir(), 'captcha-ocr-soak-'));
copyFileSync('models/captcha-ocr.onnx', join(dir, 'default.onnx'));
copyFileSync('models/captcha-ocr.json', join(dir, 'default.json'));
execFileSync(process.execPath, ['bin/captcha-ocr.js', 'convert', 'models/training/default-v4', '--out', join(dir, 'site.onnx')], { stdio: 'ignore' });

const images = await captchaPngs(32, 21);
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const zipOf = (from: number) => zipSync(Object.fromEntries(images.slice(from, from + 8).map((im, k) => [`${im.text}_${k}.png`, [im.png, { level: 0 }]]))) as Uint8Array<ArrayBuffer>;
const archives = [zipOf(0), zipOf(8)];

interface Ask {
  readonly kind: string;
  readonly path: string;
  readonly type: string;
  readonly body: Uint8Array<ArrayBuffer> | string;
  readonly status: number;
}

const png = (i: number) => images[i % images.length].png as Uint8Array<ArrayBuffer>;
// 25 kinds of request, taken in turn: 17 good ones (68 %), 8 bad ones (32 %)
const KINDS: ((i: number) => Ask)[] = [
  ...Array.from({ length: 5 }, () => (i: number): Ask => ({ kind: 'decode default', path: '/decode', type: 'image/png', body: png(i), status: 200 })),
  ...Array.from({ length: 5 }, () => (i: number): Ask => ({ kind: 'decode site', path: '/decode?model=site', type: 'image/png', body: png(i), status: 200 })),
  (i) => ({ kind: 'decode site digits', path: '/decode?model=site&charset=0123456789', type: 'image/png', body: png(i), status: 200 }),
  (i) => ({ kind: 'decode default letters', path: '/decode?model=default&charset=ABCDEFGHIJKLMNOPQRSTUVWXYZ', type: 'image/png', body: png(i), status: 200 }),
  (i) => ({ kind: 'decode site, 4 images as JSON', path: '/decode?model=site', type: 'application/json', body: JSON.stringify({ images: [0, 1, 2, 3].map((k) => b64(png(i + k))) }), status: 200 }),
  (i) => ({ kind: 'decode default, 4 images as JSON', path: '/decode', type: 'application/json', body: JSON.stringify({ images: [0, 1, 2, 3].map((k) => b64(png(i + k))) }), status: 200 }),
  (i) => ({ kind: 'score site', path: '/score?model=site', type: 'application/zip', body: archives[i % 2], status: 200 }),
  (i) => ({ kind: 'score default', path: '/score', type: 'application/zip', body: archives[i % 2], status: 200 }),
  (i) => ({ kind: 'score default digits', path: '/score?charset=0123456789', type: 'application/zip', body: archives[i % 2], status: 200 }),
  (i) => ({ kind: 'unknown model', path: '/decode?model=nope', type: 'image/png', body: png(i), status: 404 }),
  (i) => ({ kind: 'unknown model (score)', path: '/score?model=other', type: 'application/zip', body: archives[i % 2], status: 404 }),
  (i) => ({ kind: 'charset the model does not know', path: '/decode?model=site&charset=abc', type: 'image/png', body: png(i), status: 400 }),
  (i) => ({ kind: 'empty charset', path: '/decode?charset=', type: 'image/png', body: png(i), status: 400 }),
  (i) => ({ kind: 'not an image', path: '/decode?model=site', type: 'image/png', body: `not an image ${i}`, status: 415 }),
  (i) => ({ kind: 'not an image', path: '/decode', type: 'application/octet-stream', body: new Uint8Array(64).fill(i % 251), status: 415 }),
  (i) => ({ kind: 'truncated PNG', path: '/decode?model=site', type: 'image/png', body: png(i).slice(0, 200), status: 422 }),
  (i) => ({ kind: 'truncated PNG', path: '/decode', type: 'image/png', body: png(i).slice(0, 400), status: 422 }),
];

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
  return kb / 1024;
}

const server = await startBenchServerWith(['--models-dir', dir, '--workers', values.workers!]);
const pid = server.process.pid!;
try {
  const listed = (await (await fetch(`${server.url}/models`)).json()) as { models: { name: string; metadata: { name: string; input: { width: number; height: number } } }[] };
  console.log(`models: ${listed.models.map((m) => `${m.name} (${m.metadata.name}, ${m.metadata.input.width}x${m.metadata.input.height})`).join(', ')}; ${values.workers} worker thread(s) each; ${connections} connections`);
  const rss: { after: number; mib: number }[] = [{ after: 0, mib: rssMiB(pid) }];
  console.log(`server RSS after start: ${rss[0].mib.toFixed(1)} MiB`);

  const statuses = new Map<number, number>();
  const first = new Map<string, string>();
  let unexpected = 0;
  let changed = 0;
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  let lastT = t0;
  const one = async (i: number) => {
    const ask = KINDS[i % KINDS.length](Math.floor(i / KINDS.length));
    const res = await fetch(server.url + ask.path, { method: 'POST', body: ask.body, headers: { 'content-type': ask.type } });
    const text = await res.text();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status !== ask.status) {
      if (unexpected++ < 5) console.log(`unexpected ${res.status} for ${ask.kind}: ${text.slice(0, 200)}`);
      return;
    }
    // the same request must always read the same (timings of /score left out)
    const key = `${ask.path} ${typeof ask.body === 'string' ? ask.body : b64(ask.body)}`;
    const answer = ask.path.startsWith('/score') ? text.replace(/"(elapsedMs|imagesPerSecond)":[0-9.]+/g, '') : text;
    const seen = first.get(key);
    if (seen === undefined) first.set(key, answer);
    else if (seen !== answer) changed++;
  };
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < total) {
        await one(next++);
        done++;
        if (done % 1000 === 0) {
          const now = performance.now();
          const mib = rssMiB(pid);
          rss.push({ after: done, mib });
          console.log(`${String(done).padStart(6)} requests  ${Math.round(1000 / ((now - lastT) / 1000))} req/s  server RSS ${mib.toFixed(1)} MiB`);
          lastT = now;
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 1000));
  const end = rssMiB(pid);
  const byStatus = [...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}: ${n}`).join(', ');
  console.log(`${total} requests in ${seconds.toFixed(1)} s: ${Math.round(total / seconds)} req/s; statuses ${byStatus}; ${unexpected} unexpected statuses, ${changed} answers that changed`);
  const warm = rss.find((r) => r.after === 1000) ?? rss[0];
  console.log(`server RSS: ${rss[0].mib.toFixed(1)} MiB after start, ${warm.mib.toFixed(1)} MiB after ${warm.after} requests, ${end.toFixed(1)} MiB 1 s after the last (${(end - warm.mib >= 0 ? '+' : '') + (end - warm.mib).toFixed(1)} MiB over the last ${total - warm.after}; peak ${Math.max(...rss.map((r) => r.mib), end).toFixed(1)} MiB)`);
  if (unexpected > 0 || changed > 0) process.exitCode = 1;
} finally {
  server.process.kill('SIGTERM');
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}
