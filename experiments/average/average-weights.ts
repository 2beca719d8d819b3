// The element-wise mean of the weights of several tfjs exports of one architecture (checkpoints
// of one run), batch-norm moving statistics included: a model to convert and score like any other.
// Usage: node --import tsx experiments/average/average-weights.ts OUT METADATA.json DIR...
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [out, metadata, ...dirs] = process.argv.slice(2);
if (!out || !metadata || dirs.length === 0) {
  console.error('usage: average-weights.ts OUT METADATA.json DIR...');
  process.exit(2);
}
const manifest = (dir: string) => JSON.stringify((JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest: unknown }).weightsManifest);
const weights = dirs.map((dir) => {
  if (manifest(dir) !== manifest(dirs[0])) throw new Error(`${dir} holds other weights than ${dirs[0]}`);
  const bytes = readFileSync(join(dir, 'weights.bin'));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
});
const mean = new Float32Array(weights[0].length);
for (const w of weights) for (let i = 0; i < mean.length; i++) mean[i] += w[i] / weights.length;
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'weights.bin'), mean);
copyFileSync(join(dirs[0], 'model.json'), join(out, 'model.json'));
copyFileSync(metadata, join(out, 'metadata.json'));
console.log(`${out}: the mean of ${dirs.length} exports (${mean.length} floats)`);
