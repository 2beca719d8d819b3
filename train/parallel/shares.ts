import type { Batch } from '../data/batch.ts';

/** Sizes of `replicas` shares of `size` images: as even as possible, the larger ones first. */
export function shareSizes(size: number, replicas: number): number[] {
  const base = Math.floor(size / replicas);
  return Array.from({ length: replicas }, (_, r) => base + (r < size % replicas ? 1 : 0));
}

/** Replica r's slice of a batch (copies, ready to transfer): consecutive images, so the whole batch is the same for any replica count. */
export function sliceBatch(batch: Batch, replicas: number): Batch[] {
  const pixels = batch.images.length / batch.size;
  const out: Batch[] = [];
  let start = 0;
  for (const n of shareSizes(batch.size, replicas)) {
    const end = start + n;
    out.push({
      step: batch.step,
      size: n,
      images: batch.images.slice(start * pixels, end * pixels),
      labels: batch.labels.slice(start * batch.maxLength, end * batch.maxLength),
      lengths: batch.lengths.slice(start, end),
      maxLength: batch.maxLength,
    });
    start = end;
  }
  return out;
}

/** FNV-1a over the bits of float32 arrays: replicas that did the same float ops agree exactly. */
export function checksum(arrays: readonly Float32Array[]): number {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const bits = new Uint32Array(a.buffer, a.byteOffset, a.length);
    for (let i = 0; i < bits.length; i++) h = Math.imul(h ^ bits[i], 0x01000193);
  }
  return h >>> 0;
}
