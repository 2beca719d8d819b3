// Batch-1 latency of several converted models, interleaved in one process (one intra-op thread,
// as each of the server's model workers runs). Each MODEL.onnx needs its MODEL.json beside it.
// Usage: node --import tsx experiments/int8/time.ts A.onnx B.onnx ...
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const paths = process.argv.slice(2);
const sessions = await Promise.all(paths.map((p) => ort.InferenceSession.create(p, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' })));
const feeds = paths.map((p, m) => {
  const { height, width } = JSON.parse(readFileSync(p.replace(/\.onnx$/, '.json'), 'utf8')).input as { height: number; width: number };
  return { [sessions[m].inputNames[0]]: new ort.Tensor('float32', new Float32Array(height * width).fill(0.3), [1, height, width, 1]) };
});
const times: number[][] = paths.map(() => []);
for (let round = 0; round < 6; round++) {
  for (let m = 0; m < sessions.length; m++) {
    for (let i = 0; i < 150; i++) {
      const t = performance.now();
      await sessions[m].run(feeds[m]);
      if (round > 0) times[m].push(performance.now() - t); // round 0 warms up
    }
  }
}
const q = (a: number[], p: number) => [...a].sort((u, v) => u - v)[Math.floor(a.length * p)];
paths.forEach((p, m) => console.log(`${p}: p50 ${q(times[m], 0.5).toFixed(3)} ms, p90 ${q(times[m], 0.9).toFixed(3)} ms (${times[m].length} runs)`));
