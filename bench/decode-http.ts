// POST /decode under concurrent load: requests/s and latency percentiles (autocannon),
// against `captcha-ocr serve` in its own process, with 160x60 PNG CAPTCHAs.
// Usage: node --import tsx bench/decode-http.ts [--connections 32] [--duration 10]
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { captchaPngs } from './bench-images.ts';
import { benchModel, secondLookShare } from './bench-model.ts';
import { startBenchServer } from './bench-server.ts';

const { values } = parseArgs({ options: { connections: { type: 'string', default: '32' }, duration: { type: 'string', default: '10' }, pipelining: { type: 'string', default: '1' } } });
const model = await benchModel();
const images = await captchaPngs(64);
const { url, process: server } = await startBenchServer(model.modelPath);
try {
  const requests = images.map((im) => ({ method: 'POST' as const, path: '/decode', headers: { 'content-type': 'image/png' }, body: Buffer.from(im.png) }));
  // warm up
  await autocannon({ url, connections: 8, duration: 2, requests });
  const result = await autocannon({ url, connections: Number(values.connections), duration: Number(values.duration), pipelining: Number(values.pipelining), requests });
  const ok = result['2xx'];
  console.log(`model: ${model.label}${await secondLookShare(model.modelPath, images.map((i) => i.png))}`);
  console.log(`POST /decode, 160x60 PNG, ${values.connections} connections, ${values.duration} s: ${Math.round(result.requests.average)} req/s (${ok} ok, ${result.non2xx} non-2xx, ${result.errors} errors)`);
  console.log(`latency ms: p50 ${result.latency.p50}, p90 ${result.latency.p90}, p99 ${result.latency.p99}, max ${result.latency.max}`);
} finally {
  server.kill('SIGTERM');
}
